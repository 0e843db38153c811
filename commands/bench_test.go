package commands_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/sample"
	"github.com/briefbot/briefbot/briefings/sqlite"
	"github.com/briefbot/briefbot/commands"
)

// corpusPool returns sentences to recombine (the sample article, and the
// development corpus when it is beside the repository) with the names of
// people and countries they mention.
func corpusPool(tb testing.TB) (paras []string, people, countries []string) {
	arts, err := sample.Articles()
	if err != nil {
		tb.Fatal(err)
	}
	paths, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "dev", "articles", "*.txt"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		a, err := briefings.ParseArticle(filepath.Base(p), data)
		if err == nil {
			arts = append(arts, a)
		}
	}
	x := extract.New()
	seenP, seenC := map[string]bool{}, map[string]bool{}
	for _, a := range arts {
		f, err := x.Extract(context.Background(), a)
		if err != nil {
			tb.Fatal(err)
		}
		for _, s := range f.Sentences {
			paras = append(paras, s.Text)
		}
		for _, e := range f.Entities {
			switch e.Kind {
			case briefings.EntityPerson:
				if !seenP[e.Name] && len(strings.Fields(e.Name)) >= 2 {
					seenP[e.Name] = true
					people = append(people, e.Name)
				}
			case briefings.EntityCountry:
				if !seenC[e.Name] && strings.Contains(strings.Join(paras, " "), e.Name) {
					seenC[e.Name] = true
					countries = append(countries, e.Name)
				}
			}
		}
	}
	sort.Strings(people)
	sort.Strings(countries)
	return paras, people, countries
}

var (
	benchGivenNames = strings.Fields("Amina Boris Carla Daniel Elif Farid Grace Hassan Irina Jonas Karim Lena Marco Nadia Omar Paula Rafael Sara Tomas Yusuf")
	benchSurnames   = strings.Fields("Adeyemi Bauer Castillo Diallo Evans Fofana Garcia Haddad Ivanova Jensen Kone Laurent Moreau Nkosi Okafor Petrov Quinn Rossi Sato Traore")
	benchCountries  = strings.Fields("Niger Chad Mali Sudan Kenya Ghana Senegal Nigeria Egypt Libya Iraq Syria Jordan Turkey Poland Spain Italy Germany France Brazil")
)

// synthArticle recombines corpus sentences into a new article with other
// names and another date.
func synthArticle(r *rand.Rand, i int, paras, people, countries []string) briefings.Article {
	n := 6 + r.IntN(7)
	var b strings.Builder
	swap := map[string]string{}
	for _, p := range people {
		swap[p] = benchGivenNames[r.IntN(len(benchGivenNames))] + " " + benchSurnames[r.IntN(len(benchSurnames))]
	}
	for _, c := range countries {
		swap[c] = benchCountries[r.IntN(len(benchCountries))]
	}
	for k := 0; k < n; k++ {
		s := paras[r.IntN(len(paras))]
		for from, to := range swap {
			s = strings.ReplaceAll(s, from, to)
		}
		b.WriteString(s)
		b.WriteString("\n")
	}
	text := b.String() + fmt.Sprintf("(Report %d.)", i)
	pub := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(7*365))
	a := briefings.Article{Title: fmt.Sprintf("Synthetic report %d", i), Source: "benchmark", Published: pub, Text: text}
	a.Hash = briefings.ContentHash(text)
	a.ID = briefings.ArticleID(a.Hash)
	return a
}

// benchDB builds (once per test binary) a SQLite database of n synthetic
// articles and returns its path.
var benchDB = struct {
	once sync.Once
	path string
	err  error
	dur  time.Duration
	n    int
}{}

func buildBenchDB(b *testing.B, n int) string {
	benchDB.once.Do(func() {
		// The database is kept between runs (BRIEFBOT_BENCH_DB names it;
		// by default a file in the temporary directory): building it takes
		// minutes.
		path := os.Getenv("BRIEFBOT_BENCH_DB")
		if path == "" {
			path = filepath.Join(os.TempDir(), fmt.Sprintf("briefbot-bench-%d.db", n))
		}
		ctx := context.Background()
		st, err := sqlite.Open(ctx, path, nil)
		if err != nil {
			benchDB.err = err
			return
		}
		defer st.Close()
		if stats, err := st.Stats(ctx); err == nil && stats.Articles >= n {
			benchDB.n, benchDB.path = stats.Articles, path
			return
		}
		svc := briefings.NewService(st, extract.New(), nil, nil)
		paras, people, countries := corpusPool(b)
		r := rand.New(rand.NewPCG(1, 2))
		start := time.Now()
		for i := 0; i < n; i++ {
			if _, err := svc.Ingest(ctx, synthArticle(r, i, paras, people, countries)); err != nil {
				benchDB.err = err
				return
			}
		}
		arts, _ := sample.Articles()
		for _, a := range arts {
			svc.Ingest(ctx, a)
		}
		benchDB.dur = time.Since(start)
		benchDB.n = n
		benchDB.path = path
	})
	if benchDB.err != nil {
		b.Fatal(benchDB.err)
	}
	return benchDB.path
}

// BenchmarkIngestSQLite measures extract + store of synthetic articles into
// a fresh SQLite database, one transaction per article.
func BenchmarkIngestSQLite(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "ingest.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := briefings.NewService(st, extract.New(), nil, nil)
	paras, people, countries := corpusPool(b)
	r := rand.New(rand.NewPCG(3, 4))
	arts := make([]briefings.Article, b.N)
	for i := range arts {
		arts[i] = synthArticle(r, i, paras, people, countries)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.Ingest(ctx, arts[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkAnswerLatency answers each subcommand against 10,000 stored
// articles and reports p50 and p99 latency (in-process: parse, query,
// compose, lay out).
func BenchmarkAnswerLatency(b *testing.B) {
	const articles = 10000
	path := buildBenchDB(b, articles)
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := briefings.NewService(st, extract.New(), nil, nil)
	router := commands.NewRouter(svc, nil, nil)
	b.Logf("database: %d articles built in %s (%.0f articles/s with extraction)", benchDB.n, benchDB.dur.Round(time.Second), float64(benchDB.n)/benchDB.dur.Seconds())
	names := []string{"adeyemi", "bauer", "diallo", "kone", "campbell", "traore"}
	cases := []struct {
		name string
		cmds []string
	}{
		{"summary", []string{"summary", "summary niger", "summary chad"}},
		{"meetings", append([]string{"meetings"}, prefixed("meetings ", names)...)},
		{"status", []string{"status", "status withdrawal", "status niger", "status mali"}},
		{"situation", prefixed("situation ", []string{"niger", "chad", "mali", "kenya", "iraq"})},
		{"timeline", []string{"timeline", "timeline niger", "timeline sudan"}},
		{"who", prefixed("who ", names)},
		{"ask", []string{`ask "what did Niger want?"`, `ask "who met in Doha?"`, `ask "when did the troops leave Mali?"`}},
		{"sources", []string{"sources"}},
		{"help", []string{"help", "help status"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				cmd := c.cmds[i%len(c.cmds)]
				start := time.Now()
				resp, err := router.Handle(ctx, commands.Request{Platform: "bench", Text: cmd})
				lat = append(lat, time.Since(start))
				if err != nil || resp.Kind == commands.KindError && !strings.Contains(resp.Text, "No ") {
					b.Fatalf("%s: %v %s", cmd, err, resp.Text)
				}
			}
			b.StopTimer()
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			p := func(q float64) float64 {
				return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(p(0.50), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
		})
	}
}

func prefixed(p string, ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = p + s
	}
	return out
}
