-- Duplicates: an index on addresses, near-duplicate signatures with their
-- band keys (see briefings/neardup.go), and the other copies of stored
-- articles, recorded as their sources instead of being stored twice.

-- +goose Up
CREATE INDEX articles_url ON articles (url) WHERE url <> '';

-- The MinHash signature of every article (briefings.Signature.MarshalBinary).
CREATE TABLE article_signatures (
    article_pk INTEGER PRIMARY KEY REFERENCES articles (pk),
    sig        BLOB NOT NULL
);

-- The LSH band keys of every signature: articles sharing a key are
-- near-duplicate candidates, confirmed by comparing signatures.
CREATE TABLE article_bands (
    band_key   TEXT NOT NULL,
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    PRIMARY KEY (band_key, article_pk)
) WITHOUT ROWID;

CREATE TABLE article_sources (
    pk         INTEGER PRIMARY KEY,
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    title      TEXT NOT NULL,
    source     TEXT NOT NULL,
    url        TEXT NOT NULL,
    published  INTEGER,          -- NULL when unknown
    hash       TEXT NOT NULL,    -- of the copy's text
    similarity REAL NOT NULL,
    added      INTEGER NOT NULL
);
CREATE INDEX article_sources_article ON article_sources (article_pk, pk);
CREATE INDEX article_sources_hash ON article_sources (hash);
CREATE UNIQUE INDEX article_sources_url ON article_sources (url) WHERE url <> '';

-- Work the store finishes in Go when it opens the database: articles
-- stored before this migration get their signatures then.
CREATE TABLE store_tasks (
    name TEXT PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO store_tasks (name) SELECT 'signatures' WHERE EXISTS (SELECT 1 FROM articles);

-- +goose Down
DROP TABLE store_tasks;
DROP TABLE article_sources;
DROP TABLE article_bands;
DROP TABLE article_signatures;
DROP INDEX articles_url;
