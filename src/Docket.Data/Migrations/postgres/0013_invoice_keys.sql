-- What each invoice is looked up by to find the same invoice among its owner's other documents (decision 68): one
-- row per document that has a key, written with its result and again when a reviewer edits it. A table of its own
-- rather than columns of documents, whose rows every job updates twice without HOT (decision 66): these indexes
-- are written only when an invoice's keys are. Each lookup is an index range of (owner, key); ownership is part of
-- the key on purpose.
CREATE TABLE invoice_keys (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    owner_id uuid NOT NULL,
    number_key text,
    total_key text
);
CREATE INDEX ix_invoice_keys_number ON invoice_keys (owner_id, number_key) WHERE number_key IS NOT NULL;
CREATE INDEX ix_invoice_keys_total ON invoice_keys (owner_id, total_key) WHERE total_key IS NOT NULL;

-- Documents processed before this migration have results but no keys: each one that may have any (an invoice, or
-- one a reviewer may have made an invoice) waits here until InvoiceKeysBackfill has written its keys.
CREATE TABLE invoice_keys_backfill (
    document_id uuid PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE
);
INSERT INTO invoice_keys_backfill (document_id)
SELECT id FROM documents WHERE current_result_id IS NOT NULL AND (category = 'invoice' OR review IS NOT NULL);
