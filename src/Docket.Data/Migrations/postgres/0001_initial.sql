-- The same tables as sqlite/0001_initial.sql in PostgreSQL's own types: uuid ids, timestamptz
-- instants (UTC), bigint identity event ids. JSON documents (review, errors, data, filters) are
-- text: the application treats them as opaque strings, EF maps them as strings on both providers,
-- and search matches them with LIKE, which jsonb does not support.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    display_name text NOT NULL,
    role text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE documents (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id),
    filename text NOT NULL,
    file_type text NOT NULL,
    content_type text NOT NULL,
    size_bytes bigint NOT NULL,
    sha256 text NOT NULL,
    storage_key text NOT NULL,
    status text NOT NULL,
    title text,
    category text,
    current_job_id uuid,
    current_result_id uuid,
    failure_reason text,
    review text,
    reviewed_at timestamptz,
    reviewed_by uuid,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    processed_at timestamptz,
    finalized_at timestamptz,
    finalized_by uuid
);
CREATE INDEX ix_documents_owner_created ON documents (owner_id, created_at);
CREATE INDEX ix_documents_owner_status ON documents (owner_id, status, created_at);
CREATE INDEX ix_documents_owner_sha256 ON documents (owner_id, sha256);
-- Search is a case-insensitive substring match (lower(column) LIKE '%text%'); trigram indexes on
-- the lowered columns serve it without scanning every row.
CREATE INDEX ix_documents_filename_trgm ON documents USING gin (lower(filename) gin_trgm_ops);
CREATE INDEX ix_documents_title_trgm ON documents USING gin (lower(title) gin_trgm_ops);
CREATE INDEX ix_documents_review_trgm ON documents USING gin (lower(review) gin_trgm_ops);

CREATE TABLE jobs (
    id uuid PRIMARY KEY,
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    owner_id uuid NOT NULL,
    kind text NOT NULL,
    state text NOT NULL,
    priority integer NOT NULL DEFAULT 0,
    attempt integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    scheduled_at timestamptz NOT NULL,
    attempted_at timestamptz,
    attempted_by text,
    lease_expires_at timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false,
    stage text,
    progress integer NOT NULL DEFAULT 0,
    errors text NOT NULL DEFAULT '[]',
    last_error text,
    retry_of uuid,
    created_at timestamptz NOT NULL,
    finalized_at timestamptz
);
CREATE INDEX ix_jobs_claim ON jobs (state, priority, scheduled_at, id);
CREATE INDEX ix_jobs_running_lease ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX ix_jobs_document ON jobs (document_id, created_at);
CREATE INDEX ix_jobs_owner_created ON jobs (owner_id, created_at);

-- An identity is never reused (even after a rollback it skips ahead), so an SSE client's
-- Last-Event-ID stays meaningful. Ids come from one sequence, and every write that adds a job's
-- events first locks (updates) that job's row, so a job's event ids increase in commit order and a
-- replay after Last-Event-ID misses nothing.
CREATE TABLE job_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    document_id uuid NOT NULL,
    event text NOT NULL,
    stage text,
    progress integer NOT NULL,
    message text,
    error text,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_job_events_job ON job_events (job_id, id);
CREATE INDEX ix_job_events_document ON job_events (document_id, id);

CREATE TABLE document_results (
    id uuid PRIMARY KEY,
    document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    job_id uuid NOT NULL UNIQUE,
    version integer NOT NULL,
    content text NOT NULL,
    data text NOT NULL,
    created_at timestamptz NOT NULL,
    UNIQUE (document_id, version)
);
CREATE INDEX ix_document_results_content_trgm ON document_results USING gin (lower(content) gin_trgm_ops);
CREATE INDEX ix_document_results_data_trgm ON document_results USING gin (lower(data) gin_trgm_ops);

CREATE TABLE exports (
    id uuid PRIMARY KEY,
    owner_id uuid NOT NULL REFERENCES users (id),
    format text NOT NULL,
    filters text NOT NULL,
    document_count integer NOT NULL,
    storage_key text NOT NULL,
    size_bytes bigint NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE INDEX ix_exports_owner_created ON exports (owner_id, created_at);
