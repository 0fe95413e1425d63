-- The public API. A client signed in through the API is a session like a browser's (kind 'api'), so Settings lists
-- it, "Sign out" ends it, and a password change or an admin's disable ends it with the rest. Its refresh tokens
-- form one family: each is exchanged once for the next, and showing a used one again (a stolen copy) ends the
-- session. An API session's own token_hash is random and never handed out: only refresh tokens reach a client.
ALTER TABLE user_sessions ADD COLUMN kind TEXT NOT NULL DEFAULT 'browser' CHECK (kind IN ('browser', 'api'));

CREATE TABLE refresh_tokens (
    token_hash BLOB PRIMARY KEY NOT NULL,       -- SHA-256 of the token
    session_id TEXT NOT NULL REFERENCES user_sessions(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    used_at    INTEGER                          -- when it was exchanged for the next one
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Personal API keys: only a key's SHA-256 is kept, and its first characters so its owner can tell keys apart.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    key_hash     BLOB NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,                 -- space-separated: read write chat
    record       BOOLEAN NOT NULL DEFAULT TRUE, -- answers of /v1/chat/completions are kept as conversations
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at DESC);
