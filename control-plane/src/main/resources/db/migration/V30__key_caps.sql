-- Per-key caps (issue #15, docs/usage-and-quotas.md "Quotas"): a key's own rate and daily and monthly compute-unit
-- caps, published in its snapshot's policy. Null: the key has no such cap.
alter table api_keys
    add column compute_units_per_second bigint check (compute_units_per_second > 0),
    add column daily_compute_units      bigint check (daily_compute_units > 0),
    add column monthly_compute_units    bigint check (monthly_compute_units > 0);
