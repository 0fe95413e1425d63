-- What a tax answer was grounded on (JSON: the profile stamp, the numbered sources, calculator results and any
-- figure found in none of them), and each owner's tax profile (JSON of model::tax::TaxProfile).
ALTER TABLE messages ADD COLUMN grounding TEXT;

CREATE TABLE tax_profiles (
    guest_session_id TEXT PRIMARY KEY REFERENCES guest_sessions(id) ON DELETE CASCADE,
    profile          TEXT NOT NULL,
    updated_at       BIGINT NOT NULL
);
