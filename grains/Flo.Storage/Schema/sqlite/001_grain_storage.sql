-- FloGrainStorage: Orleans grain state, one row per (grain id, state name). grain_id is GrainId.ToString() ("type/key").
-- New table names (flo_*), and the history is flo_schema_version: rows the old runtime wrote to grain_state and
-- grain_records (another key and wire format) are never read.
-- payload NULL is the tombstone of a cleared state: its version keeps counting, so a writer holding an ETag from
-- before the clear can never match a recreated state.
CREATE TABLE flo_grain_state (
    grain_id     TEXT    NOT NULL,
    state_name   TEXT    NOT NULL,
    payload      BLOB    NULL,
    version      INTEGER NOT NULL,
    modified_utc TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (grain_id, state_name)
) WITHOUT ROWID;

-- Records kept beside a state (a queue's messages, a stream's entries): written in the state write's transaction only
-- when its version condition held, so they share its ETag fencing, and each costs O(record).
CREATE TABLE flo_grain_records (
    grain_id    TEXT    NOT NULL,
    state_name  TEXT    NOT NULL,
    record_id   INTEGER NOT NULL,
    payload     BLOB    NOT NULL,
    PRIMARY KEY (grain_id, state_name, record_id)
) WITHOUT ROWID;
