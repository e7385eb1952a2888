-- Learning flywheel: per-partner thresholds, one promotion per (site, pattern) ever, and the cloud's
-- own append-only audit log (who changed what from the cloud side: promotions, portal edits).
create table partner_settings (
  partner_id text primary key references partners (id),
  min_occurrences int not null default 5,
  min_success_rate double precision not null default 0.9,
  recent_days int not null default 7
);

create table promotions (
  site_id text not null,
  signature text not null,
  rule_id text not null,
  action text not null,
  occurrences bigint not null,
  success_rate double precision not null,
  promoted_at timestamptz not null default now(),
  primary key (site_id, signature)
);

create table cloud_audit (
  id bigserial primary key,
  at timestamptz not null default now(),
  site_id text,
  actor text not null,
  action text not null,
  target text not null,
  detail jsonb not null default '{}'
);
create index cloud_audit_site_at on cloud_audit (site_id, at desc);

create or replace function cloud_audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'cloud_audit is append-only';
end;
$$;
create trigger cloud_audit_no_update before update or delete on cloud_audit
  for each row execute function cloud_audit_append_only();
