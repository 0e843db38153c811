package main

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/sample"
	"github.com/briefbot/briefbot/briefings/sqlite"
)

// The synthetic corpus is the one commands/bench_test.go builds for the
// answer benchmarks: corpus sentences recombined with other people's and
// countries' names and other dates, from the same seed, so that the load
// test and the benchmarks query the same kind of database.

var (
	givenNames = strings.Fields("Amina Boris Carla Daniel Elif Farid Grace Hassan Irina Jonas Karim Lena Marco Nadia Omar Paula Rafael Sara Tomas Yusuf")
	surnames   = strings.Fields("Adeyemi Bauer Castillo Diallo Evans Fofana Garcia Haddad Ivanova Jensen Kone Laurent Moreau Nkosi Okafor Petrov Quinn Rossi Sato Traore")
	countries  = strings.Fields("Niger Chad Mali Sudan Kenya Ghana Senegal Nigeria Egypt Libya Iraq Syria Jordan Turkey Poland Spain Italy Germany France Brazil")
)

// pool is what synthetic articles are made of: sentences, and the names
// of people and countries they mention (to be swapped).
type pool struct {
	sentences, people, countries []string
}

// corpusPool reads the embedded sample article and the *.txt articles in
// dir (when it exists) and extracts their sentences and names.
func corpusPool(ctx context.Context, dir string) (pool, error) {
	arts, err := sample.Articles()
	if err != nil {
		return pool{}, err
	}
	if dir != "" {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				return pool{}, fmt.Errorf("corpus: %w", err)
			}
			a, err := briefings.ParseArticle(filepath.Base(p), data)
			if err == nil {
				arts = append(arts, a)
			}
		}
	}
	x := extract.New()
	var p pool
	seenP, seenC := map[string]bool{}, map[string]bool{}
	for _, a := range arts {
		f, err := x.Extract(ctx, a)
		if err != nil {
			return pool{}, fmt.Errorf("corpus: extract %q: %w", a.Title, err)
		}
		for _, s := range f.Sentences {
			p.sentences = append(p.sentences, s.Text)
		}
		for _, e := range f.Entities {
			switch e.Kind {
			case briefings.EntityPerson:
				if !seenP[e.Name] && len(strings.Fields(e.Name)) >= 2 {
					seenP[e.Name] = true
					p.people = append(p.people, e.Name)
				}
			case briefings.EntityCountry:
				if !seenC[e.Name] && strings.Contains(strings.Join(p.sentences, " "), e.Name) {
					seenC[e.Name] = true
					p.countries = append(p.countries, e.Name)
				}
			}
		}
	}
	if len(p.sentences) == 0 {
		return pool{}, fmt.Errorf("corpus: no sentences")
	}
	sort.Strings(p.people)
	sort.Strings(p.countries)
	return p, nil
}

// synthArticle recombines pool sentences into article i, with other names
// and another date.
func (p pool) synthArticle(r *rand.Rand, i int) briefings.Article {
	n := 6 + r.IntN(7)
	var b strings.Builder
	swap := map[string]string{}
	for _, name := range p.people {
		swap[name] = givenNames[r.IntN(len(givenNames))] + " " + surnames[r.IntN(len(surnames))]
	}
	for _, c := range p.countries {
		swap[c] = countries[r.IntN(len(countries))]
	}
	for k := 0; k < n; k++ {
		s := p.sentences[r.IntN(len(p.sentences))]
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

// ensureDatabase makes path a SQLite database of at least n synthetic
// articles (and the sample article), building what is missing; a
// database built before is reused. It returns the number of articles.
func ensureDatabase(ctx context.Context, path string, n int, corpusDir string, progress func(done, total int)) (int, error) {
	st, err := sqlite.Open(ctx, path, slog.New(slog.DiscardHandler))
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer st.Close()
	stats, err := st.Stats(ctx)
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", path, err)
	}
	if stats.Articles >= n {
		return stats.Articles, nil
	}
	p, err := corpusPool(ctx, corpusDir)
	if err != nil {
		return 0, err
	}
	svc := briefings.NewService(st, extract.New(), nil, nil)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < n; i++ {
		// The generator runs from the start so that article i is always
		// the same: after an interrupted build, those already stored are
		// reported as duplicates and not stored again.
		a := p.synthArticle(r, i)
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if _, err := svc.Ingest(ctx, a); err != nil {
			return 0, fmt.Errorf("ingest synthetic article %d: %w", i, err)
		}
		if progress != nil && (i+1)%500 == 0 {
			progress(i+1, n)
		}
	}
	arts, err := sample.Articles()
	if err != nil {
		return 0, err
	}
	for _, a := range arts {
		if _, err := svc.Ingest(ctx, a); err != nil {
			return 0, fmt.Errorf("ingest the sample article: %w", err)
		}
	}
	stats, err = st.Stats(ctx)
	if err != nil {
		return 0, err
	}
	return stats.Articles, nil
}
