-- The change feed asks, once a second per server while anyone watches, which documents changed since a moment:
-- without this it read and sorted the whole table each time. One owner's list sorted by updated_at keeps
-- (owner_id, updated_at).
CREATE INDEX ix_documents_updated ON documents (updated_at, id);
