-- A conversation moves up the sidebar when a question arrives and when an answer ends. The database keeps that
-- order itself, so storing a question into an existing conversation, or an answer's final state, is a single
-- statement: no transaction holds row locks across round trips on the way to a first token.
CREATE FUNCTION touch_conversation() RETURNS trigger AS $$
BEGIN
    UPDATE conversations SET updated_at = GREATEST(updated_at, NEW.updated_at) WHERE id = NEW.conversation_id;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER conversations_touch_on_message AFTER INSERT ON messages
    FOR EACH ROW EXECUTE FUNCTION touch_conversation();
CREATE TRIGGER conversations_touch_on_answer_end AFTER UPDATE OF status ON messages
    FOR EACH ROW WHEN (OLD.status = 'streaming' AND NEW.status <> 'streaming')
    EXECUTE FUNCTION touch_conversation();
