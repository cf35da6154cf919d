-- Orleans' ADO.NET providers (Microsoft.Orleans.Clustering.AdoNet, .Reminders.AdoNet, .Persistence.AdoNet) ship no
-- SQL: at start each one reads the statements it runs from this table by key ("SELECT QueryKey, QueryText FROM
-- OrleansQuery"), binds its own parameters by name (@DeploymentId, @GrainId, ...) and reads result columns by name.
-- The scripts 003-005 are this project's own implementation of that contract for PostgreSQL.
--
-- Keys and ids are text without a length limit: the stock scripts' varchar(150)/varchar(512) columns refused the
-- platform's long grain ids (a 600-character id failed).
--
-- A database that already holds the stock Orleans tables makes these scripts fail on CREATE TABLE (they are not
-- IF NOT EXISTS on purpose): two owners of one table would be worse than a clear error at start.
CREATE TABLE OrleansQuery (
    QueryKey  text NOT NULL PRIMARY KEY,
    QueryText text NOT NULL
);
