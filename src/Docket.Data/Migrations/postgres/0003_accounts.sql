-- Accounts: passwords (ASP.NET Core Identity's hash format), lockout, sessions and refresh tokens.
-- The local user of 0001 keeps owning what was made before accounts existed; it has no password,
-- so nobody signs in as it (admins see its documents like everyone else's).

ALTER TABLE users ADD COLUMN password_hash text;
ALTER TABLE users ADD COLUMN failed_logins integer NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN locked_until timestamptz;

-- One sign-in: a browser session (its cookie's secret, hashed) or an API client's refresh-token family.
CREATE TABLE auth_sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind text NOT NULL,
    secret_hash text UNIQUE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_reason text
);
CREATE INDEX ix_auth_sessions_user ON auth_sessions (user_id);
CREATE INDEX ix_auth_sessions_expires ON auth_sessions (expires_at);

-- Refresh tokens are stored as SHA-256 hashes; used_at marks a token that was rotated, so showing
-- it again is theft and revokes its session (the whole family).
CREATE TABLE refresh_tokens (
    token_hash text PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX ix_refresh_tokens_session ON refresh_tokens (session_id);

-- The key that signs access tokens when none is configured: made once, shared by every node.
CREATE TABLE signing_keys (
    id text PRIMARY KEY,
    key_material text NOT NULL,
    created_at timestamptz NOT NULL
);
