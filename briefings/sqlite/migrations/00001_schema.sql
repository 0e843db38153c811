-- The first schema of briefbot's SQLite store. Migrations are append-only:
-- never edit this file once released; add 00002_... instead
-- (testdata/migrations.sum pins every released file).
--
-- Times are INTEGER unix microseconds (UTC). Facts, entities' aliases and
-- roles, and status events keep their full value as JSON next to the
-- narrow indexed columns that queries filter and order on.

-- +goose Up
CREATE TABLE articles (
    pk        INTEGER PRIMARY KEY,
    id        TEXT NOT NULL UNIQUE,
    title     TEXT NOT NULL,
    source    TEXT NOT NULL,
    url       TEXT NOT NULL,
    published INTEGER,          -- NULL when unknown
    ingested  INTEGER NOT NULL,
    hash      TEXT NOT NULL UNIQUE,
    story     TEXT NOT NULL DEFAULT '',
    text      TEXT NOT NULL
);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_ingested ON articles (ingested);
CREATE INDEX articles_story ON articles (story, published);

CREATE TABLE sentences (
    pk         INTEGER PRIMARY KEY,
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    idx        INTEGER NOT NULL,
    paragraph  INTEGER NOT NULL,
    text       TEXT NOT NULL,
    UNIQUE (article_pk, idx)
);

-- Full-text index over sentences (external content: the text lives once, in
-- sentences). Case and diacritics are folded by the tokenizer.
CREATE VIRTUAL TABLE sentences_fts USING fts5 (
    text,
    content = 'sentences',
    content_rowid = 'pk',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- How many sentences hold each word: lets a search leave out words so
-- common that ranking them would cost more than they tell.
CREATE VIRTUAL TABLE sentences_vocab USING fts5vocab (sentences_fts, row);

-- +goose StatementBegin
CREATE TRIGGER sentences_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts (rowid, text) VALUES (new.pk, new.text);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER sentences_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts (sentences_fts, rowid, text) VALUES ('delete', old.pk, old.text);
END;
-- +goose StatementEnd

-- Entities merged across articles: the id is the extractor's.
CREATE TABLE entities (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL,
    country  TEXT NOT NULL DEFAULT '',
    mentions INTEGER NOT NULL DEFAULT 0,
    aliases  TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    roles    TEXT NOT NULL DEFAULT '[]'  -- JSON array of briefings.Role
);
CREATE INDEX entities_mentions ON entities (mentions DESC, id);
CREATE INDEX entities_kind ON entities (kind, mentions DESC, id);

-- Every name and alias of an entity, folded (accents removed, lower case).
CREATE TABLE entity_names (
    name      TEXT NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities (id),
    PRIMARY KEY (name, entity_id)
) WITHOUT ROWID;

-- Facts: narrow rows that queries filter and order on; the fact itself is
-- in fact_bodies and read only for the rows a query returns.
CREATE TABLE facts (
    pk         INTEGER PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    seq        INTEGER NOT NULL,  -- position in the article's facts
    kind       TEXT NOT NULL,
    time_start INTEGER,           -- resolved time start; NULL when unresolved
    sort_at    INTEGER NOT NULL,  -- time_start, else article published, else the largest integer
    ingested   INTEGER NOT NULL   -- the article's
);
CREATE INDEX facts_sort ON facts (sort_at);
CREATE INDEX facts_kind ON facts (kind, sort_at);
CREATE INDEX facts_ingested ON facts (ingested);
CREATE INDEX facts_article ON facts (article_pk, seq);

CREATE TABLE fact_bodies (
    fact_pk INTEGER PRIMARY KEY REFERENCES facts (pk),
    body    TEXT NOT NULL -- the briefings.Fact as JSON
);

-- The folded names a fact can be found by (every party's name, country,
-- entity id and key, the place, and the fact's mentions), in time order per
-- name, with the fact's kind, so that "meetings of X" reads one index range.
CREATE TABLE fact_terms (
    term    TEXT NOT NULL,
    sort_at INTEGER NOT NULL,
    fact_pk INTEGER NOT NULL REFERENCES facts (pk),
    kind    TEXT NOT NULL,
    PRIMARY KEY (term, sort_at, fact_pk)
) WITHOUT ROWID;

-- Tracked processes. status_events is the truth; statuses caches the merged
-- stage and orders the board.
CREATE TABLE statuses (
    key     TEXT PRIMARY KEY,
    kind    TEXT NOT NULL,
    topic   TEXT NOT NULL,
    actor   TEXT NOT NULL,
    subject TEXT NOT NULL,
    stage   TEXT NOT NULL,
    latest  INTEGER NOT NULL -- time of the latest event (unix µs)
);
CREATE INDEX statuses_latest ON statuses (latest DESC, key);
CREATE INDEX statuses_kind ON statuses (kind, latest DESC, key);

CREATE TABLE status_events (
    pk         INTEGER PRIMARY KEY,
    status_key TEXT NOT NULL REFERENCES statuses (key),
    article_pk INTEGER NOT NULL REFERENCES articles (pk),
    ingested   INTEGER NOT NULL,
    body       TEXT NOT NULL -- the briefings.StatusEvent as JSON
);
CREATE INDEX status_events_key ON status_events (status_key);
CREATE INDEX status_events_ingested ON status_events (ingested, status_key);
CREATE INDEX status_events_article ON status_events (article_pk);

-- The folded words of every status's topic and key.
CREATE TABLE status_terms (
    word       TEXT NOT NULL,
    status_key TEXT NOT NULL REFERENCES statuses (key),
    PRIMARY KEY (word, status_key)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE status_terms;
DROP TABLE status_events;
DROP TABLE statuses;
DROP TABLE fact_terms;
DROP TABLE fact_bodies;
DROP TABLE facts;
DROP TABLE entity_names;
DROP TABLE entities;
DROP TRIGGER sentences_ad;
DROP TRIGGER sentences_ai;
DROP TABLE sentences_vocab;
DROP TABLE sentences_fts;
DROP TABLE sentences;
DROP TABLE articles;
