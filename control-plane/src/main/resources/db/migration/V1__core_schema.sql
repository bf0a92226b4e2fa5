-- Relaygate control plane: the durable model (issue #4). PostgreSQL is the source of truth;
-- Redis only holds snapshots published from these tables.

create table plans (
    id                        uuid        primary key,
    name                      text        not null check (length(name) between 1 and 100),
    version                   bigint      not null default 1 check (version > 0),
    compute_units_per_second  integer     not null check (compute_units_per_second > 0),
    burst_compute_units       integer     not null check (burst_compute_units >= compute_units_per_second),
    compute_units_per_minute  integer     not null check (compute_units_per_minute > 0),
    monthly_compute_units     bigint      not null check (monthly_compute_units >= 0),
    max_batch_size            integer     not null check (max_batch_size between 1 and 10000),
    max_body_bytes            integer     not null check (max_body_bytes between 1024 and 104857600),
    allowed_chains            text[]      not null default '{}',
    method_classes            text[]      not null default '{standard}',
    stripe_price_id           text,
    stripe_metered_price_id   text,
    public                    boolean     not null default true,
    archived_at               timestamptz,
    created_at                timestamptz not null,
    updated_at                timestamptz not null
);
-- Two live plans with one name would make assignment by name ambiguous.
create unique index plans_live_name_uq on plans (lower(name)) where archived_at is null;
create index plans_page_idx on plans (created_at desc, id desc);

create table organizations (
    id                 uuid        primary key,
    name               text        not null check (length(name) between 1 and 200),
    plan_id            uuid        not null references plans (id),
    stripe_customer_id text        unique,
    version            bigint      not null default 1 check (version > 0),
    created_at         timestamptz not null,
    updated_at         timestamptz not null
);
create index organizations_plan_idx on organizations (plan_id);

-- Users are identified by the JWT subject of their identity provider.
create table users (
    subject    text        primary key check (length(subject) between 1 and 255),
    email      text        check (email is null or email = lower(email)),
    created_at timestamptz not null,
    seen_at    timestamptz not null
);
create index users_email_idx on users (email) where email is not null;

-- A membership belongs to a subject, or (an invitation by e-mail) to an address until a user with that
-- verified address signs in and claims it.
create table memberships (
    id              uuid        primary key,
    organization_id uuid        not null references organizations (id) on delete cascade,
    user_subject    text        references users (subject),
    invited_email   text        check (invited_email is null or invited_email = lower(invited_email)),
    role            text        not null check (role in ('owner', 'admin', 'developer', 'billing', 'viewer')),
    created_by      text        not null,
    created_at      timestamptz not null,
    updated_at      timestamptz not null,
    check (user_subject is not null or invited_email is not null)
);
create unique index memberships_org_subject_uq on memberships (organization_id, user_subject) where user_subject is not null;
create unique index memberships_org_email_uq on memberships (organization_id, invited_email) where user_subject is null;
create index memberships_subject_idx on memberships (user_subject, organization_id) where user_subject is not null;
create index memberships_email_idx on memberships (invited_email) where user_subject is null;
create index memberships_page_idx on memberships (organization_id, created_at desc, id desc);

create table api_keys (
    id                         uuid        primary key,
    organization_id            uuid        not null references organizations (id) on delete cascade,
    name                       text        not null check (length(name) between 1 and 200),
    -- Only the first 12 characters of the key and the SHA-256 of the whole key are ever stored.
    display_prefix             text        not null check (display_prefix ~ '^rgk_[0-9A-Za-z]{8}$'),
    secret_hash                text        not null unique check (secret_hash ~ '^[0-9a-f]{64}$'),
    previous_secret_hash       text        unique check (previous_secret_hash ~ '^[0-9a-f]{64}$'),
    previous_secret_expires_at timestamptz,
    created_by                 text        not null,
    created_at                 timestamptz not null,
    updated_at                 timestamptz not null,
    expires_at                 timestamptz,
    revoked_at                 timestamptz,
    last_used_day              date,
    allowed_chains             text[]      not null default '{}',
    allowed_origins            text[]      not null default '{}',
    allowed_cidrs              text[]      not null default '{}',
    allowed_methods            text[]      not null default '{}',
    denied_methods             text[]      not null default '{}',
    jwt_required               boolean     not null default false,
    jwt_public_keys            jsonb       not null default '[]' check (jsonb_typeof(jwt_public_keys) = 'array'),
    version                    bigint      not null default 1 check (version > 0),
    check ((previous_secret_hash is null) = (previous_secret_expires_at is null)),
    check (previous_secret_hash is null or previous_secret_hash <> secret_hash),
    check (expires_at is null or expires_at > created_at),
    -- A key that demands a JWT must have somewhere to verify it against.
    check (not jwt_required or jsonb_array_length(jwt_public_keys) > 0)
);
create index api_keys_page_idx on api_keys (organization_id, created_at desc, id desc);

-- Append-only: rows are inserted by the service and never changed (enforced by the trigger below).
create table audit_log (
    id              bigint      generated always as identity primary key,
    organization_id uuid,
    actor           text        not null,
    action          text        not null,
    target_type     text        not null,
    target_id       text        not null,
    before          jsonb,
    after           jsonb,
    request_id      text,
    at              timestamptz not null
);
create index audit_log_org_idx on audit_log (organization_id, id desc);
create index audit_log_target_idx on audit_log (target_type, target_id, id desc);

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only';
end;
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only();

-- Snapshots waiting to be (re)published to Redis. Written in the same transaction as the change, deleted
-- once Redis has the snapshot and the invalidation was announced, so a Redis outage or a crash between
-- commit and publish cannot lose a revocation.
create table snapshot_outbox (
    redis_key  text        primary key,
    kind       text        not null check (kind in ('key', 'plan')),
    ref        text        not null,
    version    bigint      not null,
    payload    text        not null,
    created_at timestamptz not null
);

-- Idempotency-Key records: one per (scope, key); the primary key is what makes two simultaneous creates
-- with one key produce one resource. The response is stored encrypted under a key derived from the
-- Idempotency-Key itself, because a key-creation answer contains the key's secret.
create table idempotency_records (
    scope           text        not null,
    key_hash        text        not null,
    request_hash    text        not null,
    response_status integer,
    response_body   bytea,
    created_at      timestamptz not null,
    expires_at      timestamptz not null,
    primary key (scope, key_hash)
);
create index idempotency_records_expiry_idx on idempotency_records (expires_at);

insert into plans (id, name, version, compute_units_per_second, burst_compute_units, compute_units_per_minute,
                   monthly_compute_units, max_batch_size, max_body_bytes, allowed_chains, method_classes,
                   public, created_at, updated_at)
values ('00000000-0000-0000-0000-00000000f4ee', 'free', 1, 330, 660, 12000, 30000000, 100, 1048576, '{}',
        '{standard}', true, now(), now());
