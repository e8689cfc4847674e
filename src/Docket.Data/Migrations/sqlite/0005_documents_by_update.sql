-- The web UI's change feed asks every second which of a user's documents changed lately.
CREATE INDEX ix_documents_owner_updated ON documents (owner_id, updated_at);
