-- Idempotency-Key: the first response to a key, replayed to a repeat of the same request.
-- status_code is NULL while the first request still runs (locked_until bounds a crashed one).
CREATE TABLE idempotency_keys (
    user_id uuid NOT NULL,
    idempotency_key text NOT NULL,
    fingerprint text NOT NULL,
    status_code integer,
    content_type text,
    location text,
    body bytea,
    created_at timestamptz NOT NULL,
    locked_until timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX ix_idempotency_keys_expires ON idempotency_keys (expires_at);
