-- Records kept beside a grain state (a queue's messages, a stream's segments): written in the state write's
-- transaction only when its version condition held, so they share its ETag fencing, and each costs O(record).
CREATE TABLE grain_records (
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    state_name  TEXT    NOT NULL,
    record_id   INTEGER NOT NULL,
    payload     BLOB    NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name, record_id)
) WITHOUT ROWID;
