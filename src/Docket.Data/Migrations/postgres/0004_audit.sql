-- Who did what to a document, and when. No foreign key to documents: the trail of a deleted
-- document (its delete included) outlives it.
CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    document_id uuid NOT NULL,
    user_id uuid NOT NULL,
    action text NOT NULL,
    field text,
    old_value text,
    new_value text,
    details text,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_audit_events_document ON audit_events (document_id, id);
CREATE INDEX ix_audit_events_created ON audit_events (created_at);
