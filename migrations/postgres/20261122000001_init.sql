-- Guests, their conversations and messages; the same tables and columns as migrations/sqlite, in PostgreSQL types.
-- IDs are UUID v7 text (sortable by creation time, identical in both databases); times are Unix milliseconds, UTC.

CREATE TABLE guest_sessions (
    id                  TEXT PRIMARY KEY,
    token_hash          BYTEA NOT NULL UNIQUE,     -- SHA-256 of the cookie's random token; the token itself is never stored
    created_at          BIGINT NOT NULL,
    expires_at          BIGINT NOT NULL,
    last_seen_at        BIGINT NOT NULL,
    migrated_to_user_id TEXT
);

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    guest_session_id TEXT REFERENCES guest_sessions(id) ON DELETE CASCADE,
    assistant_id     TEXT NOT NULL,
    title            TEXT NOT NULL,
    pinned           BOOLEAN NOT NULL DEFAULT FALSE,
    archived         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE INDEX conversations_guest_updated ON conversations (guest_session_id, updated_at DESC);

CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    conversation_id   TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    role              TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content           TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('streaming', 'complete', 'interrupted', 'failed')),
    provider          TEXT,
    model             TEXT,
    prompt_tokens     BIGINT,
    completion_tokens BIGINT,
    usage_estimated   BOOLEAN NOT NULL DEFAULT FALSE,
    ttft_ms           BIGINT,
    latency_ms        BIGINT,
    error_id          TEXT,
    disclaimer        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);

CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';
