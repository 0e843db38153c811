package briefings

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxQueryRunes bounds a name, topic or question given to the Service.
const MaxQueryRunes = 200

// Service answers briefing questions from the Store, and ingests articles
// through the Extractor.
type Service struct {
	store Store
	x     Extractor
	clock Clock
	log   *slog.Logger
}

// NewService returns a Service. A nil clock is the system clock; a nil
// logger discards.
func NewService(store Store, x Extractor, clock Clock, logger *slog.Logger) *Service {
	if clock == nil {
		clock = SystemClock{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: store, x: x, clock: clock, log: logger}
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

func checkQuery(what, q string) (string, error) {
	q = strings.TrimSpace(q)
	if n := utf8.RuneCountInString(q); n > MaxQueryRunes {
		return "", Errorf(CodeInvalid, "that %s is %d characters long; keep it under %d", what, n, MaxQueryRunes)
	}
	return q, nil
}

// target is what a name in a question refers to.
type target struct {
	display string
	terms   []string
	entity  Entity
	found   bool
}

// resolve finds the entity a name refers to (exact name or alias first,
// then a prefix), for filtering facts by it.
func (s *Service) resolve(ctx context.Context, name string, kinds ...EntityKind) (target, error) {
	if name == "" {
		return target{}, nil
	}
	es, err := s.store.Entities(ctx, EntityQuery{Name: name, Kinds: kinds, Limit: 5})
	if err != nil {
		return target{}, fmt.Errorf("look up %q: %w", name, err)
	}
	if len(es) == 0 && utf8.RuneCountInString(name) >= 3 {
		es, err = s.store.Entities(ctx, EntityQuery{Name: name, Prefix: true, Kinds: kinds, Limit: 5})
		if err != nil {
			return target{}, fmt.Errorf("look up %q: %w", name, err)
		}
	}
	if len(es) == 0 {
		return target{display: name, terms: []string{name}}, nil
	}
	e := es[0]
	return target{display: e.Name, terms: []string{e.Name}, entity: e, found: true}, nil
}

// articles loads the articles facts come from.
func (s *Service) articles(ctx context.Context, facts []Fact) (map[string]Article, error) {
	ids := map[string]bool{}
	var list []string
	for _, f := range facts {
		if !ids[f.ArticleID] {
			ids[f.ArticleID] = true
			list = append(list, f.ArticleID)
		}
	}
	out := map[string]Article{}
	for len(list) > 0 {
		n := min(len(list), 500)
		as, err := s.store.Articles(ctx, ArticleQuery{IDs: list[:n], Limit: n, NoText: true})
		if err != nil {
			return nil, fmt.Errorf("load articles: %w", err)
		}
		for _, a := range as {
			out[a.ID] = a
		}
		list = list[n:]
	}
	return out, nil
}

func cite(a Article, quote string) Cite {
	return Cite{ArticleID: a.ID, Title: a.Title, URL: a.URL, Published: a.Published, Quote: quote}
}

// factItem turns a fact into a cited answer item.
func factItem(f Fact, arts map[string]Article) Item {
	it := Item{Label: FormatTime(f.Time), Text: Describe(f)}
	if it.Label == "" {
		if a, ok := arts[f.ArticleID]; ok && a.PublishedKnown() {
			it.Label = "reported " + a.Published.Format("2 Jan 2006")
		}
	}
	if f.Kind == FactMeeting && f.Modality == Asserted {
		for _, n := range f.Notes {
			if n != "summit" && n != "signing" {
				it.Notes = append(it.Notes, n)
			}
		}
	}
	if f.Attribution != "" {
		it.Notes = append(it.Notes, "according to "+f.Attribution)
	}
	if f.Condition != "" && f.Condition != "none" {
		it.Notes = append(it.Notes, "condition: "+f.Condition)
	}
	a := arts[f.ArticleID]
	it.Cites = append(it.Cites, cite(a, f.Evidence.Text))
	return it
}

// sourcesOf lists the articles cited by sections, newest first.
func sourcesOf(secs []Section, arts map[string]Article) []Article {
	seen := map[string]bool{}
	var out []Article
	for _, sec := range secs {
		for _, it := range sec.Items {
			for _, c := range it.Cites {
				if a, ok := arts[c.ArticleID]; ok && !seen[a.ID] {
					seen[a.ID] = true
					out = append(out, a)
				}
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Published.After(out[j].Published) })
	return out
}

// factTime is when a fact happened, else when it was reported.
func factTime(f Fact, arts map[string]Article) time.Time {
	if f.Time.Resolved() {
		return f.Time.Start
	}
	return arts[f.ArticleID].Published
}

// limitItems keeps the first n items of a section and records the rest.
func limitItems(sec Section, n int, hint string) Section {
	if len(sec.Items) > n {
		sec.More = len(sec.Items) - n
		sec.Items = sec.Items[:n]
		sec.MoreHint = hint
	}
	return sec
}

// nothingAbout is the lead of an empty answer about a name: what else is
// known, or how to add articles.
func (s *Service) nothingAbout(ctx context.Context, what string, t target) (string, error) {
	if t.display == "" {
		return fmt.Sprintf("No %s recorded yet. Add articles with `/brief ingest <url>` (admins) or `briefbot ingest FILE`.", what), nil
	}
	n, err := s.countMentions(ctx, t)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return fmt.Sprintf("No %s recorded for %s, and no fact mentions %s. Check the spelling, or see `/brief sources` for what has been read.", what, t.display, t.display), nil
	}
	next := "/brief who " + strings.ToLower(t.display)
	if t.entity.Kind == EntityCountry {
		next = "/brief situation " + strings.ToLower(t.display)
	}
	plural := "facts mention"
	if n == 1 {
		plural = "fact mentions"
	}
	more := ""
	if n >= 100 {
		more = "+"
	}
	return fmt.Sprintf("No %s recorded for %s; %d%s %s %s: %s", what, t.display, n, more, plural, t.display, next), nil
}

func (s *Service) countMentions(ctx context.Context, t target) (int, error) {
	fs, err := s.store.Facts(ctx, FactQuery{Terms: t.terms, Limit: 100, Newest: true})
	if err != nil {
		return 0, fmt.Errorf("count facts: %w", err)
	}
	return len(fs), nil
}

// Meetings answers "who met whom", optionally about one name.
func (s *Service) Meetings(ctx context.Context, name string) (Answer, error) {
	name, err := checkQuery("name", name)
	if err != nil {
		return Answer{}, err
	}
	t, err := s.resolve(ctx, name)
	if err != nil {
		return Answer{}, err
	}
	facts, err := s.store.Facts(ctx, FactQuery{Kinds: []FactKind{FactMeeting}, Terms: t.terms, Limit: 100, Newest: true})
	if err != nil {
		return Answer{}, fmt.Errorf("meetings: %w", err)
	}
	arts, err := s.articles(ctx, facts)
	if err != nil {
		return Answer{}, err
	}
	var held, other []Fact
	for _, f := range facts {
		if f.Modality == Asserted {
			held = append(held, f)
		} else {
			other = append(other, f)
		}
	}
	newestFirst(held, arts)
	ans := Answer{Kind: "meetings", Title: "Meetings"}
	if t.display != "" {
		ans.Title = "Meetings: " + t.display
	}
	sec := Section{Heading: ""}
	for _, f := range held {
		sec.Items = append(sec.Items, factItem(f, arts))
	}
	if len(held) == 0 {
		ans.Empty = true
		lead, err := s.nothingAbout(ctx, "meetings", t)
		if err != nil {
			return Answer{}, err
		}
		ans.Lead = lead
	} else {
		ans.Lead = countLead(len(held), "meeting", "meetings") + fromArticles(held)
		ans.Sections = append(ans.Sections, limitItems(sec, 15, "/brief meetings <name>"))
	}
	if len(other) > 0 {
		os := Section{Heading: "Asked for or refused"}
		for _, f := range other {
			os.Items = append(os.Items, factItem(f, arts))
		}
		ans.Sections = append(ans.Sections, limitItems(os, 5, ""))
	}
	ans.Sources = sourcesOf(ans.Sections, arts)
	return ans, nil
}

func countLead(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func fromArticles(fs []Fact) string {
	ids := map[string]bool{}
	for _, f := range fs {
		ids[f.ArticleID] = true
	}
	if len(ids) == 1 {
		return " in 1 article."
	}
	return fmt.Sprintf(" in %d articles.", len(ids))
}

func newestFirst(fs []Fact, arts map[string]Article) {
	sort.SliceStable(fs, func(i, j int) bool {
		ti, tj := factTime(fs[i], arts), factTime(fs[j], arts)
		if !ti.Equal(tj) {
			return ti.After(tj)
		}
		return fs[i].ID < fs[j].ID
	})
}

func oldestFirst(fs []Fact, arts map[string]Article) {
	sort.SliceStable(fs, func(i, j int) bool {
		ti, tj := factTime(fs[i], arts), factTime(fs[j], arts)
		if !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return fs[i].ID < fs[j].ID
	})
}

// words splits text into lower-case words, accents folded.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(FoldAccents(s)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}
