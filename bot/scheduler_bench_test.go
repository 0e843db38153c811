package bot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/briefings/sample"
	"github.com/briefbot/briefbot/briefings/sqlite"
	"github.com/briefbot/briefbot/commands"
)

// noopPlatform accepts every post.
type noopPlatform struct{ n atomic.Int64 }

func (p *noopPlatform) Name() string { return "fake" }

func (p *noopPlatform) Serve(ctx context.Context, h commands.Handler) error {
	<-ctx.Done()
	return nil
}

func (p *noopPlatform) Post(ctx context.Context, channel string, r commands.Response) (MessageRef, error) {
	n := p.n.Add(1)
	return MessageRef{Platform: "fake", Channel: channel, ID: fmt.Sprint(n)}, nil
}

// openBenchStore opens the named store (a SQLite file in a temporary
// directory).
func openBenchStore(b *testing.B, name string, clock briefings.Clock) briefings.Store {
	if name == "memstore" {
		return memstore.New(memstore.Options{Clock: clock})
	}
	st, err := sqlite.OpenOptions(context.Background(), filepath.Join(b.TempDir(), "briefbot.db"), nil, sqlite.Options{Clock: clock})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = st.Close() })
	return st
}

// loadCorpus ingests the sample article and, when it is beside the
// repository, the development corpus (../shared/corpus/dev/articles).
func loadCorpus(b *testing.B, svc *briefings.Service) int {
	ctx := context.Background()
	arts, err := sample.Articles()
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join("..", "..", "shared", "corpus", "dev", "articles")
	if entries, err := os.ReadDir(dir); err == nil {
		names := make([]string, 0, len(entries))
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".txt") {
				names = append(names, e.Name())
			}
		}
		sort.Strings(names)
		for _, n := range names {
			data, err := os.ReadFile(filepath.Join(dir, n))
			if err != nil {
				b.Fatal(err)
			}
			a, err := briefings.ParseArticle(n, data)
			if err != nil {
				b.Fatal(err)
			}
			arts = append(arts, a)
		}
	}
	for _, a := range arts {
		if _, err := svc.Ingest(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	return len(arts)
}

const benchSubscriptions = 10000

// BenchmarkSchedulerTick measures one tick that claims, composes, posts (to
// a no-op platform) and records 10,000 digests due in the same minute.
// "ledger" composes a constant response (the scheduler and ledger cost);
// "service" composes the digest in full with briefings.Service.Digest on
// the sample and development corpus (since before it), through
// SharedCompose: the 10,000 equal digests are composed once per tick.
// BenchmarkDigestCompose gives the cost of one composition. ns/op is one
// tick; ns/digest divides it by 10,000.
//
//	go test ./bot -run '^$' -bench BenchmarkSchedulerTick -benchtime 3x
func BenchmarkSchedulerTick(b *testing.B) {
	for _, storeName := range []string{"memstore", "sqlite"} {
		for _, composer := range []string{"ledger", "service"} {
			b.Run(storeName+"/"+composer, func(b *testing.B) {
				ctx := context.Background()
				day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
				clock := newFakeClock(day.Add(-48 * time.Hour))
				store := openBenchStore(b, storeName, clock)
				var compose ComposeFunc
				switch composer {
				case "ledger":
					resp := commands.Response{Kind: commands.KindDigest, Text: "digest", Blocks: []commands.Block{{Type: commands.BlockSection, Text: "digest"}}}
					compose = func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
						return resp, now, false, nil
					}
				case "service":
					svc := briefings.NewService(store, extract.New(), clock, nil)
					loadCorpus(b, svc)
					from := day.Add(-72 * time.Hour)
					compose = SharedCompose(func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
						res, err := svc.Digest(ctx, sub, from, now)
						if err != nil {
							return commands.Response{}, time.Time{}, false, err
						}
						return commands.FromDigest(res.Answer), res.Cursor, res.Empty, nil
					}, func(s briefings.Subscription) string { return s.Story + "|" + s.Zone })
				}
				for i := range benchSubscriptions {
					_, _, err := store.PutSubscription(ctx, briefings.Subscription{Platform: "fake", Workspace: "W1", Channel: fmt.Sprintf("C%05d", i),
						Zone: "UTC", Hour: 8, Days: everyDay, Created: day.Add(-24 * time.Hour)})
					if err != nil {
						b.Fatal(err)
					}
				}
				plat := &noopPlatform{}
				s, err := NewScheduler(SchedulerConfig{Store: store, Compose: compose, Clock: clock, Claimant: "bench",
					Platforms: map[string]Platform{"fake": plat}, PageSize: 1000}, nil)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; b.Loop(); i++ {
					// Each iteration is a new day: 10,000 new slots.
					clock.Set(day.AddDate(0, 0, i).Add(8*time.Hour + 30*time.Second))
					rep, err := s.Tick(ctx)
					if err != nil {
						b.Fatal(err)
					}
					if rep.Claimed != benchSubscriptions || rep.Sent+rep.Empty != benchSubscriptions {
						b.Fatalf("tick %d: %+v", i, rep)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchSubscriptions), "ns/digest")
			})
		}
	}
}

// BenchmarkDigestCompose measures composing one full digest with
// briefings.Service.Digest and commands.FromDigest, as the scheduler's
// Compose does.
//
//	go test ./bot -run '^$' -bench BenchmarkDigestCompose
func BenchmarkDigestCompose(b *testing.B) {
	for _, storeName := range []string{"memstore", "sqlite"} {
		b.Run(storeName, func(b *testing.B) {
			ctx := context.Background()
			day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			clock := newFakeClock(day.Add(-48 * time.Hour))
			store := openBenchStore(b, storeName, clock)
			svc := briefings.NewService(store, extract.New(), clock, nil)
			n := loadCorpus(b, svc)
			sub := briefings.Subscription{ID: "sub_bench", Platform: "fake", Channel: "C1", Zone: "Europe/Berlin", Hour: 8, Days: everyDay}
			res, err := svc.Digest(ctx, sub, day.Add(-72*time.Hour), day)
			if err != nil {
				b.Fatal(err)
			}
			if res.Empty {
				b.Fatalf("the digest of %d articles is empty", n)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := svc.Digest(ctx, sub, day.Add(-72*time.Hour), day)
				if err != nil {
					b.Fatal(err)
				}
				_ = commands.FromDigest(res.Answer)
			}
		})
	}
}

// BenchmarkSchedulerIdleTick measures the tick every replica runs every
// 30 s when nothing new is due: 10,000 subscriptions whose slots of the day
// were delivered (this scheduler remembers them; no ledger writes).
//
//	go test ./bot -run '^$' -bench BenchmarkSchedulerIdleTick
func BenchmarkSchedulerIdleTick(b *testing.B) {
	for _, storeName := range []string{"memstore", "sqlite"} {
		b.Run(storeName, func(b *testing.B) {
			ctx := context.Background()
			day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
			clock := newFakeClock(day.Add(-48 * time.Hour))
			store := openBenchStore(b, storeName, clock)
			for i := range benchSubscriptions {
				_, _, err := store.PutSubscription(ctx, briefings.Subscription{Platform: "fake", Workspace: "W1", Channel: fmt.Sprintf("C%05d", i),
					Zone: "UTC", Hour: 8, Days: everyDay, Created: day.Add(-24 * time.Hour)})
				if err != nil {
					b.Fatal(err)
				}
			}
			resp := commands.Response{Kind: commands.KindDigest, Text: "digest"}
			s, err := NewScheduler(SchedulerConfig{Store: store, Clock: clock, Claimant: "bench", PageSize: 1000,
				Platforms: map[string]Platform{"fake": &noopPlatform{}},
				Compose: func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
					return resp, now, false, nil
				}}, nil)
			if err != nil {
				b.Fatal(err)
			}
			clock.Set(day.Add(8*time.Hour + 30*time.Second))
			if rep, err := s.Tick(ctx); err != nil || rep.Sent != benchSubscriptions {
				b.Fatalf("delivering tick: %+v, %v", rep, err)
			}
			clock.Set(day.Add(9 * time.Hour))
			b.ReportAllocs()
			for b.Loop() {
				rep, err := s.Tick(ctx)
				if err != nil || rep.Due != 0 || rep.Subscriptions != benchSubscriptions {
					b.Fatalf("idle tick: %+v, %v", rep, err)
				}
			}
		})
	}
}
