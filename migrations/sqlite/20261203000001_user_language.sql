-- The interface language a user chose ('en', 'vi'), so every device they sign in on shows it; NULL until they choose.
ALTER TABLE users ADD COLUMN language TEXT;
