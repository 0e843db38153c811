package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

func storyZone(s briefings.Subscription) string { return s.Story + "|" + s.Zone }

func TestSharedCompose(t *testing.T) {
	ctx := context.Background()
	base := time.Date(2026, 11, 2, 8, 0, 10, 0, time.UTC)
	since := base.Add(-24 * time.Hour)
	var calls atomic.Int32
	inner := func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
		n := calls.Add(1)
		return commands.Response{Text: fmt.Sprintf("%s %s #%d", sub.Story, sub.Zone, n)}, now, false, nil
	}
	compose := SharedCompose(inner, storyZone)
	sub := func(story, zone string) briefings.Subscription {
		return briefings.Subscription{Story: story, Zone: zone}
	}
	tests := []struct {
		name      string
		sub       briefings.Subscription
		since     time.Time
		now       time.Time
		wantText  string
		wantCalls int32
	}{
		{"first composes", sub("", "UTC"), since, base, " UTC #1", 1},
		{"same inputs share", sub("", "UTC"), since, base.Add(30 * time.Second), " UTC #1", 1},
		{"another zone composes", sub("", "Europe/Berlin"), since, base, " Europe/Berlin #2", 2},
		{"another story composes", sub("niger", "UTC"), since, base, "niger UTC #3", 3},
		{"another since composes", sub("", "UTC"), since.Add(time.Hour), base, " UTC #4", 4},
		{"the next minute composes again", sub("", "UTC"), since, base.Add(time.Minute), " UTC #5", 5},
	}
	for _, tt := range tests {
		resp, _, _, err := compose(ctx, tt.sub, tt.since, tt.now)
		if err != nil || resp.Text != tt.wantText || calls.Load() != tt.wantCalls {
			t.Errorf("%s: %q, %v after %d calls; want %q after %d", tt.name, resp.Text, err, calls.Load(), tt.wantText, tt.wantCalls)
		}
	}
}

func TestSharedComposeWaitsForTheFirst(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 8, 0, 10, 0, time.UTC)
	release := make(chan struct{})
	var calls atomic.Int32
	compose := SharedCompose(func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
		calls.Add(1)
		<-release
		return commands.Response{Text: "shared"}, now, false, nil
	}, storyZone)
	var wg sync.WaitGroup
	texts := make([]string, 20)
	for i := range texts {
		wg.Go(func() {
			resp, _, _, _ := compose(ctx, briefings.Subscription{Zone: "UTC"}, now.Add(-time.Hour), now)
			texts[i] = resp.Text
		})
	}
	time.Sleep(5 * time.Millisecond) // let the callers pile up
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("%d compositions for 20 equal digests, want 1", calls.Load())
	}
	for i, s := range texts {
		if s != "shared" {
			t.Errorf("caller %d got %q", i, s)
		}
	}
}

func TestSharedComposeDoesNotKeepFailures(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 2, 8, 0, 10, 0, time.UTC)
	var calls atomic.Int32
	compose := SharedCompose(func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
		switch calls.Add(1) {
		case 1:
			return commands.Response{}, time.Time{}, false, errors.New("store down")
		case 2:
			panic("composer bug")
		}
		return commands.Response{Text: "ok"}, now, false, nil
	}, storyZone)
	sub := briefings.Subscription{Zone: "UTC"}
	if _, _, _, err := compose(ctx, sub, now, now); err == nil {
		t.Fatal("first call: no error")
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("the composer's panic was swallowed")
			}
		}()
		_, _, _, _ = compose(ctx, sub, now, now)
	}()
	if resp, _, _, err := compose(ctx, sub, now, now); err != nil || resp.Text != "ok" {
		t.Errorf("third call: %q, %v", resp.Text, err)
	}
}

// TestSharedComposeInScheduler: a scheduler with a shared composer posts
// every digest, composing equal ones once, and a panic in the shared
// composition fails only that tick's equal digests.
func TestSharedComposeInScheduler(t *testing.T) {
	forEachStore(t, func(t *testing.T, st subStore) {
		day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		h := newHarness(t, st, day)
		for i := range 30 {
			zone := "UTC"
			if i%3 == 0 {
				zone = "Etc/GMT-1" // 08:00 there is 07:00 UTC
			}
			h.subscribe(fmt.Sprintf("C%02d", i), zone, 8, 0, everyDay, day.Add(-time.Hour))
		}
		s := h.scheduler("a", func(c *SchedulerConfig) { c.Compose = SharedCompose(h.compose, storyZone) })
		rep := h.tick(s, day.Add(8*time.Hour+time.Minute))
		if rep.Sent != 30 || len(h.plat.sent()) != 30 {
			t.Errorf("tick: %+v", rep)
		}
		// Two zones, two due minutes' worth of equal digests: one
		// composition per zone.
		if n := h.composed.Load(); n != 2 {
			t.Errorf("%d compositions, want 2", n)
		}
	})
}
