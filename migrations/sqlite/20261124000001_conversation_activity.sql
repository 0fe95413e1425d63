-- A conversation moves up the sidebar when a question arrives and when an answer ends. The database keeps that
-- order itself, so storing a question into an existing conversation, or an answer's final state, is a single
-- statement: no transaction holds the write lock across round trips on the way to a first token.
CREATE TRIGGER conversations_touch_on_message AFTER INSERT ON messages BEGIN
    UPDATE conversations SET updated_at = MAX(updated_at, new.updated_at) WHERE id = new.conversation_id;
END;
CREATE TRIGGER conversations_touch_on_answer_end AFTER UPDATE OF status ON messages
    WHEN old.status = 'streaming' AND new.status <> 'streaming' BEGIN
    UPDATE conversations SET updated_at = MAX(updated_at, new.updated_at) WHERE id = new.conversation_id;
END;
