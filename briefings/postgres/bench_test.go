package postgres

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/postgres/pgtest"
	"github.com/briefbot/briefbot/briefings/storetest"
)

// The benchmarks run on storetest's synthetic articles, and the query list
// is the SQLite store's benchmarks' (briefings/sqlite/bench_test.go), so
// that the figures of the two stores compare.

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

// BenchmarkIngest measures AddArticle on a Postgres test server, one
// transaction per article, from one goroutine and from four (articles are
// added one at a time per schema under the ingest lock; four writers
// overlap the encoding and the round trips around it).
func BenchmarkIngest(b *testing.B) {
	for _, writers := range []int{1, 4} {
		b.Run(fmt.Sprintf("writers-%d", writers), func(b *testing.B) {
			s := openTest(b, Options{})
			g := newBenchGen(1)
			arts := make([]benchArticle, b.N)
			for i := range arts {
				arts[i] = g.article(i)
			}
			ctx := context.Background()
			var next atomic.Int64
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range writers {
				wg.Go(func() {
					for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
						if _, err := s.AddArticle(ctx, arts[i].a, arts[i].f); err != nil {
							b.Error(err)
							return
						}
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "articles/s")
		})
	}
}

// benchArticles is the size of the query benchmark's database.
const benchArticles = 10000

// BenchmarkQueries measures every read with 10,000 articles stored (150,000
// facts), built once per run (four writers). Each sub-benchmark reports its
// p50 and p99 latency besides ns/op.
func BenchmarkQueries(b *testing.B) {
	dsn := pgtest.DSN(b)
	ctx := context.Background()
	s, err := Open(ctx, dsn, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	g := newBenchGen(1)
	arts := make([]benchArticle, benchArticles)
	for i := range arts {
		arts[i] = g.article(i)
	}
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(arts); i = int(next.Add(1) - 1) {
				if _, err := s.AddArticle(ctx, arts[i].a, arts[i].f); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		return
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("built %+v in %v", st, time.Since(start).Round(time.Millisecond))

	for _, q := range storetest.BenchQueries(s, g.Synthetic, benchArticles, arts[0].f.ArticleID) {
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

// BenchmarkClaimDelivery measures ClaimDelivery with 1,000 subscriptions:
// claims of new slots (one round trip each: the conflicting insert, the
// takeover and the read pipelined), from one goroutine, from eight, and
// from two stores on one schema (two pools, as two replicas have; four
// goroutines each). The contended case has both stores claim every slot;
// one claim of each pair wins. claims/s counts ClaimDelivery calls.
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
		s := openTest(b, Options{MaxConns: 8})
		subs := storetest.BenchSubscriptions(b, s, 1000)
		var next atomic.Int64
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		start := time.Now()
		for range 8 {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < b.N; i = int(next.Add(1) - 1) {
					if !claim(b, s, subs[i%len(subs)], i/len(subs), "a") {
						b.Error("a new slot was not claimed")
						return
					}
				}
			})
		}
		wg.Wait()
		report(b, start, b.N)
	})
	for _, contended := range []bool{false, true} {
		name := "two-stores"
		if contended {
			name = "two-stores-contended"
		}
		b.Run(name, func(b *testing.B) {
			dsn := pgtest.DSN(b)
			var stores [2]*Store
			for i := range stores {
				s, err := OpenOptions(context.Background(), dsn, nil, Options{MaxConns: 4})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				stores[i] = s
			}
			subs := storetest.BenchSubscriptions(b, stores[0], 1000)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			var wg sync.WaitGroup
			var won atomic.Int64
			per := (b.N + 7) / 8
			for si, s := range stores {
				for g := range 4 {
					wg.Go(func() {
						for k := range per {
							i := (g*per + k) * 2
							if !contended {
								i += si // each store its own slots
							}
							if claim(b, s, subs[i%len(subs)], i/len(subs), fmt.Sprint(si)) {
								won.Add(1)
							}
						}
					})
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
