-- Files taken from the consume folder, by content: a file is ingested once, also across restarts.
CREATE TABLE consumed_files (
    sha256 text PRIMARY KEY,
    document_id uuid NOT NULL,
    file_name text NOT NULL,
    consumed_at timestamptz NOT NULL
);
