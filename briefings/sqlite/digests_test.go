package sqlite

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// openPair opens one database file twice, as two processes would: two
// stores with their own connection pools.
func openPair(t testing.TB) [2]*Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "shared.db")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(t.Context(), path, nil)
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	return stores
}

// TestClaimTwoStoresOneFile races two stores on one file, four goroutines
// each, over 200 due slots: every slot is claimed exactly once, and no
// claimant sees a lock error. After the leases run out the same race takes
// every slot over exactly once more.
func TestClaimTwoStoresOneFile(t *testing.T) {
	stores := openPair(t)
	ctx := t.Context()
	const slots, perStore = 200, 4
	subs := make([]string, slots)
	for i := range subs {
		sub, _, err := stores[i%2].PutSubscription(ctx, briefings.Subscription{Platform: "slack", Workspace: "T1", Channel: fmt.Sprint("C", i),
			Hour: 8, Zone: "UTC", Days: []int{1, 2, 3, 4, 5}})
		if err != nil {
			t.Fatal(err)
		}
		subs[i] = sub.ID
	}
	due := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	round := func(now time.Time) map[int]briefings.Delivery {
		var mu sync.Mutex
		won := map[int]briefings.Delivery{}
		wins := make([]int, slots)
		var wg sync.WaitGroup
		start := make(chan struct{})
		errs := make(chan error, slots*2*perStore)
		for si, s := range stores {
			for g := range perStore {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					claimant := fmt.Sprintf("store%d-g%d", si, g)
					for k := range slots {
						i := (k*7 + g*31 + si*101) % slots // each goroutine in its own order
						d, ok, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: subs[i], Slot: "2026-11-02T08:00", Due: due}, claimant, now, time.Minute)
						if err != nil {
							errs <- fmt.Errorf("%s slot %d: %w", claimant, i, err)
							continue
						}
						if ok {
							mu.Lock()
							wins[i]++
							won[i] = d
							mu.Unlock()
						}
					}
				}()
			}
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		for i, n := range wins {
			if n != 1 {
				t.Errorf("slot %d was claimed %d times; want exactly once", i, n)
			}
		}
		return won
	}
	first := round(due)
	second := round(due.Add(time.Minute + time.Microsecond))
	perStoreWins := [2]int{}
	for i, d := range second {
		if d.Attempts != 2 {
			t.Errorf("slot %d taken over at attempt %d; want 2", i, d.Attempts)
		}
		// The first holder lost the row; the second finishes it.
		old := first[i]
		old.State = briefings.DeliverySent
		if err := stores[i%2].FinishDelivery(ctx, old); briefings.ErrorCode(err) != briefings.CodeConflict {
			t.Errorf("slot %d: finish by the expired holder = %v; want a conflict", i, err)
		}
		d.State, d.MessageID = briefings.DeliverySent, fmt.Sprint("m", i)
		if err := stores[(i+1)%2].FinishDelivery(ctx, d); err != nil {
			t.Errorf("slot %d: finish by the holder: %v", i, err)
		}
		if d.Claimant[len("store")] == '1' {
			perStoreWins[1]++
		} else {
			perStoreWins[0]++
		}
	}
	t.Logf("second round wins per store: %v", perStoreWins)
	var sent int
	if err := stores[0].r.QueryRowContext(ctx, "SELECT count(*) FROM deliveries WHERE state = 'sent' AND attempts = 2").Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if sent != slots {
		t.Errorf("%d slots sent after two attempts; want %d", sent, slots)
	}
}
