-- Branches: Regenerate and Edit keep what they replace. Every message has the message before it (`parent_id`,
-- NULL for a conversation's first); the conversation shown is the path of `active` messages, which always
-- runs in id order. Messages set aside by one Regenerate, Edit or switch share `hidden_by` (that operation's id), so
-- switching back restores exactly the path that was shown.
ALTER TABLE messages ADD COLUMN parent_id TEXT;
ALTER TABLE messages ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE messages ADD COLUMN hidden_by TEXT;

-- Until now every conversation was one path: each message's parent is the one before it.
UPDATE messages SET parent_id = (
    SELECT prior.id FROM messages prior
    WHERE prior.conversation_id = messages.conversation_id AND prior.id < messages.id
    ORDER BY prior.id DESC LIMIT 1
);

CREATE INDEX messages_parent ON messages (conversation_id, parent_id);
CREATE INDEX messages_hidden_by ON messages (conversation_id, hidden_by) WHERE hidden_by IS NOT NULL;

CREATE INDEX messages_active_path ON messages (conversation_id, active, id);
