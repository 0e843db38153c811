package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// Feeds and their seen items (migration 5).

const feedCols = "id, url, every, etag, last_modified, next_poll, last_polled, failures, last_error, items, added, added_by"

func scanFeed(row pgx.Row) (briefings.Feed, error) {
	var f briefings.Feed
	var every, next, added int64
	var polled *int64
	if err := row.Scan(&f.ID, &f.URL, &every, &f.ETag, &f.LastModified, &next, &polled, &f.Failures, &f.LastError, &f.Items, &added, &f.AddedBy); err != nil {
		return briefings.Feed{}, err
	}
	f.Every = time.Duration(every) * time.Microsecond
	f.NextPoll, f.Added, f.LastPolled = fromMicros(next), fromMicros(added), fromNullMicros(polled)
	return f, nil
}

func scanFeeds(rows pgx.Rows) ([]briefings.Feed, error) {
	return collect(rows, func(row pgx.CollectableRow) (briefings.Feed, error) { return scanFeed(row) })
}

const addFeedSQL = "INSERT INTO feeds (" + feedCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
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
	out, err := scanFeed(s.pool.QueryRow(ctx, addFeedSQL, f.ID, f.URL, f.Every.Microseconds(), f.ETag, f.LastModified, micros(f.NextPoll),
		nullMicros(f.LastPolled), f.Failures, f.LastError, f.Items, micros(f.Added), f.AddedBy))
	if errors.Is(err, pgx.ErrNoRows) {
		return briefings.Feed{}, briefings.Errorf(briefings.CodeConflict, "the feed %s is already followed", f.URL)
	}
	if err != nil {
		return briefings.Feed{}, s.fail(ctx, "add feed", err)
	}
	return out, nil
}

// RemoveFeed stops following a feed and forgets its items; an error with
// briefings.ErrNotFound when it is not followed.
func (s *Store) RemoveFeed(ctx context.Context, url string) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM feeds WHERE url = $1", url)
	if err != nil {
		return s.fail(ctx, "remove feed", err)
	}
	if tag.RowsAffected() == 0 {
		return notFound(fmt.Sprintf("the feed %s is not followed", url))
	}
	return nil
}

// Feeds lists the feeds, oldest first (default 100, at most 1000).
func (s *Store) Feeds(ctx context.Context, limit int) ([]briefings.Feed, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultFeedLimit, briefings.MaxFeedLimit, "feed")
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+feedCols+" FROM feeds ORDER BY added, id LIMIT $1", n)
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
// the claim in one statement. The feeds are picked with FOR UPDATE SKIP
// LOCKED: a feed another poller is claiming at this moment is passed over,
// not waited for; the outer condition repeats the inner one, which Postgres
// checks again on the latest row version, so a feed claimed meanwhile is
// never claimed twice.
const claimFeedsSQL = `UPDATE feeds SET next_poll = $1, claimant = $2
	WHERE next_poll <= $3 AND id IN (SELECT id FROM feeds WHERE next_poll <= $3 ORDER BY next_poll, id LIMIT $4 FOR UPDATE SKIP LOCKED)
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
	rows, err := s.pool.Query(ctx, claimFeedsSQL, micros(now.Add(lease)), claimant, micros(now), n)
	if err != nil {
		return nil, s.fail(ctx, "claim feeds", err)
	}
	out, err := scanFeeds(rows)
	if err != nil {
		return nil, s.fail(ctx, "claim feeds", err)
	}
	slices.SortFunc(out, func(a, b briefings.Feed) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

const finishFeedSQL = `UPDATE feeds SET etag = $1, last_modified = $2, next_poll = $3, last_polled = $4, failures = $5, last_error = $6, items = $7, claimant = ''
	WHERE id = $8`

// FinishFeedPoll records a poll's outcome: validators, next poll, last poll,
// failures, last error and item count (as given); an error with
// briefings.ErrNotFound when the feed was removed meanwhile.
func (s *Store) FinishFeedPoll(ctx context.Context, f briefings.Feed) error {
	f, err := briefings.CheckFeedPoll(f)
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, finishFeedSQL, f.ETag, f.LastModified, micros(f.NextPoll), nullMicros(f.LastPolled), f.Failures, f.LastError, f.Items, f.ID)
	if err != nil {
		return s.fail(ctx, "finish feed poll", err)
	}
	if tag.RowsAffected() == 0 {
		return feedNotFound(f.ID)
	}
	return nil
}

func feedNotFound(id string) error {
	return notFound(fmt.Sprintf("no feed %q is followed", id))
}

const (
	// feedItemsSQL records item ids and returns those not seen before; a
	// missing feed fails its foreign key.
	feedItemsSQL = `INSERT INTO feed_items (feed_id, guid) SELECT $1, g FROM unnest($2::text[]) WITH ORDINALITY AS x(g, n) ORDER BY x.n
	ON CONFLICT (feed_id, guid) DO NOTHING RETURNING guid`
	// pruneItemsSQL forgets a feed's items beyond the newest
	// briefings.MaxSeenItemsPerFeed.
	pruneItemsSQL = `DELETE FROM feed_items WHERE feed_id = $1 AND pk <= (SELECT pk FROM feed_items WHERE feed_id = $1 ORDER BY pk DESC LIMIT 1 OFFSET $2)`
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
	added := make(map[string]bool, len(guids))
	err = s.tx(ctx, "feed items", func(tx pgx.Tx) error {
		clear(added)
		rows, err := tx.Query(ctx, feedItemsSQL, feedID, guids)
		if err != nil {
			return err
		}
		news, err := collect(rows, func(row pgx.CollectableRow) (string, error) {
			var g string
			err := row.Scan(&g)
			return g, err
		})
		if err != nil {
			if pgCode(err) == "23503" {
				return feedNotFound(feedID)
			}
			return err
		}
		for _, g := range news {
			added[g] = true
		}
		_, err = tx.Exec(ctx, pruneItemsSQL, feedID, briefings.MaxSeenItemsPerFeed)
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
