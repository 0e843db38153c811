-- Record counts kept by triggers, so that Stats reads four numbers instead
-- of counting 150,000 facts.

-- +goose Up
CREATE TABLE store_counts (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO store_counts (name, n) VALUES
    ('articles', (SELECT count(*) FROM articles)),
    ('facts', (SELECT count(*) FROM facts)),
    ('entities', (SELECT count(*) FROM entities)),
    ('statuses', (SELECT count(*) FROM statuses));

-- +goose StatementBegin
CREATE TRIGGER articles_count_ai AFTER INSERT ON articles BEGIN
    UPDATE store_counts SET n = n + 1 WHERE name = 'articles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER articles_count_ad AFTER DELETE ON articles BEGIN
    UPDATE store_counts SET n = n - 1 WHERE name = 'articles';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER facts_count_ai AFTER INSERT ON facts BEGIN
    UPDATE store_counts SET n = n + 1 WHERE name = 'facts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER facts_count_ad AFTER DELETE ON facts BEGIN
    UPDATE store_counts SET n = n - 1 WHERE name = 'facts';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER entities_count_ai AFTER INSERT ON entities BEGIN
    UPDATE store_counts SET n = n + 1 WHERE name = 'entities';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER entities_count_ad AFTER DELETE ON entities BEGIN
    UPDATE store_counts SET n = n - 1 WHERE name = 'entities';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER statuses_count_ai AFTER INSERT ON statuses BEGIN
    UPDATE store_counts SET n = n + 1 WHERE name = 'statuses';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER statuses_count_ad AFTER DELETE ON statuses BEGIN
    UPDATE store_counts SET n = n - 1 WHERE name = 'statuses';
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER articles_count_ai;
DROP TRIGGER articles_count_ad;
DROP TRIGGER facts_count_ai;
DROP TRIGGER facts_count_ad;
DROP TRIGGER entities_count_ai;
DROP TRIGGER entities_count_ad;
DROP TRIGGER statuses_count_ai;
DROP TRIGGER statuses_count_ad;
DROP TABLE store_counts;
