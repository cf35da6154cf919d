-- Grain state: one row per (grain type, grain key, state name).
-- payload NULL is the tombstone of a cleared record: its version keeps counting, so a writer holding an ETag from
-- before the clear can never match a recreated record.
CREATE TABLE grain_state (
    grain_type   text        NOT NULL,
    grain_key    text        NOT NULL,
    state_name   text        NOT NULL,
    payload      bytea       NULL,
    version      bigint      NOT NULL,
    modified_utc timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_type, grain_key, state_name)
);
