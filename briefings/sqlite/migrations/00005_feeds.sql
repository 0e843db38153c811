-- Feeds the bot polls, and the item ids it has seen in each. A due feed is
-- claimed by moving its next poll to the end of the claim in one UPDATE, so
-- that two pollers never take the same feed (see feeds.go).

-- +goose Up
CREATE TABLE feeds (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    every         INTEGER NOT NULL,          -- polling interval, microseconds
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    next_poll     INTEGER NOT NULL,
    last_polled   INTEGER,                   -- NULL before the first poll
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    items         INTEGER NOT NULL DEFAULT 0,
    added         INTEGER NOT NULL,
    added_by      TEXT NOT NULL DEFAULT '',
    claimant      TEXT NOT NULL DEFAULT ''   -- the poller holding it, for operators
);
CREATE INDEX feeds_next_poll ON feeds (next_poll, id);
CREATE INDEX feeds_added ON feeds (added, id);

-- Item ids seen per feed, in the order seen (the oldest beyond
-- briefings.MaxSeenItemsPerFeed are forgotten).
CREATE TABLE feed_items (
    pk      INTEGER PRIMARY KEY,
    feed_id TEXT NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid    TEXT NOT NULL,
    UNIQUE (feed_id, guid)
);
CREATE INDEX feed_items_age ON feed_items (feed_id, pk);

-- +goose Down
DROP TABLE feed_items;
DROP TABLE feeds;
