-- Evidence: a write-once log of signed, hash-chained bundles and its RFC 6962 Merkle tree.
-- Sequencing takes the single evidence_log_state row FOR UPDATE, so several cloud nodes append safely.

create table evidence_log_state (
  id boolean primary key default true check (id),
  size bigint not null default 0 check (size >= 0)
);
insert into evidence_log_state default values;

-- The checkpoint signer (C2SP note key). Generated once on first start when no key is configured;
-- operators should configure their own (docs/security.md).
create table evidence_signer (
  id boolean primary key default true check (id),
  signer_key text not null
);

-- Keys in force per appliance and chain position (rotations recorded in the chain itself).
create table evidence_keys (
  appliance_id text not null references appliances (id),
  public_key bytea not null check (length(public_key) = 32),
  from_position bigint not null check (from_position >= 1),
  until_position bigint,
  primary key (appliance_id, public_key)
);

create table evidence_bundles (
  log_index bigint primary key check (log_index >= 0),
  site_id text not null,
  appliance_id text not null references appliances (id),
  chain_position bigint not null check (chain_position >= 1),
  bundle_hash bytea not null unique check (length(bundle_hash) = 32),
  prev_hash bytea not null check (length(prev_hash) = 32),
  signer_key bytea not null check (length(signer_key) = 32),
  kind text not null,
  checked_at timestamptz not null,
  -- The exact signed bytes (RFC 8785 JSON). Never JSONB: it would reorder keys and break signatures.
  body bytea not null,
  signature bytea not null check (length(signature) = 64),
  received_at timestamptz not null default now(),
  unique (appliance_id, chain_position)
);
create index evidence_bundles_site on evidence_bundles (site_id, checked_at);

create table evidence_tree_nodes (
  level int not null check (level >= 0 and level < 64),
  idx bigint not null check (idx >= 0),
  hash bytea not null check (length(hash) = 32),
  primary key (level, idx)
);

create table evidence_checkpoints (
  size bigint primary key,
  root bytea not null check (length(root) = 32),
  note text not null,
  created_at timestamptz not null default now()
);

-- Refused submissions, for operators (gaps, forks, replays, bad signatures).
create table evidence_rejections (
  id bigserial primary key,
  appliance_id text,
  chain_position bigint,
  code text not null,
  detail text not null,
  at timestamptz not null default now()
);

create or replace function evidence_write_once() returns trigger language plpgsql as $$
begin
  raise exception 'evidence is write-once: % on % refused', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end;
$$;
create trigger evidence_bundles_write_once before update or delete on evidence_bundles
  for each row execute function evidence_write_once();
create trigger evidence_tree_nodes_write_once before update or delete on evidence_tree_nodes
  for each row execute function evidence_write_once();
create trigger evidence_checkpoints_write_once before update or delete on evidence_checkpoints
  for each row execute function evidence_write_once();
create trigger evidence_bundles_no_truncate before truncate on evidence_bundles
  for each statement execute function evidence_write_once();
