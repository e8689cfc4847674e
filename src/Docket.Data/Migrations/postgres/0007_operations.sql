-- Operations: where a job came from (request id, trace), where it starts (reprocess from a stage),
-- each stage's outputs beside the result, worker heartbeats, and the maintenance schedule.

ALTER TABLE jobs ADD COLUMN start_stage text;
ALTER TABLE jobs ADD COLUMN request_id text;
ALTER TABLE jobs ADD COLUMN trace_parent text;
-- Throughput (finished in the last minutes) and retention (finished long ago) read ranges of it.
CREATE INDEX ix_jobs_finished ON jobs (state, finalized_at);

-- {"stage name": {outputs of that stage}}; NULL for results stored before stages were kept.
ALTER TABLE document_results ADD COLUMN stages text;

CREATE TABLE workers (
    id text PRIMARY KEY,
    host text NOT NULL,
    process_id integer NOT NULL,
    slots integer NOT NULL,
    busy integer NOT NULL,
    started_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);

-- One row per maintenance task: a node runs it only after claiming the row for the current interval
-- (and holding the task's advisory lock while it runs).
CREATE TABLE maintenance_runs (
    task text PRIMARY KEY,
    started_at timestamptz,
    finished_at timestamptz,
    node text,
    outcome text
);
