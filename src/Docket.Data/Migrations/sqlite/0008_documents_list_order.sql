-- The document list's default order (created_at DESC, id DESC) and its status filter, for reviewers
-- and admins, who see everyone's documents: read in index order and stopped after one page, instead
-- of sorting every row. One owner's list already has (owner_id, created_at) and (owner_id, status, created_at).
CREATE INDEX ix_documents_created ON documents (created_at, id);
CREATE INDEX ix_documents_status_created ON documents (status, created_at, id);
