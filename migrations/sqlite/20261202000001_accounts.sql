-- Accounts: users and their browser sessions; conversations owned by a user or by a guest, never both; a user's tax
-- profile; usage per owner, day and model for the quotas and the Settings page. Times are Unix milliseconds, UTC.

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    username      TEXT NOT NULL,                -- as typed, for display
    username_key  TEXT NOT NULL UNIQUE,         -- lower case: usernames are unique whatever their case
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE,         -- lower case
    password_hash TEXT NOT NULL,                -- argon2id, PHC string (its salt and parameters inside)
    role          TEXT NOT NULL CHECK (role IN ('user', 'admin')),
    created_at    INTEGER NOT NULL,
    last_login_at INTEGER
);

-- A signed-in browser. The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE user_sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   BLOB NOT NULL UNIQUE,
    user_agent   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER
);
CREATE INDEX user_sessions_user ON user_sessions (user_id, last_seen_at DESC);

ALTER TABLE conversations ADD COLUMN user_id TEXT REFERENCES users(id) ON DELETE CASCADE;
CREATE INDEX conversations_user_sidebar
    ON conversations (user_id, archived, pinned DESC, updated_at DESC, id DESC);

-- SQLite cannot add a CHECK constraint to an existing table: these triggers hold the same rule.
CREATE TRIGGER conversations_one_owner_insert BEFORE INSERT ON conversations
    WHEN (new.user_id IS NULL) = (new.guest_session_id IS NULL) BEGIN
    SELECT RAISE(ABORT, 'a conversation belongs to exactly one of a user or a guest');
END;
CREATE TRIGGER conversations_one_owner_update BEFORE UPDATE OF user_id, guest_session_id ON conversations
    WHEN (new.user_id IS NULL) = (new.guest_session_id IS NULL) BEGIN
    SELECT RAISE(ABORT, 'a conversation belongs to exactly one of a user or a guest');
END;

CREATE TABLE user_tax_profiles (
    user_id    TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    profile    TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- owner_id is a user's or a guest's id (UUID v7, unique across both); day is 'YYYY-MM-DD' (UTC).
CREATE TABLE usage_daily (
    owner_id          TEXT NOT NULL,
    day               TEXT NOT NULL,
    model_key         TEXT NOT NULL,
    questions         INTEGER NOT NULL DEFAULT 0,
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_micros       INTEGER NOT NULL DEFAULT 0,   -- estimated cost in millionths of a US dollar
    PRIMARY KEY (owner_id, day, model_key)
);

-- Proof-of-work challenges already redeemed, until they would have expired anyway: a solution works once.
CREATE TABLE used_challenges (
    signature  TEXT PRIMARY KEY NOT NULL,
    expires_at INTEGER NOT NULL
);
