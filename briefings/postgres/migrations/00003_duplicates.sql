-- Duplicates: an index on addresses, near-duplicate signatures with their
-- band keys (see briefings/neardup.go), and the other copies of stored
-- articles, recorded as their sources instead of being stored twice.

-- +goose Up
CREATE INDEX articles_url ON articles (url, pk) WHERE url <> '';

-- The MinHash signature of every article (briefings.Signature.MarshalBinary).
CREATE TABLE article_signatures (
    article_pk bigint PRIMARY KEY REFERENCES articles (pk),
    sig        bytea NOT NULL
);

-- The LSH band keys of every signature: articles sharing a key are
-- near-duplicate candidates, confirmed by comparing signatures.
CREATE TABLE article_bands (
    band_key   text COLLATE "C" NOT NULL,
    article_pk bigint NOT NULL REFERENCES articles (pk),
    PRIMARY KEY (band_key, article_pk)
);

CREATE TABLE article_sources (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_pk bigint NOT NULL REFERENCES articles (pk),
    title      text NOT NULL,
    source     text NOT NULL,
    url        text COLLATE "C" NOT NULL,
    published  bigint,                  -- NULL when unknown
    hash       text COLLATE "C" NOT NULL, -- of the copy's text
    similarity double precision NOT NULL,
    added      bigint NOT NULL
);
CREATE INDEX article_sources_article ON article_sources (article_pk, pk);
CREATE INDEX article_sources_hash ON article_sources (hash, pk);
CREATE UNIQUE INDEX article_sources_url ON article_sources (url) WHERE url <> '';

-- Work the store finishes in Go when it opens the database: articles
-- stored before this migration get their signatures then.
CREATE TABLE store_tasks (
    name text COLLATE "C" PRIMARY KEY
);
INSERT INTO store_tasks (name) SELECT 'signatures' WHERE EXISTS (SELECT 1 FROM articles);

-- +goose Down
DROP TABLE store_tasks;
DROP TABLE article_sources;
DROP TABLE article_bands;
DROP TABLE article_signatures;
DROP INDEX articles_url;
