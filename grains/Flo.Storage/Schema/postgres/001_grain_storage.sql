-- FloGrainStorage: Orleans grain state, one row per (grain id, state name). grain_id is GrainId.ToString() ("type/key"),
-- text without a length limit (FloGrainStorage refuses ids over 2048 UTF-8 bytes, which keeps B-tree entries small).
-- New table names (flo_*), and the history is flo_schema_version: rows the old runtime wrote to grain_state and
-- grain_records (another key and wire format) are never read.
-- payload NULL is the tombstone of a cleared state: its version keeps counting, so a writer holding an ETag from
-- before the clear can never match a recreated state. COLLATE "C": keys compare as bytes, fast and locale-free.
CREATE TABLE flo_grain_state (
    grain_id     text COLLATE "C" NOT NULL,
    state_name   text COLLATE "C" NOT NULL,
    payload      bytea       NULL,
    version      bigint      NOT NULL,
    modified_utc timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (grain_id, state_name)
);

-- Records kept beside a state (a queue's messages, a stream's entries): written with the state row in one statement
-- that is conditional on the state's version, so they share its ETag fencing, and each costs O(record).
CREATE TABLE flo_grain_records (
    grain_id    text COLLATE "C" NOT NULL,
    state_name  text COLLATE "C" NOT NULL,
    record_id   bigint NOT NULL,
    payload     bytea  NOT NULL,
    PRIMARY KEY (grain_id, state_name, record_id)
);
