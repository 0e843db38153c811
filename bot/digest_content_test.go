package bot_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/commands"
)

// recorder is a platform that keeps what it is asked to post.
type recorder struct {
	mu    sync.Mutex
	posts []commands.Response
}

func (r *recorder) Name() string { return "test" }
func (r *recorder) Serve(ctx context.Context, h commands.Handler) error {
	<-ctx.Done()
	return nil
}
func (r *recorder) Post(ctx context.Context, channel string, resp commands.Response) (bot.MessageRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.posts = append(r.posts, resp)
	return bot.MessageRef{Platform: "test", Channel: channel, ID: "m"}, nil
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func readTestArticle(t *testing.T, name string) briefings.Article {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "briefings", "extract", "testdata", "articles", name))
	if err != nil {
		t.Fatal(err)
	}
	a, err := briefings.ParseArticle(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// An article ingested between two digests: the second digest carries only
// its new facts, with the status change line, and the status board.
func TestDigestNewSinceLast(t *testing.T) {
	ctx := context.Background()
	clock := &fakeClock{t: time.Date(2025, 7, 1, 6, 0, 0, 0, time.UTC)}
	st := memstore.New(memstore.Options{Clock: clock})
	svc := briefings.NewService(st, extract.New(), clock, nil)
	if _, err := svc.Ingest(ctx, readTestArticle(t, "germany-mali-announce.txt")); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	sch, err := bot.NewScheduler(bot.SchedulerConfig{
		Store: st,
		Compose: func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
			res, err := svc.Digest(ctx, sub, since, now)
			if err != nil {
				return commands.Response{}, time.Time{}, false, err
			}
			return commands.FromDigest(res.Answer), res.Cursor, res.Empty, nil
		},
		Platforms: map[string]bot.Platform{"test": rec},
		Clock:     clock,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sub := briefings.Subscription{Platform: "test", Workspace: "w", Channel: "c", Hour: 8, Zone: "UTC", Days: []int{0, 1, 2, 3, 4, 5, 6},
		Created: clock.Now().Add(-time.Hour), Updated: clock.Now().Add(-time.Hour)}
	if _, _, err := st.PutSubscription(ctx, sub); err != nil {
		t.Fatal(err)
	}
	text := func(r commands.Response) string {
		out := commands.PlainText(r)
		for _, th := range r.Thread {
			out += "\n" + commands.PlainText(th)
		}
		return out
	}
	// Day 1, 08:00: the first digest has the planned withdrawal.
	clock.Set(time.Date(2025, 7, 1, 8, 0, 30, 0, time.UTC))
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.posts) != 1 {
		t.Fatalf("day 1: %d posts, want 1", len(rec.posts))
	}
	first := text(rec.posts[0])
	if !strings.Contains(first, "Germany military withdrawal from Mali: planned (new)") {
		t.Errorf("first digest lacks the new status:\n%s", first)
	}
	// The withdrawal gets under way; the article arrives during the day.
	clock.Set(time.Date(2025, 7, 1, 15, 0, 0, 0, time.UTC))
	if _, err := svc.Ingest(ctx, readTestArticle(t, "germany-mali-underway.txt")); err != nil {
		t.Fatal(err)
	}
	clock.Set(time.Date(2025, 7, 2, 8, 0, 30, 0, time.UTC))
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.posts) != 2 {
		t.Fatalf("day 2: %d posts, want 2", len(rec.posts))
	}
	second := text(rec.posts[1])
	for _, want := range []string{"Germany military withdrawal from Mali: planned → under way", "1 new article", "First German soldiers leave Mali", "Status board"} {
		if !strings.Contains(second, want) {
			t.Errorf("second digest lacks %q:\n%s", want, second)
		}
	}
	// Only the new facts: the announcement's sentence is not repeated as news.
	if strings.Contains(strings.SplitN(second, "Status board", 2)[0], "Germany announced on Wednesday") {
		t.Errorf("second digest repeats old news:\n%s", second)
	}
	// Day 3: nothing new → no post, recorded empty.
	clock.Set(time.Date(2025, 7, 3, 8, 0, 30, 0, time.UTC))
	if _, err := sch.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.posts) != 2 {
		t.Fatalf("day 3: %d posts, want still 2 (nothing new)", len(rec.posts))
	}
	saved, err := st.SubscriptionFor(ctx, "test", "w", "c")
	if err != nil {
		t.Fatal(err)
	}
	dels, err := st.Deliveries(ctx, saved.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dels) != 3 || dels[0].State != briefings.DeliveryEmpty || dels[1].State != briefings.DeliverySent {
		t.Errorf("ledger %+v, want empty, sent, sent", dels)
	}
}
