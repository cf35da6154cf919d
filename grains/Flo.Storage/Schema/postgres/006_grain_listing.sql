-- States listed for scans by key prefix (GrainListingChange): changed by the state write's statement, only when its
-- version condition held. COLLATE "C": grain ids compare as UTF-8 bytes, the order scans promise.
-- due_ms: when the owner wants to look at the state again (a TTL's expiry), 0 for never.
CREATE TABLE flo_grain_listing (
    state_name text COLLATE "C" NOT NULL,
    grain_id   text COLLATE "C" NOT NULL,
    due_ms     bigint NOT NULL,
    PRIMARY KEY (state_name, grain_id)
);

CREATE INDEX flo_grain_listing_due ON flo_grain_listing (state_name, due_ms) WHERE due_ms <> 0;

-- The KV's key index moved here from its index grains (state 'kvindex'). Every key state stored before is listed, due
-- at once (-1): scans show it until the KV's sweep settles it (lists it with its expiry, or takes a deleted key out).
INSERT INTO flo_grain_listing (state_name, grain_id, due_ms)
SELECT state_name, grain_id, -1 FROM flo_grain_state WHERE state_name = 'kv' AND payload IS NOT NULL;

DELETE FROM flo_grain_records WHERE state_name = 'kvindex';
DELETE FROM flo_grain_state WHERE state_name = 'kvindex';
