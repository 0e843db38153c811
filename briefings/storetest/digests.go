package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// subscription is a valid subscription of one channel.
func subscription(platform, workspace, channel string) briefings.Subscription {
	return briefings.Subscription{Platform: platform, Workspace: workspace, Channel: channel, Hour: 8, Minute: 0,
		Zone: "Europe/Berlin", Days: []int{1, 2, 3, 4, 5}, Creator: "U1"}
}

func putSub(t *testing.T, s briefings.Store, sub briefings.Subscription) briefings.Subscription {
	t.Helper()
	got, _, err := s.PutSubscription(t.Context(), sub)
	if err != nil {
		t.Fatalf("PutSubscription(%s %s %s): %v", sub.Platform, sub.Workspace, sub.Channel, err)
	}
	return got
}

func wantCode(t *testing.T, what string, err error, code briefings.Code) {
	t.Helper()
	if briefings.ErrorCode(err) != code {
		t.Errorf("%s: err = %v; want code %s", what, err, code)
	}
	var be *briefings.Error
	if err != nil && errors.As(err, &be) && be.Msg == "" {
		t.Errorf("%s: error %v has no message for the user", what, err)
	}
}

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, briefings.ErrNotFound) || briefings.ErrorCode(err) != briefings.CodeNotFound {
		t.Errorf("%s: err = %v; want ErrNotFound with code not_found", what, err)
	}
}

func testSubscriptionUpsert(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	in := subscription("slack", "T1", "C1")
	in.Days = []int{5, 1, 3, 1}
	in.Story, in.Created, in.Updated = "niger", at("2026-11-01T10:00:00Z"), at("2026-11-01T10:00:00Z")
	got, created, err := s.PutSubscription(ctx, in)
	if err != nil || !created {
		t.Fatalf("PutSubscription(new) = %+v, created %v, %v; want created", got, created, err)
	}
	if got.ID == "" || got.Hour != 8 || got.Zone != "Europe/Berlin" || !slices.Equal(got.Days, []int{1, 3, 5}) || got.Story != "niger" ||
		got.Creator != "U1" || got.Paused || !got.Created.Equal(in.Created) || !got.Updated.Equal(in.Updated) {
		t.Errorf("stored subscription = %+v; want the input with an id and days sorted without repeats", got)
	}
	for name, read := range map[string]func() (briefings.Subscription, error){
		"SubscriptionFor":  func() (briefings.Subscription, error) { return s.SubscriptionFor(ctx, "slack", "T1", "C1") },
		"SubscriptionByID": func() (briefings.Subscription, error) { return s.SubscriptionByID(ctx, got.ID) },
	} {
		r, err := read()
		if err != nil || fmt.Sprint(r) != fmt.Sprint(got) {
			t.Errorf("%s = %+v, %v; want %+v", name, r, err, got)
		}
	}

	// The same channel again replaces the schedule, not the subscription.
	if err := s.SetPaused(ctx, got.ID, true, "paused by U1"); err != nil {
		t.Fatal(err)
	}
	again := subscription("slack", "T1", "C1")
	again.Hour, again.Minute, again.Zone, again.Days, again.Creator = 17, 45, "America/New_York", []int{0, 6}, "U2"
	again.Created, again.Updated = at("2026-11-05T00:00:00Z"), at("2026-11-05T00:00:00Z")
	upd, created, err := s.PutSubscription(ctx, again)
	if err != nil || created {
		t.Fatalf("PutSubscription(same channel) = created %v, %v; want an update", created, err)
	}
	if upd.ID != got.ID || upd.Hour != 17 || upd.Minute != 45 || upd.Zone != "America/New_York" || !slices.Equal(upd.Days, []int{0, 6}) ||
		upd.Story != "" || upd.Creator != "U1" || !upd.Created.Equal(got.Created) || !upd.Updated.Equal(again.Updated) ||
		!upd.Paused || upd.PausedReason != "paused by U1" {
		t.Errorf("updated subscription = %+v; want the new schedule with the first id, creator, creation time and paused state", upd)
	}
	// Another channel, workspace or platform is another subscription.
	ids := map[string]bool{got.ID: true}
	for _, k := range [][3]string{{"slack", "T1", "C2"}, {"slack", "T2", "C1"}, {"discord", "T1", "C1"}, {"console", "", "C1"}} {
		o, created, err := s.PutSubscription(ctx, subscription(k[0], k[1], k[2]))
		if err != nil || !created || ids[o.ID] {
			t.Errorf("PutSubscription(%v) = %q, created %v, %v; want a new subscription with a new id", k, o.ID, created, err)
		}
		ids[o.ID] = true
	}

	_, err = s.SubscriptionFor(ctx, "slack", "T1", "C9")
	wantNotFound(t, "SubscriptionFor(missing)", err)
	_, err = s.SubscriptionByID(ctx, "sub_missing")
	wantNotFound(t, "SubscriptionByID(missing)", err)

	for name, mod := range map[string]func(*briefings.Subscription){
		"no platform":     func(b *briefings.Subscription) { b.Platform = "" },
		"no channel":      func(b *briefings.Subscription) { b.Channel = "" },
		"hour 24":         func(b *briefings.Subscription) { b.Hour = 24 },
		"minute 60":       func(b *briefings.Subscription) { b.Minute = 60 },
		"negative minute": func(b *briefings.Subscription) { b.Minute = -1 },
		"no days":         func(b *briefings.Subscription) { b.Days = nil },
		"day 7":           func(b *briefings.Subscription) { b.Days = []int{1, 7} },
		"no zone":         func(b *briefings.Subscription) { b.Zone = "" },
		"zone with space": func(b *briefings.Subscription) { b.Zone = "Europe/Berlin 1 2" },
		"long channel":    func(b *briefings.Subscription) { b.Channel = strings.Repeat("c", briefings.MaxKeyBytes+1) },
		"control in id":   func(b *briefings.Subscription) { b.Channel = "C1\n" },
		"long story":      func(b *briefings.Subscription) { b.Story = strings.Repeat("s", briefings.MaxFieldBytes+1) },
		"story not UTF-8": func(b *briefings.Subscription) { b.Story = "\xff" },
		"long creator":    func(b *briefings.Subscription) { b.Creator = strings.Repeat("u", briefings.MaxFieldBytes+1) },
	} {
		b := subscription("slack", "T9", "C9")
		mod(&b)
		_, _, err := s.PutSubscription(ctx, b)
		wantCode(t, name, err, briefings.CodeInvalid)
	}
	if _, err := s.SubscriptionFor(ctx, "slack", "T9", "C9"); err == nil {
		t.Error("a refused subscription was stored")
	}
}

func testSubscriptionPaging(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	all := map[string]briefings.Subscription{}
	for i := range 25 {
		platform, workspace := "slack", "T1"
		if i%5 == 0 {
			platform = "discord"
		}
		if i%3 == 0 {
			workspace = "T2"
		}
		sub := putSub(t, s, subscription(platform, workspace, fmt.Sprint("C", i)))
		all[sub.ID] = sub
	}
	paused := 0
	for id, sub := range all {
		if sub.Channel == "C1" || sub.Channel == "C7" || sub.Channel == "C10" {
			if err := s.SetPaused(ctx, id, true, "test"); err != nil {
				t.Fatal(err)
			}
			sub.Paused = true
			all[id] = sub
			paused++
		}
	}
	page := func(q briefings.SubscriptionQuery) []string {
		t.Helper()
		var ids []string
		for {
			got, err := s.Subscriptions(ctx, q)
			if err != nil {
				t.Fatalf("Subscriptions(%+v): %v", q, err)
			}
			if len(got) > q.Limit {
				t.Fatalf("Subscriptions(%+v) = %d; more than the limit", q, len(got))
			}
			for _, sub := range got {
				ids = append(ids, sub.ID)
			}
			if len(got) < q.Limit {
				return ids
			}
			q.AfterID = got[len(got)-1].ID
		}
	}
	filter := func(keep func(briefings.Subscription) bool) []string {
		var ids []string
		for id, sub := range all {
			if keep(sub) {
				ids = append(ids, id)
			}
		}
		slices.Sort(ids)
		return ids
	}
	for _, tc := range []struct {
		name string
		q    briefings.SubscriptionQuery
		keep func(briefings.Subscription) bool
	}{
		{"all, pages of 10", briefings.SubscriptionQuery{Limit: 10}, func(briefings.Subscription) bool { return true }},
		{"all, pages of 1", briefings.SubscriptionQuery{Limit: 1}, func(briefings.Subscription) bool { return true }},
		{"active", briefings.SubscriptionQuery{Active: true, Limit: 4}, func(b briefings.Subscription) bool { return !b.Paused }},
		{"platform", briefings.SubscriptionQuery{Platform: "discord", Limit: 2}, func(b briefings.Subscription) bool { return b.Platform == "discord" }},
		{"platform and workspace", briefings.SubscriptionQuery{Platform: "slack", Workspace: "T2", Limit: 3},
			func(b briefings.Subscription) bool { return b.Platform == "slack" && b.Workspace == "T2" }},
		{"active in a workspace", briefings.SubscriptionQuery{Platform: "slack", Workspace: "T1", Active: true, Limit: 5},
			func(b briefings.Subscription) bool { return b.Platform == "slack" && b.Workspace == "T1" && !b.Paused }},
		{"one channel", briefings.SubscriptionQuery{Platform: "slack", Workspace: "T1", Channel: "C7", Limit: 5},
			func(b briefings.Subscription) bool { return b.Channel == "C7" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, want := page(tc.q), filter(tc.keep); !slices.Equal(got, want) {
				t.Errorf("paged ids = %v\n want %v (id order, each once)", got, want)
			}
		})
	}
	if got, err := s.Subscriptions(ctx, briefings.SubscriptionQuery{}); err != nil || len(got) != 25 {
		t.Errorf("Subscriptions(default limit) = %d, %v; want all 25", len(got), err)
	}
	if got, err := s.Subscriptions(ctx, briefings.SubscriptionQuery{Limit: 1 << 30}); err != nil || len(got) != 25 {
		t.Errorf("Subscriptions(huge limit) = %d, %v; want all 25 (the limit lowered, not refused)", len(got), err)
	}
	for name, q := range map[string]briefings.SubscriptionQuery{
		"negative limit":             {Limit: -1},
		"channel without platform":   {Channel: "C1"},
		"workspace without platform": {Workspace: "T1"},
		"long channel":               {Platform: "console", Channel: strings.Repeat("x", briefings.MaxKeyBytes+1)},
	} {
		_, err := s.Subscriptions(ctx, q)
		wantCode(t, name, err, briefings.CodeInvalid)
	}
}

func testPauseResume(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("slack", "T1", "C1"))
	if err := s.SetPaused(ctx, sub.ID, true, "channel_not_found: the bot was removed from the channel"); err != nil {
		t.Fatal(err)
	}
	got, err := s.SubscriptionByID(ctx, sub.ID)
	if err != nil || !got.Paused || got.PausedReason != "channel_not_found: the bot was removed from the channel" {
		t.Errorf("after pausing: %+v, %v; want paused with the reason", got, err)
	}
	if act, err := s.Subscriptions(ctx, briefings.SubscriptionQuery{Active: true}); err != nil || len(act) != 0 {
		t.Errorf("active subscriptions while paused = %+v, %v; want none", act, err)
	}
	if err := s.SetPaused(ctx, sub.ID, false, "ignored"); err != nil {
		t.Fatal(err)
	}
	got, err = s.SubscriptionByID(ctx, sub.ID)
	if err != nil || got.Paused || got.PausedReason != "" {
		t.Errorf("after resuming: %+v, %v; want active without a reason", got, err)
	}
	// A platform's long error text is kept, cut, never refused.
	if err := s.SetPaused(ctx, sub.ID, true, strings.Repeat("é", briefings.MaxFieldBytes)); err != nil {
		t.Fatalf("SetPaused(long reason): %v", err)
	}
	if got, err := s.SubscriptionByID(ctx, sub.ID); err != nil || len(got.PausedReason) > briefings.MaxFieldBytes || !strings.HasSuffix(got.PausedReason, "é…") {
		t.Errorf("long reason stored as %d bytes ending %q, %v; want it cut at a character with …", len(got.PausedReason), got.PausedReason[max(0, len(got.PausedReason)-8):], err)
	}
	wantNotFound(t, "SetPaused(missing)", s.SetPaused(ctx, "sub_missing", true, "x"))

	// Deleting a subscription deletes its ledger.
	now := at("2026-11-02T07:00:00Z")
	d, ok, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "2026-11-02T08:00", Due: now}, "a", now, time.Minute)
	if err != nil || !ok {
		t.Fatalf("ClaimDelivery = %+v, %v, %v", d, ok, err)
	}
	if err := s.DeleteSubscription(ctx, sub.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.SubscriptionByID(ctx, sub.ID)
	wantNotFound(t, "SubscriptionByID(deleted)", err)
	if ds, err := s.Deliveries(ctx, sub.ID, 0); err != nil || len(ds) != 0 {
		t.Errorf("Deliveries(deleted subscription) = %+v, %v; want none", ds, err)
	}
	wantNotFound(t, "DeleteSubscription(deleted)", s.DeleteSubscription(ctx, sub.ID))
	_, _, err = s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "2026-11-03T08:00", Due: now}, "a", now, time.Minute)
	wantNotFound(t, "ClaimDelivery(deleted subscription)", err)
	// The channel can subscribe again, under a new id.
	if again := putSub(t, s, subscription("slack", "T1", "C1")); again.ID == sub.ID {
		t.Errorf("a new subscription reused the deleted id %s", sub.ID)
	}
}

// race runs fn from n goroutines released at once and returns how many
// reported true; errors fail the test.
func race(t *testing.T, n int, fn func(i int) (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	wins := make(chan int, n)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ok, err := fn(i)
			if err != nil {
				errs <- err
			}
			if ok {
				wins <- i
			}
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	close(wins)
	for err := range errs {
		t.Error(err)
	}
	return len(wins)
}

func testClaimConcurrent(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("slack", "T1", "C1"))
	due := at("2026-11-02T07:00:00Z")
	slot := briefings.Delivery{SubscriptionID: sub.ID, Slot: "2026-11-02T08:00", Due: due}
	var mu sync.Mutex
	var winner briefings.Delivery
	n := race(t, 16, func(i int) (bool, error) {
		d, ok, err := s.ClaimDelivery(ctx, slot, fmt.Sprint("replica-", i), due.Add(time.Second), 5*time.Minute)
		if ok {
			mu.Lock()
			winner = d
			mu.Unlock()
		}
		return ok, err
	})
	if n != 1 {
		t.Fatalf("%d of 16 concurrent claims of one slot won; want exactly 1", n)
	}
	if winner.State != briefings.DeliveryClaimed || winner.Attempts != 1 || !strings.HasPrefix(winner.Claimant, "replica-") ||
		!winner.LeaseUntil.Equal(due.Add(time.Second+5*time.Minute)) || !winner.Due.Equal(due) || winner.Slot != slot.Slot {
		t.Errorf("the winning claim = %+v; want claimed, 1 attempt, leased 5 minutes from the claim", winner)
	}
	// A loser sees the row as it stands.
	cur, ok, err := s.ClaimDelivery(ctx, slot, "late", due.Add(2*time.Second), 5*time.Minute)
	if err != nil || ok || cur.Claimant != winner.Claimant || cur.State != briefings.DeliveryClaimed {
		t.Errorf("a later claim = %+v, %v, %v; want refused, showing %s's claim", cur, ok, err, winner.Claimant)
	}
	// Different slots of one subscription are claimed independently.
	for i := range 3 {
		other := briefings.Delivery{SubscriptionID: sub.ID, Slot: fmt.Sprintf("2026-11-0%dT08:00", i+3), Due: due.AddDate(0, 0, i+1)}
		if _, ok, err := s.ClaimDelivery(ctx, other, "late", due, time.Minute); err != nil || !ok {
			t.Errorf("claim of slot %s = %v, %v; want it claimed", other.Slot, ok, err)
		}
	}
}

func testClaimLeaseExpiry(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("slack", "T1", "C1"))
	t0 := at("2026-11-02T07:00:00Z")
	slot := briefings.Delivery{SubscriptionID: sub.ID, Slot: "2026-11-02T08:00", Due: t0, Manual: true}
	first, ok, err := s.ClaimDelivery(ctx, slot, "crashed", t0, 5*time.Minute)
	if err != nil || !ok || !first.Manual {
		t.Fatalf("first claim = %+v, %v, %v", first, ok, err)
	}
	for _, at := range []time.Duration{4 * time.Minute, 5 * time.Minute} {
		if _, ok, err := s.ClaimDelivery(ctx, slot, "early", t0.Add(at), 5*time.Minute); err != nil || ok {
			t.Errorf("claim %v after a 5-minute lease = %v, %v; want refused while the lease lasts", at, ok, err)
		}
	}
	after := t0.Add(5*time.Minute + time.Microsecond)
	var mu sync.Mutex
	var winner briefings.Delivery
	n := race(t, 12, func(i int) (bool, error) {
		d, ok, err := s.ClaimDelivery(ctx, slot, fmt.Sprint("replica-", i), after, time.Minute)
		if ok {
			mu.Lock()
			winner = d
			mu.Unlock()
		}
		return ok, err
	})
	if n != 1 {
		t.Fatalf("%d of 12 claims of an expired lease won; want exactly 1", n)
	}
	if winner.Attempts != 2 || !winner.LeaseUntil.Equal(after.Add(time.Minute)) || !winner.Manual || !winner.Due.Equal(t0) {
		t.Errorf("takeover = %+v; want attempt 2, a new lease, the slot's due time and manual flag kept", winner)
	}
	// The crashed claimant comes back: its outcome is refused.
	first.State, first.MessageID = briefings.DeliverySent, "m-old"
	wantCode(t, "FinishDelivery by the claimant whose lease ran out", s.FinishDelivery(ctx, first), briefings.CodeConflict)
	winner.State, winner.MessageID, winner.Cursor = briefings.DeliverySent, "m-new", at("2026-11-02T06:59:00Z")
	if err := s.FinishDelivery(ctx, winner); err != nil {
		t.Fatalf("FinishDelivery by the new holder: %v", err)
	}
	ds, err := s.Deliveries(ctx, sub.ID, 0)
	if err != nil || len(ds) != 1 || ds[0].State != briefings.DeliverySent || ds[0].MessageID != "m-new" || ds[0].Claimant != winner.Claimant || ds[0].Attempts != 2 {
		t.Errorf("ledger = %+v, %v; want one row sent by %s after 2 attempts", ds, err, winner.Claimant)
	}
	// A finished row is never claimed again.
	if _, ok, err := s.ClaimDelivery(ctx, slot, "later", after.Add(time.Hour), time.Minute); err != nil || ok {
		t.Errorf("claim of a sent slot = %v, %v; want refused", ok, err)
	}
}

func testClaimRetryable(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("discord", "G1", "C1"))
	t0 := at("2026-11-02T07:00:00Z")
	slot := briefings.Delivery{SubscriptionID: sub.ID, Slot: "2026-11-02T08:00", Due: t0}
	d, ok, err := s.ClaimDelivery(ctx, slot, "a", t0, time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	d.State, d.Error, d.NextAttempt = briefings.DeliveryFailedRetryable, "429 Too Many Requests (retry after 600s)", t0.Add(10*time.Minute)
	if err := s.FinishDelivery(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ClaimDelivery(ctx, slot, "b", t0.Add(10*time.Minute-time.Microsecond), time.Minute); err != nil || ok {
		t.Errorf("claim before the next attempt = %v, %v; want refused", ok, err)
	}
	n := race(t, 8, func(i int) (bool, error) {
		_, ok, err := s.ClaimDelivery(ctx, slot, fmt.Sprint("b", i), t0.Add(10*time.Minute), time.Minute)
		return ok, err
	})
	if n != 1 {
		t.Fatalf("%d of 8 claims of a retryable row at its next attempt won; want exactly 1", n)
	}
	ds, err := s.Deliveries(ctx, sub.ID, 1)
	if err != nil || len(ds) != 1 {
		t.Fatal(ds, err)
	}
	r := ds[0]
	if r.State != briefings.DeliveryClaimed || r.Attempts != 2 || !r.NextAttempt.IsZero() || !strings.HasPrefix(r.Claimant, "b") {
		t.Errorf("retried row = %+v; want claimed again for attempt 2 with the next attempt cleared", r)
	}
	r.State, r.Error = briefings.DeliveryFailedPermanent, "channel_not_found"
	if err := s.FinishDelivery(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := s.ClaimDelivery(ctx, slot, "c", t0.Add(24*time.Hour), time.Minute); err != nil || ok {
		t.Errorf("claim of a permanently failed row = %v, %v; want refused", ok, err)
	}
}

func testFinishRules(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("slack", "T1", "C1"))
	t0 := at("2026-11-02T07:00:00Z")
	d, ok, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "s1", Due: t0}, "holder", t0, time.Minute)
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	other := d
	other.Claimant, other.State = "intruder", briefings.DeliverySent
	wantCode(t, "FinishDelivery by a non-holder", s.FinishDelivery(ctx, other), briefings.CodeConflict)
	stale := d
	stale.LeaseUntil, stale.State = d.LeaseUntil.Add(-time.Second), briefings.DeliverySent
	wantCode(t, "FinishDelivery with another claim's lease", s.FinishDelivery(ctx, stale), briefings.CodeConflict)
	for name, mod := range map[string]func(*briefings.Delivery){
		"still claimed":          func(x *briefings.Delivery) { x.State = briefings.DeliveryClaimed },
		"unknown state":          func(x *briefings.Delivery) { x.State = "posted" },
		"retryable without time": func(x *briefings.Delivery) { x.State = briefings.DeliveryFailedRetryable },
		"no claimant":            func(x *briefings.Delivery) { x.State, x.Claimant = briefings.DeliverySent, "" },
		"no lease":               func(x *briefings.Delivery) { x.State, x.LeaseUntil = briefings.DeliverySent, time.Time{} },
		"long link": func(x *briefings.Delivery) {
			x.State, x.Link = briefings.DeliverySent, strings.Repeat("l", briefings.MaxFieldBytes+1)
		},
		"negative attempts": func(x *briefings.Delivery) { x.State, x.Attempts = briefings.DeliverySent, -1 },
		"no slot":           func(x *briefings.Delivery) { x.State, x.Slot = briefings.DeliverySent, "" },
		"long message id": func(x *briefings.Delivery) {
			x.State, x.MessageID = briefings.DeliverySent, strings.Repeat("m", briefings.MaxKeyBytes+1)
		},
		"subscription id missing": func(x *briefings.Delivery) { x.State, x.SubscriptionID = briefings.DeliverySent, "" },
	} {
		x := d
		mod(&x)
		wantCode(t, "FinishDelivery "+name, s.FinishDelivery(ctx, x), briefings.CodeInvalid)
	}
	missing := d
	missing.Slot, missing.State = "never-claimed", briefings.DeliverySent
	wantNotFound(t, "FinishDelivery(unknown slot)", s.FinishDelivery(ctx, missing))

	// A long error text is kept, cut.
	d.State, d.Error = briefings.DeliveryFailedPermanent, strings.Repeat("x", 3*briefings.MaxFieldBytes)
	if err := s.FinishDelivery(ctx, d); err != nil {
		t.Fatalf("FinishDelivery with a long error: %v", err)
	}
	wantCode(t, "FinishDelivery twice", s.FinishDelivery(ctx, d), briefings.CodeConflict)
	ds, err := s.Deliveries(ctx, sub.ID, 0)
	if err != nil || len(ds) != 1 || len(ds[0].Error) > briefings.MaxFieldBytes || !strings.HasSuffix(ds[0].Error, "x…") || ds[0].State != briefings.DeliveryFailedPermanent {
		t.Errorf("ledger = %d rows, %v; want the permanent failure with its error cut to %d bytes", len(ds), err, briefings.MaxFieldBytes)
	}

	for name, call := range map[string]func() error{
		"no claimant": func() error {
			_, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "x", Due: t0}, "", t0, time.Minute)
			return err
		},
		"no slot": func() error {
			_, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Due: t0}, "a", t0, time.Minute)
			return err
		},
		"no due time": func() error {
			_, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "x"}, "a", t0, time.Minute)
			return err
		},
		"zero lease": func() error {
			_, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "x", Due: t0}, "a", t0, 0)
			return err
		},
		"lease too long": func() error {
			_, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "x", Due: t0}, "a", t0, 48*time.Hour)
			return err
		},
		"negative limit": func() error { _, err := s.Deliveries(ctx, sub.ID, -1); return err },
	} {
		wantCode(t, name, call(), briefings.CodeInvalid)
	}
	_, _, err = s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: "sub_missing", Slot: "x", Due: t0}, "a", t0, time.Minute)
	wantNotFound(t, "ClaimDelivery(missing subscription)", err)
}

func testDeliveryHistory(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("slack", "T1", "C1"))
	other := putSub(t, s, subscription("slack", "T1", "C2"))
	if c, err := s.LastCursor(ctx, sub.ID); err != nil || !c.IsZero() {
		t.Errorf("LastCursor(no deliveries) = %v, %v; want zero", c, err)
	}
	day := func(n int) time.Time { return at("2026-11-02T07:00:00Z").AddDate(0, 0, n) }
	type step struct {
		slot   string
		due    time.Time
		state  briefings.DeliveryState
		cursor time.Time
	}
	// Finished out of due order on purpose.
	steps := []step{
		{"2026-11-04T08:00", day(2), briefings.DeliveryEmpty, day(1).Add(-time.Hour)},
		{"2026-11-02T08:00", day(0), briefings.DeliverySent, day(0).Add(-time.Hour)},
		{"2026-11-03T08:00", day(1), briefings.DeliverySent, day(1).Add(-time.Hour)},
		{"2026-11-05T08:00", day(3), briefings.DeliveryFailedPermanent, time.Time{}},
		{"2026-11-06T08:00", day(4), briefings.DeliveryMissed, time.Time{}},
		{"2026-11-07T08:00", day(5), briefings.DeliveryClaimed, time.Time{}},
	}
	for _, st := range steps {
		d, ok, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: st.slot, Due: st.due}, "a", st.due, time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim %s: %v, %v", st.slot, ok, err)
		}
		if st.state == briefings.DeliveryClaimed {
			continue
		}
		d.State, d.Cursor = st.state, st.cursor
		if st.state == briefings.DeliverySent {
			d.MessageID, d.Link = "m-"+st.slot, "https://chat.example.test/"+st.slot
		}
		if err := s.FinishDelivery(ctx, d); err != nil {
			t.Fatalf("finish %s: %v", st.slot, err)
		}
	}
	// The other subscription's digest is later and does not count.
	od, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: other.ID, Slot: "2026-11-09T08:00", Due: day(7)}, "a", day(7), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	od.State, od.Cursor = briefings.DeliverySent, day(7)
	if err := s.FinishDelivery(ctx, od); err != nil {
		t.Fatal(err)
	}

	ds, err := s.Deliveries(ctx, sub.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var slots []string
	for _, d := range ds {
		slots = append(slots, d.Slot)
	}
	want := []string{"2026-11-07T08:00", "2026-11-06T08:00", "2026-11-05T08:00", "2026-11-04T08:00", "2026-11-03T08:00", "2026-11-02T08:00"}
	if !slices.Equal(slots, want) {
		t.Errorf("Deliveries = %v; want newest due first %v", slots, want)
	}
	if len(ds) == 6 {
		sent := ds[4]
		if sent.State != briefings.DeliverySent || sent.MessageID != "m-2026-11-03T08:00" || sent.Link != "https://chat.example.test/2026-11-03T08:00" ||
			!sent.Cursor.Equal(day(1).Add(-time.Hour)) || !sent.Due.Equal(day(1)) || sent.Updated.IsZero() {
			t.Errorf("sent row = %+v; want its message, link, cursor and due time", sent)
		}
	}
	if ds, err := s.Deliveries(ctx, sub.ID, 2); err != nil || len(ds) != 2 || ds[0].Slot != want[0] {
		t.Errorf("Deliveries(limit 2) = %+v, %v", ds, err)
	}
	// The latest sent or empty delivery by due time is the empty one of 4 Nov.
	if c, err := s.LastCursor(ctx, sub.ID); err != nil || !c.Equal(day(1).Add(-time.Hour)) {
		t.Errorf("LastCursor = %v, %v; want the cursor of the 4 Nov empty digest, %v", c, err, day(1).Add(-time.Hour))
	}
	if ds, err := s.Deliveries(ctx, "sub_missing", 0); err != nil || len(ds) != 0 {
		t.Errorf("Deliveries(unknown) = %+v, %v; want none", ds, err)
	}
}

func testLedgerRetention(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	sub := putSub(t, s, subscription("slack", "T1", "C1"))
	t0 := at("2025-01-06T07:00:00Z")
	finish := func(slot string, due time.Time, state briefings.DeliveryState) {
		t.Helper()
		d, ok, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: slot, Due: due}, "a", due, time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim %s: %v, %v", slot, ok, err)
		}
		if state == briefings.DeliveryClaimed {
			return
		}
		d.State, d.Cursor = state, due
		if state == briefings.DeliveryFailedRetryable {
			d.NextAttempt = due.Add(time.Hour)
		}
		if err := s.FinishDelivery(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	finish("old-sent", t0, briefings.DeliverySent)
	finish("old-failed", t0.Add(time.Hour), briefings.DeliveryFailedRetryable)
	finish("latest-sent", t0.Add(24*time.Hour), briefings.DeliverySent)
	finish("old-missed", t0.Add(48*time.Hour), briefings.DeliveryMissed)
	// A year and more later: everything older than the retention goes, but
	// the latest delivered row, which LastCursor reads.
	later := t0.Add(briefings.LedgerRetention + 72*time.Hour)
	finish("new", later, briefings.DeliveryClaimed)
	ds, err := s.Deliveries(ctx, sub.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	var slots []string
	for _, d := range ds {
		slots = append(slots, d.Slot)
	}
	if want := []string{"new", "old-missed", "latest-sent"}; !slices.Equal(slots, want) {
		t.Errorf("ledger after a claim %v later = %v; want %v (old rows pruned; the latest sent row and rows after it kept)", later.Sub(t0), slots, want)
	}
	if c, err := s.LastCursor(ctx, sub.ID); err != nil || !c.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("LastCursor after pruning = %v, %v; want the latest sent row's", c, err)
	}
}
