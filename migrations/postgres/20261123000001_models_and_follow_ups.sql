-- The model chosen per conversation, the note shown when another provider stood in, and suggested follow-ups.
ALTER TABLE conversations ADD COLUMN model_key TEXT;      -- 'provider/model'; NULL: the server's default
ALTER TABLE messages ADD COLUMN notice TEXT;              -- e.g. 'Answered by X because Y was unavailable.'
ALTER TABLE messages ADD COLUMN follow_ups TEXT;          -- JSON array of exactly three questions, or NULL
