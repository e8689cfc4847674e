-- A job's claim and its completion each update the job row and the document row, and neither update can be HOT
-- (state, status and updated_at are indexed), so every index of both tables gets a new entry twice per job. On the
-- queue benchmark these index writes were about half of PostgreSQL's time. These indexes keep only the rows their
-- queries can ask for, so most of those writes go (decision 66). Each is rebuilt here, holding its table's lock
-- while it builds.

-- The claim and the queue's gauges ask only for queued jobs; the claim no longer writes this index, nor the
-- completion.
DROP INDEX ix_jobs_claim;
CREATE INDEX ix_jobs_queued ON jobs (priority, scheduled_at, id) WHERE state = 'queued';

-- Throughput, retention and the dead letters ask only for finished jobs; the claim no longer writes this index.
DROP INDEX ix_jobs_finished;
CREATE INDEX ix_jobs_finished ON jobs (state, finalized_at) WHERE state IN ('succeeded', 'failed', 'cancelled');

-- Search matches a title or a review only where there is one (`title IS NOT NULL AND lower(title) LIKE ...`), so a
-- document without them has no use for an entry: until processing gives it a title, and until someone reviews it,
-- its updates write nothing here.
DROP INDEX ix_documents_title_trgm;
CREATE INDEX ix_documents_title_trgm ON documents USING gin (lower(title) gin_trgm_ops) WHERE title IS NOT NULL;
DROP INDEX ix_documents_review_trgm;
CREATE INDEX ix_documents_review_trgm ON documents USING gin (lower(review) gin_trgm_ops) WHERE review IS NOT NULL;
