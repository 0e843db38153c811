-- Stories: clusters of articles about one developing story, found by the
-- entity names they share (keys) and their dates.

-- +goose Up
CREATE TABLE stories (
    id       TEXT PRIMARY KEY,
    title    TEXT NOT NULL,
    first    INTEGER NOT NULL,
    last     INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    keys     TEXT NOT NULL    -- JSON array of folded keys, in the order added
);
CREATE INDEX stories_last ON stories (last DESC, id);

-- Every key of every story: the stories sharing a key are one index range.
CREATE TABLE story_keys (
    key      TEXT NOT NULL,
    story_id TEXT NOT NULL REFERENCES stories (id),
    PRIMARY KEY (key, story_id)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE story_keys;
DROP TABLE stories;
