-- Conversation management: renamed titles stay put, pinned/archived lists page by keyset, full-text search.

ALTER TABLE conversations ADD COLUMN title_edited BOOLEAN NOT NULL DEFAULT FALSE;   -- renamed: no auto-title

-- The sidebar's order, pinned first, newest first, and its keyset pagination, per owner and archive filter.
CREATE INDEX conversations_sidebar
    ON conversations (guest_session_id, archived, pinned DESC, updated_at DESC, id DESC);

-- Full-text search over finished messages and titles (English stemming, like SQLite's porter tokenizer).
CREATE INDEX messages_search ON messages USING GIN (to_tsvector('english', content)) WHERE status <> 'streaming';
CREATE INDEX conversations_search ON conversations USING GIN (to_tsvector('english', title));
