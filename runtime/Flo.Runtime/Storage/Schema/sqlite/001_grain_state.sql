-- Grain state: one row per (grain type, grain key, state name).
-- payload NULL is the tombstone of a cleared record: its version keeps counting, so a writer holding an ETag from
-- before the clear can never match a recreated record.
CREATE TABLE grain_state (
    grain_type   TEXT    NOT NULL,
    grain_key    TEXT    NOT NULL,
    state_name   TEXT    NOT NULL,
    payload      BLOB    NULL,
    version      INTEGER NOT NULL,
    modified_utc TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (grain_type, grain_key, state_name)
);
