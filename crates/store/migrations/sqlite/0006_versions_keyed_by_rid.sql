-- Versions found by their resource's rid.
--
-- UNIQUE (resource_type, id, version) put every new version on a random page
-- of its index (ids are random): a million-resource import spent 16 of its
-- 98 seconds of loading there. A version now carries its resource's rid, and
-- (rid, version) is unique: a new resource's rid is the largest yet, so its
-- first version appends to that index's last page. A read of one version or
-- of a resource's history finds the rid through the head row's own
-- UNIQUE (resource_type, id) first.
CREATE TABLE resource_version_new (
    seq           INTEGER PRIMARY KEY,      -- global write order; history cursor
    rid           INTEGER NOT NULL,         -- resource.rid of its resource
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,         -- milliseconds since epoch, UTC
    method        INTEGER NOT NULL,         -- 1 create, 2 update, 3 delete
    patient_key   TEXT,
    author_org    TEXT,
    body          BLOB                      -- NULL for a deletion
);
-- Every version's resource has a head row (head rows are never deleted).
INSERT INTO resource_version_new
    (seq, rid, resource_type, id, version, last_updated, method, patient_key, author_org, body)
    SELECT v.seq, r.rid, v.resource_type, v.id, v.version, v.last_updated, v.method,
           v.patient_key, v.author_org, v.body
    FROM resource_version v
    JOIN resource r ON r.resource_type = v.resource_type AND r.id = v.id
    ORDER BY v.seq;
DROP TABLE resource_version;
ALTER TABLE resource_version_new RENAME TO resource_version;
CREATE UNIQUE INDEX resource_version_by_rid ON resource_version (rid, version);
CREATE INDEX resource_version_by_type ON resource_version (resource_type, seq);
CREATE INDEX resource_version_by_time ON resource_version (last_updated);
