-- Usage-based billing (issue #16): compute units reported to a Stripe Billing Meter. See docs/billing.md,
-- "Meter reporting".

-- One row per slice of usage reported (or to report) to Stripe: the compute units of one organization in one
-- completed UTC hour. seq 0 is the hour as first reported; usage that arrives for the hour later is reported as
-- the difference, seq 1, 2, … Each slice's identifier is Stripe's meter event identifier, fixed when the slice is
-- planned and never changed, so a resent slice is counted once by Stripe. A row is written ("planned") before it
-- is sent, which is what lets a restarted reporter resend the same identifier instead of computing a new one.
create table meter_reports (
    organization_id    uuid        not null,
    hour               timestamptz not null,
    seq                integer     not null check (seq >= 0),
    identifier         text        not null unique check (length(identifier) <= 100),
    stripe_customer_id text        not null,
    compute_units      bigint      not null check (compute_units > 0),
    -- pending: planned, not yet acknowledged by Stripe; sent: acknowledged; refused: Stripe refused it for good.
    status             text        not null check (status in ('pending', 'sent', 'refused')),
    attempts           integer     not null default 0,
    last_error         text,
    planned_at         timestamptz not null,
    sent_at            timestamptz,
    primary key (organization_id, hour, seq)
);
create index meter_reports_pending_idx on meter_reports (hour) where status = 'pending';

-- The reporter's watermark: every completed hour before planned_through has been planned. One row; a planning
-- round holds it FOR UPDATE (SKIP LOCKED), so one control plane plans at a time.
create table meter_watermark (
    id              boolean     primary key default true check (id),
    planned_through timestamptz
);
insert into meter_watermark (id, planned_through) values (true, null);
