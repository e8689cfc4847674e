-- Timestamps are Unix epoch milliseconds (UTC); ids are lower-case UUID text.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE documents (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users (id),
    filename TEXT NOT NULL,
    file_type TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    status TEXT NOT NULL,
    title TEXT,
    category TEXT,
    current_job_id TEXT,
    current_result_id TEXT,
    failure_reason TEXT,
    review TEXT,
    reviewed_at INTEGER,
    reviewed_by TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    processed_at INTEGER,
    finalized_at INTEGER,
    finalized_by TEXT
);
CREATE INDEX ix_documents_owner_created ON documents (owner_id, created_at);
CREATE INDEX ix_documents_owner_status ON documents (owner_id, status, created_at);
CREATE INDEX ix_documents_owner_sha256 ON documents (owner_id, sha256);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    owner_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    priority INTEGER NOT NULL DEFAULT 0,
    attempt INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    scheduled_at INTEGER NOT NULL,
    attempted_at INTEGER,
    attempted_by TEXT,
    lease_expires_at INTEGER,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    stage TEXT,
    progress INTEGER NOT NULL DEFAULT 0,
    errors TEXT NOT NULL DEFAULT '[]',
    last_error TEXT,
    retry_of TEXT,
    created_at INTEGER NOT NULL,
    finalized_at INTEGER
);
CREATE INDEX ix_jobs_claim ON jobs (state, priority, scheduled_at, id);
CREATE INDEX ix_jobs_running_lease ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX ix_jobs_document ON jobs (document_id, created_at);
CREATE INDEX ix_jobs_owner_created ON jobs (owner_id, created_at);

-- AUTOINCREMENT: ids are never reused, so an SSE client's Last-Event-ID stays meaningful forever.
CREATE TABLE job_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    document_id TEXT NOT NULL,
    event TEXT NOT NULL,
    stage TEXT,
    progress INTEGER NOT NULL,
    message TEXT,
    error TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_job_events_job ON job_events (job_id, id);
CREATE INDEX ix_job_events_document ON job_events (document_id, id);

CREATE TABLE document_results (
    id TEXT PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    job_id TEXT NOT NULL UNIQUE,
    version INTEGER NOT NULL,
    content TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (document_id, version)
);

CREATE TABLE exports (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL REFERENCES users (id),
    format TEXT NOT NULL,
    filters TEXT NOT NULL,
    document_count INTEGER NOT NULL,
    storage_key TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX ix_exports_owner_created ON exports (owner_id, created_at);
