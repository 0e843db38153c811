package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

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

// Synthetic makes the articles of the store benchmarks deterministically:
// invented people, real country names, template sentences. Each article has
// 12 sentences, 15 facts (the first tracks a status) and 8 entities, like a
// real extraction of a news story.
type Synthetic struct {
	rng    *rand.Rand
	w      benchWords
	people []benchPerson
	start  time.Time
}

// NewSynthetic returns a generator; the same seed gives the same articles.
func NewSynthetic(seed uint64) *Synthetic {
	w := newBenchWords()
	return &Synthetic{rng: rand.New(rand.NewPCG(seed, 7)), w: w, people: benchPeople(w), start: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (g *Synthetic) pick(s []string) string { return s[g.rng.IntN(len(s))] }

func (g *Synthetic) personParty(p benchPerson) briefings.Party {
	return briefings.Party{Name: p.name, Kind: briefings.EntityPerson, Role: p.role, Country: p.country, Entity: "person:" + briefings.Slug(p.name)}
}

func countryParty(c string) briefings.Party {
	return briefings.Party{Name: c, Kind: briefings.EntityCountry, Entity: "country:" + briefings.Slug(c)}
}

// Start is when the first article was stored; article i is stored i
// minutes later.
func (g *Synthetic) Start() time.Time { return g.start }

// Article returns article i and its extraction: published about every 7
// hours over eight years.
func (g *Synthetic) Article(i int) (briefings.Article, briefings.Facts) {
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
		ents = append(ents, briefings.Entity{ID: "person:" + briefings.Slug(p.name), Name: p.name, Kind: briefings.EntityPerson,
			Aliases: []string{last}, Roles: []briefings.Role{{Title: p.role, Affiliation: p.country}}, Country: p.country, Mentions: 2})
	}
	for _, c := range cs {
		ents = append(ents, briefings.Entity{ID: "country:" + briefings.Slug(c), Name: c, Kind: briefings.EntityCountry, Mentions: 1})
	}
	ents = append(ents, briefings.Entity{ID: "organization:" + briefings.Slug(org), Name: org, Kind: briefings.EntityOrganization, Mentions: 1})
	return briefings.Article{Title: fmt.Sprintf("Dispatch %d", i), Source: "synthetic", URL: fmt.Sprintf("https://example.test/%d", i),
			Published: pub, Ingested: g.start.Add(time.Duration(i) * time.Minute), Text: text.String(), Story: fmt.Sprintf("story-%d", i%200)},
		briefings.Facts{ArticleID: id, Sentences: sents, Entities: ents, Facts: facts}
}
