-- Orleans' ADO.NET grain storage (Microsoft.Orleans.Persistence.AdoNet, Invariant "Npgsql"), offered for users' own
-- grains. Orleans passes a grain's key as (GrainIdN0, GrainIdN1, GrainIdExtensionString): a GUID's halves or an
-- integer with an optional extension, or the whole string key in GrainIdExtensionString (N0 = N1 = 0); and the state
-- name as GrainTypeString. The hashes it also passes are stored for reference only: the primary key is the full key,
-- so two activations inserting one state at once cannot both succeed (the stock script had no unique key).
-- ExtensionKey folds the nullable extension into a non-null key column ("-" for none, "+" and the text otherwise).
-- Version is the ETag; a clear sets PayloadBinary to NULL and keeps counting Version (no ABA).
CREATE TABLE OrleansStorage (
    ServiceId              text        NOT NULL,
    GrainTypeString        text        NOT NULL,
    GrainIdN0              bigint      NOT NULL,
    GrainIdN1              bigint      NOT NULL,
    GrainIdExtensionString text        NULL,
    ExtensionKey           text        GENERATED ALWAYS AS (COALESCE('+' || GrainIdExtensionString, '-')) STORED,
    GrainIdHash            integer     NOT NULL,
    GrainTypeHash          integer     NOT NULL,
    PayloadBinary          bytea       NULL,
    ModifiedOn             timestamptz NOT NULL DEFAULT now(),
    Version                integer     NOT NULL,
    PRIMARY KEY (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, ExtensionKey)
);

-- Writes return NewGrainStateVersion: the new version, or NULL when the expected version (GrainStateVersion; NULL:
-- nothing stored yet) did not hold, which Orleans reports as an InconsistentStateException.
INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('WriteToStorageKey', $q$
    WITH inserted AS (
        INSERT INTO OrleansStorage
            (ServiceId, GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, GrainIdHash, GrainTypeHash, PayloadBinary, Version)
        SELECT @ServiceId, @GrainTypeString, @GrainIdN0, @GrainIdN1, CAST(@GrainIdExtensionString AS text), @GrainIdHash, @GrainTypeHash, @PayloadBinary, 1
        WHERE CAST(@GrainStateVersion AS integer) IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version),
    updated AS (
        UPDATE OrleansStorage
        SET PayloadBinary = @PayloadBinary, Version = Version + 1, ModifiedOn = now()
        WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
            AND ExtensionKey = COALESCE('+' || CAST(@GrainIdExtensionString AS text), '-')
            AND Version = CAST(@GrainStateVersion AS integer)
        RETURNING Version)
    SELECT (SELECT Version FROM inserted UNION ALL SELECT Version FROM updated LIMIT 1) AS NewGrainStateVersion;
$q$),

('ReadFromStorageKey', $q$
    SELECT PayloadBinary, Version
    FROM OrleansStorage
    WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND ExtensionKey = COALESCE('+' || CAST(@GrainIdExtensionString AS text), '-');
$q$),

('ClearStorageKey', $q$
    UPDATE OrleansStorage
    SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = now()
    WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND ExtensionKey = COALESCE('+' || CAST(@GrainIdExtensionString AS text), '-')
        AND Version = CAST(@GrainStateVersion AS integer)
    RETURNING Version AS NewGrainStateVersion;
$q$),

-- DeleteStateOnClear: the row goes; Orleans expects the deleted version + 1 back.
('DeleteStorageKey', $q$
    DELETE FROM OrleansStorage
    WHERE ServiceId = @ServiceId AND GrainTypeString = @GrainTypeString AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1
        AND ExtensionKey = COALESCE('+' || CAST(@GrainIdExtensionString AS text), '-')
        AND Version = CAST(@GrainStateVersion AS integer)
    RETURNING Version + 1 AS NewGrainStateVersion;
$q$);
