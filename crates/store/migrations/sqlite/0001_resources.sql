-- Versioned resources. Every version of every resource is one row of
-- resource_version; resource holds the head (current version) of each, under
-- an integer surrogate key (rid) that the search index refers to.
-- Every row carries the patient key (DESIGN.md, Storage).

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

-- rid is assigned on the first version and never changes or gets reused (head
-- rows are never deleted), so it is a stable tie-breaker and paging key.
CREATE TABLE resource (
    rid           INTEGER PRIMARY KEY,
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    seq           INTEGER NOT NULL,          -- resource_version.seq of the head
    deleted       INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,
    patient_key   TEXT,
    author_org    TEXT,
    UNIQUE (resource_type, id)
);
-- A type scan in rid order (searches with no selective criterion, paged by rid).
CREATE INDEX resource_by_type ON resource (resource_type, rid);
-- A patient's chart: compartment searches, $everything, access checks.
CREATE INDEX resource_by_patient ON resource (patient_key, resource_type, rid)
    WHERE patient_key IS NOT NULL;

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

-- The search index: one table per value shape, rows only for the current
-- version of live resources (replaced on update, removed on delete).
-- Every table is keyed (rid, param_hash, ord): ord is the entry's position in
-- the resource's index entries, so rows never collide and a composite's
-- components (stored in the tables of their own types under the component
-- keys "param$0", "param$1", ...) share one ord. param_hash is FNV-1a 64 of
-- (resource type, parameter code) (see src/search/hash.rs); patient_hash is
-- FNV-1a 64 of the patient key, so a chart restriction is one integer test.

CREATE TABLE idx_string (
    rid           INTEGER NOT NULL,
    param_hash    INTEGER NOT NULL,
    ord           INTEGER NOT NULL,
    patient_hash  INTEGER,
    normalized    TEXT    NOT NULL,          -- lower case, accents stripped
    exact         TEXT    NOT NULL,          -- as written (:exact)
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
CREATE INDEX idx_string_prefix ON idx_string (param_hash, normalized);

CREATE TABLE idx_token (
    rid           INTEGER NOT NULL,
    param_hash    INTEGER NOT NULL,
    ord           INTEGER NOT NULL,
    patient_hash  INTEGER,
    code_hash     INTEGER,                   -- (type, param, system or none, code)
    any_code_hash INTEGER,                   -- (type, param, code): any system
    system        TEXT,
    code          TEXT,
    text          TEXT,                      -- normalised display text (:text)
    type_system   TEXT,                      -- Identifier.type coding (:of-type)
    type_code     TEXT,
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
-- Within one code, entries follow the primary key (rid first), so a new
-- resource's token appends at the end of its code's range instead of landing
-- on a random page: write locality is what keeps the group commit fast.
CREATE INDEX idx_token_code ON idx_token (code_hash);
CREATE INDEX idx_token_any_code ON idx_token (any_code_hash);

CREATE TABLE idx_date (
    rid           INTEGER NOT NULL,
    param_hash    INTEGER NOT NULL,
    ord           INTEGER NOT NULL,
    patient_hash  INTEGER,
    low           INTEGER NOT NULL,          -- ms since epoch, inclusive; open = i64::MIN
    high          INTEGER NOT NULL,          -- ms since epoch, inclusive; open = i64::MAX
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
CREATE INDEX idx_date_low ON idx_date (param_hash, low);

CREATE TABLE idx_number (
    rid           INTEGER NOT NULL,
    param_hash    INTEGER NOT NULL,
    ord           INTEGER NOT NULL,
    patient_hash  INTEGER,
    value         REAL    NOT NULL,
    low           REAL    NOT NULL,
    high          REAL    NOT NULL,
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
CREATE INDEX idx_number_value ON idx_number (param_hash, value);

CREATE TABLE idx_quantity (
    rid             INTEGER NOT NULL,
    param_hash      INTEGER NOT NULL,
    ord             INTEGER NOT NULL,
    patient_hash    INTEGER,
    value           REAL    NOT NULL,
    low             REAL    NOT NULL,
    high            REAL    NOT NULL,
    system          TEXT,
    code            TEXT,
    unit            TEXT,
    canonical_value REAL,
    canonical_code  TEXT,
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
CREATE INDEX idx_quantity_value ON idx_quantity (param_hash, value);

-- Led by target_id: an id is selective on its own, so one index serves
-- `param=id`, `param=Type/id`, chains, _has, _revinclude and `*`. Absolute
-- URLs (rare) are tested by probe, not worth an index on every write.
CREATE TABLE idx_reference (
    rid                 INTEGER NOT NULL,
    param_hash          INTEGER NOT NULL,
    ord                 INTEGER NOT NULL,
    patient_hash        INTEGER,
    target_type         TEXT,
    target_id           TEXT,
    url                 TEXT,
    version             TEXT,
    identifier_system   TEXT,
    identifier_value    TEXT,
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
CREATE INDEX idx_reference_target ON idx_reference (target_id, target_type, param_hash);

CREATE TABLE idx_uri (
    rid           INTEGER NOT NULL,
    param_hash    INTEGER NOT NULL,
    ord           INTEGER NOT NULL,
    patient_hash  INTEGER,
    uri           TEXT    NOT NULL,
    PRIMARY KEY (rid, param_hash, ord)
) WITHOUT ROWID;
CREATE INDEX idx_uri_value ON idx_uri (param_hash, uri);
