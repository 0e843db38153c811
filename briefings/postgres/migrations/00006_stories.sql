-- Stories: clusters of articles about one developing story, found by the
-- entity names they share (keys) and their dates.

-- +goose Up
CREATE TABLE stories (
    id       text COLLATE "C" PRIMARY KEY,
    title    text NOT NULL,
    first    bigint NOT NULL,
    last     bigint NOT NULL,
    articles bigint NOT NULL,
    keys     text[] COLLATE "C" NOT NULL  -- folded keys, in the order added
);
CREATE INDEX stories_last ON stories (last DESC, id);

-- Every key of every story: the stories sharing a key are one index range.
CREATE TABLE story_keys (
    key      text COLLATE "C" NOT NULL,
    story_id text COLLATE "C" NOT NULL REFERENCES stories (id),
    PRIMARY KEY (key, story_id)
);

-- +goose Down
DROP TABLE story_keys;
DROP TABLE stories;
