-- Tenancy, appliances, enrollment and the document registry (read/write ACL source of truth).
create table partners (
  id text primary key,
  name text not null,
  created_at timestamptz not null default now()
);

create table clients (
  id text primary key,
  partner_id text not null references partners (id),
  name text not null,
  created_at timestamptz not null default now()
);

create table sites (
  id text primary key,
  partner_id text not null references partners (id),
  client_id text references clients (id),
  name text not null,
  created_at timestamptz not null default now()
);
create index sites_partner on sites (partner_id);

create table appliances (
  id text primary key,
  site_id text not null references sites (id),
  public_key bytea not null unique check (length(public_key) = 32),
  status text not null default 'active' check (status in ('active', 'revoked')),
  enrolled_at timestamptz not null default now(),
  revoked_at timestamptz,
  revoked_reason text,
  last_seen_at timestamptz
);
create index appliances_site on appliances (site_id);

-- Tokens are stored hashed; the clear token is shown once when issued.
create table enrollment_tokens (
  token_hash bytea primary key,
  site_id text not null references sites (id),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  used_at timestamptz,
  used_by text references appliances (id)
);

-- Every document the cloud knows: its site, kind, and (for appliance-owned kinds) its appliance.
create table documents (
  doc_id text primary key,
  site_id text not null references sites (id),
  kind text not null check (kind in ('site_settings', 'rule_book', 'exceptions', 'pattern_stats', 'audit_trail')),
  appliance_id text references appliances (id),
  period text,
  created_at timestamptz not null default now(),
  unique (site_id, kind, appliance_id, period)
);
create index documents_site on documents (site_id);

-- Automerge actor ids bound to the principal that first authored with them (trust on first use;
-- an actor bound to another principal is a forgery).
create table actor_bindings (
  actor_id text primary key,
  principal text not null,
  doc_id text not null,
  bound_at timestamptz not null default now()
);

create table acl_violations (
  id bigserial primary key,
  at timestamptz not null default now(),
  principal text not null,
  doc_id text,
  code text not null,
  detail jsonb not null default '{}'
);
