-- The PostgreSQL schema: the same tables, columns and indexes as the SQLite
-- one (migrations/sqlite/0001_resources.sql explains each), so one search
-- compiler serves both. Differences:
--   * every text column is COLLATE "C": comparison is by code point, as in
--     SQLite, whatever the database's locale, so string prefix ranges,
--     sort order and paging cursors agree across backends;
--   * seq and rid come from identity sequences;
--   * the index tables' primary keys are ordinary B-trees (no WITHOUT ROWID).
-- Every row carries the patient key (resource, resource_version,
-- resource_link) or its hash (idx_*): the distribution column when the
-- schema is spread over nodes by patient (ARCHITECTURE.md, "Distribution").

CREATE TABLE resource_version (
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_type TEXT COLLATE "C" NOT NULL,
    id            TEXT COLLATE "C" NOT NULL,
    version       BIGINT   NOT NULL,
    last_updated  BIGINT   NOT NULL,
    method        SMALLINT NOT NULL,
    patient_key   TEXT COLLATE "C",
    author_org    TEXT COLLATE "C",
    body          BYTEA,
    UNIQUE (resource_type, id, version)
);
CREATE INDEX resource_version_by_type ON resource_version (resource_type, seq);
CREATE INDEX resource_version_by_time ON resource_version (last_updated);

CREATE TABLE resource (
    rid           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    resource_type TEXT COLLATE "C" NOT NULL,
    id            TEXT COLLATE "C" NOT NULL,
    version       BIGINT   NOT NULL,
    seq           BIGINT   NOT NULL,
    deleted       SMALLINT NOT NULL,
    last_updated  BIGINT   NOT NULL,
    patient_key   TEXT COLLATE "C",
    author_org    TEXT COLLATE "C",
    UNIQUE (resource_type, id)
);
CREATE INDEX resource_by_type ON resource (resource_type, rid);
CREATE INDEX resource_by_patient ON resource (patient_key, resource_type, rid)
    WHERE patient_key IS NOT NULL;

CREATE TABLE resource_link (
    target_type   TEXT COLLATE "C" NOT NULL,
    target_id     TEXT COLLATE "C" NOT NULL,
    source_type   TEXT COLLATE "C" NOT NULL,
    source_id     TEXT COLLATE "C" NOT NULL,
    patient_key   TEXT COLLATE "C",
    PRIMARY KEY (target_type, target_id, source_type, source_id)
);
CREATE INDEX resource_link_by_source ON resource_link (source_type, source_id);

CREATE TABLE idx_string (
    rid           BIGINT NOT NULL,
    param_hash    BIGINT NOT NULL,
    ord           BIGINT NOT NULL,
    patient_hash  BIGINT,
    normalized    TEXT COLLATE "C" NOT NULL,
    exact         TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_string_prefix ON idx_string (param_hash, normalized);

CREATE TABLE idx_token (
    rid           BIGINT NOT NULL,
    param_hash    BIGINT NOT NULL,
    ord           BIGINT NOT NULL,
    patient_hash  BIGINT,
    code_hash     BIGINT,
    any_code_hash BIGINT,
    system        TEXT COLLATE "C",
    code          TEXT COLLATE "C",
    text          TEXT COLLATE "C",
    type_system   TEXT COLLATE "C",
    type_code     TEXT COLLATE "C",
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_token_code ON idx_token (code_hash, rid);
CREATE INDEX idx_token_any_code ON idx_token (any_code_hash, rid);

CREATE TABLE idx_date (
    rid           BIGINT NOT NULL,
    param_hash    BIGINT NOT NULL,
    ord           BIGINT NOT NULL,
    patient_hash  BIGINT,
    low           BIGINT NOT NULL,
    high          BIGINT NOT NULL,
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_date_low ON idx_date (param_hash, low);

CREATE TABLE idx_number (
    rid           BIGINT NOT NULL,
    param_hash    BIGINT NOT NULL,
    ord           BIGINT NOT NULL,
    patient_hash  BIGINT,
    value         DOUBLE PRECISION NOT NULL,
    low           DOUBLE PRECISION NOT NULL,
    high          DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_number_value ON idx_number (param_hash, value);

CREATE TABLE idx_quantity (
    rid             BIGINT NOT NULL,
    param_hash      BIGINT NOT NULL,
    ord             BIGINT NOT NULL,
    patient_hash    BIGINT,
    value           DOUBLE PRECISION NOT NULL,
    low             DOUBLE PRECISION NOT NULL,
    high            DOUBLE PRECISION NOT NULL,
    system          TEXT COLLATE "C",
    code            TEXT COLLATE "C",
    unit            TEXT COLLATE "C",
    canonical_value DOUBLE PRECISION,
    canonical_code  TEXT COLLATE "C",
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_quantity_value ON idx_quantity (param_hash, value);

CREATE TABLE idx_reference (
    rid                 BIGINT NOT NULL,
    param_hash          BIGINT NOT NULL,
    ord                 BIGINT NOT NULL,
    patient_hash        BIGINT,
    target_type         TEXT COLLATE "C",
    target_id           TEXT COLLATE "C",
    url                 TEXT COLLATE "C",
    version             TEXT COLLATE "C",
    identifier_system   TEXT COLLATE "C",
    identifier_value    TEXT COLLATE "C",
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_reference_target ON idx_reference (target_id, target_type, param_hash);

CREATE TABLE idx_uri (
    rid           BIGINT NOT NULL,
    param_hash    BIGINT NOT NULL,
    ord           BIGINT NOT NULL,
    patient_hash  BIGINT,
    uri           TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (rid, param_hash, ord)
);
CREATE INDEX idx_uri_value ON idx_uri (param_hash, uri);
