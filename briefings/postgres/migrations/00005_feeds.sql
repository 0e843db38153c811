-- Feeds the bot polls, and the item ids it has seen in each. A due feed is
-- claimed by moving its next poll to the end of the claim in one UPDATE
-- over rows locked with FOR UPDATE SKIP LOCKED, so that two pollers never
-- take the same feed and never wait for each other (see feeds.go).

-- +goose Up
CREATE TABLE feeds (
    id            text COLLATE "C" PRIMARY KEY,
    url           text COLLATE "C" NOT NULL UNIQUE,
    every         bigint NOT NULL,          -- polling interval, microseconds
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    next_poll     bigint NOT NULL,
    last_polled   bigint,                   -- NULL before the first poll
    failures      integer NOT NULL DEFAULT 0,
    last_error    text NOT NULL DEFAULT '',
    items         bigint NOT NULL DEFAULT 0,
    added         bigint NOT NULL,
    added_by      text NOT NULL DEFAULT '',
    claimant      text NOT NULL DEFAULT ''  -- the poller holding it, for operators
);
CREATE INDEX feeds_next_poll ON feeds (next_poll, id);
CREATE INDEX feeds_added ON feeds (added, id);

-- Item ids seen per feed, in the order seen (the oldest beyond
-- briefings.MaxSeenItemsPerFeed are forgotten).
CREATE TABLE feed_items (
    pk      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    feed_id text COLLATE "C" NOT NULL REFERENCES feeds (id) ON DELETE CASCADE,
    guid    text COLLATE "C" NOT NULL,
    UNIQUE (feed_id, guid)
);
CREATE INDEX feed_items_age ON feed_items (feed_id, pk);

-- +goose Down
DROP TABLE feed_items;
DROP TABLE feeds;
