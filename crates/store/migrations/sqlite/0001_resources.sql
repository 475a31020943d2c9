-- Versioned resources. Every version of every resource is one row of
-- resource_version; resource holds the head (current version) of each.
-- Both carry the patient key and authoring organisation (DESIGN.md, Storage).

CREATE TABLE resource_version (
    seq           INTEGER PRIMARY KEY,      -- global write order; history cursor
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,         -- milliseconds since epoch, UTC
    method        INTEGER NOT NULL,         -- 1 create, 2 update, 3 delete
    patient_key   TEXT,
    author_org    TEXT,
    body          BLOB,                     -- NULL for a deletion
    UNIQUE (resource_type, id, version)
);
CREATE INDEX resource_version_by_type ON resource_version (resource_type, seq);
CREATE INDEX resource_version_by_time ON resource_version (last_updated);

CREATE TABLE resource (
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    seq           INTEGER NOT NULL,          -- resource_version.seq of the head
    deleted       INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,
    patient_key   TEXT,
    author_org    TEXT,
    PRIMARY KEY (resource_type, id)
) WITHOUT ROWID;
CREATE INDEX resource_by_patient ON resource (patient_key) WHERE patient_key IS NOT NULL;

-- Local references held by the current version of each live resource, so a
-- resource still referred to cannot be deleted.
CREATE TABLE resource_link (
    target_type   TEXT NOT NULL,
    target_id     TEXT NOT NULL,
    source_type   TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    patient_key   TEXT,
    PRIMARY KEY (target_type, target_id, source_type, source_id)
) WITHOUT ROWID;
CREATE INDEX resource_link_by_source ON resource_link (source_type, source_id);
