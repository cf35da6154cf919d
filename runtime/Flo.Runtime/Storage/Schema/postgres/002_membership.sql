-- Cluster membership (Orleans' membership table): one version row per cluster, bumped by every change together with
-- the row it changes, and one row per silo incarnation (address, port, generation). Times are Unix milliseconds.
CREATE TABLE membership_version (
    cluster_id   text   NOT NULL PRIMARY KEY,
    version      bigint NOT NULL
);

CREATE TABLE membership (
    cluster_id      text    NOT NULL,
    address         text    NOT NULL,
    port            integer NOT NULL,
    generation      integer NOT NULL,
    silo_name       text    NOT NULL,
    status          integer NOT NULL,
    gateway_port    integer NOT NULL,
    http_port       integer NOT NULL,
    start_time      bigint  NOT NULL,
    i_am_alive_time bigint  NOT NULL,
    suspect_times   text    NOT NULL,
    etag            bigint  NOT NULL,
    PRIMARY KEY (cluster_id, address, port, generation)
);
