-- Conversation management: renamed titles stay put, pinned/archived lists page by keyset, full-text search.

ALTER TABLE conversations ADD COLUMN title_edited INTEGER NOT NULL DEFAULT 0;   -- renamed by its owner: no auto-title

-- The sidebar's order, pinned first, newest first, and its keyset pagination, per owner and archive filter.
CREATE INDEX conversations_sidebar
    ON conversations (guest_session_id, archived, pinned DESC, updated_at DESC, id DESC);

-- Full-text search over finished messages and titles. External-content FTS5 tables index the text without copying
-- it; triggers keep them in step. Answers are indexed once they are final, not at every streaming checkpoint.
CREATE VIRTUAL TABLE messages_fts USING fts5(content, content = 'messages', content_rowid = 'rowid',
                                             tokenize = 'porter unicode61');
CREATE VIRTUAL TABLE conversations_fts USING fts5(title, content = 'conversations', content_rowid = 'rowid',
                                                  tokenize = 'porter unicode61');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.status <> 'streaming' BEGIN
    INSERT INTO messages_fts (rowid, content) VALUES (new.rowid, new.content);
END;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF content, status ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content)
        SELECT 'delete', old.rowid, old.content WHERE old.status <> 'streaming';
    INSERT INTO messages_fts (rowid, content) SELECT new.rowid, new.content WHERE new.status <> 'streaming';
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.status <> 'streaming' BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, content) VALUES ('delete', old.rowid, old.content);
END;

CREATE TRIGGER conversations_fts_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
END;
CREATE TRIGGER conversations_fts_update AFTER UPDATE OF title ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    INSERT INTO conversations_fts (rowid, title) VALUES (new.rowid, new.title);
END;
CREATE TRIGGER conversations_fts_delete AFTER DELETE ON conversations BEGIN
    INSERT INTO conversations_fts (conversations_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
END;

INSERT INTO messages_fts (rowid, content) SELECT rowid, content FROM messages WHERE status <> 'streaming';
INSERT INTO conversations_fts (rowid, title) SELECT rowid, title FROM conversations;
