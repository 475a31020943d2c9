-- Links keyed by their source's rid.
--
-- Keyed by (target_type, target_id, ...), every link written landed on the
-- page of its target's id, a random page (ids are random): with its second
-- index, a resource's four or so links cost an import a fifth of its
-- writer's time. A new resource's rid is the largest yet, so its links now
-- append to the table's last page. The source's type and id are its
-- resource row's (joined by rid). The index by target (a delete looks for
-- referrers) is one a bulk load defers and builds once, sorted, at its end.
CREATE TABLE resource_link_new (
    source_rid    INTEGER NOT NULL,
    target_type   TEXT    NOT NULL,
    target_id     TEXT    NOT NULL,
    patient_key   TEXT,                     -- the source's patient key
    PRIMARY KEY (source_rid, target_type, target_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO resource_link_new (source_rid, target_type, target_id, patient_key)
    SELECT source_rid, target_type, target_id, patient_key FROM resource_link
    WHERE source_rid IS NOT NULL;
DROP TABLE resource_link;
ALTER TABLE resource_link_new RENAME TO resource_link;
CREATE INDEX resource_link_target ON resource_link (target_type, target_id);
