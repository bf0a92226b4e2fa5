-- The rotation sweeper looks for previous secrets whose grace period ended; only keys in a grace period have one.
create index api_keys_grace_end_idx on api_keys (previous_secret_expires_at) where previous_secret_expires_at is not null;
