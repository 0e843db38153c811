package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/storetest"
)

// The benchmarks run on storetest's synthetic articles.

type benchArticle struct {
	a briefings.Article
	f briefings.Facts
}

type benchGen struct{ *storetest.Synthetic }

func newBenchGen(seed uint64) *benchGen { return &benchGen{storetest.NewSynthetic(seed)} }

func (g *benchGen) article(i int) benchArticle {
	a, f := g.Article(i)
	return benchArticle{a, f}
}

// BenchmarkIngest measures AddArticle into a file database (WAL,
// synchronous=NORMAL), one transaction per article.
func BenchmarkIngest(b *testing.B) {
	s := openTest(b, Options{})
	g := newBenchGen(1)
	arts := make([]benchArticle, b.N)
	for i := range arts {
		arts[i] = g.article(i)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := s.AddArticle(ctx, arts[i].a, arts[i].f); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "articles/s")
}

// BenchmarkIngestBatch measures storing articles 100 to a transaction (the
// bulk path the query benchmarks use to build their database).
func BenchmarkIngestBatch(b *testing.B) {
	s := openTest(b, Options{})
	g := newBenchGen(1)
	arts := make([]batchItem, b.N)
	for i := range arts {
		a := g.article(i)
		arts[i] = batchItem{a.a, a.f}
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i += 100 {
		if _, err := s.addBatch(ctx, arts[i:min(i+100, b.N)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "articles/s")
}

const benchArticles = 10000

// BenchmarkQueries measures every read with 10,000 articles stored (150,000
// facts). The database is built once, in a temporary directory; each
// sub-benchmark reports its p50 and p99 latency besides ns/op.
func BenchmarkQueries(b *testing.B) {
	path := filepath.Join(b.TempDir(), "bench.db")
	ctx := context.Background()
	s, err := Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	g := newBenchGen(1)
	start := time.Now()
	var firstID string
	batch := make([]batchItem, 0, 250)
	for i := range benchArticles {
		a := g.article(i)
		if i == 0 {
			firstID = a.f.ArticleID
		}
		batch = append(batch, batchItem{a.a, a.f})
		if len(batch) == cap(batch) || i == benchArticles-1 {
			if _, err := s.addBatch(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	st, err := s.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built %+v in %v", st, time.Since(start).Round(time.Millisecond))
	// Queries run on the database reopened, as after a restart.
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	if s, err = Open(ctx, path, nil); err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Logf("reopened in %v", time.Since(start).Round(time.Millisecond))

	for _, q := range storetest.BenchQueries(s, g.Synthetic, benchArticles, firstID) {
		b.Run(q.Name, func(b *testing.B) {
			if n, err := q.Run(); err != nil || n == 0 {
				b.Fatalf("%s: %d results, %v", q.Name, n, err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if _, err := q.Run(); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[(len(lat)*99)/100].Microseconds()), "p99-µs")
		})
	}
}

// BenchmarkClaimDelivery measures ClaimDelivery on a file database with
// 1,000 subscriptions: claims of new slots (each an IMMEDIATE transaction
// with one conflicting insert), from one goroutine, from eight, and from
// two stores on one file (as two processes, four goroutines each). The
// contended case has both stores claim every slot; one claim of each pair
// wins. claims/s counts ClaimDelivery calls.
func BenchmarkClaimDelivery(b *testing.B) {
	due := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	claim := func(b *testing.B, s *Store, sub string, slot int, claimant string) bool {
		_, ok, err := s.ClaimDelivery(context.Background(), briefings.Delivery{SubscriptionID: sub, Slot: fmt.Sprint("slot-", slot), Due: due},
			claimant, due, time.Minute)
		if err != nil {
			b.Error(err)
		}
		return ok
	}
	report := func(b *testing.B, start time.Time, calls int) {
		b.ReportMetric(float64(calls)/time.Since(start).Seconds(), "claims/s")
	}
	b.Run("one-store", func(b *testing.B) {
		s := openTest(b, Options{})
		subs := storetest.BenchSubscriptions(b, s, 1000)
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for i := range b.N {
			if !claim(b, s, subs[i%len(subs)], i/len(subs), "a") {
				b.Fatal("a new slot was not claimed")
			}
		}
		report(b, start, b.N)
	})
	b.Run("one-store-8-goroutines", func(b *testing.B) {
		s := openTest(b, Options{})
		subs := storetest.BenchSubscriptions(b, s, 1000)
		var next atomic.Int64
		b.ReportAllocs()
		b.SetParallelism(8 / max(1, runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1))
				claim(b, s, subs[i%len(subs)], i/len(subs), "a")
			}
		})
		report(b, start, b.N)
	})
	for _, contended := range []bool{false, true} {
		name := "two-stores"
		if contended {
			name = "two-stores-contended"
		}
		b.Run(name, func(b *testing.B) {
			stores := openPair(b)
			subs := storetest.BenchSubscriptions(b, stores[0], 1000)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			var won atomic.Int64
			per := (b.N + 7) / 8
			for si, s := range stores {
				for g := range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for k := range per {
							i := (g*per + k) * 2
							if !contended {
								i += si // each store its own slots
							}
							if claim(b, s, subs[i%len(subs)], i/len(subs), fmt.Sprint(si)) {
								won.Add(1)
							}
						}
					}()
				}
			}
			wg.Wait()
			report(b, start, 8*per)
			if contended && won.Load() != int64(4*per) {
				b.Errorf("%d claims won of %d contended slots; want one each", won.Load(), 4*per)
			}
		})
	}
}
