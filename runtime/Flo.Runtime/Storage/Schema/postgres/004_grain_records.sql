-- Records kept beside a grain state (a queue's messages, a stream's segments): written with the state row in one
-- statement that is conditional on the state's version, so they share its ETag fencing, and each costs O(record).
CREATE TABLE grain_records (
    grain_type  text   NOT NULL,
    grain_key   text   NOT NULL,
    state_name  text   NOT NULL,
    record_id   bigint NOT NULL,
    payload     bytea  NOT NULL,
    PRIMARY KEY (grain_type, grain_key, state_name, record_id)
);
