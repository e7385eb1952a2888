-- Tables the portals read. Every row carries the heads of the document state it came from
-- (doc_heads), so an edit made from a page can say which state the user saw.
create table site_settings (
  site_id text primary key,
  clinic_name text not null,
  industry text not null,
  healing_tier text not null,
  client_alert_mode text not null,
  notes text not null,
  checks jsonb not null,
  contacts jsonb not null,
  maintenance jsonb,
  schema_version int not null,
  doc_heads text[] not null
);

create table site_frameworks (
  site_id text not null,
  framework_id text not null,
  doc_heads text[] not null,
  primary key (site_id, framework_id)
);

create table l1_rules (
  site_id text not null,
  rule_id text not null,
  name text not null,
  description text not null,
  conditions jsonb not null,
  action text not null,
  action_params jsonb not null,
  hipaa_controls jsonb not null,
  enabled boolean not null,
  priority int not null,
  cooldown_seconds int not null,
  source text not null,
  tier text,
  pattern_signature text,
  promoted_at timestamptz,
  doc_heads text[] not null,
  primary key (site_id, rule_id)
);
create index l1_rules_pattern on l1_rules (site_id, pattern_signature);

create table compliance_exceptions (
  site_id text not null,
  exception_id text not null,
  scope text not null,
  item_id text not null,
  device_filter text,
  reason text not null,
  compensating_control text not null,
  action text not null,
  status text not null,
  starts_at timestamptz not null,
  expires_at timestamptz not null,
  requested_by text not null,
  requested_at timestamptz not null,
  approved_by text,
  approved_at timestamptz,
  approval_tier text,
  decision_reason text,
  doc_heads text[] not null,
  primary key (site_id, exception_id)
);

create table exception_history (
  site_id text not null,
  exception_id text not null,
  seq int not null,
  at timestamptz not null,
  actor text not null,
  event text not null,
  status text not null,
  note text,
  doc_heads text[] not null,
  primary key (site_id, exception_id, seq)
);

create table pattern_stats (
  appliance_id text not null,
  signature text not null,
  site_id text not null,
  incident_type text not null,
  check_type text,
  total_occurrences bigint not null,
  l1_resolutions bigint not null,
  l2_resolutions bigint not null,
  l3_resolutions bigint not null,
  success_count bigint not null,
  failure_count bigint not null,
  total_resolution_time_ms bigint not null,
  last_seen timestamptz not null,
  recommended_action text,
  doc_heads text[] not null,
  primary key (appliance_id, signature)
);
create index pattern_stats_site on pattern_stats (site_id, signature);

create table rule_outcomes (
  appliance_id text not null,
  outcome_key text not null,
  site_id text not null,
  action text not null,
  rule_id text not null,
  success bigint not null,
  failure bigint not null,
  partial bigint not null,
  escalated bigint not null,
  timeout bigint not null,
  last_at timestamptz not null,
  doc_heads text[] not null,
  primary key (appliance_id, outcome_key)
);

-- Site-wide figures are sums over the site's appliances (the old MAX-merge undercounted).
create view site_pattern_stats as
select site_id, signature,
  min(incident_type) as incident_type, min(check_type) as check_type,
  sum(total_occurrences)::bigint as total_occurrences,
  sum(l1_resolutions)::bigint as l1_resolutions, sum(l2_resolutions)::bigint as l2_resolutions,
  sum(l3_resolutions)::bigint as l3_resolutions,
  sum(success_count)::bigint as success_count, sum(failure_count)::bigint as failure_count,
  sum(total_resolution_time_ms)::bigint as total_resolution_time_ms,
  max(last_seen) as last_seen,
  (array_agg(recommended_action order by last_seen desc) filter (where recommended_action is not null))[1] as recommended_action,
  count(*)::int as appliances
from pattern_stats group by site_id, signature;

create table audit_events (
  appliance_id text not null,
  period text not null,
  entry_id text not null,
  site_id text not null,
  at timestamptz not null,
  actor text not null,
  action text not null,
  target text not null,
  outcome text not null,
  detail jsonb not null,
  doc_heads text[] not null,
  primary key (appliance_id, period, entry_id)
);
create index audit_events_site_at on audit_events (site_id, at desc);
