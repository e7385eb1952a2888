-- Portal: accounts, sessions, login throttling, the portal's own audit log and pattern trend samples.
-- None of these are projected tables: the portal owns them and writes them directly.
create table portal_accounts (
  id text primary key,
  email text not null unique check (email = lower(email)),
  name text not null,
  role text not null check (role in ('partner_admin', 'partner_tech', 'client_user')),
  partner_id text not null references partners (id),
  client_id text references clients (id),
  -- scrypt$N$r$p$salt$hash (base64url)
  password_hash text not null,
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  check ((role = 'client_user') = (client_id is not null))
);
create index portal_accounts_partner on portal_accounts (partner_id);

-- Only the SHA-256 of a session id is stored: a database read does not yield usable cookies.
create table portal_sessions (
  id_hash bytea primary key,
  account_id text not null references portal_accounts (id) on delete cascade,
  csrf_token text not null,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text not null,
  user_agent text not null
);
create index portal_sessions_account on portal_sessions (account_id);

-- Failed logins keyed by account+IP (and a hash, so the table holds no raw e-mail addresses).
create table portal_login_failures (
  key_hash bytea not null,
  at timestamptz not null default now()
);
create index portal_login_failures_key on portal_login_failures (key_hash, at);

-- Who did what from which session (portal side); append-only like cloud_audit.
create table portal_audit (
  id bigserial primary key,
  at timestamptz not null default now(),
  account_id text,
  actor text not null,
  session_ref text,
  ip text,
  user_agent text,
  partner_id text,
  site_id text,
  action text not null,
  target text not null,
  detail jsonb not null default '{}'
);
create index portal_audit_site_at on portal_audit (site_id, at desc);
create index portal_audit_partner_at on portal_audit (partner_id, at desc);

create or replace function portal_audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'portal_audit is append-only';
end;
$$;
create trigger portal_audit_no_update before update or delete on portal_audit
  for each row execute function portal_audit_append_only();

-- Site-wide pattern totals sampled over time (projected tables hold only current totals), for trends.
create table portal_pattern_samples (
  site_id text not null,
  signature text not null,
  sampled_at timestamptz not null,
  total_occurrences bigint not null,
  success_count bigint not null,
  l1_resolutions bigint not null,
  l2_resolutions bigint not null,
  l3_resolutions bigint not null,
  primary key (site_id, signature, sampled_at)
);
