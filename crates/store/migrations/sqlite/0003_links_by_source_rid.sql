-- A resource's links are found by its rid, not its (type, id).
--
-- A new version replaces its resource's links, and $everything reads what a
-- record refers to: both look links up by their source. Keyed by
-- (source_type, source_id), that index took a random page for every link
-- written (ids are random), a fifth of an import's time. rid grows with
-- every new resource, so a new resource's links land on the index's last
-- page.
ALTER TABLE resource_link ADD COLUMN source_rid INTEGER;
UPDATE resource_link SET source_rid = (
    SELECT r.rid FROM resource r
    WHERE r.resource_type = resource_link.source_type AND r.id = resource_link.source_id);
DROP INDEX resource_link_by_source;
CREATE INDEX resource_link_by_source ON resource_link (source_rid);
