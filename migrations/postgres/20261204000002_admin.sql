-- Administration: a disabled user cannot sign in and their sessions end; the daily limits per tier an admin set
-- at run time (over the GUEST_*/USER_* settings the server started with), read by every replica.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

CREATE TABLE tier_limits (
    tier              TEXT PRIMARY KEY CHECK (tier IN ('guest', 'user')),
    questions_per_day BIGINT NOT NULL,
    tokens_per_day    BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
