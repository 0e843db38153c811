package bot

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// fakeStore is a SubscriptionStore for developing the scheduler until the
// real stores have one. It follows the ledger rules of the contract.
type fakeStore struct {
	mu    sync.Mutex
	n     int
	subs  map[string]briefings.Subscription
	dels  map[string]map[string]briefings.Delivery
	clock briefings.Clock
}

func newFakeStore(clock briefings.Clock) *fakeStore {
	return &fakeStore{subs: map[string]briefings.Subscription{}, dels: map[string]map[string]briefings.Delivery{}, clock: clock}
}

func (f *fakeStore) PutSubscription(ctx context.Context, s briefings.Subscription) (briefings.Subscription, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.clock.Now()
	for id, old := range f.subs {
		if old.Platform == s.Platform && old.Workspace == s.Workspace && old.Channel == s.Channel {
			s.ID, s.Created, s.Updated = id, old.Created, now
			f.subs[id] = s
			return s, false, nil
		}
	}
	f.n++
	s.ID = fmt.Sprintf("sub_%06d", f.n)
	if s.Created.IsZero() {
		s.Created = now
	}
	if s.Updated.IsZero() {
		s.Updated = s.Created
	}
	f.subs[s.ID] = s
	return s, true, nil
}

func (f *fakeStore) SubscriptionFor(ctx context.Context, platform, workspace, channel string) (briefings.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.subs {
		if s.Platform == platform && s.Workspace == workspace && s.Channel == channel {
			return s, nil
		}
	}
	return briefings.Subscription{}, briefings.ErrNotFound
}

func (f *fakeStore) SubscriptionByID(ctx context.Context, id string) (briefings.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[id]
	if !ok {
		return briefings.Subscription{}, briefings.ErrNotFound
	}
	return s, nil
}

func (f *fakeStore) DeleteSubscription(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.subs, id)
	delete(f.dels, id)
	return nil
}

func (f *fakeStore) Subscriptions(ctx context.Context, q briefings.SubscriptionQuery) ([]briefings.Subscription, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []briefings.Subscription
	for _, s := range f.subs {
		if q.Active && s.Paused || s.ID <= q.AfterID {
			continue
		}
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if q.Limit > 0 && len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (f *fakeStore) SetPaused(ctx context.Context, id string, paused bool, reason string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.subs[id]
	if !ok {
		return briefings.ErrNotFound
	}
	s.Paused, s.PausedReason, s.Updated = paused, reason, f.clock.Now()
	f.subs[id] = s
	return nil
}

func (f *fakeStore) ClaimDelivery(ctx context.Context, d briefings.Delivery, claimant string, now time.Time, lease time.Duration) (briefings.Delivery, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.dels[d.SubscriptionID]
	if m == nil {
		m = map[string]briefings.Delivery{}
		f.dels[d.SubscriptionID] = m
	}
	old, ok := m[d.Slot]
	if !ok {
		d.State, d.Attempts, d.Claimant, d.LeaseUntil, d.Updated = briefings.DeliveryClaimed, 1, claimant, now.Add(lease), now
		m[d.Slot] = d
		return d, true, nil
	}
	take := (old.State == briefings.DeliveryClaimed && old.LeaseUntil.Before(now)) ||
		(old.State == briefings.DeliveryFailedRetryable && !old.NextAttempt.After(now))
	if !take {
		return briefings.Delivery{}, false, nil
	}
	old.State, old.Claimant, old.Attempts = briefings.DeliveryClaimed, claimant, old.Attempts+1
	old.LeaseUntil, old.NextAttempt, old.Updated = now.Add(lease), time.Time{}, now
	m[d.Slot] = old
	return old, true, nil
}

func (f *fakeStore) FinishDelivery(ctx context.Context, d briefings.Delivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	old, ok := f.dels[d.SubscriptionID][d.Slot]
	if !ok || old.State != briefings.DeliveryClaimed || old.Claimant != d.Claimant || !old.LeaseUntil.Equal(d.LeaseUntil) {
		return briefings.Errorf(briefings.CodeConflict, "delivery %s %s is not held by %s", d.SubscriptionID, d.Slot, d.Claimant)
	}
	f.dels[d.SubscriptionID][d.Slot] = d
	return nil
}

func (f *fakeStore) Deliveries(ctx context.Context, id string, limit int) ([]briefings.Delivery, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []briefings.Delivery
	for _, d := range f.dels[id] {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Due.After(out[j].Due) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (f *fakeStore) LastCursor(ctx context.Context, id string) (time.Time, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var best briefings.Delivery
	for _, d := range f.dels[id] {
		if (d.State == briefings.DeliverySent || d.State == briefings.DeliveryEmpty) && d.Due.After(best.Due) {
			best = d
		}
	}
	return best.Cursor, nil
}
