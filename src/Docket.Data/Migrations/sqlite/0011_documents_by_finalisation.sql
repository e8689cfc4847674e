-- Every process asks every two seconds which documents were finalised in the last 30 seconds (LearningFeed), and
-- at start for the 10,000 most recent: without this each poll read every finalised document (330-410 ms of
-- PostgreSQL at 1,000,000 documents, 400,000 of them finalised). Only finalised documents are in it, so the
-- processing path never writes it; status leads so that SQLite, without statistics, prefers it to
-- ix_documents_status_created.
CREATE INDEX ix_documents_finalized ON documents (status, finalized_at, id) WHERE status = 'finalized';
