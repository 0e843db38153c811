package sqlite

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// TestFeedClaimsTwoStoresOneFile: two pollers in two "processes" claim 100
// due feeds a few at a time; each feed goes to exactly one of them.
func TestFeedClaimsTwoStoresOneFile(t *testing.T) {
	stores := openPair(t)
	ctx := t.Context()
	t0 := time.Date(2026, 11, 2, 7, 0, 0, 0, time.UTC)
	const feeds = 100
	for i := range feeds {
		if _, err := stores[i%2].AddFeed(ctx, briefings.Feed{URL: fmt.Sprintf("https://f%d.example.test/rss", i), NextPoll: t0}); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	claimed := map[string]int{}
	var wg sync.WaitGroup
	for si, s := range stores {
		for g := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					fs, err := s.ClaimDueFeeds(ctx, fmt.Sprintf("store%d-g%d", si, g), t0, time.Hour, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(fs) == 0 {
						return
					}
					mu.Lock()
					for _, f := range fs {
						claimed[f.ID]++
					}
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	if len(claimed) != feeds {
		t.Errorf("%d of %d feeds claimed", len(claimed), feeds)
	}
	for id, n := range claimed {
		if n != 1 {
			t.Errorf("feed %s claimed %d times", id, n)
		}
	}
}
