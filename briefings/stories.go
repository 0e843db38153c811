package briefings

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// How articles cluster into stories.
//
// An article's story keys are the countries, organizations and people that
// its facts are about: every entity of those kinds that is a party to one
// of its facts or named in a fact's sentence, scored
//
//	mentions in the article + 2 per fact it is a party to + 1 per other fact naming it
//
// and the StoryKeys best kept, highest score first, folded as the stores
// fold names. Places are left out: a dateline or a capital says where the
// news was written, not what it is about.
//
// The article then looks for a story with MatchStories: stories sharing a
// key whose date range comes within StoryWindow of the article's
// publication date (its ingestion date when the publication is unknown).
// Follow-ups can come more than a year after the first report (the Doha
// agreement of February 2020 and the withdrawal it set up, announced in
// April 2021), so the window is 15 months on either side.
//
// The overlap of an article and a story is a weighted Jaccard index: each
// side weighs its keys by rank (1, 1/2, 1/3, …; the article's by score, the
// story's in the order it keeps them, the first article's keys first, and
// only its first 2×StoryKeys), and the index is Σ min / Σ max over the keys
// of both. Ranks make the main parties count: two articles that share
// their two main parties overlap strongly even when the rest differs, while
// two articles that each mention the other's main party once in passing
// (Chad and France in a US–Niger article; Niger in a Chad–France one) do
// not. The article joins the best story with StoryJoinOverlap or more and
// at least StoryMinShared shared keys; otherwise it starts a story.
//
// A new story is titled by the parties of the article's main fact and its
// kind ("US–Niger withdrawal", "Chad–France agreement ended"); its id is
// the title's slug and the article's date ("us-niger-withdrawal-2024-04-20"),
// stable across stores and replicas. Two articles starting a story with the
// same title on the same day share it. An article whose facts name no
// country, organization or person belongs to no story.
const (
	// StoryKeys is how many keys an article contributes.
	StoryKeys = 6
	// StoryWindow is how far from a story's date range an article may be
	// and still join it.
	StoryWindow = 456 * 24 * time.Hour
	// StoryJoinOverlap is the weighted Jaccard index an article needs to
	// join a story.
	StoryJoinOverlap = 0.34
	// StoryMinShared is the number of keys an article must share with a
	// story to join it.
	StoryMinShared = 2
	// storyCandidates bounds the stories MatchStories returns per article.
	storyCandidates = 20
	// maxStoryTitleRunes bounds a story title.
	maxStoryTitleRunes = 100
)

// StoryKey is an entity an article is about, with its score.
type StoryKey struct {
	// Name is the entity's canonical name; Key is the name folded as the
	// stores fold story keys.
	Name, Key string
	Kind      EntityKind
	// Short is the name used in story titles: "US", "ECOWAS", a surname.
	Short string
	// Country is the country of a person or organization, when known.
	Country string
	Score   float64
}

// ArticleStoryKeys returns the entities an article's facts are about, best
// first, at most StoryKeys (see the package's story rules above).
func ArticleStoryKeys(f Facts) []StoryKey {
	type cand struct {
		e                StoryKey
		party, mentioned int
		mentions         int
		order            int
	}
	byName := map[string]*cand{}
	var order []*cand
	for _, e := range f.Entities {
		switch e.Kind {
		case EntityCountry, EntityOrganization, EntityPerson:
		default:
			continue
		}
		k := FoldName(e.Name)
		if k == "" || byName[k] != nil {
			continue
		}
		c := &cand{e: StoryKey{Name: e.Name, Key: k, Kind: e.Kind, Short: storyShortName(e), Country: e.Country}, mentions: e.Mentions, order: len(order)}
		byName[k] = c
		order = append(order, c)
		for _, a := range e.Aliases {
			if ak := FoldName(a); ak != "" && byName[ak] == nil {
				byName[ak] = c
			}
		}
	}
	for _, fact := range f.Facts {
		if fact.Modality == Negated {
			continue
		}
		seen := map[*cand]bool{}
		for _, p := range fact.Parties() {
			for _, n := range []string{p.Key(), p.Name} {
				if c := byName[FoldName(n)]; c != nil && !seen[c] {
					seen[c] = true
					c.party++
					break
				}
			}
		}
		// A person or body stands for their country too: "Solberg met
		// Virtanen" is about Norway and Finland.
		for _, p := range fact.Parties() {
			if p.Country == "" {
				continue
			}
			if c := byName[FoldName(p.Country)]; c != nil && !seen[c] {
				seen[c] = true
				c.mentioned++
			}
		}
		for _, m := range fact.Mentions {
			if c := byName[FoldName(m)]; c != nil && !seen[c] {
				seen[c] = true
				c.mentioned++
			}
		}
	}
	var out []StoryKey
	for _, c := range order {
		if c.party+c.mentioned == 0 {
			continue
		}
		c.e.Score = float64(max(c.mentions, 1) + 2*c.party + c.mentioned)
		if c.e.Kind == EntityPerson {
			// People say who acted; the countries and bodies say what the
			// story is about, and rank first (a president named ten times
			// does not outweigh his country).
			c.e.Score /= 2
		}
		out = append(out, c.e)
	}
	slices.SortStableFunc(out, func(a, b StoryKey) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	if len(out) > StoryKeys {
		out = out[:StoryKeys]
	}
	return out
}

// storyShortName is how a title names an entity: "US" for the United
// States, an organization's acronym, a person's surname.
func storyShortName(e Entity) string {
	switch e.Kind {
	case EntityCountry:
		return ShortName(e.Name)
	case EntityPerson:
		return lastWord(e.Name)
	case EntityOrganization:
		if utf8.RuneCountInString(e.Name) <= 16 {
			return e.Name
		}
		best := ""
		for _, a := range e.Aliases {
			if isAcronym(a) && (best == "" || len(a) < len(best)) {
				best = a
			}
		}
		if best != "" {
			return best
		}
	}
	return e.Name
}

func isAcronym(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 8 {
		return false
	}
	for _, r := range s {
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// storyOverlap is the weighted Jaccard index of an article's keys (best
// first) and a story's keys (in the order the story keeps them), each
// weighted by rank, and the number of keys they share.
func storyOverlap(article []string, story []string) (float64, int) {
	story = story[:min(len(story), 2*StoryKeys)]
	wa := make(map[string]float64, len(article))
	for i, k := range article {
		if _, ok := wa[k]; !ok {
			wa[k] = 1 / float64(i+1)
		}
	}
	ws := make(map[string]float64, len(story))
	for i, k := range story {
		if _, ok := ws[k]; !ok {
			ws[k] = 1 / float64(i+1)
		}
	}
	var num, den float64
	shared := 0
	for k, a := range wa {
		s, ok := ws[k]
		if ok {
			shared++
		}
		num += math.Min(a, s)
		den += math.Max(a, s)
	}
	for k, s := range ws {
		if _, ok := wa[k]; !ok {
			den += s
		}
	}
	if den == 0 {
		return 0, 0
	}
	return num / den, shared
}

// storyFor picks an article's story: the stored story it joins, or a new
// one. ok is false when the article's facts name nobody to cluster on.
// The returned story is what PutStory should merge once the article is
// stored: the article's keys, its date as the range and one article.
func (s *Service) storyFor(ctx context.Context, a Article, f Facts) (Story, bool, error) {
	keys := ArticleStoryKeys(f)
	if len(keys) == 0 {
		return Story{}, false, nil
	}
	folded := make([]string, len(keys))
	for i, k := range keys {
		folded[i] = k.Key
	}
	around := a.Published
	if around.IsZero() {
		around = a.Ingested
	}
	st := Story{Keys: folded, First: around, Last: around, Articles: 1}
	matches, err := s.store.MatchStories(ctx, folded, around, StoryWindow, storyCandidates)
	if err != nil {
		return Story{}, false, fmt.Errorf("match stories: %w", err)
	}
	best, bestOverlap := -1, 0.0
	for i, m := range matches {
		o, shared := storyOverlap(folded, FoldNames(m.Story.Keys))
		s.log.DebugContext(ctx, "story candidate", "article", a.Title, "story", m.Story.ID, "overlap", o, "shared", shared)
		if shared >= StoryMinShared && o >= StoryJoinOverlap && o > bestOverlap {
			best, bestOverlap = i, o
		}
	}
	if best >= 0 {
		st.ID, st.Title = matches[best].Story.ID, matches[best].Story.Title
		return st, true, nil
	}
	st.Title = storyTitle(keys, f)
	st.ID = storyID(st.Title, around)
	return st, true, nil
}

// storyID is a story's stable id: the title's slug and the first
// article's date.
func storyID(title string, first time.Time) string {
	slug := Slug(title)
	if len(slug) > 120 {
		slug = strings.TrimRight(slug[:120], "-")
	}
	if slug == "" {
		slug = "story"
	}
	return slug + "-" + first.UTC().Format("2006-01-02")
}

// storyTitle names a new story after its first article: the two parties
// of the article's main fact and the fact's kind ("US–Niger withdrawal").
// The main fact is the one whose kind weighs most (as in a briefing) times
// the scores of its parties, countries counting a quarter more; a person
// is named by their country when it is known and differs from the other
// party's.
func storyTitle(keys []StoryKey, f Facts) string {
	top := keys[0].Score
	byKey := map[string]StoryKey{}
	for _, k := range keys {
		byKey[k.Key] = k
	}
	weight := func(k StoryKey) float64 {
		w := k.Score / top
		switch k.Kind {
		case EntityCountry:
			w *= 1.25
		case EntityPerson:
			w *= 2 // undo the halving that ranks people after places and bodies
		}
		return w
	}
	// best returns the best-scored key among parties.
	best := func(ps []Party) (StoryKey, bool) {
		var out StoryKey
		found := false
		for _, p := range ps {
			for _, n := range []string{p.Key(), p.Name} {
				if k, ok := byKey[FoldName(n)]; ok {
					if !found || k.Score > out.Score {
						if k.Country == "" {
							k.Country = p.Country
						}
						out, found = k, true
					}
					break
				}
			}
		}
		return out, found
	}
	var main *Fact
	var actor, counter StoryKey
	bestScore := 0.0
	for i := range f.Facts {
		fact := &f.Facts[i]
		if fact.Modality == Negated || fact.Modality == Requested {
			continue
		}
		a, okA := best(fact.Actors)
		c, okC := best(fact.Counterparts)
		if okA && okC && a.Key == c.Key {
			okC = false
		}
		if !okA {
			a, okA, c, okC = c, okC, StoryKey{}, false
		}
		if !okA {
			continue
		}
		w := weight(a)
		if okC {
			w += weight(c)
		}
		sc := kindWeight(fact.Kind) * w
		if fact.Modality != Asserted {
			sc *= 0.6
		}
		if sc > bestScore {
			bestScore, main, actor, counter = sc, fact, a, c
		}
	}
	label := "news"
	if main == nil {
		actor = keys[0]
	} else {
		label = storyLabel(*main)
	}
	if counter.Key == "" {
		for _, k := range keys {
			if k.Key != actor.Key {
				counter = k
				break
			}
		}
	}
	title := storyName(actor)
	if counter.Key != "" {
		an, cn := title, storyName(counter)
		if an == cn {
			an, cn = actor.Short, counter.Short
		}
		title = an + "–" + cn
	}
	title += " " + label
	if r := []rune(title); len(r) > maxStoryTitleRunes {
		title = string(r[:maxStoryTitleRunes-1]) + "…"
	}
	return title
}

// storyName is how a title names a party: a person by their country when
// it is known, anyone else by their short name.
func storyName(k StoryKey) string {
	if k.Kind == EntityPerson && k.Country != "" {
		return ShortName(k.Country)
	}
	return k.Short
}

// storyLabel names the kind of news a fact is, for a story title.
func storyLabel(f Fact) string {
	switch f.Kind {
	case FactMeeting:
		return "talks"
	case FactAgreement:
		switch f.Status {
		case AgreementTerminated:
			return "agreement ended"
		case AgreementSuspended:
			return "agreement suspended"
		case AgreementThreatened:
			return "agreement under threat"
		}
		return "agreement"
	case FactWithdrawal:
		return "withdrawal"
	case FactDemand:
		return "demands"
	case FactTermination:
		return "rupture"
	case FactThreat:
		return "threats"
	case FactCoup:
		return "coup"
	case FactComplaint:
		return "dispute"
	case FactDeployment:
		return "deployment"
	}
	return "relations"
}

// maxScopeArticles bounds the articles of a story a scoped answer reads,
// leaving room under MaxQueryIDs for ids a caller adds.
const maxScopeArticles = 500

// maxStoryScan bounds the stories scanned to resolve a story by title.
const maxStoryScan = MaxStoryLimit

// FindStory resolves what a user typed to a story: its id, else for two
// words or more its title (the same words, accents and case aside), else a
// title or id starting with it, else a title containing all its words; the
// most recent story wins among several. One word ("niger", "us") matches
// only an id (titles have two words or more): a name alone keeps meaning
// everything about that name. ok is false when nothing matches.
func (s *Service) FindStory(ctx context.Context, q string) (Story, bool, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return Story{}, false, nil
	}
	if len(q) <= MaxKeyBytes && !strings.ContainsFunc(q, unicode.IsControl) {
		st, err := s.store.StoryByID(ctx, q)
		switch {
		case err == nil:
			return st, true, nil
		case ErrorCode(err) != CodeNotFound:
			return Story{}, false, fmt.Errorf("look up story %q: %w", q, err)
		}
	}
	qw := words(q)
	if len(qw) < 2 {
		return Story{}, false, nil
	}
	all, err := s.store.Stories(ctx, maxStoryScan)
	if err != nil {
		return Story{}, false, fmt.Errorf("list stories: %w", err)
	}
	fq := strings.Join(qw, " ")
	slug := Slug(q)
	// Passes from the most to the least exact; the first hit wins, and the
	// stories come most recent first.
	passes := []func(st Story) bool{
		func(st Story) bool { return strings.Join(words(st.Title), " ") == fq || st.ID == slug },
		func(st Story) bool {
			return strings.HasPrefix(strings.Join(words(st.Title), " "), fq) || (slug != "" && strings.HasPrefix(st.ID, slug))
		},
		func(st Story) bool {
			tw := words(st.Title)
			for _, w := range qw {
				if !slices.Contains(tw, w) {
					return false
				}
			}
			return true
		},
	}
	for _, match := range passes {
		for _, st := range all {
			if match(st) {
				return st, true, nil
			}
		}
	}
	return Story{}, false, nil
}

// Stories lists the stories, most recent first.
func (s *Service) Stories(ctx context.Context, limit int) ([]Story, error) {
	sts, err := s.store.Stories(ctx, limit)
	if err != nil {
		return nil, fmt.Errorf("list stories: %w", err)
	}
	return sts, nil
}
