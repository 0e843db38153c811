-- Status summaries: each status row keeps its merged status, so that
-- listing statuses reads one row per status instead of every event. The
-- summary holds the status with its latest event
-- (briefings.CompactHistory to 1); history holds the compacted history (up
-- to 16 events); both are JSON. Rows written before this migration have
-- neither and are read from their events.

-- +goose Up
ALTER TABLE statuses ADD COLUMN summary bytea;
ALTER TABLE statuses ADD COLUMN history bytea;
ALTER TABLE statuses ADD COLUMN events integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE statuses DROP COLUMN events;
ALTER TABLE statuses DROP COLUMN history;
ALTER TABLE statuses DROP COLUMN summary;
