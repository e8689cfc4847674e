-- Files taken from the consume folder, by content: a file is ingested once, also across restarts.
CREATE TABLE consumed_files (
    sha256 TEXT PRIMARY KEY,
    document_id TEXT NOT NULL,
    file_name TEXT NOT NULL,
    consumed_at INTEGER NOT NULL
);
