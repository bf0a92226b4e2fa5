-- Usage metering (issue #15): batches gateways append to the Redis stream rg:usage, folded into hourly and daily
-- aggregates. See docs/usage-and-quotas.md for the design.

-- One row per batch ever folded in: the primary key is what makes a re-sent or re-delivered batch count once.
-- Rows older than relaygate.usage.batch-id-retention are purged.
create table usage_batches (
    batch_id    text        primary key check (length(batch_id) between 1 and 200),
    gateway_id  text,
    stream_id   text        not null,
    recorded_at timestamptz not null
);
create index usage_batches_recorded_idx on usage_batches (recorded_at);

-- Stream entries that could not be read (malformed JSON, unknown schema, invalid rows). Kept with their payload
-- so nothing is dropped silently; they are acknowledged so they cannot wedge the consumer.
create table usage_dead_letters (
    stream_id   text        primary key,
    payload     text,
    reason      text        not null,
    recorded_at timestamptz not null
);

-- calls: metered calls that were admitted (ok, rpc_error, upstream_error); errors: the rpc_error and
-- upstream_error part of calls; rate_limited: calls refused by a limit (not in calls); compute_units: what the
-- gateway charged.
--
-- Range-partitioned by month: a month of hourly rows is one table, queries for a range touch only its months, and
-- retention drops whole partitions instead of deleting rows. Partitions are created ahead by the control plane
-- (usage_hourly_ensure_partition), never by hand. There is deliberately no default partition: rows in it would
-- block creating the partition of their month later.
create table usage_hourly (
    organization_id         uuid        not null,
    key_id                  uuid        not null,
    chain                   text        not null,
    method                  text        not null,
    hour                    timestamptz not null,
    calls                   bigint      not null check (calls >= 0),
    compute_units           bigint      not null check (compute_units >= 0),
    errors                  bigint      not null check (errors >= 0),
    rate_limited            bigint      not null check (rate_limited >= 0),
    upstream_latency_ms_sum bigint      not null check (upstream_latency_ms_sum >= 0),
    -- The API's queries are "one organization, a range of hours": organization_id then hour leads.
    primary key (organization_id, hour, key_id, chain, method)
) partition by range (hour);

-- Day-granularity queries read this table: ~24 times fewer rows than usage_hourly, kept beyond the hourly retention.
create table usage_daily (
    organization_id         uuid   not null,
    key_id                  uuid   not null,
    chain                   text   not null,
    method                  text   not null,
    day                     date   not null,
    calls                   bigint not null check (calls >= 0),
    compute_units           bigint not null check (compute_units >= 0),
    errors                  bigint not null check (errors >= 0),
    rate_limited            bigint not null check (rate_limited >= 0),
    upstream_latency_ms_sum bigint not null check (upstream_latency_ms_sum >= 0),
    primary key (organization_id, day, key_id, chain, method)
);

-- Creates the usage_hourly partition of the month containing month_day (UTC) unless it exists. Cheap when it does
-- (a catalogue lookup, no lock), so the consumer may call it for every batch. Two instances racing to create the same
-- partition both succeed.
create function usage_hourly_ensure_partition(month_day date) returns void language plpgsql as $$
declare
    first_day date := date_trunc('month', month_day)::date;
    partition text := 'usage_hourly_' || to_char(first_day, 'YYYY_MM');
begin
    if to_regclass(partition) is not null then
        return;
    end if;
    execute format('create table if not exists %I partition of usage_hourly for values from (%L) to (%L)',
            partition, first_day::timestamp at time zone 'UTC',
            (first_day + interval '1 month')::timestamp at time zone 'UTC');
exception
    when duplicate_table or unique_violation then
        null;
end;
$$;
