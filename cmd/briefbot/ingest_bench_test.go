package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/fetch"
	"github.com/briefbot/briefbot/briefings/sqlite"
)

// Invented articles for the ingestion tests and benchmark: every name,
// place, number and event below is made up by these templates.

var (
	genCountries = []string{"Kenya", "Tanzania", "Ghana", "Togo", "Peru", "Chile", "Norway", "Finland", "Senegal", "Uruguay", "Vietnam", "Portugal", "Bolivia", "Estonia", "Malawi", "Jordan"}
	genFirst     = []string{"Grace", "Juma", "Ama", "Koffi", "Lucia", "Mateo", "Ingrid", "Aino", "Awa", "Diego", "Linh", "Rui", "Elena", "Kadri", "Chikondi", "Rania", "Tomas"}
	genLast      = []string{"Wanjiru", "Mwinyi", "Mensah", "Agbodjan", "Paredes", "Rojas", "Solberg", "Virtanen", "Diop", "Ferreira", "Tran", "Costa", "Quispe", "Tamm", "Banda", "Haddad", "Lind", "Okafor", "Silva"}
	genCities    = []string{"Arusha", "Accra", "Lima", "Oslo", "Dakar", "Hanoi", "Lisbon", "Montevideo", "Tallinn", "Lilongwe", "Amman", "Sucre", "Valparaíso", "Mombasa", "Lomé"}
	genTopics    = []string{"fishing rights", "a rail link", "border tariffs", "grain exports", "a power line", "river pollution", "visa rules", "port fees", "a gas pipeline", "airline routes", "vaccine supplies", "a fibre cable", "mining licences", "refugee returns"}
	genDays      = []string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
	genOutcomes  = []string{"agreed to set up a joint committee", "signed a memorandum of understanding", "failed to reach a deal", "agreed to meet again within a month", "promised to publish a joint plan"}
)

// genArticle returns invented article i. Articles i and
// i+len(genCountries) are about the same two countries and ministers (a
// follow-up, so a story), with other topics, places and numbers.
func genArticle(i int) (title, text string) {
	nc := len(genCountries)
	k := i % nc
	a, b := genCountries[k], genCountries[(k*7+5)%nc]
	if a == b {
		b = genCountries[(k+1)%nc]
	}
	p1 := genFirst[k%len(genFirst)] + " " + genLast[(k*3)%len(genLast)]
	p2 := genFirst[(k+5)%len(genFirst)] + " " + genLast[(k*3+7)%len(genLast)]
	// The rest varies per article, deterministically.
	r := rand.New(rand.NewPCG(uint64(i), 0x5eed))
	pick := func(list []string) string { return list[r.IntN(len(list))] }
	city, topic, day, outcome := pick(genCities), pick(genTopics), pick(genDays), pick(genOutcomes)
	n := func(base, mod int) int { return base + r.IntN(mod) }
	rounds := n(2, 9)
	pool := []string{
		fmt.Sprintf("Officials in %s put the cost of the dispute over %s at %d million dollars, while %s's negotiators spoke of nearer %d million.", a, topic, n(10, 90), b, n(20, 80)),
		fmt.Sprintf("%s told reporters in %s that %d experts from both sides would draft proposals on %s before the end of %s.", p2, city, n(4, 20), topic, pick([]string{"the month", "the year", "the summer", "the quarter"})),
		fmt.Sprintf("Traders and unions in %s have complained for %d months that the rules on %s were changed without warning.", a, n(2, 30), topic),
		fmt.Sprintf("The %s delegation of %d officials arrived in %s a day early, according to a statement from %s's foreign ministry.", b, n(5, 40), city, b),
		fmt.Sprintf("Analysts in %s said the talks on %s were the %d%s round since the two governments restored ties.", city, topic, rounds, ordinalSuffix(rounds)),
		fmt.Sprintf("Opposition lawmakers in %s accused %s of conceding too much on %s to win %d votes in a coming budget debate.", b, p2, topic, n(3, 60)),
		fmt.Sprintf("A second meeting between %s and %s is planned in %s in %d weeks, officials from %s said.", p1, p2, pick(genCities), n(2, 10), a),
		fmt.Sprintf("Exports from %s to %s fell by %d percent last year, and %s blamed the quarrel over %s for most of the drop.", a, b, n(3, 40), p1, topic),
	}
	var sents []string
	sents = append(sents, fmt.Sprintf("Foreign Minister %s of %s met Foreign Minister %s of %s in %s on %s to discuss %s, and the two %s.", p1, a, p2, b, city, day, topic, outcome))
	for _, j := range r.Perm(len(pool))[:5] {
		sents = append(sents, pool[j])
	}
	seen := map[string]bool{}
	var out []string
	for _, s := range sents {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	title = fmt.Sprintf("%s and %s talk %s in %s (%d)", a, b, topic, city, i)
	return title, strings.Join(out, "\n\n")
}

func ordinalSuffix(n int) string {
	switch {
	case n%100 >= 11 && n%100 <= 13:
		return "th"
	case n%10 == 1:
		return "st"
	case n%10 == 2:
		return "nd"
	case n%10 == 3:
		return "rd"
	}
	return "th"
}

// genPage renders an article as a news site's page: navigation, a
// related-links box and a footer around the article, the date in its
// metadata.
func genPage(title, text string, published time.Time) string {
	var b strings.Builder
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>` + title + ` | Invented Wire</title>`)
	b.WriteString(`<meta property="og:title" content="` + title + `">`)
	if !published.IsZero() {
		b.WriteString(`<meta property="article:published_time" content="` + published.Format(time.RFC3339) + `">`)
	}
	b.WriteString(`<link rel="stylesheet" href="/s.css"></head><body><header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>`)
	b.WriteString(`<main><article><h1>` + title + `</h1><p class="byline">By Staff Reporter</p>`)
	for _, p := range strings.Split(text, "\n\n") {
		b.WriteString("<p>" + p + "</p>")
	}
	b.WriteString(`</article><aside><h2>Related</h2><ul><li><a href="/r/1">Markets open higher</a></li><li><a href="/r/2">Weather: rain expected</a></li></ul></aside></main>`)
	b.WriteString(`<footer><p>© Invented Wire. All rights reserved.</p><a href="/privacy">Privacy</a> <a href="/contact">Contact</a></footer></body></html>`)
	return b.String()
}

// TestGeneratedArticlesDistinct: the invented articles are not
// near-duplicates of each other (the benchmark must store every page).
func TestGeneratedArticlesDistinct(t *testing.T) {
	const n = 240
	sigs := make([]briefings.Signature, n)
	for i := range n {
		title, text := genArticle(i)
		sigs[i] = briefings.NewSignature(title + "\n" + text)
	}
	worst := 0.0
	for i := range n {
		for j := i + 1; j < n; j++ {
			if s := briefings.Similarity(sigs[i], sigs[j]); s > worst {
				worst = s
			}
		}
	}
	t.Logf("highest similarity between two of %d generated articles: %.2f", n, worst)
	if worst >= briefings.NearDuplicateThreshold-0.2 {
		t.Errorf("two generated articles are %.2f similar; keep them well under the near-duplicate threshold %.2f", worst, briefings.NearDuplicateThreshold)
	}
}

// BenchmarkIngestPages ingests 1,000 invented HTML pages from a loopback
// server: fetch (safe fetcher), readability, extraction, story matching
// and storing into SQLite, the pipeline of `briefbot ingest URL...`
// (pages read 1 or 4 at a time, stored in order). It reports pages/s, the
// peak Go heap in use and memory obtained from the OS (runtime.MemStats
// sampled every 5 ms), and the process's peak resident set (VmHWM, which
// also counts SQLite's own allocations and the test server's).
//
//	go test ./cmd/briefbot -run '^$' -bench IngestPages -benchtime 1x
func BenchmarkIngestPages(b *testing.B) {
	pages := 1000
	if v := os.Getenv("BRIEFBOT_BENCH_PAGES"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			pages = n
		}
	}
	for _, jobs := range []int{1, 4} {
		b.Run(fmt.Sprintf("pages=%d/jobs=%d", pages, jobs), func(b *testing.B) {
			srv := newPageServer(b, 0, time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC))
			f := fetch.New(fetch.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, nil)
			defer f.Close()
			srcs := make([]source, pages)
			for i := range srcs {
				srcs[i] = source{name: fmt.Sprintf("%s/a/%d.html", srv.URL, i), url: true}
			}
			var peakInuse, peakSys atomic.Uint64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ms goruntime.MemStats
				tk := time.NewTicker(5 * time.Millisecond)
				defer tk.Stop()
				for {
					goruntime.ReadMemStats(&ms)
					if ms.HeapInuse > peakInuse.Load() {
						peakInuse.Store(ms.HeapInuse)
					}
					if ms.Sys > peakSys.Load() {
						peakSys.Store(ms.Sys)
					}
					select {
					case <-stop:
						return
					case <-tk.C:
					}
				}
			}()
			var elapsed time.Duration
			var stored int
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), nil)
				if err != nil {
					b.Fatal(err)
				}
				svc := briefings.NewService(st, extract.New(), nil, nil)
				load := articleLoader{fetcher: f}.load
				var failed atomic.Int32
				b.StartTimer()
				start := time.Now()
				ingestAll(context.Background(), srcs, jobs, load, func(s source, ld loaded) {
					if ld.err != nil {
						failed.Add(1)
						b.Errorf("%s: %v", s.name, ld.err)
						return
					}
					res, err := svc.Ingest(context.Background(), ld.art)
					if err != nil || res.Duplicate {
						failed.Add(1)
						b.Errorf("%s: %v (duplicate %v of %s)", s.name, err, res.Duplicate, res.Article.Title)
					}
				})
				elapsed += time.Since(start)
				b.StopTimer()
				stats, err := st.Stats(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				stored = stats.Articles
				st.Close()
				b.StartTimer()
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			if stored != pages {
				b.Fatalf("stored %d of %d pages", stored, pages)
			}
			b.ReportMetric(float64(pages*b.N)/elapsed.Seconds(), "pages/s")
			b.ReportMetric(float64(peakInuse.Load())/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(peakSys.Load())/(1<<20), "peak-sys-MB")
			if kb := peakRSSKB(); kb > 0 {
				b.ReportMetric(float64(kb)/1024, "peak-rss-MB")
			}
		})
	}
}

// peakRSSKB is the process's peak resident set (VmHWM) in KiB on Linux,
// else 0. It counts SQLite's page cache, which modernc.org/sqlite
// allocates outside the Go heap, so MemStats alone would miss it.
func peakRSSKB() int {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return kb
		}
	}
	return 0
}
