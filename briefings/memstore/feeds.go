package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// feeds holds the followed feeds and their seen items.
type feeds struct {
	feeds     map[string]briefings.Feed // by id
	feedByURL map[string]string
	seen      map[string]*seenItems // by feed id
}

// seenItems are a feed's item ids in the order seen.
type seenItems struct {
	order []string
	set   map[string]bool
}

func newFeeds() feeds {
	return feeds{feeds: map[string]briefings.Feed{}, feedByURL: map[string]string{}, seen: map[string]*seenItems{}}
}

func feedNotFound(what string) error {
	return briefings.WrapError(briefings.CodeNotFound, what, briefings.ErrNotFound)
}

// sortFeeds orders feeds oldest added first.
func sortFeeds(fs []briefings.Feed) {
	slices.SortFunc(fs, func(a, b briefings.Feed) int {
		if c := a.Added.Compare(b.Added); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// AddFeed adds a feed; an error with CodeConflict when its URL is already
// followed.
func (s *Store) AddFeed(ctx context.Context, f briefings.Feed) (briefings.Feed, error) {
	f, err := briefings.CheckFeed(f, s.clock.Now())
	if err != nil {
		return briefings.Feed{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "add feed"); err != nil {
		return briefings.Feed{}, err
	}
	if _, ok := s.feedByURL[f.URL]; ok {
		return briefings.Feed{}, briefings.Errorf(briefings.CodeConflict, "the feed %s is already followed", f.URL)
	}
	f.ID = briefings.NewStoreID("feed")
	s.feeds.feeds[f.ID] = f
	s.feedByURL[f.URL] = f.ID
	return f, nil
}

// RemoveFeed stops following a feed and forgets its items; an error with
// briefings.ErrNotFound when it is not followed.
func (s *Store) RemoveFeed(ctx context.Context, url string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "remove feed"); err != nil {
		return err
	}
	id, ok := s.feedByURL[url]
	if !ok {
		return feedNotFound(fmt.Sprintf("the feed %s is not followed", url))
	}
	delete(s.feedByURL, url)
	delete(s.feeds.feeds, id)
	delete(s.seen, id)
	return nil
}

// Feeds lists the feeds, oldest first.
func (s *Store) Feeds(ctx context.Context, limit int) ([]briefings.Feed, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultFeedLimit, briefings.MaxFeedLimit, "feed")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "feeds"); err != nil {
		return nil, err
	}
	out := make([]briefings.Feed, 0, len(s.feeds.feeds))
	for _, f := range s.feeds.feeds {
		out = append(out, f)
	}
	sortFeeds(out)
	if len(out) > n {
		out = out[:n]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// ClaimDueFeeds claims up to limit due feeds (the most overdue first),
// moving their NextPoll to now+lease; they are returned oldest added first.
func (s *Store) ClaimDueFeeds(ctx context.Context, claimant string, now time.Time, lease time.Duration, limit int) ([]briefings.Feed, error) {
	n, err := briefings.CheckFeedClaim(claimant, now, lease, limit)
	if err != nil {
		return nil, err
	}
	now = briefings.StoreTime(now)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "claim feeds"); err != nil {
		return nil, err
	}
	var due []briefings.Feed
	for _, f := range s.feeds.feeds {
		if !f.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	slices.SortFunc(due, func(a, b briefings.Feed) int {
		if c := a.NextPoll.Compare(b.NextPoll); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(due) > n {
		due = due[:n]
	}
	for i := range due {
		due[i].NextPoll = now.Add(lease)
		s.feeds.feeds[due[i].ID] = due[i]
	}
	sortFeeds(due)
	return due, nil
}

// FinishFeedPoll records a poll's outcome; an error with
// briefings.ErrNotFound when the feed was removed meanwhile.
func (s *Store) FinishFeedPoll(ctx context.Context, f briefings.Feed) error {
	f, err := briefings.CheckFeedPoll(f)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "finish feed poll"); err != nil {
		return err
	}
	cur, ok := s.feeds.feeds[f.ID]
	if !ok {
		return feedNotFound(fmt.Sprintf("no feed %q is followed", f.ID))
	}
	cur.ETag, cur.LastModified, cur.NextPoll, cur.LastPolled = f.ETag, f.LastModified, f.NextPoll, f.LastPolled
	cur.Failures, cur.LastError, cur.Items = f.Failures, f.LastError, f.Items
	s.feeds.feeds[f.ID] = cur
	return nil
}

// NewFeedItems records item ids as seen and returns those not seen before,
// in the order given.
func (s *Store) NewFeedItems(ctx context.Context, feedID string, guids []string) ([]string, error) {
	guids, err := briefings.CheckFeedItems(feedID, guids)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "feed items"); err != nil {
		return nil, err
	}
	if _, ok := s.feeds.feeds[feedID]; !ok {
		return nil, feedNotFound(fmt.Sprintf("no feed %q is followed", feedID))
	}
	if len(guids) == 0 {
		return nil, nil
	}
	seen := s.seen[feedID]
	if seen == nil {
		seen = &seenItems{set: map[string]bool{}}
		s.seen[feedID] = seen
	}
	var out []string
	for _, g := range guids {
		if !seen.set[g] {
			seen.set[g] = true
			seen.order = append(seen.order, g)
			out = append(out, g)
		}
	}
	if extra := len(seen.order) - briefings.MaxSeenItemsPerFeed; extra > 0 {
		for _, g := range seen.order[:extra] {
			delete(seen.set, g)
		}
		seen.order = slices.Clone(seen.order[extra:])
	}
	return out, nil
}
