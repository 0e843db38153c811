package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// digests holds subscriptions and their delivery ledger.
type digests struct {
	subs      map[string]briefings.Subscription // by id
	byChannel map[[3]string]string              // platform, workspace, channel → id
	ledger    map[string]map[string]briefings.Delivery
}

func newDigests() digests {
	return digests{subs: map[string]briefings.Subscription{}, byChannel: map[[3]string]string{}, ledger: map[string]map[string]briefings.Delivery{}}
}

func cloneSub(s briefings.Subscription) briefings.Subscription {
	s.Days = slices.Clone(s.Days)
	return s
}

func subscriptionNotFound(what string) error {
	return briefings.WrapError(briefings.CodeNotFound, "no digest subscription "+what, briefings.ErrNotFound)
}

// PutSubscription creates the channel's subscription or replaces its
// schedule (time, zone, days, story), as the SQLite store does.
func (s *Store) PutSubscription(ctx context.Context, sub briefings.Subscription) (briefings.Subscription, bool, error) {
	sub, err := briefings.CheckSubscription(sub, s.clock.Now())
	if err != nil {
		return briefings.Subscription{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "put subscription"); err != nil {
		return briefings.Subscription{}, false, err
	}
	key := [3]string{sub.Platform, sub.Workspace, sub.Channel}
	if id, ok := s.byChannel[key]; ok {
		old := s.subs[id]
		old.Hour, old.Minute, old.Zone, old.Days, old.Story, old.Updated = sub.Hour, sub.Minute, sub.Zone, sub.Days, sub.Story, sub.Updated
		s.subs[id] = old
		return cloneSub(old), false, nil
	}
	sub.ID = briefings.NewStoreID("sub")
	s.subs[sub.ID] = sub
	s.byChannel[key] = sub.ID
	return cloneSub(sub), true, nil
}

// SubscriptionFor returns the channel's subscription; an error with
// briefings.ErrNotFound when it has none.
func (s *Store) SubscriptionFor(ctx context.Context, platform, workspace, channel string) (briefings.Subscription, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "subscription for channel"); err != nil {
		return briefings.Subscription{}, err
	}
	id, ok := s.byChannel[[3]string{platform, workspace, channel}]
	if !ok {
		return briefings.Subscription{}, subscriptionNotFound(fmt.Sprintf("for %s channel %s", platform, channel))
	}
	return cloneSub(s.subs[id]), nil
}

// SubscriptionByID returns one subscription; an error with
// briefings.ErrNotFound when it does not exist.
func (s *Store) SubscriptionByID(ctx context.Context, id string) (briefings.Subscription, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "subscription"); err != nil {
		return briefings.Subscription{}, err
	}
	sub, ok := s.subs[id]
	if !ok {
		return briefings.Subscription{}, subscriptionNotFound(fmt.Sprintf("%q", id))
	}
	return cloneSub(sub), nil
}

// DeleteSubscription removes a subscription and its ledger; an error with
// briefings.ErrNotFound when it does not exist.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "delete subscription"); err != nil {
		return err
	}
	sub, ok := s.subs[id]
	if !ok {
		return subscriptionNotFound(fmt.Sprintf("%q", id))
	}
	delete(s.subs, id)
	delete(s.byChannel, [3]string{sub.Platform, sub.Workspace, sub.Channel})
	delete(s.ledger, id)
	return nil
}

// Subscriptions lists subscriptions in id order, after q.AfterID.
func (s *Store) Subscriptions(ctx context.Context, q briefings.SubscriptionQuery) ([]briefings.Subscription, error) {
	n, err := briefings.CheckSubscriptionQuery(q)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "subscriptions"); err != nil {
		return nil, err
	}
	var out []briefings.Subscription
	for _, sub := range s.subs {
		if (q.Platform != "" && sub.Platform != q.Platform) || (q.Workspace != "" && sub.Workspace != q.Workspace) ||
			(q.Channel != "" && sub.Channel != q.Channel) || (q.Active && sub.Paused) || (q.AfterID != "" && sub.ID <= q.AfterID) {
			continue
		}
		out = append(out, cloneSub(sub))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// SetPaused pauses or resumes a subscription, recording why; an error with
// briefings.ErrNotFound when it does not exist.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool, reason string) error {
	reason = briefings.PauseReason(paused, reason)
	now := briefings.StoreTime(s.clock.Now())
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "pause subscription"); err != nil {
		return err
	}
	sub, ok := s.subs[id]
	if !ok {
		return subscriptionNotFound(fmt.Sprintf("%q", id))
	}
	sub.Paused, sub.PausedReason, sub.Updated = paused, reason, now
	s.subs[id] = sub
	return nil
}

// ClaimDelivery claims a slot with the rules of the SQLite store: a new slot
// goes to the first claimant, a row in the ledger only when
// briefings.CanTakeOver allows it.
func (s *Store) ClaimDelivery(ctx context.Context, d briefings.Delivery, claimant string, now time.Time, lease time.Duration) (briefings.Delivery, bool, error) {
	row, err := briefings.CheckClaim(d, claimant, now, lease)
	if err != nil {
		return briefings.Delivery{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "claim delivery"); err != nil {
		return briefings.Delivery{}, false, err
	}
	if _, ok := s.subs[row.SubscriptionID]; !ok {
		return briefings.Delivery{}, false, subscriptionNotFound(fmt.Sprintf("%q to deliver", row.SubscriptionID))
	}
	m := s.ledger[row.SubscriptionID]
	if m == nil {
		m = map[string]briefings.Delivery{}
		s.ledger[row.SubscriptionID] = m
	}
	cur, ok := m[row.Slot]
	if !ok {
		m[row.Slot] = row
		pruneLedger(m, row.Updated.Add(-briefings.LedgerRetention))
		return row, true, nil
	}
	if !briefings.CanTakeOver(cur, row.Updated) {
		return cur, false, nil
	}
	cur = briefings.TakeOver(cur, claimant, row.Updated, lease)
	m[row.Slot] = cur
	return cur, true, nil
}

// FinishDelivery records the outcome of a claimed row while the claimant
// holds it (the SQLite store's rules).
func (s *Store) FinishDelivery(ctx context.Context, d briefings.Delivery) error {
	d, err := briefings.CheckFinish(d, s.clock.Now())
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "finish delivery"); err != nil {
		return err
	}
	cur, ok := s.ledger[d.SubscriptionID][d.Slot]
	if !ok {
		return briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("delivery %s of subscription %s is not in the ledger", d.Slot, d.SubscriptionID), briefings.ErrNotFound)
	}
	if cur.State != briefings.DeliveryClaimed || cur.Claimant != d.Claimant || !cur.LeaseUntil.Equal(d.LeaseUntil) {
		return briefings.Errorf(briefings.CodeConflict, "delivery %s of subscription %s is no longer held by %s (it is %s by %s)",
			d.Slot, d.SubscriptionID, d.Claimant, cur.State, cur.Claimant)
	}
	cur.State, cur.NextAttempt, cur.Cursor = d.State, d.NextAttempt, d.Cursor
	cur.MessageID, cur.Link, cur.Error, cur.Updated = d.MessageID, d.Link, d.Error, d.Updated
	if d.Attempts > 0 {
		cur.Attempts = d.Attempts
	}
	s.ledger[d.SubscriptionID][d.Slot] = cur
	return nil
}

// sortedLedger returns a subscription's ledger, newest due first (then by
// slot, descending).
func (s *Store) sortedLedger(id string) []briefings.Delivery {
	out := make([]briefings.Delivery, 0, len(s.ledger[id]))
	for _, d := range s.ledger[id] {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b briefings.Delivery) int {
		if c := b.Due.Compare(a.Due); c != 0 {
			return c
		}
		return strings.Compare(b.Slot, a.Slot)
	})
	return out
}

// Deliveries returns a subscription's ledger, newest due first.
func (s *Store) Deliveries(ctx context.Context, subscriptionID string, limit int) ([]briefings.Delivery, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultDeliveryLimit, briefings.MaxDeliveryLimit, "delivery")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "deliveries"); err != nil {
		return nil, err
	}
	out := s.sortedLedger(subscriptionID)
	if len(out) > n {
		out = out[:n]
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// LastCursor returns the cursor of the subscription's latest sent or empty
// delivery; zero when it has none.
func (s *Store) LastCursor(ctx context.Context, subscriptionID string) (time.Time, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "last cursor"); err != nil {
		return time.Time{}, err
	}
	for _, d := range s.sortedLedger(subscriptionID) {
		if d.State == briefings.DeliverySent || d.State == briefings.DeliveryEmpty {
			return d.Cursor, nil
		}
	}
	return time.Time{}, nil
}

// pruneLedger deletes rows due before cutoff, except the latest sent or
// empty one (briefings.LedgerRetention).
func pruneLedger(m map[string]briefings.Delivery, cutoff time.Time) {
	var latest time.Time
	found := false
	for _, d := range m {
		if (d.State == briefings.DeliverySent || d.State == briefings.DeliveryEmpty) && (!found || d.Due.After(latest)) {
			latest, found = d.Due, true
		}
	}
	if !found {
		return
	}
	for slot, d := range m {
		if d.Due.Before(cutoff) && d.Due.Before(latest) {
			delete(m, slot)
		}
	}
}
