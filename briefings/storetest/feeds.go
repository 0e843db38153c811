package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

func addFeed(t *testing.T, s briefings.Store, f briefings.Feed) briefings.Feed {
	t.Helper()
	got, err := s.AddFeed(t.Context(), f)
	if err != nil {
		t.Fatalf("AddFeed(%s): %v", f.URL, err)
	}
	return got
}

func feedURLs(fs []briefings.Feed) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.URL
	}
	return out
}

func testFeeds(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	t0 := at("2026-11-02T07:00:00Z")
	plain := addFeed(t, s, briefings.Feed{URL: "https://news.example.test/rss", Added: t0})
	if plain.ID == "" || plain.Every != briefings.DefaultFeedEvery || plain.NextPoll.IsZero() || !plain.Added.Equal(t0) || plain.Items != 0 {
		t.Errorf("AddFeed(defaults) = %+v; want an id, the default interval and a due time", plain)
	}
	full := briefings.Feed{URL: "https://wire.example.test/atom.xml", Every: 2 * time.Hour, ETag: `"v1"`, LastModified: "Mon, 02 Nov 2026 06:00:00 GMT",
		NextPoll: t0.Add(time.Hour), LastPolled: t0.Add(-time.Hour), Failures: 1, LastError: "timeout", Items: 7, Added: t0.Add(time.Minute), AddedBy: "U1"}
	got := addFeed(t, s, full)
	full.ID = got.ID
	if got != full {
		t.Errorf("AddFeed = %+v\n want %+v", got, full)
	}
	_, err := s.AddFeed(ctx, briefings.Feed{URL: full.URL, Every: time.Hour})
	wantCode(t, "AddFeed(same URL)", err, briefings.CodeConflict)
	for name, f := range map[string]briefings.Feed{
		"no URL":          {},
		"not http":        {URL: "ftp://files.example.test/feed.xml"},
		"no host":         {URL: "https:///feed.xml"},
		"relative":        {URL: "/feed.xml"},
		"long URL":        {URL: "https://example.test/" + strings.Repeat("a", briefings.MaxFieldBytes)},
		"every 10s":       {URL: "https://a.example.test/feed", Every: 10 * time.Second},
		"every 30 days":   {URL: "https://a.example.test/feed", Every: 30 * 24 * time.Hour},
		"negative every":  {URL: "https://a.example.test/feed", Every: -time.Hour},
		"negative counts": {URL: "https://a.example.test/feed", Failures: -1},
	} {
		_, err := s.AddFeed(ctx, f)
		wantCode(t, "AddFeed "+name, err, briefings.CodeInvalid)
	}
	fs, err := s.Feeds(ctx, 0)
	if err != nil || !slices.Equal(feedURLs(fs), []string{plain.URL, full.URL}) {
		t.Errorf("Feeds = %v, %v; want the two feeds, oldest first", feedURLs(fs), err)
	}
	if fs, err := s.Feeds(ctx, 1); err != nil || len(fs) != 1 || fs[0].URL != plain.URL {
		t.Errorf("Feeds(1) = %v, %v", feedURLs(fs), err)
	}
	_, err = s.Feeds(ctx, -1)
	wantCode(t, "Feeds(-1)", err, briefings.CodeInvalid)

	if err := s.RemoveFeed(ctx, plain.URL); err != nil {
		t.Fatal(err)
	}
	wantNotFound(t, "RemoveFeed(removed)", s.RemoveFeed(ctx, plain.URL))
	if fs, err := s.Feeds(ctx, 0); err != nil || !slices.Equal(feedURLs(fs), []string{full.URL}) {
		t.Errorf("Feeds after removing one = %v, %v", feedURLs(fs), err)
	}
	// A removed feed can be added again.
	addFeed(t, s, briefings.Feed{URL: plain.URL})
}

func testFeedClaims(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	t0 := at("2026-11-02T07:00:00Z")
	late := addFeed(t, s, briefings.Feed{URL: "https://a.example.test/late", NextPoll: t0.Add(-2 * time.Hour), Added: t0})
	due := addFeed(t, s, briefings.Feed{URL: "https://a.example.test/due", NextPoll: t0, Added: t0.Add(-time.Hour)})
	addFeed(t, s, briefings.Feed{URL: "https://a.example.test/later", NextPoll: t0.Add(time.Microsecond)})

	one, err := s.ClaimDueFeeds(ctx, "poller-1", t0, 10*time.Minute, 1)
	if err != nil || len(one) != 1 || one[0].ID != late.ID || !one[0].NextPoll.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("ClaimDueFeeds(limit 1) = %+v, %v; want the most overdue feed, due again at the end of the claim", one, err)
	}
	rest, err := s.ClaimDueFeeds(ctx, "poller-2", t0, 10*time.Minute, 0)
	if err != nil || len(rest) != 1 || rest[0].ID != due.ID {
		t.Fatalf("ClaimDueFeeds(rest) = %v, %v; want the feed due exactly now (the claimed one and the later one are not)", feedURLs(rest), err)
	}
	if none, err := s.ClaimDueFeeds(ctx, "poller-3", t0.Add(5*time.Minute), 10*time.Minute, 0); err != nil || len(none) != 1 || none[0].URL != "https://a.example.test/later" {
		t.Errorf("ClaimDueFeeds during the claims = %v, %v; want only the later feed, now due", feedURLs(none), err)
	}
	// A poller that died: its feeds are due again when the claim ends.
	again, err := s.ClaimDueFeeds(ctx, "poller-4", t0.Add(10*time.Minute), time.Minute, 0)
	if err != nil || !slices.Equal(feedURLs(again), []string{due.URL, late.URL}) {
		t.Errorf("ClaimDueFeeds after the claims ended = %v, %v; want both, oldest added first", feedURLs(again), err)
	}

	// The poll's outcome.
	polled := again[1]
	polled.ETag, polled.LastModified, polled.LastPolled = `"abc"`, "Mon, 02 Nov 2026 07:10:00 GMT", t0.Add(10*time.Minute)
	polled.NextPoll, polled.Items, polled.Failures, polled.LastError = t0.Add(40*time.Minute), 12, 0, ""
	if err := s.FinishFeedPoll(ctx, polled); err != nil {
		t.Fatal(err)
	}
	fs, err := s.Feeds(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.ID == polled.ID && (f.ETag != polled.ETag || f.LastModified != polled.LastModified || !f.LastPolled.Equal(polled.LastPolled) ||
			!f.NextPoll.Equal(polled.NextPoll) || f.Items != 12 || f.Every != late.Every || !f.Added.Equal(late.Added)) {
			t.Errorf("after FinishFeedPoll: %+v; want %+v", f, polled)
		}
	}
	failed := again[0]
	failed.NextPoll, failed.Failures, failed.LastError = t0.Add(2*time.Hour), 3, strings.Repeat("e", 2*briefings.MaxFieldBytes)
	if err := s.FinishFeedPoll(ctx, failed); err != nil {
		t.Fatalf("FinishFeedPoll with a long error: %v", err)
	}
	noNext := polled
	noNext.NextPoll = time.Time{}
	wantCode(t, "FinishFeedPoll without a next poll", s.FinishFeedPoll(ctx, noNext), briefings.CodeInvalid)
	gone := polled
	gone.ID = "feed_missing"
	wantNotFound(t, "FinishFeedPoll(missing)", s.FinishFeedPoll(ctx, gone))
	for name, call := range map[string]func() error{
		"no claimant":    func() error { _, err := s.ClaimDueFeeds(ctx, "", t0, time.Minute, 0); return err },
		"no time":        func() error { _, err := s.ClaimDueFeeds(ctx, "p", time.Time{}, time.Minute, 0); return err },
		"zero lease":     func() error { _, err := s.ClaimDueFeeds(ctx, "p", t0, 0, 0); return err },
		"negative limit": func() error { _, err := s.ClaimDueFeeds(ctx, "p", t0, time.Minute, -1); return err },
	} {
		wantCode(t, "ClaimDueFeeds "+name, call(), briefings.CodeInvalid)
	}
}

func testFeedClaimsConcurrent(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	t0 := at("2026-11-02T07:00:00Z")
	const n = 30
	for i := range n {
		addFeed(t, s, briefings.Feed{URL: fmt.Sprintf("https://f%d.example.test/rss", i), NextPoll: t0.Add(-time.Duration(i) * time.Minute)})
	}
	var mu sync.Mutex
	claimed := map[string]int{}
	race(t, 2, func(i int) (bool, error) {
		for {
			fs, err := s.ClaimDueFeeds(ctx, fmt.Sprint("poller-", i), t0, time.Hour, 4)
			if err != nil || len(fs) == 0 {
				return false, err
			}
			mu.Lock()
			for _, f := range fs {
				claimed[f.URL]++
			}
			mu.Unlock()
		}
	})
	if len(claimed) != n {
		t.Errorf("%d of %d due feeds claimed; want all", len(claimed), n)
	}
	for url, k := range claimed {
		if k != 1 {
			t.Errorf("%s claimed %d times by two pollers; want once", url, k)
		}
	}
}

func testFeedItems(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	f := addFeed(t, s, briefings.Feed{URL: "https://news.example.test/rss"})
	g := addFeed(t, s, briefings.Feed{URL: "https://other.example.test/rss"})
	items := func(feed string, guids ...string) []string {
		t.Helper()
		out, err := s.NewFeedItems(ctx, feed, guids)
		if err != nil {
			t.Fatalf("NewFeedItems(%v): %v", guids, err)
		}
		return out
	}
	if got := items(f.ID, "c", "a", "c", "", "b"); !slices.Equal(got, []string{"c", "a", "b"}) {
		t.Errorf("first items = %q; want all, in order, without blanks and repeats", got)
	}
	if got := items(f.ID, "b", "d", "a"); !slices.Equal(got, []string{"d"}) {
		t.Errorf("second items = %q; want only the new one", got)
	}
	if got := items(g.ID, "a", "b"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("another feed's items = %q; item ids are per feed", got)
	}
	if got := items(f.ID); len(got) != 0 {
		t.Errorf("no items = %q", got)
	}
	_, err := s.NewFeedItems(ctx, "feed_missing", []string{"a"})
	wantNotFound(t, "NewFeedItems(missing feed)", err)
	_, err = s.NewFeedItems(ctx, f.ID, make([]string, briefings.MaxFeedItemsPerCall+1))
	wantCode(t, "NewFeedItems(too many)", err, briefings.CodeInvalid)
	_, err = s.NewFeedItems(ctx, f.ID, []string{strings.Repeat("x", briefings.MaxFieldBytes+1)})
	wantCode(t, "NewFeedItems(long id)", err, briefings.CodeInvalid)

	// A removed and re-added feed starts with nothing seen.
	if err := s.RemoveFeed(ctx, g.URL); err != nil {
		t.Fatal(err)
	}
	g = addFeed(t, s, briefings.Feed{URL: g.URL})
	if got := items(g.ID, "a"); !slices.Equal(got, []string{"a"}) {
		t.Errorf("items of a re-added feed = %q; want them new", got)
	}

	// Only the newest MaxSeenItemsPerFeed ids are remembered.
	h := addFeed(t, s, briefings.Feed{URL: "https://busy.example.test/rss"})
	const total = briefings.MaxSeenItemsPerFeed + 10
	for from := 0; from < total; from += briefings.MaxFeedItemsPerCall {
		var batch []string
		for i := from; i < min(total, from+briefings.MaxFeedItemsPerCall); i++ {
			batch = append(batch, fmt.Sprint("item-", i))
		}
		if got := items(h.ID, batch...); len(got) != len(batch) {
			t.Fatalf("batch from %d: %d new; want %d", from, len(got), len(batch))
		}
	}
	if got := items(h.ID, "item-0", "item-9", "item-10", fmt.Sprint("item-", total-1)); !slices.Equal(got, []string{"item-0", "item-9"}) {
		t.Errorf("after %d items: new = %q; want the 10 oldest forgotten", total, got)
	}
}
