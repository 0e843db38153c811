package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Feeds and their seen items (migration 5).

const feedCols = "id, url, every, etag, last_modified, next_poll, last_polled, failures, last_error, items, added, added_by"

func scanFeed(sc scanner) (briefings.Feed, error) {
	var f briefings.Feed
	var every, next, added int64
	var polled sql.NullInt64
	if err := sc.Scan(&f.ID, &f.URL, &every, &f.ETag, &f.LastModified, &next, &polled, &f.Failures, &f.LastError, &f.Items, &added, &f.AddedBy); err != nil {
		return briefings.Feed{}, err
	}
	f.Every = time.Duration(every) * time.Microsecond
	f.NextPoll, f.Added = fromMicros(next), fromMicros(added)
	if polled.Valid {
		f.LastPolled = fromMicros(polled.Int64)
	}
	return f, nil
}

// scanFeeds reads feed rows.
func scanFeeds(rows *sql.Rows) ([]briefings.Feed, error) {
	defer rows.Close()
	var out []briefings.Feed
	for rows.Next() {
		f, err := scanFeed(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

const addFeedSQL = "INSERT INTO feeds (" + feedCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (url) DO NOTHING RETURNING ` + feedCols

// AddFeed adds a feed (defaults: polled every 30 minutes, due now); an error
// with CodeConflict when its URL is already followed. The id is random
// ("feed_" and 16 characters).
func (s *Store) AddFeed(ctx context.Context, f briefings.Feed) (briefings.Feed, error) {
	f, err := briefings.CheckFeed(f, s.clock.Now())
	if err != nil {
		return briefings.Feed{}, err
	}
	f.ID = briefings.NewStoreID("feed")
	var out briefings.Feed
	err = s.write(ctx, "add feed", func(tx *sql.Tx) error {
		var err error
		out, err = scanFeed(tx.QueryRowContext(ctx, addFeedSQL, f.ID, f.URL, f.Every.Microseconds(), f.ETag, f.LastModified, micros(f.NextPoll),
			nullMicros(f.LastPolled), f.Failures, f.LastError, f.Items, micros(f.Added), f.AddedBy))
		if errors.Is(err, sql.ErrNoRows) {
			return briefings.Errorf(briefings.CodeConflict, "the feed %s is already followed", f.URL)
		}
		return err
	})
	if err != nil {
		return briefings.Feed{}, err
	}
	return out, nil
}

// RemoveFeed stops following a feed and forgets its items; an error with
// briefings.ErrNotFound when it is not followed.
func (s *Store) RemoveFeed(ctx context.Context, url string) error {
	return s.write(ctx, "remove feed", func(tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, "DELETE FROM feeds WHERE url = ?", url))(
			briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("the feed %s is not followed", url), briefings.ErrNotFound))
	})
}

const feedsSQL = "SELECT " + feedCols + " FROM feeds ORDER BY added, id LIMIT ?"

// Feeds lists the feeds, oldest first (default 100, at most 1000).
func (s *Store) Feeds(ctx context.Context, limit int) ([]briefings.Feed, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultFeedLimit, briefings.MaxFeedLimit, "feed")
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, feedsSQL, n)
	if err != nil {
		return nil, s.fail(ctx, "feeds", err)
	}
	out, err := scanFeeds(rows)
	if err != nil {
		return nil, s.fail(ctx, "feeds", err)
	}
	return out, nil
}

// claimFeedsSQL moves the next poll of the most overdue feeds to the end of
// the claim in one statement. The outer condition repeats the inner one so
// that a store whose UPDATE re-reads a changed row (Postgres) skips a feed
// another poller claimed meanwhile.
const claimFeedsSQL = `UPDATE feeds SET next_poll = ?, claimant = ?
	WHERE next_poll <= ? AND id IN (SELECT id FROM feeds WHERE next_poll <= ? ORDER BY next_poll, id LIMIT ?)
	RETURNING ` + feedCols

// ClaimDueFeeds claims up to limit feeds whose NextPoll is at or before now
// (the most overdue first), moving their NextPoll to now+lease so that no
// other poller takes them meanwhile. They are returned oldest added first.
func (s *Store) ClaimDueFeeds(ctx context.Context, claimant string, now time.Time, lease time.Duration, limit int) ([]briefings.Feed, error) {
	n, err := briefings.CheckFeedClaim(claimant, now, lease, limit)
	if err != nil {
		return nil, err
	}
	now = briefings.StoreTime(now)
	var out []briefings.Feed
	err = s.write(ctx, "claim feeds", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, claimFeedsSQL, micros(now.Add(lease)), claimant, micros(now), micros(now), n)
		if err != nil {
			return err
		}
		out, err = scanFeeds(rows)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b briefings.Feed) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

const finishFeedSQL = `UPDATE feeds SET etag = ?, last_modified = ?, next_poll = ?, last_polled = ?, failures = ?, last_error = ?, items = ?, claimant = ''
	WHERE id = ?`

// FinishFeedPoll records a poll's outcome: validators, next poll, last poll,
// failures, last error and item count (as given); an error with
// briefings.ErrNotFound when the feed was removed meanwhile.
func (s *Store) FinishFeedPoll(ctx context.Context, f briefings.Feed) error {
	f, err := briefings.CheckFeedPoll(f)
	if err != nil {
		return err
	}
	return s.write(ctx, "finish feed poll", func(tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, finishFeedSQL, f.ETag, f.LastModified, micros(f.NextPoll), nullMicros(f.LastPolled), f.Failures, f.LastError, f.Items, f.ID))(
			feedNotFound(f.ID))
	})
}

func feedNotFound(id string) error {
	return briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no feed %q is followed", id), briefings.ErrNotFound)
}

const (
	feedItemsSQL = `INSERT INTO feed_items (feed_id, guid) SELECT ?, value FROM json_each(?) WHERE true
	ON CONFLICT (feed_id, guid) DO NOTHING RETURNING guid`
	// pruneItemsSQL forgets a feed's items beyond the newest
	// briefings.MaxSeenItemsPerFeed.
	pruneItemsSQL = `DELETE FROM feed_items WHERE feed_id = ? AND pk <= (SELECT pk FROM feed_items WHERE feed_id = ? ORDER BY pk DESC LIMIT 1 OFFSET ?)`
)

// NewFeedItems records item ids of a feed as seen and returns those not seen
// before, in the order given (blanks and repeats dropped; at most
// briefings.MaxFeedItemsPerCall per call). An error with
// briefings.ErrNotFound when the feed is not followed.
func (s *Store) NewFeedItems(ctx context.Context, feedID string, guids []string) ([]string, error) {
	guids, err := briefings.CheckFeedItems(feedID, guids)
	if err != nil {
		return nil, err
	}
	if len(guids) == 0 {
		return nil, nil
	}
	js, err := json.Marshal(guids)
	if err != nil {
		return nil, err
	}
	added := make(map[string]bool, len(guids))
	err = s.write(ctx, "feed items", func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM feeds WHERE id = ?", feedID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return feedNotFound(feedID)
		} else if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, feedItemsSQL, feedID, string(js))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var g string
			if err := rows.Scan(&g); err != nil {
				return err
			}
			added[g] = true
		}
		if err := rows.Err(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, pruneItemsSQL, feedID, feedID, briefings.MaxSeenItemsPerFeed)
		return err
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range guids {
		if added[g] {
			out = append(out, g)
		}
	}
	return out, nil
}
