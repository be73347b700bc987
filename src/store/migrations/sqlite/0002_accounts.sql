-- 0002 accounts: what `cxm serve` needs to know who is asking.
-- users.password_hash exists since 0001 (NULL: the user cannot sign in).
-- Secrets are never stored: api_keys and sessions keep a hash of theirs.

-- the dashboard language a user chose; NULL: the tenant's language
ALTER TABLE users ADD COLUMN language TEXT;
-- signing in names a username or an email, maybe without a tenant
CREATE INDEX users_login_username ON users (username, tenant_id);
CREATE INDEX users_login_email ON users (email, tenant_id);

CREATE TABLE api_keys (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	name TEXT,
	role TEXT NOT NULL,
	secret_hash TEXT NOT NULL,
	last4 TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	created_by TEXT,
	revoked_at INTEGER
);
CREATE INDEX api_keys_tenant ON api_keys (tenant_id, id);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL REFERENCES users(id),
	secret_hash TEXT NOT NULL,
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (tenant_id, expires_at);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id);

-- administrative actions; ids grow with time, so (tenant_id, id) read
-- backwards lists a tenant's newest first
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL,
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT,
	detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
