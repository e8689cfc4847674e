-- Who did what to a document, and when. No foreign key to documents: the trail of a deleted
-- document (its delete included) outlives it.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    action TEXT NOT NULL,
    field TEXT,
    old_value TEXT,
    new_value TEXT,
    details TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_audit_events_document ON audit_events (document_id, id);
CREATE INDEX ix_audit_events_created ON audit_events (created_at);
