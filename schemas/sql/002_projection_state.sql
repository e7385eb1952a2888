-- Projection bookkeeping: which heads each document's rows reflect, what is waiting, what was refused.
create table projection_state (
  doc_id text primary key,
  heads text[] not null,
  projected_at timestamptz not null default now(),
  quarantined boolean not null default false
);

-- One row per stored change batch (filled by a trigger on the document store, in the same transaction
-- as the chunk write, so a stored change can never miss its projection).
create table projection_queue (
  id bigserial primary key,
  doc_id text not null,
  received_at timestamptz not null default clock_timestamp(),
  -- A document whose projection failed (a bug, not bad data: that is quarantined) waits before a retry.
  not_before timestamptz not null default '-infinity'
);
create index projection_queue_doc on projection_queue (doc_id, id);

create table projection_quarantine (
  id bigserial primary key,
  doc_id text not null,
  heads text[] not null,
  reason text not null,
  at timestamptz not null default now()
);
create index projection_quarantine_doc on projection_quarantine (doc_id);
