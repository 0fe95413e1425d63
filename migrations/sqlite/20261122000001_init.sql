-- Guests, their conversations and messages. IDs are UUID v7 text (sortable by creation time); times are Unix
-- milliseconds, UTC.

CREATE TABLE guest_sessions (
    id                  TEXT PRIMARY KEY NOT NULL,
    token_hash          BLOB NOT NULL UNIQUE,      -- SHA-256 of the cookie's random token; the token itself is never stored
    created_at          INTEGER NOT NULL,
    expires_at          INTEGER NOT NULL,
    last_seen_at        INTEGER NOT NULL,
    migrated_to_user_id TEXT
);

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY NOT NULL,
    guest_session_id TEXT REFERENCES guest_sessions(id) ON DELETE CASCADE,
    assistant_id     TEXT NOT NULL,
    title            TEXT NOT NULL,
    pinned           INTEGER NOT NULL DEFAULT 0,
    archived         INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE INDEX conversations_guest_updated ON conversations (guest_session_id, updated_at DESC);

CREATE TABLE messages (
    id                TEXT PRIMARY KEY NOT NULL,
    conversation_id   TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('streaming', 'complete', 'interrupted', 'failed')),
    provider          TEXT,
    model             TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    usage_estimated   INTEGER NOT NULL DEFAULT 0,
    ttft_ms           INTEGER,
    latency_ms        INTEGER,
    error_id          TEXT,
    disclaimer        TEXT,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
