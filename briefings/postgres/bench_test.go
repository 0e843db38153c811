package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/postgres/pgtest"
)

// The generator and the query list are the SQLite store's benchmarks'
// (briefings/sqlite/bench_test.go), so that the figures of the two stores
// compare.

// The benchmarks run on synthetic articles: invented people, real country
// names, template sentences. Each article has 12 sentences, 15 facts (one in
// ten tracks a status) and 8 entities, like a real extraction of a news
// story. The generator is deterministic.

// benchWords are the vocabulary of the synthetic articles.
type benchWords struct {
	countries, first, last, orgs, places, roles, verbs, nouns, stages []string
}

func newBenchWords() benchWords {
	return benchWords{
		countries: []string{"Niger", "Chad", "Mali", "France", "United States", "Germany", "Nigeria", "Ghana",
			"Senegal", "Sudan", "Egypt", "Kenya", "Ethiopia", "Russia", "China", "India", "Brazil", "Japan", "Turkey",
			"Qatar", "Iraq", "Iran", "Poland", "Ukraine", "Canada", "Mexico", "Peru", "Chile", "Spain", "Italy",
			"Algeria", "Morocco", "Libya", "Tunisia", "Benin", "Togo", "Cameroon", "Gabon", "Angola", "Zambia"},
		first: []string{"Ana", "Tomas", "Zoë", "Ali", "Kurt", "Maria", "John", "Fatou", "Ibrahim", "Li",
			"Olga", "Pierre", "Amina", "Hassan", "Elena", "Kofi", "Yuki", "Rafael", "Sara", "Omar"},
		last: []string{"Ribeiro", "Ekberg", "Marchand", "Diallo", "Campbell", "Novak", "Okafor", "Traoré",
			"Schmidt", "Wang", "Petrova", "Dubois", "Mensah", "Haddad", "Rossi", "Sato", "Silva", "Khan", "Moreau", "Keller"},
		orgs: []string{"African Union", "ECOWAS", "United Nations", "European Union", "NATO", "Arab League",
			"World Bank", "Red Cross", "Sahel Alliance", "Gulf Council"},
		places: []string{"Niamey", "N'Djamena", "Bamako", "Paris", "Washington", "Berlin", "Abuja", "Accra",
			"Dakar", "Khartoum", "Cairo", "Nairobi", "Doha", "Geneva", "Brussels", "Addis Ababa"},
		roles: []string{"Prime Minister", "Foreign Minister", "Defence Minister", "Envoy", "President",
			"Deputy Secretary of State", "Ambassador", "Spokesperson"},
		verbs: []string{"met", "called", "warned", "urged", "thanked", "criticised", "visited", "welcomed"},
		nouns: []string{"troops", "talks", "agreement", "ceasefire", "aid", "sanctions", "elections",
			"border", "base", "mission", "exports", "refugees", "loan", "pipeline", "summit"},
		stages: []string{briefings.StageDemanded, briefings.StageAgreed, briefings.StagePlanned,
			briefings.StageUnderWay, briefings.StageCompleted},
	}
}

type benchPerson struct{ name, role, country string }

// benchPeople are 400 people, each with a fixed role and country.
func benchPeople(w benchWords) []benchPerson {
	out := make([]benchPerson, 0, len(w.first)*len(w.last))
	i := 0
	for _, f := range w.first {
		for _, l := range w.last {
			out = append(out, benchPerson{f + " " + l, w.roles[i%len(w.roles)], w.countries[(i*7)%len(w.countries)]})
			i++
		}
	}
	return out
}

type benchArticle struct {
	a briefings.Article
	f briefings.Facts
}

// benchGen makes synthetic articles deterministically.
type benchGen struct {
	rng    *rand.Rand
	w      benchWords
	people []benchPerson
	start  time.Time
}

func newBenchGen(seed uint64) *benchGen {
	w := newBenchWords()
	return &benchGen{rng: rand.New(rand.NewPCG(seed, 7)), w: w, people: benchPeople(w), start: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (g *benchGen) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func slug(s string) string { return briefings.Slug(s) }

func (g *benchGen) personParty(p benchPerson) briefings.Party {
	return briefings.Party{Name: p.name, Kind: briefings.EntityPerson, Role: p.role, Country: p.country, Entity: "person:" + slug(p.name)}
}

func countryParty(c string) briefings.Party {
	return briefings.Party{Name: c, Kind: briefings.EntityCountry, Entity: "country:" + slug(c)}
}

// article i: published about every 7 hours over eight years.
func (g *benchGen) article(i int) benchArticle {
	pub := g.start.Add(time.Duration(i) * 7 * time.Hour).Truncate(24 * time.Hour)
	ps := make([]benchPerson, 4)
	for j := range ps {
		ps[j] = g.people[g.rng.IntN(len(g.people))]
	}
	cs := []string{g.pick(g.w.countries), g.pick(g.w.countries), g.pick(g.w.countries)}
	org := g.pick(g.w.orgs)
	place := g.pick(g.w.places)

	sents := make([]briefings.Sentence, 12)
	var text strings.Builder
	for j := range sents {
		a, b := ps[j%4], ps[(j+1)%4]
		var s string
		switch j % 4 {
		case 0:
			s = fmt.Sprintf("%s %s %s %s in %s on day %d of dispatch %d.", a.role, a.name, g.pick(g.w.verbs), b.name, place, j, i)
		case 1:
			s = fmt.Sprintf("%s said the %s with %s would continue, according to %s.", cs[0], g.pick(g.w.nouns), cs[1], org)
		case 2:
			s = fmt.Sprintf("Officials in %s discussed %s and %s after the meeting.", cs[2], g.pick(g.w.nouns), g.pick(g.w.nouns))
		default:
			s = fmt.Sprintf("%s told reporters that %s had %s the %s.", b.name, cs[1], g.pick(g.w.verbs), g.pick(g.w.nouns))
		}
		sents[j] = briefings.Sentence{Index: j, Text: s, Paragraph: j / 4}
		if j > 0 {
			text.WriteString(" ")
			if j%4 == 0 {
				text.WriteString("\n")
			}
		}
		text.WriteString(s)
	}

	id := briefings.ArticleID(briefings.ContentHash(text.String()))
	facts := make([]briefings.Fact, 15)
	for j := range facts {
		kinds := briefings.FactKinds()
		kind := kinds[g.rng.IntN(len(kinds))]
		actor, counter := g.personParty(ps[j%4]), g.personParty(ps[(j+1)%4])
		f := briefings.Fact{Kind: kind, Actors: []briefings.Party{actor}, Counterparts: []briefings.Party{counter}, Place: place,
			Summary:  fmt.Sprintf("%s %s %s", actor.Name, kind, counter.Name),
			Evidence: briefings.Evidence{ArticleID: id, Sentence: j % 12, Text: sents[j%12].Text},
			Mentions: []string{actor.Name, counter.Name, cs[0], cs[1]}, Confidence: 0.8}
		if g.rng.IntN(10) < 7 {
			d := pub.AddDate(0, 0, -g.rng.IntN(7))
			f.Time = briefings.TimeRef{Text: "on " + d.Weekday().String(), Value: d.Format("2006-01-02"), Precision: briefings.PrecisionDay,
				Start: d, End: d, Sentence: j % 12}
		}
		if j == 0 { // one tracked process per article: 40×39 possible keys
			f.Kind = briefings.FactWithdrawal
			a, b := cs[0], cs[1]
			if a == b {
				b = g.w.countries[(slices.Index(g.w.countries, a)+1)%len(g.w.countries)]
			}
			f.Actors, f.Counterparts = []briefings.Party{countryParty(a)}, []briefings.Party{countryParty(b)}
			f.Status, f.Force = g.w.stages[g.rng.IntN(len(g.w.stages))], "military"
		}
		facts[j] = f
	}
	ents := make([]briefings.Entity, 0, 8)
	for _, p := range ps {
		last := p.name[strings.LastIndexByte(p.name, ' ')+1:]
		ents = append(ents, briefings.Entity{ID: "person:" + slug(p.name), Name: p.name, Kind: briefings.EntityPerson,
			Aliases: []string{last}, Roles: []briefings.Role{{Title: p.role, Affiliation: p.country}}, Country: p.country, Mentions: 2})
	}
	for _, c := range cs {
		ents = append(ents, briefings.Entity{ID: "country:" + slug(c), Name: c, Kind: briefings.EntityCountry, Mentions: 1})
	}
	ents = append(ents, briefings.Entity{ID: "organization:" + slug(org), Name: org, Kind: briefings.EntityOrganization, Mentions: 1})
	return benchArticle{
		a: briefings.Article{Title: fmt.Sprintf("Dispatch %d", i), Source: "synthetic", URL: fmt.Sprintf("https://example.test/%d", i),
			Published: pub, Ingested: g.start.Add(time.Duration(i) * time.Minute), Text: text.String(), Story: fmt.Sprintf("story-%d", i%200)},
		f: briefings.Facts{ArticleID: id, Sentences: sents, Entities: ents, Facts: facts},
	}
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

	for _, q := range benchQueryList(s, g, arts[0].f.ArticleID) {
		b.Run(q.name, func(b *testing.B) {
			if n, err := q.run(); err != nil || n == 0 {
				b.Fatalf("%s: %d results, %v", q.name, n, err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if _, err := q.run(); err != nil {
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

// benchQuery is one read the query benchmark times.
type benchQuery struct {
	name string
	run  func() (int, error)
}

// benchQueryList lists the reads a briefing answer makes, on the synthetic
// data of g.
func benchQueryList(s *Store, g *benchGen, firstID string) []benchQuery {
	ctx := context.Background()
	recent := g.start.Add(time.Duration(benchArticles-50) * time.Minute)
	return []benchQuery{
		{"Facts/all", func() (int, error) { r, err := s.Facts(ctx, briefings.FactQuery{}); return len(r), err }},
		{"Facts/kind", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting}})
			return len(r), err
		}},
		{"Facts/kinds", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting, briefings.FactAgreement, briefings.FactThreat}})
			return len(r), err
		}},
		{"Facts/term-country", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"chad"}})
			return len(r), err
		}},
		{"Facts/term-person", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"Kurt Campbell"}})
			return len(r), err
		}},
		{"Facts/term-country-newest-100", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"chad"}, Newest: true, Limit: 100})
			return len(r), err
		}},
		{"Facts/all-newest-100", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Newest: true, Limit: 100})
			return len(r), err
		}},
		{"Facts/kind+term", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting}, Terms: []string{"Kurt Campbell", "Campbell"}})
			return len(r), err
		}},
		{"Facts/kind+2terms-limit20", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactWithdrawal}, Terms: []string{"niger", "chad"}, Limit: 20})
			return len(r), err
		}},
		{"Facts/story", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Story: "story-42"})
			return len(r), err
		}},
		{"Facts/article", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{ArticleIDs: []string{firstID}})
			return len(r), err
		}},
		{"Facts/ingested-after", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{IngestedAfter: recent})
			return len(r), err
		}},
		{"Statuses/all", func() (int, error) { r, err := s.Statuses(ctx, briefings.StatusQuery{}); return len(r), err }},
		{"Statuses/term", func() (int, error) {
			r, err := s.Statuses(ctx, briefings.StatusQuery{Terms: []string{"withdrawal niger"}})
			return len(r), err
		}},
		{"Statuses/changed-after", func() (int, error) {
			r, err := s.Statuses(ctx, briefings.StatusQuery{ChangedAfter: recent})
			return len(r), err
		}},
		{"SearchSentences/rare", func() (int, error) {
			r, err := s.SearchSentences(ctx, []string{"dispatch 4242"}, 10)
			return len(r), err
		}},
		{"SearchSentences/common", func() (int, error) {
			r, err := s.SearchSentences(ctx, []string{"what did Niger want from the talks?"}, 10)
			return len(r), err
		}},
		{"Entities/exact", func() (int, error) {
			r, err := s.Entities(ctx, briefings.EntityQuery{Name: "campbell"})
			return len(r), err
		}},
		{"Entities/prefix", func() (int, error) {
			r, err := s.Entities(ctx, briefings.EntityQuery{Name: "ke", Prefix: true, Limit: 25})
			return len(r), err
		}},
		{"Entities/top", func() (int, error) { r, err := s.Entities(ctx, briefings.EntityQuery{Limit: 10}); return len(r), err }},
		{"Articles/recent", func() (int, error) { r, err := s.Articles(ctx, briefings.ArticleQuery{Limit: 20}); return len(r), err }},
		{"Stats", func() (int, error) { _, err := s.Stats(ctx); return 1, err }},
	}
}

// benchSubscriptions creates n subscriptions and returns their ids.
func benchSubscriptions(b *testing.B, s *Store, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		sub, _, err := s.PutSubscription(context.Background(), briefings.Subscription{Platform: "slack", Workspace: "T1",
			Channel: fmt.Sprint("C", i), Hour: 8, Zone: "UTC", Days: []int{1, 2, 3, 4, 5}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = sub.ID
	}
	return ids
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
		subs := benchSubscriptions(b, s, 1000)
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
		subs := benchSubscriptions(b, s, 1000)
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
			subs := benchSubscriptions(b, stores[0], 1000)
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
