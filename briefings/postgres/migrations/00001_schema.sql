-- The first schema of briefbot's Postgres store: the same history as the
-- SQLite store's 00001_schema.sql, written for Postgres. Migrations are
-- append-only: never edit this file once released; add 00002_... instead
-- (testdata/migrations.sum pins every released file).
--
-- Times are bigint unix microseconds (UTC), as in SQLite, so that values
-- compare exactly. Identifiers, names and keys use the "C" collation: byte
-- order, as SQLite compares, whatever the database's locale, and prefix
-- ranges on them can use their indexes. Facts, entities' aliases and roles,
-- and status events keep their full value as JSON text next to the narrow
-- indexed columns that queries filter and order on.

-- +goose Up
CREATE TABLE articles (
    pk        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id        text COLLATE "C" NOT NULL UNIQUE,
    title     text NOT NULL,
    source    text NOT NULL,
    url       text COLLATE "C" NOT NULL,
    published bigint,             -- NULL when unknown
    ingested  bigint NOT NULL,
    hash      text COLLATE "C" NOT NULL UNIQUE,
    story     text COLLATE "C" NOT NULL DEFAULT '',
    text      text NOT NULL
);
CREATE INDEX articles_published ON articles (published DESC NULLS LAST, pk DESC);
CREATE INDEX articles_ingested ON articles (ingested);
CREATE INDEX articles_story ON articles (story, published DESC NULLS LAST, pk DESC);

-- Sentences with their folded words (briefings.FoldedWords) as a tsvector
-- built by the store, with positions: lexemes are taken as they are, never
-- stemmed, so that a search matches the words SQLite's FTS5 index matches.
-- nwords is the sentence's length in words, for BM25 ranking.
CREATE TABLE sentences (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    article_pk bigint NOT NULL REFERENCES articles (pk),
    idx        integer NOT NULL,
    paragraph  integer NOT NULL,
    text       text NOT NULL,
    words      tsvector NOT NULL,
    nwords     integer NOT NULL,
    UNIQUE (article_pk, idx)
);
-- fastupdate off: a search never scans a pending list of recent entries,
-- and an insert never pays for flushing one.
CREATE INDEX sentences_words ON sentences USING gin (words) WITH (fastupdate = off);

-- How many sentences hold each word (kept by the trigger below): lets a
-- search leave out words so common that ranking them would cost more than
-- they tell, and gives BM25 its document frequencies.
CREATE TABLE sentence_words (
    word text COLLATE "C" PRIMARY KEY,
    docs bigint NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION sentence_words_count() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO sentence_words (word, docs)
        SELECT w.lexeme, count(*) FROM new_rows AS s CROSS JOIN unnest(s.words) AS w
        GROUP BY w.lexeme ORDER BY w.lexeme
        ON CONFLICT (word) DO UPDATE SET docs = sentence_words.docs + excluded.docs;
    ELSE
        UPDATE sentence_words AS v SET docs = v.docs - d.n
        FROM (SELECT w.lexeme, count(*) AS n FROM old_rows AS s CROSS JOIN unnest(s.words) AS w GROUP BY w.lexeme) AS d
        WHERE v.word = d.lexeme;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER sentences_words_ai AFTER INSERT ON sentences
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sentence_words_count();
CREATE TRIGGER sentences_words_ad AFTER DELETE ON sentences
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sentence_words_count();

-- Entities merged across articles: the id is the extractor's.
CREATE TABLE entities (
    id       text COLLATE "C" PRIMARY KEY,
    name     text NOT NULL,
    kind     text COLLATE "C" NOT NULL,
    country  text NOT NULL DEFAULT '',
    mentions bigint NOT NULL DEFAULT 0,
    aliases  text NOT NULL DEFAULT '[]', -- JSON array of strings
    roles    text NOT NULL DEFAULT '[]'  -- JSON array of briefings.Role
);
CREATE INDEX entities_mentions ON entities (mentions DESC, id);
CREATE INDEX entities_kind ON entities (kind, mentions DESC, id);

-- Every name and alias of an entity, folded (accents removed, lower case).
CREATE TABLE entity_names (
    name      text COLLATE "C" NOT NULL,
    entity_id text COLLATE "C" NOT NULL REFERENCES entities (id),
    PRIMARY KEY (name, entity_id)
);

-- Facts: narrow rows that queries filter and order on; the fact itself is
-- in fact_bodies and read only for the rows a query returns.
CREATE TABLE facts (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    article_pk bigint NOT NULL REFERENCES articles (pk),
    seq        integer NOT NULL,  -- position in the article's facts
    kind       text COLLATE "C" NOT NULL,
    time_start bigint,            -- resolved time start; NULL when unresolved
    sort_at    bigint NOT NULL,   -- time_start, else article published, else the largest bigint
    ingested   bigint NOT NULL    -- the article's
);
CREATE INDEX facts_sort ON facts (sort_at, pk);
CREATE INDEX facts_kind ON facts (kind, sort_at, pk);
CREATE INDEX facts_ingested ON facts (ingested);
CREATE INDEX facts_article ON facts (article_pk, seq);

CREATE TABLE fact_bodies (
    fact_pk bigint PRIMARY KEY REFERENCES facts (pk),
    body    text NOT NULL -- the briefings.Fact as JSON
);

-- The folded names a fact can be found by (every party's name, country,
-- entity id and key, the place, and the fact's mentions), in time order per
-- name, with the fact's kind, so that "meetings of X" reads one index range.
CREATE TABLE fact_terms (
    term    text COLLATE "C" NOT NULL,
    sort_at bigint NOT NULL,
    fact_pk bigint NOT NULL REFERENCES facts (pk),
    kind    text COLLATE "C" NOT NULL,
    PRIMARY KEY (term, sort_at, fact_pk) INCLUDE (kind)
);

-- Tracked processes. status_events is the truth; statuses caches the merged
-- stage and orders the board.
CREATE TABLE statuses (
    key     text COLLATE "C" PRIMARY KEY,
    kind    text COLLATE "C" NOT NULL,
    topic   text NOT NULL,
    actor   text NOT NULL,
    subject text NOT NULL,
    stage   text NOT NULL,
    latest  bigint NOT NULL -- time of the latest event (unix µs)
);
CREATE INDEX statuses_latest ON statuses (latest DESC, key);
CREATE INDEX statuses_kind ON statuses (kind, latest DESC, key);

CREATE TABLE status_events (
    pk         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    status_key text COLLATE "C" NOT NULL REFERENCES statuses (key),
    article_pk bigint NOT NULL REFERENCES articles (pk),
    ingested   bigint NOT NULL,
    body       text NOT NULL -- the briefings.StatusEvent as JSON
);
CREATE INDEX status_events_key ON status_events (status_key, pk);
CREATE INDEX status_events_ingested ON status_events (ingested, status_key);
CREATE INDEX status_events_article ON status_events (article_pk);

-- The folded words of every status's topic and key.
CREATE TABLE status_terms (
    word       text COLLATE "C" NOT NULL,
    status_key text COLLATE "C" NOT NULL REFERENCES statuses (key),
    PRIMARY KEY (word, status_key)
);

-- +goose Down
DROP TABLE status_terms;
DROP TABLE status_events;
DROP TABLE statuses;
DROP TABLE fact_terms;
DROP TABLE fact_bodies;
DROP TABLE facts;
DROP TABLE entity_names;
DROP TABLE entities;
DROP TABLE sentences;
DROP FUNCTION sentence_words_count();
DROP TABLE sentence_words;
DROP TABLE articles;
