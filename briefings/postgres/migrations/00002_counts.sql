-- Record counts kept by triggers, so that Stats reads four numbers instead
-- of counting 150,000 facts. The triggers run once per statement (over its
-- transition table), not once per row. The sentence and word totals give
-- BM25 its corpus size and average sentence length.

-- +goose Up
CREATE TABLE store_counts (
    name text COLLATE "C" PRIMARY KEY,
    n    bigint NOT NULL
);

INSERT INTO store_counts (name, n) VALUES
    ('articles', (SELECT count(*) FROM articles)),
    ('facts', (SELECT count(*) FROM facts)),
    ('entities', (SELECT count(*) FROM entities)),
    ('statuses', (SELECT count(*) FROM statuses)),
    ('sentences', (SELECT count(*) FROM sentences)),
    ('sentence_words', (SELECT coalesce(sum(nwords), 0) FROM sentences));

-- store_count_rows counts the rows a statement inserted or deleted into the
-- count named by the trigger's argument.
-- +goose StatementBegin
CREATE FUNCTION store_count_rows() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    d bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*) INTO d FROM new_rows;
    ELSE
        SELECT -count(*) INTO d FROM old_rows;
    END IF;
    IF d <> 0 THEN
        UPDATE store_counts SET n = n + d WHERE name = TG_ARGV[0];
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- store_count_sentences counts sentences and their words.
-- +goose StatementBegin
CREATE FUNCTION store_count_sentences() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    d bigint;
    w bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT count(*), coalesce(sum(nwords), 0) INTO d, w FROM new_rows;
    ELSE
        SELECT -count(*), -coalesce(sum(nwords), 0) INTO d, w FROM old_rows;
    END IF;
    IF d <> 0 THEN
        UPDATE store_counts SET n = n + CASE name WHEN 'sentences' THEN d ELSE w END
        WHERE name IN ('sentences', 'sentence_words');
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER articles_count_ai AFTER INSERT ON articles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('articles');
CREATE TRIGGER articles_count_ad AFTER DELETE ON articles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('articles');
CREATE TRIGGER facts_count_ai AFTER INSERT ON facts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('facts');
CREATE TRIGGER facts_count_ad AFTER DELETE ON facts
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('facts');
CREATE TRIGGER entities_count_ai AFTER INSERT ON entities
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('entities');
CREATE TRIGGER entities_count_ad AFTER DELETE ON entities
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('entities');
CREATE TRIGGER statuses_count_ai AFTER INSERT ON statuses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('statuses');
CREATE TRIGGER statuses_count_ad AFTER DELETE ON statuses
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_rows('statuses');
CREATE TRIGGER sentences_count_ai AFTER INSERT ON sentences
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_sentences();
CREATE TRIGGER sentences_count_ad AFTER DELETE ON sentences
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION store_count_sentences();

-- +goose Down
DROP TRIGGER sentences_count_ad ON sentences;
DROP TRIGGER sentences_count_ai ON sentences;
DROP TRIGGER statuses_count_ad ON statuses;
DROP TRIGGER statuses_count_ai ON statuses;
DROP TRIGGER entities_count_ad ON entities;
DROP TRIGGER entities_count_ai ON entities;
DROP TRIGGER facts_count_ad ON facts;
DROP TRIGGER facts_count_ai ON facts;
DROP TRIGGER articles_count_ad ON articles;
DROP TRIGGER articles_count_ai ON articles;
DROP FUNCTION store_count_sentences();
DROP FUNCTION store_count_rows();
DROP TABLE store_counts;
