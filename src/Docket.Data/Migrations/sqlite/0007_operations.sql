-- Operations: where a job came from (request id, trace), where it starts (reprocess from a stage),
-- each stage's outputs beside the result, worker heartbeats, and the maintenance schedule.

ALTER TABLE jobs ADD COLUMN start_stage TEXT;
ALTER TABLE jobs ADD COLUMN request_id TEXT;
ALTER TABLE jobs ADD COLUMN trace_parent TEXT;
-- Throughput (finished in the last minutes) and retention (finished long ago) read ranges of it.
CREATE INDEX ix_jobs_finished ON jobs (state, finalized_at);

-- {"stage name": {outputs of that stage}}; NULL for results stored before stages were kept.
ALTER TABLE document_results ADD COLUMN stages TEXT;

CREATE TABLE workers (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    process_id INTEGER NOT NULL,
    slots INTEGER NOT NULL,
    busy INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

-- One row per maintenance task: a node runs it only after claiming the row for the current interval.
CREATE TABLE maintenance_runs (
    task TEXT PRIMARY KEY,
    started_at INTEGER,
    finished_at INTEGER,
    node TEXT,
    outcome TEXT
);
