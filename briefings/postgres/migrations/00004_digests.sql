-- Digest subscriptions (one per platform, workspace and channel) and the
-- delivery ledger: one row per subscription and local slot, claimed by one
-- insert that conflicts for every other claimant (see digests.go).

-- +goose Up
CREATE TABLE subscriptions (
    id            text COLLATE "C" PRIMARY KEY,
    platform      text COLLATE "C" NOT NULL,
    workspace     text COLLATE "C" NOT NULL,
    channel       text COLLATE "C" NOT NULL,
    hour          integer NOT NULL,
    minute        integer NOT NULL,
    zone          text NOT NULL,
    days          integer[] NOT NULL,      -- weekdays (0 = Sunday), sorted
    story         text NOT NULL DEFAULT '',
    creator       text NOT NULL DEFAULT '',
    paused        boolean NOT NULL DEFAULT false,
    paused_reason text NOT NULL DEFAULT '',
    created       bigint NOT NULL,
    updated       bigint NOT NULL,
    UNIQUE (platform, workspace, channel)
);
CREATE INDEX subscriptions_active ON subscriptions (id) WHERE NOT paused;

CREATE TABLE deliveries (
    pk              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id text COLLATE "C" NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    slot            text COLLATE "C" NOT NULL,
    due             bigint NOT NULL,
    state           text COLLATE "C" NOT NULL,
    manual          boolean NOT NULL DEFAULT false,
    attempts        integer NOT NULL DEFAULT 0,
    claimant        text COLLATE "C" NOT NULL DEFAULT '',
    lease_until     bigint,           -- NULL only before the first claim
    next_attempt    bigint,           -- failed_retryable: when it may be tried again
    cursor          bigint,           -- NULL when the digest covered nothing
    message_id      text NOT NULL DEFAULT '',
    link            text NOT NULL DEFAULT '',
    error           text NOT NULL DEFAULT '',
    updated         bigint NOT NULL,
    UNIQUE (subscription_id, slot)
);
CREATE INDEX deliveries_due ON deliveries (subscription_id, due, slot);
-- The latest delivered digest of a subscription (LastCursor) in one seek.
CREATE INDEX deliveries_delivered ON deliveries (subscription_id, due, slot) WHERE state IN ('sent', 'empty');

-- +goose Down
DROP TABLE deliveries;
DROP TABLE subscriptions;
