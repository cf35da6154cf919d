-- Cluster membership (Orleans' membership table): one version row per cluster, bumped by every change together with
-- the row it changes, and one row per silo incarnation (address, port, generation). Times are Unix milliseconds.
CREATE TABLE membership_version (
    cluster_id   TEXT   NOT NULL PRIMARY KEY,
    version      INTEGER NOT NULL
);

CREATE TABLE membership (
    cluster_id      TEXT    NOT NULL,
    address         TEXT    NOT NULL,
    port            INTEGER NOT NULL,
    generation      INTEGER NOT NULL,
    silo_name       TEXT    NOT NULL,
    status          INTEGER NOT NULL,
    gateway_port    INTEGER NOT NULL,
    http_port       INTEGER NOT NULL,
    start_time      INTEGER  NOT NULL,
    i_am_alive_time INTEGER  NOT NULL,
    suspect_times   TEXT    NOT NULL,
    etag            INTEGER  NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);
