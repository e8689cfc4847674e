-- Idempotency-Key: the first response to a key, replayed to a repeat of the same request.
-- status_code is NULL while the first request still runs (locked_until bounds a crashed one).
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status_code INTEGER,
    content_type TEXT,
    location TEXT,
    body BLOB,
    created_at INTEGER NOT NULL,
    locked_until INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys (expires_at);
