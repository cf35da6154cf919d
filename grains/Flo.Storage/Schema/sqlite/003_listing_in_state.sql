-- The listing moves into the state row (listed_due: NULL when the state is not listed, else its due time as in
-- flo_grain_listing, 0 for never). A new listed state was three B-tree inserts per write (state, record, listing row at
-- a random place of its own table); now it is two, the listing being a column of the row the write inserts anyway.
-- Scans by grain id prefix read the state table's primary key (grain_id, state_name) range; due times keep a partial
-- index holding only the states that have one.
ALTER TABLE flo_grain_state ADD COLUMN listed_due INTEGER NULL;

UPDATE flo_grain_state
SET listed_due = (SELECT l.due_ms FROM flo_grain_listing l WHERE l.state_name = flo_grain_state.state_name AND l.grain_id = flo_grain_state.grain_id)
WHERE EXISTS (SELECT 1 FROM flo_grain_listing l WHERE l.state_name = flo_grain_state.state_name AND l.grain_id = flo_grain_state.grain_id);

CREATE INDEX flo_grain_state_listed_due ON flo_grain_state (state_name, listed_due) WHERE listed_due IS NOT NULL AND listed_due <> 0;

DROP TABLE flo_grain_listing;
