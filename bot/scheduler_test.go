package bot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/briefings/sqlite"
	"github.com/briefbot/briefbot/commands"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// sentPost is one successful post to the fake platform.
type sentPost struct {
	channel, nonce string
	resp           commands.Response
	at             time.Time
}

// fakePlatform records posts; fail decides an attempt's error (n counts
// the channel's attempts from 1).
type fakePlatform struct {
	name  string
	clock briefings.Clock

	mu    sync.Mutex
	posts []sentPost
	calls map[string]int
	fail  func(channel string, n int) error
	// onPost runs before each post outside the lock.
	onPost func(ctx context.Context, channel string)
}

func newFakePlatform(name string, clock briefings.Clock) *fakePlatform {
	return &fakePlatform{name: name, clock: clock, calls: map[string]int{}}
}

func (p *fakePlatform) Name() string { return p.name }

func (p *fakePlatform) Serve(ctx context.Context, h commands.Handler) error {
	<-ctx.Done()
	return nil
}

func (p *fakePlatform) Post(ctx context.Context, channel string, r commands.Response) (MessageRef, error) {
	if p.onPost != nil {
		p.onPost(ctx, channel)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls[channel]++
	if p.fail != nil {
		if err := p.fail(channel, p.calls[channel]); err != nil {
			return MessageRef{}, err
		}
	}
	p.posts = append(p.posts, sentPost{channel: channel, nonce: PostOptionsFrom(ctx).Nonce, resp: r, at: p.clock.Now()})
	id := fmt.Sprintf("m%d", len(p.posts))
	return MessageRef{Platform: p.name, Channel: channel, ID: id, Link: "https://chat.example/" + channel + "/" + id}, nil
}

func (p *fakePlatform) sent() []sentPost {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]sentPost(nil), p.posts...)
}

func (p *fakePlatform) attempts(channel string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[channel]
}

// subStore is one SubscriptionStore implementation the tests run on.
type subStore struct {
	name string
	open func(t testing.TB, clock briefings.Clock) briefings.SubscriptionStore
}

// subStores lists the stores the scheduler tests run on: the in-memory
// store and SQLite (a new database file per test).
func subStores() []subStore {
	return []subStore{
		{"memstore", func(t testing.TB, clock briefings.Clock) briefings.SubscriptionStore {
			return memstore.New(memstore.Options{Clock: clock})
		}},
		{"sqlite", func(t testing.TB, clock briefings.Clock) briefings.SubscriptionStore {
			st, err := sqlite.OpenOptions(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"), nil, sqlite.Options{Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = st.Close() })
			return st
		}},
	}
}

// forEachStore runs f once per store implementation.
func forEachStore(t *testing.T, f func(t *testing.T, st subStore)) {
	for _, st := range subStores() {
		t.Run(st.name, func(t *testing.T) { f(t, st) })
	}
}

// harness wires a scheduler to a store, a fake clock and a fake platform.
type harness struct {
	t     testing.TB
	clock *fakeClock
	store briefings.SubscriptionStore
	plat  *fakePlatform
	// composed counts Compose calls; since records the last since per
	// subscription.
	composed atomic.Int64
	mu       sync.Mutex
	since    map[string]time.Time
}

func newHarness(t testing.TB, st subStore, start time.Time) *harness {
	clock := newFakeClock(start)
	return &harness{t: t, clock: clock, store: st.open(t, clock), plat: newFakePlatform("fake", clock), since: map[string]time.Time{}}
}

// compose is the default composer: one line naming the subscription, the
// cursor at now, never empty.
func (h *harness) compose(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
	h.composed.Add(1)
	h.mu.Lock()
	h.since[sub.ID] = since
	h.mu.Unlock()
	text := "digest for " + sub.Channel
	return commands.Response{Kind: commands.KindDigest, Title: "Digest", Text: text,
		Blocks: []commands.Block{{Type: commands.BlockSection, Text: text}}}, now, false, nil
}

func (h *harness) lastSince(id string) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.since[id]
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// scheduler returns a new scheduler (a restart: it remembers nothing) on the
// harness; mut adjusts the configuration.
func (h *harness) scheduler(claimant string, mut func(*SchedulerConfig)) *Scheduler {
	h.t.Helper()
	cfg := SchedulerConfig{
		Store: h.store, Compose: h.compose, Platforms: map[string]Platform{"fake": h.plat},
		Clock: h.clock, Claimant: claimant,
	}
	if mut != nil {
		mut(&cfg)
	}
	s, err := NewScheduler(cfg, testLogger(h.t))
	if err != nil {
		h.t.Fatal(err)
	}
	return s
}

// subscribe stores a subscription created at created.
func (h *harness) subscribe(channel, zone string, hour, minute int, days []int, created time.Time) briefings.Subscription {
	h.t.Helper()
	sub, _, err := h.store.PutSubscription(context.Background(), briefings.Subscription{
		Platform: "fake", Workspace: "W1", Channel: channel, Zone: zone, Hour: hour, Minute: minute, Days: days,
		Creator: "U1", Created: created, Updated: created,
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return sub
}

// tick sets the clock and runs one tick.
func (h *harness) tick(s *Scheduler, at time.Time) TickReport {
	h.t.Helper()
	h.clock.Set(at)
	rep, err := s.Tick(context.Background())
	if err != nil {
		h.t.Fatalf("Tick at %v: %v", at, err)
	}
	return rep
}

func (h *harness) deliveries(id string) []briefings.Delivery {
	h.t.Helper()
	ds, err := h.store.Deliveries(context.Background(), id, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return ds
}

func (h *harness) delivery(id, slot string) briefings.Delivery {
	h.t.Helper()
	for _, d := range h.deliveries(id) {
		if d.Slot == slot {
			return d
		}
	}
	h.t.Fatalf("no delivery %s %s in %+v", id, slot, h.deliveries(id))
	return briefings.Delivery{}
}

var everyDay = []int{0, 1, 2, 3, 4, 5, 6}

func at(t testing.TB, zone, s string) time.Time {
	t.Helper()
	x, err := time.ParseInLocation("2006-01-02 15:04:05", s, mustZone(t, zone))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// TestSchedulerDST drives a daily digest through both daylight saving
// changes with a tick every five minutes, with one long-running scheduler
// and with a new scheduler at every tick (a restart: only the ledger
// remembers), and checks the documented rules: the spring-forward day has
// no digest, the fall-back day has exactly one, posted at the first of the
// two instants.
func TestSchedulerDST(t *testing.T) {
	tests := []struct {
		name      string
		zone      string
		hour, min int
		from, to  string // local times
		// want lists the slots posted and the UTC instant (to the tick)
		// each was posted at.
		want [][2]string
	}{
		{"New York 02:30 spring forward", "America/New_York", 2, 30, "2026-03-07 00:00:00", "2026-03-09 12:00:00",
			[][2]string{{"2026-03-07T02:30", "2026-03-07T07:30Z"}, {"2026-03-09T02:30", "2026-03-09T06:30Z"}}},
		{"Berlin 02:30 spring forward", "Europe/Berlin", 2, 30, "2026-03-28 00:00:00", "2026-03-30 12:00:00",
			[][2]string{{"2026-03-28T02:30", "2026-03-28T01:30Z"}, {"2026-03-30T02:30", "2026-03-30T00:30Z"}}},
		{"New York 02:30 fall back", "America/New_York", 2, 30, "2026-10-31 00:00:00", "2026-11-02 12:00:00",
			[][2]string{{"2026-10-31T02:30", "2026-10-31T06:30Z"}, {"2026-11-01T02:30", "2026-11-01T07:30Z"}, {"2026-11-02T02:30", "2026-11-02T07:30Z"}}},
		{"Berlin 02:30 fall back", "Europe/Berlin", 2, 30, "2026-10-24 00:00:00", "2026-10-26 12:00:00",
			[][2]string{{"2026-10-24T02:30", "2026-10-24T00:30Z"}, {"2026-10-25T02:30", "2026-10-25T00:30Z"}, {"2026-10-26T02:30", "2026-10-26T01:30Z"}}},
		{"New York 01:30 fall back", "America/New_York", 1, 30, "2026-10-31 00:00:00", "2026-11-02 12:00:00",
			[][2]string{{"2026-10-31T01:30", "2026-10-31T05:30Z"}, {"2026-11-01T01:30", "2026-11-01T05:30Z"}, {"2026-11-02T01:30", "2026-11-02T06:30Z"}}},
	}
	forEachStore(t, func(t *testing.T, st subStore) {
		for _, tt := range tests {
			for _, restart := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/restart=%v", tt.name, restart), func(t *testing.T) {
					from, to := at(t, tt.zone, tt.from), at(t, tt.zone, tt.to)
					h := newHarness(t, st, from)
					sub := h.subscribe("C1", tt.zone, tt.hour, tt.min, everyDay, from.Add(-time.Hour))
					s := h.scheduler("s1", nil)
					for now := from; !now.After(to); now = now.Add(10 * time.Minute) {
						if restart {
							s = h.scheduler(fmt.Sprintf("s-%d", now.Unix()), nil)
						}
						h.tick(s, now)
					}
					posts := h.plat.sent()
					if len(posts) != len(tt.want) {
						t.Fatalf("%d posts, want %d: %+v", len(posts), len(tt.want), posts)
					}
					for i, w := range tt.want {
						wantNonce := sub.ID + "/" + w[0]
						if posts[i].nonce != wantNonce || posts[i].at.UTC().Format("2006-01-02T15:04Z") != w[1] {
							t.Errorf("post %d: nonce %s at %s, want %s at %s", i, posts[i].nonce, posts[i].at.UTC().Format(time.RFC3339), wantNonce, w[1])
						}
					}
					for _, d := range h.deliveries(sub.ID) {
						if d.State != briefings.DeliverySent {
							t.Errorf("delivery %s is %s, want sent", d.Slot, d.State)
						}
					}
				})
			}
		}
	})
}

// TestSchedulerRestartStraddlingDueTime: the bot stops at 07:55 and starts
// again after the 08:00 digest fell due.
func TestSchedulerRestartStraddlingDueTime(t *testing.T) {
	const zone = "Europe/Berlin"
	forEachStore(t, func(t *testing.T, st subStore) {
		t.Run("back within grace: one digest", func(t *testing.T) {
			h := newHarness(t, st, at(t, zone, "2026-11-02 07:00:00"))
			sub := h.subscribe("C1", zone, 8, 0, []int{1, 2, 3, 4, 5}, at(t, zone, "2026-11-01 12:00:00"))
			if rep := h.tick(h.scheduler("before", nil), at(t, zone, "2026-11-02 07:55:00")); rep.Due != 0 || len(h.plat.sent()) != 0 {
				t.Fatalf("07:55 tick: %+v, posts %d", rep, len(h.plat.sent()))
			}
			after := h.scheduler("after", nil)
			rep := h.tick(after, at(t, zone, "2026-11-02 08:40:00"))
			if rep.Due != 1 || rep.Claimed != 1 || rep.Sent != 1 {
				t.Errorf("08:40 tick: %+v", rep)
			}
			h.tick(after, at(t, zone, "2026-11-02 08:40:30"))
			h.tick(h.scheduler("again", nil), at(t, zone, "2026-11-02 09:00:00"))
			if n := len(h.plat.sent()); n != 1 {
				t.Fatalf("%d posts, want 1", n)
			}
			d := h.delivery(sub.ID, "2026-11-02T08:00")
			if d.State != briefings.DeliverySent || d.MessageID != "m1" || d.Link == "" || !d.Due.Equal(at(t, zone, "2026-11-02 08:00:00")) {
				t.Errorf("delivery = %+v", d)
			}
		})
		t.Run("back after grace: recorded missed", func(t *testing.T) {
			h := newHarness(t, st, at(t, zone, "2026-11-02 07:00:00"))
			sub := h.subscribe("C1", zone, 8, 0, []int{1, 2, 3, 4, 5}, at(t, zone, "2026-11-01 12:00:00"))
			h.tick(h.scheduler("before", nil), at(t, zone, "2026-11-02 07:55:00"))
			late := h.scheduler("late", func(c *SchedulerConfig) { c.Grace = 2 * time.Hour })
			rep := h.tick(late, at(t, zone, "2026-11-02 11:00:00"))
			if rep.Missed != 1 || rep.Sent != 0 {
				t.Errorf("11:00 tick: %+v", rep)
			}
			h.tick(late, at(t, zone, "2026-11-02 11:00:30"))
			if n := len(h.plat.sent()); n != 0 || h.composed.Load() != 0 {
				t.Fatalf("%d posts and %d digests composed, want none", n, h.composed.Load())
			}
			d := h.delivery(sub.ID, "2026-11-02T08:00")
			if d.State != briefings.DeliveryMissed || !strings.Contains(d.Error, "grace") {
				t.Errorf("delivery = %+v", d)
			}
		})
		t.Run("subscribed after the due time: nothing owed", func(t *testing.T) {
			h := newHarness(t, st, at(t, zone, "2026-11-02 08:30:00"))
			sub := h.subscribe("C1", zone, 8, 0, everyDay, at(t, zone, "2026-11-02 08:30:00"))
			rep := h.tick(h.scheduler("s", nil), at(t, zone, "2026-11-02 08:31:00"))
			if rep.Due != 0 || len(h.deliveries(sub.ID)) != 0 {
				t.Errorf("tick: %+v, ledger %+v", rep, h.deliveries(sub.ID))
			}
		})
	})
}

// TestSchedulerCrashAfterClaim: a scheduler claims a slot and dies before
// posting; after the lease another one posts it, exactly once.
func TestSchedulerCrashAfterClaim(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		h := newHarness(t, st, time.Date(2026, 11, 2, 8, 0, 10, 0, time.UTC))
		sub := h.subscribe("C1", "UTC", 8, 0, everyDay, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
		ctx := context.Background()
		// The crashed scheduler's claim, as its tick makes it.
		crashed, ok, err := h.store.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "2026-11-02T08:00",
			Due: time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC), State: briefings.DeliveryClaimed}, "crashed", h.clock.Now(), 5*time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		other := h.scheduler("other", func(c *SchedulerConfig) { c.Lease = 5 * time.Minute })
		for _, m := range []int{1, 2, 3, 4, 5} {
			rep := h.tick(other, time.Date(2026, 11, 2, 8, m, 0, 0, time.UTC))
			if rep.Sent != 0 {
				t.Fatalf("posted at 08:%02d while the lease runs: %+v", m, rep)
			}
		}
		rep := h.tick(other, time.Date(2026, 11, 2, 8, 5, 30, 0, time.UTC))
		if rep.Claimed != 1 || rep.Sent != 1 {
			t.Errorf("after the lease: %+v", rep)
		}
		for _, m := range []int{6, 7, 30} {
			h.tick(other, time.Date(2026, 11, 2, 8, m, 0, 0, time.UTC))
			h.tick(h.scheduler(fmt.Sprintf("new-%d", m), nil), time.Date(2026, 11, 2, 8, m, 10, 0, time.UTC))
		}
		if n := len(h.plat.sent()); n != 1 {
			t.Fatalf("%d posts, want 1", n)
		}
		d := h.delivery(sub.ID, "2026-11-02T08:00")
		if d.State != briefings.DeliverySent || d.Attempts != 2 || d.Claimant != "other" {
			t.Errorf("delivery = %+v", d)
		}
		// The crashed claimant cannot finish the row any more.
		crashed.State = briefings.DeliverySent
		if err := h.store.FinishDelivery(ctx, crashed); briefings.ErrorCode(err) != briefings.CodeConflict {
			t.Errorf("late finish by the crashed claimant: %v, want a conflict", err)
		}
	})
}

// TestSchedulerRetryAfter: a rate limit, then success.
func TestSchedulerRetryAfter(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		sub := h.subscribe("C1", "UTC", 8, 0, everyDay, day.Add(-time.Hour))
		h.plat.fail = func(channel string, n int) error {
			if n == 1 {
				return &PostError{Platform: "fake", Reason: "rate_limited", RetryAfter: 3 * time.Minute, Err: errors.New("429 Too Many Requests")}
			}
			return nil
		}
		cfg := func(c *SchedulerConfig) { c.RetryBase, c.RetryMax = time.Minute, 10*time.Minute }
		rep := h.tick(h.scheduler("a", cfg), day.Add(8*time.Hour+30*time.Second))
		if rep.Failed != 1 || rep.Sent != 0 {
			t.Fatalf("first tick: %+v", rep)
		}
		d := h.delivery(sub.ID, "2026-11-02T08:00")
		wantNext := day.Add(8*time.Hour + 3*time.Minute + 30*time.Second) // Retry-After beats the 1 min backoff
		if d.State != briefings.DeliveryFailedRetryable || !d.NextAttempt.Equal(wantNext) || d.Attempts != 1 || !strings.Contains(d.Error, "rate_limited") {
			t.Fatalf("after the 429: %+v (want next attempt %v)", d, wantNext)
		}
		// A new scheduler (a restart) honours the wait too: it learns it
		// from the ledger.
		b := h.scheduler("b", cfg)
		for _, off := range []time.Duration{time.Minute, 2 * time.Minute, 3 * time.Minute} {
			if rep := h.tick(b, day.Add(8*time.Hour+off)); rep.Sent != 0 || h.plat.attempts("C1") != 1 {
				t.Fatalf("retried before Retry-After (08:0%d): %+v", off/time.Minute, rep)
			}
		}
		rep = h.tick(b, wantNext)
		if rep.Sent != 1 {
			t.Fatalf("retry tick: %+v", rep)
		}
		h.tick(b, wantNext.Add(time.Minute))
		if n, calls := len(h.plat.sent()), h.plat.attempts("C1"); n != 1 || calls != 2 {
			t.Fatalf("%d posts in %d attempts, want 1 in 2", n, calls)
		}
		d = h.delivery(sub.ID, "2026-11-02T08:00")
		if d.State != briefings.DeliverySent || d.Attempts != 2 || d.Error != "" || d.MessageID == "" {
			t.Errorf("history shows %+v", d)
		}
	})
}

// TestSchedulerPermanentFailure: the bot was removed from the channel.
func TestSchedulerPermanentFailure(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		sub := h.subscribe("C1", "UTC", 8, 0, everyDay, day.Add(-time.Hour))
		var notices atomic.Int32
		h.plat.fail = func(channel string, n int) error {
			if n > 1 {
				notices.Add(1)
			}
			return &PostError{Platform: "fake", Reason: "not_in_channel", Permanent: true}
		}
		s := h.scheduler("a", nil)
		rep := h.tick(s, day.Add(8*time.Hour+time.Minute))
		if rep.Failed != 1 {
			t.Fatalf("tick: %+v", rep)
		}
		got, err := h.store.SubscriptionByID(context.Background(), sub.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !got.Paused || !strings.Contains(got.PausedReason, "not_in_channel") {
			t.Errorf("subscription after the permanent failure: paused=%v reason=%q", got.Paused, got.PausedReason)
		}
		if notices.Load() != 1 {
			t.Errorf("%d notices tried, want 1", notices.Load())
		}
		// No more attempts: not that slot, not the next days.
		for d := 0; d < 3; d++ {
			h.tick(s, day.Add(time.Duration(d)*24*time.Hour+8*time.Hour+2*time.Minute))
			h.tick(h.scheduler(fmt.Sprintf("n%d", d), nil), day.Add(time.Duration(d)*24*time.Hour+8*time.Hour+20*time.Minute))
		}
		if calls := h.plat.attempts("C1"); calls != 2 {
			t.Errorf("%d posts tried, want 2 (the digest and the notice)", calls)
		}
		ds := h.deliveries(sub.ID)
		if len(ds) != 1 || ds[0].State != briefings.DeliveryFailedPermanent || !strings.Contains(ds[0].Error, "not_in_channel") {
			t.Errorf("history = %+v", ds)
		}
	})
}

// TestSchedulerGivesUp: a platform that keeps failing is tried MaxAttempts
// times with growing waits, then the slot is recorded failed_permanent
// (the subscription stays active for the next day).
func TestSchedulerGivesUp(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		sub := h.subscribe("C1", "UTC", 8, 0, everyDay, day.Add(-time.Hour))
		h.plat.fail = func(string, int) error {
			return &PostError{Platform: "fake", Reason: "server_error", Err: errors.New("503")}
		}
		s := h.scheduler("a", func(c *SchedulerConfig) { c.MaxAttempts, c.RetryBase, c.RetryMax = 4, time.Minute, 3*time.Minute })
		var nexts []time.Duration
		for now := day.Add(8 * time.Hour); now.Before(day.Add(9 * time.Hour)); now = now.Add(30 * time.Second) {
			rep := h.tick(s, now)
			if rep.Failed == 1 {
				d := h.delivery(sub.ID, "2026-11-02T08:00")
				if d.State == briefings.DeliveryFailedRetryable {
					nexts = append(nexts, d.NextAttempt.Sub(now))
				}
			}
		}
		if calls := h.plat.attempts("C1"); calls != 4 {
			t.Errorf("%d attempts, want 4", calls)
		}
		if fmt.Sprint(nexts) != "[1m0s 2m0s 3m0s]" {
			t.Errorf("waits %v, want [1m0s 2m0s 3m0s]", nexts)
		}
		d := h.delivery(sub.ID, "2026-11-02T08:00")
		if d.State != briefings.DeliveryFailedPermanent || d.Attempts != 4 || !strings.Contains(d.Error, "gave up after 4 attempts") {
			t.Errorf("delivery = %+v", d)
		}
		if got, _ := h.store.SubscriptionByID(context.Background(), sub.ID); got.Paused {
			t.Error("subscription paused after retries ran out; only a permanent refusal pauses")
		}
	})
}

// TestSchedulerRetryPastGrace: a retry that comes after the grace window is
// recorded missed instead of posting a stale digest.
func TestSchedulerRetryPastGrace(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		sub := h.subscribe("C1", "UTC", 8, 0, everyDay, day.Add(-time.Hour))
		h.plat.fail = func(_ string, n int) error {
			if n == 1 {
				return &PostError{Platform: "fake", Reason: "rate_limited", RetryAfter: 5 * time.Hour}
			}
			return nil
		}
		s := h.scheduler("a", func(c *SchedulerConfig) { c.Grace = time.Hour })
		h.tick(s, day.Add(8*time.Hour+30*time.Second))
		d := h.delivery(sub.ID, "2026-11-02T08:00")
		if want := day.Add(9*time.Hour + 30*time.Second); !d.NextAttempt.Equal(want) {
			t.Errorf("next attempt %v, want %v (Retry-After bounded by the grace window)", d.NextAttempt, want)
		}
		rep := h.tick(s, day.Add(9*time.Hour+time.Minute))
		if rep.Missed != 1 || len(h.plat.sent()) != 0 {
			t.Errorf("retry past grace: %+v, %d posts", rep, len(h.plat.sent()))
		}
		d = h.delivery(sub.ID, "2026-11-02T08:00")
		if d.State != briefings.DeliveryMissed || !strings.Contains(d.Error, "rate_limited") {
			t.Errorf("delivery = %+v", d)
		}
	})
}

// TestSchedulerMissingPlatform: a subscription for a platform this bot does
// not run fails retryably, saying so.
func TestSchedulerMissingPlatform(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		sub, _, err := h.store.PutSubscription(context.Background(), briefings.Subscription{Platform: "discord", Workspace: "G1",
			Channel: "C9", Zone: "UTC", Hour: 8, Days: everyDay, Created: day.Add(-time.Hour), Updated: day.Add(-time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		rep := h.tick(h.scheduler("a", nil), day.Add(8*time.Hour+time.Minute))
		if rep.Failed != 1 {
			t.Errorf("tick: %+v", rep)
		}
		d := h.delivery(sub.ID, "2026-11-02T08:00")
		if d.State != briefings.DeliveryFailedRetryable || !strings.Contains(d.Error, `no "discord" platform is configured`) {
			t.Errorf("delivery = %+v", d)
		}
	})
}

// TestSchedulerEmptyDigests: nothing new is recorded empty (and the cursor
// carried on), or posted with PostEmpty.
func TestSchedulerEmptyDigests(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		for _, postEmpty := range []bool{false, true} {
			t.Run(fmt.Sprintf("PostEmpty=%v", postEmpty), func(t *testing.T) {
				day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
				h := newHarness(t, st, day)
				created := day.Add(-time.Hour)
				sub := h.subscribe("C1", "UTC", 8, 0, everyDay, created)
				cursor := day.Add(7 * time.Hour)
				var sinces []time.Time
				s := h.scheduler("a", func(c *SchedulerConfig) {
					c.PostEmpty = postEmpty
					c.Compose = func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
						sinces = append(sinces, since)
						return commands.Response{}, cursor, true, nil
					}
				})
				rep := h.tick(s, day.Add(8*time.Hour+time.Minute))
				h.tick(s, day.Add(32*time.Hour+time.Minute))
				d := h.delivery(sub.ID, "2026-11-02T08:00")
				if postEmpty {
					posts := h.plat.sent()
					if rep.Sent != 1 || d.State != briefings.DeliverySent || len(posts) != 2 || !strings.Contains(posts[0].resp.Text, "No new developments") {
						t.Errorf("tick %+v, delivery %+v, posts %+v", rep, d, posts)
					}
				} else if rep.Empty != 1 || d.State != briefings.DeliveryEmpty || len(h.plat.sent()) != 0 || !d.Cursor.Equal(cursor) {
					t.Errorf("tick %+v, delivery %+v, %d posts", rep, d, len(h.plat.sent()))
				}
				// The first digest starts a day before the subscription; the
				// next at the previous digest's cursor.
				if len(sinces) != 2 || !sinces[0].Equal(created.Add(-24*time.Hour)) || !sinces[1].Equal(cursor) {
					t.Errorf("since = %v, want [%v %v]", sinces, created.Add(-24*time.Hour), cursor)
				}
			})
		}
	})
}

// TestSchedulerOverlappingTicks: a tick that starts while another runs does
// nothing and says so.
func TestSchedulerOverlappingTicks(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day.Add(8*time.Hour+time.Minute))
		h.subscribe("C1", "UTC", 8, 0, everyDay, day)
		entered, release := make(chan struct{}), make(chan struct{})
		s := h.scheduler("a", func(c *SchedulerConfig) {
			c.Compose = func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
				close(entered)
				<-release
				return h.compose(ctx, sub, since, now)
			}
		})
		done := make(chan TickReport)
		go func() {
			rep, _ := s.Tick(context.Background())
			done <- rep
		}()
		<-entered
		rep, err := s.Tick(context.Background())
		if err != nil || !rep.Overlapped || rep.Due != 0 {
			t.Errorf("overlapping tick: %+v, %v", rep, err)
		}
		close(release)
		if first := <-done; first.Sent != 1 || first.Overlapped {
			t.Errorf("first tick: %+v", first)
		}
		if rep, _ := s.Tick(context.Background()); rep.Overlapped {
			t.Error("a tick after the first finished was refused")
		}
	})
}

// TestSchedulerPanics: a panicking composer or platform fails that
// subscription's delivery (recorded, retried later); the others go out.
func TestSchedulerPanics(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		bad := h.subscribe("compose-panics", "UTC", 8, 0, everyDay, day)
		worse := h.subscribe("post-panics", "UTC", 8, 0, everyDay, day)
		good := h.subscribe("fine", "UTC", 8, 0, everyDay, day)
		h.plat.onPost = func(ctx context.Context, channel string) {
			if channel == "post-panics" {
				panic("platform bug")
			}
		}
		s := h.scheduler("a", func(c *SchedulerConfig) {
			c.Concurrency = 1
			c.Compose = func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
				if sub.Channel == "compose-panics" {
					panic("composer bug")
				}
				return h.compose(ctx, sub, since, now)
			}
		})
		rep := h.tick(s, day.Add(8*time.Hour+time.Minute))
		if rep.Sent != 1 || rep.Failed != 2 {
			t.Errorf("tick: %+v", rep)
		}
		for _, id := range []string{bad.ID, worse.ID} {
			d := h.delivery(id, "2026-11-02T08:00")
			if d.State != briefings.DeliveryFailedRetryable || !strings.Contains(d.Error, "internal error") || strings.Contains(d.Error, "bug") {
				t.Errorf("delivery %s = %+v", id, d)
			}
		}
		if d := h.delivery(good.ID, "2026-11-02T08:00"); d.State != briefings.DeliverySent {
			t.Errorf("good delivery = %+v", d)
		}
	})
}

// panicStore panics when the subscriptions are listed.
type panicStore struct {
	briefings.SubscriptionStore
	listed chan struct{}
	once   sync.Once
}

func (p *panicStore) Subscriptions(ctx context.Context, q briefings.SubscriptionQuery) ([]briefings.Subscription, error) {
	p.once.Do(func() { close(p.listed) })
	panic("store bug")
}

// TestSchedulerRun: Run ticks at once, survives a panicking tick
// (cron.Recover) and stops when its context ends.
func TestSchedulerRun(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		t.Run("posts due digests", func(t *testing.T) {
			day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			h := newHarness(t, st, day.Add(8*time.Hour+time.Minute))
			h.subscribe("C1", "UTC", 8, 0, everyDay, day)
			posted := make(chan struct{}, 1)
			h.plat.onPost = func(context.Context, string) { posted <- struct{}{} }
			s := h.scheduler("a", nil)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- s.Run(ctx) }()
			select {
			case <-posted:
			case <-time.After(10 * time.Second):
				t.Fatal("Run did not tick at once")
			}
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
			if n := len(h.plat.sent()); n != 1 {
				t.Errorf("%d posts, want 1", n)
			}
		})
		t.Run("recovers a panicking tick", func(t *testing.T) {
			h := newHarness(t, st, time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC))
			ps := &panicStore{SubscriptionStore: h.store, listed: make(chan struct{})}
			s, err := NewScheduler(SchedulerConfig{Store: ps, Compose: h.compose, Clock: h.clock, Claimant: "p"}, testLogger(t))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error)
			go func() { done <- s.Run(ctx) }()
			<-ps.listed
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run = %v", err)
			}
			// The guard was released by the panicking tick.
			s.cfg.Store = h.store
			if rep, err := s.Tick(context.Background()); err != nil || rep.Overlapped {
				t.Errorf("tick after the panic: %+v, %v", rep, err)
			}
		})
	})
}

// TestSchedulerBoundedConcurrency: at most Concurrency posts at once, and
// every subscription is reached through several pages.
func TestSchedulerBoundedConcurrency(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		for i := range 20 {
			h.subscribe(fmt.Sprintf("C%02d", i), "UTC", 8, 0, everyDay, day)
		}
		var inFlight, peak atomic.Int32
		h.plat.onPost = func(context.Context, string) {
			n := inFlight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(time.Millisecond)
			inFlight.Add(-1)
		}
		s := h.scheduler("a", func(c *SchedulerConfig) { c.Concurrency, c.PageSize = 3, 7 })
		rep := h.tick(s, day.Add(8*time.Hour+time.Minute))
		if rep.Subscriptions != 20 || rep.Sent != 20 {
			t.Errorf("tick: %+v", rep)
		}
		if p := peak.Load(); p > 3 || p < 1 {
			t.Errorf("peak concurrency %d, want 1..3", p)
		}
	})
}

// TestSchedulersRaceInProcess: two schedulers on one store, ticking at the
// same time, post each of 200 due digests once.
func TestSchedulersRaceInProcess(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		for i := range 200 {
			h.subscribe(fmt.Sprintf("C%03d", i), "UTC", 8, 0, everyDay, day)
		}
		a, b := h.scheduler("a", nil), h.scheduler("b", nil)
		h.clock.Set(day.Add(8*time.Hour + time.Minute))
		var wg sync.WaitGroup
		reps := make([]TickReport, 2)
		for i, s := range []*Scheduler{a, b} {
			wg.Go(func() {
				rep, err := s.Tick(context.Background())
				if err != nil {
					t.Error(err)
				}
				reps[i] = rep
			})
		}
		wg.Wait()
		seen := map[string]int{}
		for _, p := range h.plat.sent() {
			seen[p.channel]++
		}
		if len(seen) != 200 || len(h.plat.sent()) != 200 {
			t.Errorf("%d channels got %d posts, want 200 each once", len(seen), len(h.plat.sent()))
		}
		if reps[0].Sent+reps[1].Sent != 200 {
			t.Errorf("reports: %+v", reps)
		}
	})
}

// TestDeliverNowAndPreview: a manual digest posts once and is recorded; a
// preview records nothing.
func TestDeliverNowAndPreview(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		now := time.Date(2026, 11, 2, 15, 4, 5, 0, time.UTC)
		h := newHarness(t, st, now)
		sub := h.subscribe("C1", "UTC", 8, 0, everyDay, now.Add(-48*time.Hour))
		s := h.scheduler("a", nil)
		ctx := context.Background()
		resp, err := s.Preview(ctx, sub)
		if err != nil || !strings.Contains(resp.Text, "digest for C1") {
			t.Fatalf("Preview = %+v, %v", resp, err)
		}
		if len(h.deliveries(sub.ID)) != 0 || len(h.plat.sent()) != 0 {
			t.Fatal("Preview recorded or posted something")
		}
		d, err := s.DeliverNow(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != briefings.DeliverySent || !d.Manual || d.Slot != "manual-2026-11-02T15:04:05Z" || d.Link == "" {
			t.Errorf("DeliverNow = %+v", d)
		}
		if _, err := s.DeliverNow(ctx, sub); briefings.ErrorCode(err) != briefings.CodeConflict {
			t.Errorf("second DeliverNow in the same second: %v, want a conflict", err)
		}
		posts := h.plat.sent()
		if len(posts) != 1 || posts[0].nonce != sub.ID+"/manual-2026-11-02T15:04:05Z" {
			t.Errorf("posts = %+v", posts)
		}
		if ds := h.deliveries(sub.ID); len(ds) != 1 || !ds[0].Manual || ds[0].State != briefings.DeliverySent {
			t.Errorf("ledger = %+v", ds)
		}
		// The next digest starts where the manual one ended.
		h.clock.Set(now.Add(time.Minute))
		if _, err := s.Preview(ctx, sub); err != nil {
			t.Fatal(err)
		}
		if got := h.lastSince(sub.ID); !got.Equal(now) {
			t.Errorf("since after the manual digest = %v, want %v", got, now)
		}
		// A refused manual digest pauses the subscription and is not retried.
		h.plat.fail = func(string, int) error {
			return &PostError{Platform: "fake", Reason: "channel_not_found", Permanent: true}
		}
		d, err = s.DeliverNow(ctx, sub)
		if err != nil || d.State != briefings.DeliveryFailedPermanent || !strings.Contains(d.Error, "channel_not_found") {
			t.Errorf("refused DeliverNow = %+v, %v", d, err)
		}
		if got, _ := h.store.SubscriptionByID(ctx, sub.ID); !got.Paused {
			t.Error("subscription not paused after a permanent refusal")
		}
	})
}

func TestNewSchedulerChecksConfig(t *testing.T) {
	clock := newFakeClock(time.Now())
	store := memstore.New(memstore.Options{Clock: clock})
	compose := func(context.Context, briefings.Subscription, time.Time, time.Time) (commands.Response, time.Time, bool, error) {
		return commands.Response{}, time.Time{}, true, nil
	}
	ok := SchedulerConfig{Store: store, Compose: compose, Clock: clock}
	tests := []struct {
		name string
		mut  func(*SchedulerConfig)
		want string
	}{
		{"no store", func(c *SchedulerConfig) { c.Store = nil }, "no subscription store"},
		{"no composer", func(c *SchedulerConfig) { c.Compose = nil }, "no digest composer"},
		{"misnamed platform", func(c *SchedulerConfig) {
			c.Platforms = map[string]Platform{"slack": newFakePlatform("discord", clock)}
		}, `registered as "slack"`},
		{"nil platform", func(c *SchedulerConfig) { c.Platforms = map[string]Platform{"slack": nil} }, "is nil"},
		{"tick below a second", func(c *SchedulerConfig) { c.Tick = time.Millisecond }, "Tick 1ms is out of range"},
		{"negative grace", func(c *SchedulerConfig) { c.Grace = -time.Hour }, "Grace"},
		{"lease too long", func(c *SchedulerConfig) { c.Lease = 48 * time.Hour }, "Lease"},
		{"backoff upside down", func(c *SchedulerConfig) { c.RetryBase, c.RetryMax = time.Hour, time.Minute }, "RetryBase"},
		{"lookback shorter than grace", func(c *SchedulerConfig) { c.Lookback = time.Hour }, "Lookback"},
		{"no attempts", func(c *SchedulerConfig) { c.MaxAttempts = -1 }, "MaxAttempts"},
		{"page too large", func(c *SchedulerConfig) { c.PageSize = 5000 }, "PageSize"},
		{"long claimant", func(c *SchedulerConfig) { c.Claimant = strings.Repeat("x", 300) }, "claimant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mut(&cfg)
			if _, err := NewScheduler(cfg, nil); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewScheduler = %v, want an error saying %q", err, tt.want)
			}
		})
	}
	s, err := NewScheduler(ok, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.cfg.Tick != DefaultTick || s.cfg.Grace != DefaultGrace || s.cfg.Lease != DefaultLease || s.cfg.MaxAttempts != DefaultMaxAttempts ||
		s.cfg.Concurrency != DefaultConcurrency || s.cfg.PageSize != DefaultPageSize || s.Claimant() == "" {
		t.Errorf("defaults not applied: %+v", s.cfg)
	}
}
