-- Reminders: durable grain timers, one row per (service, grain, name). Times are Unix milliseconds. grain_hash is the
-- grain's placement hash (which silo owns it); next_due is what silos poll for.
CREATE TABLE reminders (
    service_id  TEXT    NOT NULL,
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    grain_hash  INTEGER NOT NULL,
    start_at    INTEGER NOT NULL,
    period_ms   INTEGER NOT NULL,
    cron        TEXT,
    time_zone   TEXT,
    policy      INTEGER NOT NULL,
    next_due    INTEGER NOT NULL,
    etag        INTEGER NOT NULL,
    PRIMARY KEY (service_id, grain_type, grain_key, name)
);

CREATE INDEX reminders_due ON reminders (service_id, next_due);
