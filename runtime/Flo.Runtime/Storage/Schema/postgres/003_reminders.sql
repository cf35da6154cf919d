-- Reminders: durable grain timers, one row per (service, grain, name). Times are Unix milliseconds. grain_hash is the
-- grain's placement hash (which silo owns it); next_due is what silos poll for.
CREATE TABLE reminders (
    service_id  TEXT    NOT NULL,
    grain_type  TEXT    NOT NULL,
    grain_key   TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    grain_hash  BIGINT NOT NULL,
    start_at    BIGINT NOT NULL,
    period_ms   BIGINT NOT NULL,
    cron        TEXT,
    time_zone   TEXT,
    policy      BIGINT NOT NULL,
    next_due    BIGINT NOT NULL,
    etag        BIGINT NOT NULL,
    PRIMARY KEY (service_id, grain_type, grain_key, name)
);

CREATE INDEX reminders_due ON reminders (service_id, next_due);
