-- Read-only links to a user's conversation as it stood when shared. The token is the link itself (/s/{token}): it
-- is kept as it is so the owner can copy the link again from Settings; it grants reading, never changing. Messages
-- created after shared_at stay out until the owner shares again. Revoked links answer 404.
CREATE TABLE share_links (
    id              TEXT PRIMARY KEY NOT NULL,
    token           TEXT NOT NULL UNIQUE,
    user_id         TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    shared_at       INTEGER NOT NULL,
    revoked_at      INTEGER
);
CREATE INDEX share_links_user ON share_links (user_id, created_at DESC);
CREATE INDEX share_links_conversation ON share_links (conversation_id);
