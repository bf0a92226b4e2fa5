-- Billing with Stripe (issue #16). The Stripe customer of an organization is organizations.stripe_customer_id
-- (V1). Numbered from 20 so that it never clashes with migrations added on other branches.

-- The subscription that drives an organization's plan, as last read from Stripe (never from a webhook body
-- alone: see docs/billing.md, "out of order").
create table billing_subscriptions (
    organization_id        uuid        primary key references organizations (id) on delete cascade,
    stripe_subscription_id text        not null unique,
    stripe_customer_id     text        not null,
    status                 text        not null,
    stripe_price_id        text,
    paid_plan_id           uuid        references plans (id),
    current_period_start   timestamptz,
    current_period_end     timestamptz,
    cancel_at_period_end   boolean     not null default false,
    -- When we first saw the subscription past_due; the grace period counts from here. Null unless past_due.
    past_due_since         timestamptz,
    synced_at              timestamptz not null,
    check ((status = 'past_due') = (past_due_since is not null))
);
create index billing_subscriptions_past_due_idx on billing_subscriptions (past_due_since) where status = 'past_due';

-- Every webhook event, stored once by its Stripe id. processed_at is set once it has been applied, so a
-- redelivery of a processed event is acknowledged without doing anything.
create table stripe_events (
    id           text        primary key,
    type         text        not null,
    created      timestamptz not null,
    payload      jsonb       not null,
    received_at  timestamptz not null,
    processed_at timestamptz
);
create index stripe_events_received_idx on stripe_events (received_at desc);
