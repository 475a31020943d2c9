-- The search indexes a bulk load into an empty store dropped, to build once
-- it ends (ResourceStore::defer_search_indexes). A name here means searches
-- run without that index: still exact, only slower.
CREATE TABLE deferred_index (
    name       TEXT PRIMARY KEY,
    definition TEXT NOT NULL       -- the CREATE INDEX statement, from the catalog
);
