-- Digest subscriptions (one per platform, workspace and channel) and the
-- delivery ledger: one row per subscription and local slot, claimed by one
-- insert that conflicts for every other claimant (see digests.go).

-- +goose Up
CREATE TABLE subscriptions (
    id            TEXT PRIMARY KEY,
    platform      TEXT NOT NULL,
    workspace     TEXT NOT NULL,
    channel       TEXT NOT NULL,
    hour          INTEGER NOT NULL,
    minute        INTEGER NOT NULL,
    zone          TEXT NOT NULL,
    days          TEXT NOT NULL,          -- JSON array of weekdays (0 = Sunday), sorted
    story         TEXT NOT NULL DEFAULT '',
    creator       TEXT NOT NULL DEFAULT '',
    paused        INTEGER NOT NULL DEFAULT 0,
    paused_reason TEXT NOT NULL DEFAULT '',
    created       INTEGER NOT NULL,
    updated       INTEGER NOT NULL,
    UNIQUE (platform, workspace, channel)
);
CREATE INDEX subscriptions_active ON subscriptions (paused, id);

CREATE TABLE deliveries (
    pk              INTEGER PRIMARY KEY,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot            TEXT NOT NULL,
    due             INTEGER NOT NULL,
    state           TEXT NOT NULL,
    manual          INTEGER NOT NULL DEFAULT 0,
    attempts        INTEGER NOT NULL DEFAULT 0,
    claimant        TEXT NOT NULL DEFAULT '',
    lease_until     INTEGER,           -- NULL only before the first claim
    next_attempt    INTEGER,           -- failed_retryable: when it may be tried again
    cursor          INTEGER,           -- NULL when the digest covered nothing
    message_id      TEXT NOT NULL DEFAULT '',
    link            TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    updated         INTEGER NOT NULL,
    UNIQUE (subscription_id, slot)
);
CREATE INDEX deliveries_due ON deliveries (subscription_id, due, slot);
-- The latest delivered digest of a subscription (LastCursor) in one seek.
CREATE INDEX deliveries_delivered ON deliveries (subscription_id, due, slot) WHERE state IN ('sent', 'empty');

-- +goose Down
DROP TABLE deliveries;
DROP TABLE subscriptions;
