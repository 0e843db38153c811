// Package extract turns article text into facts: entities with roles and
// affiliations, meetings, agreements, withdrawals, threats and other events,
// each with its actors, place, time and the sentence that carries it.
//
// The extractor is deterministic and rule-based. Its knowledge is general
// (countries, demonyms, capitals, titles, trigger verbs), never specific to
// one article.
package extract

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot/briefings"
)

// MaxSentences bounds the sentences read from one article; longer texts are
// cut, which briefings.MaxArticleBytes makes rare.
const MaxSentences = 5000

// Extractor extracts facts from articles. It is safe for concurrent use.
type Extractor struct {
	lx *lexicon
}

// New returns an Extractor with its built-in general knowledge.
func New() *Extractor {
	return &Extractor{lx: newLexicon()}
}

// extraction is the working state for one article.
type extraction struct {
	lx       *lexicon
	art      briefings.Article
	pub      time.Time
	sents    []*sentence
	pending  []*mention
	surnames map[string][]*entity
	people   []*entity
	orgs     []*entity
	pos      int
	facts    []*briefings.Fact
	dateline string
	// datelineCountry is the country the dateline names with its city, if any.
	datelineCountry string
	// prevParties maps a sentence to the parties of the last fact before
	// it, for "the two sides" and "both parties".
	prevParties map[int][]*mention
	// fromHistory lists the places withdrawals left, in text order.
	fromHistory []string
	// detectedFroms are the places named as left, in text order, while
	// facts are being detected.
	detectedFroms []*mention
	// claim is set when the text is one claim to check, not an article:
	// facts missing a party, a stage or a place are kept as the claim
	// states them.
	claim bool
}

// Extract implements briefings.Extractor.
func (e *Extractor) Extract(ctx context.Context, a briefings.Article) (briefings.Facts, error) {
	if len(a.Text) > briefings.MaxArticleBytes {
		return briefings.Facts{}, briefings.Errorf(briefings.CodeInvalid, "article text is %d bytes; the limit is %d", len(a.Text), briefings.MaxArticleBytes)
	}
	if a.ID == "" {
		a.Hash = briefings.ContentHash(a.Text)
		a.ID = briefings.ArticleID(a.Hash)
	}
	x := &extraction{lx: e.lx, art: a, pub: a.Published, surnames: map[string][]*entity{}}
	return x.run(ctx)
}

// ExtractClaim extracts the facts a one-sentence claim states ("Chad
// ordered the US military to leave Chad"), so that they can be compared
// with an article's facts. known are the article's entities: a claim may
// name people by surname only. Facts the claim leaves incomplete (no stage,
// no second party) are kept as stated.
func (e *Extractor) ExtractClaim(ctx context.Context, text string, published time.Time, known []briefings.Entity) (briefings.Facts, error) {
	a := briefings.Article{Text: text, Published: published}
	a.Hash = briefings.ContentHash(text)
	a.ID = briefings.ArticleID(a.Hash)
	x := &extraction{lx: e.lx, art: a, pub: published, surnames: map[string][]*entity{}, claim: true}
	for _, k := range known {
		if k.Kind != briefings.EntityPerson {
			continue
		}
		words := strings.Fields(k.Name)
		toks := tokenize(k.Name)
		_ = words
		p := x.person(toks, k.Name)
		if p != nil {
			p.country = k.Country
			p.roles = append(p.roles, k.Roles...)
		}
	}
	return x.run(ctx)
}

// run extracts from x.art.
func (x *extraction) run(ctx context.Context) (briefings.Facts, error) {
	a := x.art
	x.split()
	if err := ctx.Err(); err != nil {
		return briefings.Facts{}, fmt.Errorf("extract %s: %w", a.ID, err)
	}
	// Two passes: the second knows every surname the first found, so
	// "Campbell" before "Kurt Campbell" is still a person.
	for pass := 0; pass < 2; pass++ {
		for _, p := range x.people {
			p.count, p.lastPos = 0, 0
		}
		for _, o := range x.orgs {
			o.count, o.lastPos = 0, 0
		}
		x.pos = 0
		for _, s := range x.sents {
			s.ments = nil
		}
		for _, s := range x.sents {
			x.findMentions(s)
			x.resolveMentions(s)
			for _, m := range s.ments {
				x.pos++
				if m.ent != nil {
					m.ent.lastPos = x.pos
					if !m.pronoun {
						m.ent.count++
					}
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return briefings.Facts{}, fmt.Errorf("extract %s: %w", a.ID, err)
		}
	}
	x.findDateline()
	x.anchorTimes()
	x.extractFacts()
	return x.result(), nil
}

// split cuts the body into paragraphs, sentences and tokens.
func (x *extraction) split() {
	for pi, para := range strings.Split(x.art.Text, "\n") {
		for _, r := range splitSentences(para) {
			text := strings.TrimSpace(para[r[0]:r[1]])
			if text == "" {
				continue
			}
			if len(x.sents) >= MaxSentences {
				return
			}
			s := &sentence{idx: len(x.sents), para: pi, text: text}
			s.toks = tokenize(text)
			s.lowText = lower(text)
			s.times = findTimes(s.toks, x.pub)
			x.sents = append(x.sents, s)
		}
	}
}

// resolveMentions fills in what definite descriptions refer to: "the
// government" is the government last named, "both countries" the last two
// countries.
func (x *extraction) resolveMentions(s *sentence) {
	for _, m := range s.ments {
		if m.kind != mGroup || m.country != "" || m.name != "" {
			continue
		}
		// Only definite descriptions refer back ("the government", "these
		// countries"); "several countries" names new ones.
		lt := lower(m.text)
		if !(strings.HasPrefix(lt, "the ") || strings.HasPrefix(lt, "these ") || strings.HasPrefix(lt, "those ") || strings.HasPrefix(lt, "this ") || strings.HasPrefix(lt, "that ")) {
			continue
		}
		// The same kind of body named before.
		if prev := x.prevGroup(s, m); prev != nil {
			m.country, m.countries, m.name = prev.country, prev.countries, prev.name
			m.pronoun = true
			continue
		}
		if m.role == "junta" || m.role == "government" || m.role == "army" || m.role == "military" || m.role == "regime" || m.role == "authorities" {
			if c := x.salientCountryBefore(s, m.start); c != "" {
				m.country, m.countries = c, []string{c}
				m.pronoun = true
			}
		}
	}
}

func (x *extraction) prevGroup(s *sentence, m *mention) *mention {
	check := func(ms []*mention, before int) *mention {
		for k := len(ms) - 1; k >= 0; k-- {
			p := ms[k]
			if p == m || p.start >= before {
				continue
			}
			if p.kind == mGroup && p.role == m.role && (p.country != "" || p.name != "") {
				return p
			}
		}
		return nil
	}
	if p := check(s.ments, m.start); p != nil {
		return p
	}
	for si := s.idx - 1; si >= 0; si-- {
		if p := check(x.sents[si].ments, 1<<30); p != nil {
			return p
		}
	}
	return nil
}

// salientCountryBefore is the last country named before token i of s, or
// in the sentences before it.
func (x *extraction) salientCountryBefore(s *sentence, i int) string {
	best := ""
	for _, m := range s.ments {
		if m.start >= i {
			break
		}
		if m.kind == mCountry || m.kind == mDemonym {
			best = m.country
		}
	}
	if best != "" {
		return best
	}
	for si := s.idx - 1; si >= 0; si-- {
		ms := x.sents[si].ments
		for k := len(ms) - 1; k >= 0; k-- {
			if ms[k].kind == mCountry || ms[k].kind == mDemonym {
				return ms[k].country
			}
		}
	}
	return ""
}

// findDateline notes a dateline ("WASHINGTON:", "Doha, Feb 29:"): the
// place the report was filed from, which is not where events happened.
func (x *extraction) findDateline() {
	if len(x.sents) == 0 {
		return
	}
	s := x.sents[0]
	for i, t := range s.toks {
		if i > 9 {
			break
		}
		if t.low == ":" || t.low == "-" || t.low == "—" || t.low == "–" {
			for _, m := range s.ments {
				if m.end > i || m.start != 0 {
					continue
				}
				switch {
				case m.kind == mCapital || m.kind == mCity || m.kind == mCountry:
				case m.end == 1 && isUpperWord(s.toks[0].text) && m.end+1 < i && s.toks[1].low == ",":
					// "ANTALYA, Turkey, March 10 —": a city the gazetteer
					// does not know, in the country that follows.
					m.name = titleWord(s.toks[0].text)
					if c := mentionStartingAt(s.ments, 2); c != nil && c.kind == mCountry {
						m.country = c.country
					}
				default:
					continue
				}
				x.dateline, x.datelineCountry = m.name, m.country
				m.kind = mCity
				m.role = "dateline"
			}
			return
		}
	}
}

// isUpperWord reports a word of capitals only ("ANTALYA").
func isUpperWord(w string) bool {
	letters := 0
	for _, r := range w {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 3
}

// titleWord writes a capitalized word in title case ("ANTALYA" → "Antalya").
func titleWord(w string) string {
	rs := []rune(strings.ToLower(w))
	if len(rs) > 0 {
		rs[0] = unicode.ToUpper(rs[0])
	}
	return string(rs)
}

// anchorTimes resolves expressions that depend on other dates: "today"
// inside a quotation takes the day of the last dated past event; "hours
// after" takes the day of the nearest dated event.
func (x *extraction) anchorTimes() {
	lastPast := time.Time{}
	for _, s := range x.sents {
		for k := range s.times {
			tx := &s.times[k]
			if tx.quotedToday && !lastPast.IsZero() {
				r := dayRef(lastPast)
				r.Note = "inside a quotation: the day the words were spoken"
				tx.ref = r
			}
			if tx.anchorRel {
				if t, ok := x.nearestDay(s.idx); ok {
					r := dayRef(t)
					r.Note = "hours from the nearest dated event"
					tx.ref = r
				} else {
					tx.ref = briefings.TimeRef{Precision: briefings.PrecisionUnknown, Note: "no dated event to count the hours from"}
				}
			}
		}
		for _, tx := range s.times {
			if tx.kind == tPoint && tx.ref.Precision == briefings.PrecisionDay && tx.ref.Resolved() && !tx.ref.Start.After(x.pub) && !tx.quotedToday {
				lastPast = tx.ref.Start
			}
		}
	}
}

// nearestDay returns the day of the dated event nearest to sentence idx
// (earlier sentences first at equal distance).
func (x *extraction) nearestDay(idx int) (time.Time, bool) {
	for d := 0; d < len(x.sents); d++ {
		for _, si := range []int{idx - d, idx + d} {
			if si < 0 || si >= len(x.sents) {
				continue
			}
			for _, tx := range x.sents[si].times {
				if tx.kind == tPoint && tx.ref.Precision == briefings.PrecisionDay && tx.ref.Resolved() && !tx.anchorRel {
					return tx.ref.Start, true
				}
			}
		}
	}
	return time.Time{}, false
}

// result assembles the Facts.
func (x *extraction) result() briefings.Facts {
	out := briefings.Facts{ArticleID: x.art.ID}
	for _, s := range x.sents {
		out.Sentences = append(out.Sentences, briefings.Sentence{Index: s.idx, Text: s.text, Paragraph: s.para})
	}
	out.Entities = x.entities()
	for i, f := range x.facts {
		f.ID = fmt.Sprintf("%s-%03d", x.art.ID, i)
		f.ArticleID = x.art.ID
		f.Evidence.ArticleID = x.art.ID
		for k := range f.Support {
			f.Support[k].ArticleID = x.art.ID
		}
		out.Facts = append(out.Facts, *f)
	}
	out.Dates = x.dates()
	return out
}

// dates lists the time expressions, each once: "72 hours" and "within 72
// hours" with the same value are one expression.
func (x *extraction) dates() []briefings.TimeRef {
	var out []briefings.TimeRef
	seen := map[string]bool{}
	for _, s := range x.sents {
		for _, tx := range s.times {
			r := tx.ref
			r.Text = joinText(s.text, s.toks[tx.start:tx.end])
			r.Sentence = s.idx
			key := coreTimeText(r.Text) + "|" + r.Value
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, r)
		}
	}
	return out
}

// coreTimeText strips leading prepositions: "on Friday" and "Friday" are one
// expression.
func coreTimeText(s string) string {
	s = lower(s)
	for {
		w, rest, ok := strings.Cut(s, " ")
		if !ok {
			return s
		}
		switch w {
		case "on", "by", "in", "since", "until", "no", "later", "than", "within", "before", "after", "throughout", "at", "from":
			s = rest
			continue
		}
		return s
	}
}

// entities lists people, organizations, countries and places named.
func (x *extraction) entities() []briefings.Entity {
	byID := map[string]*briefings.Entity{}
	var order []string
	add := func(name string, kind briefings.EntityKind, country string, alias string, roles []briefings.Role) {
		if name == "" {
			return
		}
		id := string(kind) + ":" + briefings.Slug(name)
		e, ok := byID[id]
		if !ok {
			e = &briefings.Entity{ID: id, Name: name, Kind: kind, Country: country}
			byID[id] = e
			order = append(order, id)
		}
		e.Mentions++
		if alias != "" && alias != name && !contains(e.Aliases, alias) {
			e.Aliases = append(e.Aliases, alias)
		}
		for _, r := range roles {
			if !containsRole(e.Roles, r) {
				e.Roles = append(e.Roles, r)
			}
		}
		if e.Country == "" {
			e.Country = country
		}
	}
	for _, s := range x.sents {
		for _, m := range s.ments {
			if m.pronoun {
				continue
			}
			switch m.kind {
			case mPerson:
				if m.ent != nil {
					add(m.ent.name, briefings.EntityPerson, m.ent.country, m.text, m.ent.roles)
				}
			case mOrg:
				add(m.name, briefings.EntityOrganization, m.country, m.text, nil)
			case mCountry:
				add(m.name, briefings.EntityCountry, m.country, m.text, nil)
			case mDemonym:
				add(m.name, briefings.EntityCountry, m.country, m.text, nil)
			case mCapital:
				if m.role == "government" {
					add(m.country, briefings.EntityCountry, m.country, m.text, nil)
				} else {
					add(m.name, briefings.EntityPlace, m.country, m.text, nil)
				}
			case mCity, mRegion:
				add(m.name, briefings.EntityPlace, m.country, m.text, nil)
			}
		}
	}
	out := make([]briefings.Entity, 0, len(order))
	for _, id := range order {
		e := byID[id]
		// People keep every alias the text used.
		for _, p := range x.people {
			if string(briefings.EntityPerson)+":"+briefings.Slug(p.name) == id {
				for a := range p.aliases {
					if a != e.Name && !contains(e.Aliases, a) {
						e.Aliases = append(e.Aliases, a)
					}
				}
			}
		}
		sort.Strings(e.Aliases)
		out = append(out, *e)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func containsRole(list []briefings.Role, r briefings.Role) bool {
	for _, v := range list {
		if strings.EqualFold(v.Title, r.Title) {
			return true
		}
	}
	return false
}
