package briefings

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// questionWords are words that shape a question but name nothing in it.
func questionWord(w string) bool {
	switch w {
	case "what", "who", "whom", "when", "where", "why", "how", "which", "did", "does", "do", "is", "are", "was",
		"were", "has", "have", "had", "the", "a", "an", "of", "to", "in", "on", "and", "or", "for", "with", "about",
		"tell", "me", "us", "please", "there", "any", "it", "its", "they", "their", "that", "this", "be", "been",
		"can", "could", "would", "should", "will", "happen", "happened", "latest", "news", "say", "said":
		return true
	}
	return false
}

// intents maps question words to the words facts and sentences use for the
// same idea, and to the fact kinds that answer it.
func intent(w string) ([]string, []FactKind) {
	switch w {
	case "want", "wants", "wanted", "demand", "demands", "demanded", "ask", "asked", "request", "requested", "seek", "sought":
		return []string{"demand", "demands", "demanded", "desire", "sought", "seek", "called", "asked", "request", "wants", "want", "urged", "ordered"}, []FactKind{FactDemand, FactWithdrawal}
	case "meet", "met", "meeting", "meetings", "talks", "talk", "discuss", "discussed":
		return []string{"met", "meeting", "talks", "discussions", "discussed", "encounter", "spoke"}, []FactKind{FactMeeting}
	case "leave", "left", "withdraw", "withdrawal", "pull", "pullout", "exit", "troops", "forces":
		return []string{"withdrawal", "withdraw", "leave", "left", "pullout", "troops", "forces", "departure"}, []FactKind{FactWithdrawal}
	case "threat", "threaten", "threatened", "warn", "warned", "warning":
		return []string{"threatened", "threat", "warned", "warning", "ultimatum"}, []FactKind{FactThreat}
	case "agree", "agreed", "agreement", "deal", "accord", "sign", "signed", "treaty", "ceasefire", "truce":
		return []string{"agreement", "agreed", "deal", "accord", "signed", "treaty", "ceasefire", "truce"}, []FactKind{FactAgreement}
	case "coup", "junta", "power":
		return []string{"coup", "junta", "seized", "ousted"}, []FactKind{FactCoup}
	}
	return nil, nil
}

// Ask answers a free question with the facts and sentences that match it
// best, each cited. It finds what the articles say; it does not guess.
func (s *Service) Ask(ctx context.Context, question string) (Answer, error) {
	question, err := checkQuery("question", question)
	if err != nil {
		return Answer{}, err
	}
	if question == "" {
		return Answer{}, Errorf(CodeInvalid, "ask what? For example `/brief ask what did Niger want?`")
	}
	qws := words(question)
	var content []string
	expanded := map[string]float64{}
	kinds := map[FactKind]bool{}
	for _, w := range qws {
		if questionWord(w) {
			continue
		}
		content = append(content, w)
		expanded[w] = 1
		syn, ks := intent(w)
		for _, x := range syn {
			if expanded[x] == 0 {
				expanded[x] = 0.7
			}
		}
		for _, k := range ks {
			kinds[k] = true
		}
	}
	if len(content) == 0 {
		return Answer{}, Errorf(CodeInvalid, "I could not find what to look for in %q; name a person, country or event, for example `/brief ask what did Niger want?`", question)
	}
	// Names in the question select the facts about them.
	var terms []string
	named := map[string]bool{}
	for i := 0; i < len(content); i++ {
		for n := 3; n >= 1; n-- {
			if i+n > len(content) {
				continue
			}
			phrase := strings.Join(content[i:i+n], " ")
			es, err := s.store.Entities(ctx, EntityQuery{Name: phrase, Limit: 1})
			if err != nil {
				return Answer{}, fmt.Errorf("ask: %w", err)
			}
			if len(es) > 0 {
				if !named[es[0].Name] {
					named[es[0].Name] = true
					terms = append(terms, es[0].Name)
				}
				i += n - 1
				break
			}
		}
	}
	q := FactQuery{Terms: terms, Limit: 150, Newest: true}
	facts, err := s.store.Facts(ctx, q)
	if err != nil {
		return Answer{}, fmt.Errorf("ask: %w", err)
	}
	type scored struct {
		f     Fact
		score float64
	}
	var ranked []scored
	for _, f := range facts {
		if f.Modality == Negated {
			continue
		}
		text := words(f.Summary + " " + f.Subject + " " + f.Evidence.Text + " " + string(f.Kind) + " " + f.Status)
		sc := 0.0
		hit := map[string]bool{}
		for _, w := range text {
			if v := expanded[w]; v > 0 && !hit[w] {
				hit[w] = true
				sc += v
			}
		}
		if kinds[f.Kind] {
			sc += 1.5
		}
		// A fact whose actor is the named one counts more than one that
		// only involves someone from there ("a senior airman in Niger").
		bonus := 0.0
		for _, p := range f.Actors {
			if named[p.Name] {
				bonus = 1
			}
		}
		for _, p := range f.Parties() {
			if bonus == 0 && named[p.Name] {
				bonus = 0.75
			}
			if bonus == 0 && named[p.Country] {
				bonus = 0.5
			}
		}
		sc += bonus
		if f.Kind == FactStatement {
			sc -= 0.5
		}
		if sc >= 1.5 {
			ranked = append(ranked, scored{f, sc})
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return ranked[i].score > ranked[j].score })
	var best []Fact
	cited := map[string]bool{}
	for _, r := range ranked {
		if len(best) == 5 {
			break
		}
		if cited[r.f.Evidence.Text] {
			continue
		}
		cited[r.f.Evidence.Text] = true
		best = append(best, r.f)
	}
	// Sentences that say it in words the facts do not carry.
	var searchTerms []string
	for w := range expanded {
		searchTerms = append(searchTerms, w)
	}
	sort.Strings(searchTerms)
	searchTerms = append(searchTerms, terms...)
	hits, err := s.store.SearchSentences(ctx, searchTerms, 20)
	if err != nil {
		return Answer{}, fmt.Errorf("ask: %w", err)
	}
	arts, err := s.articles(ctx, best)
	if err != nil {
		return Answer{}, err
	}
	ans := Answer{Kind: "ask", Title: "“" + question + "”"}
	if len(best) > 0 {
		sec := Section{Heading: "Facts"}
		for _, f := range best {
			sec.Items = append(sec.Items, factItem(f, arts))
		}
		ans.Sections = append(ans.Sections, sec)
	}
	var sentences []SentenceHit
	for _, h := range hits {
		if cited[h.Sentence.Text] || len(sentences) == 3 {
			continue
		}
		// A sentence must name what the question names, when it names
		// anything.
		ws := words(h.Sentence.Text)
		if len(named) > 0 {
			ok := false
			for n := range named {
				if mentionsAny(ws, n) {
					ok = true
				}
			}
			if !ok {
				continue
			}
		}
		cited[h.Sentence.Text] = true
		sentences = append(sentences, h)
	}
	if len(sentences) > 0 {
		more, err := s.articles(ctx, hitFacts(sentences))
		if err != nil {
			return Answer{}, err
		}
		for k, v := range more {
			arts[k] = v
		}
		sec := Section{Heading: "Sentences"}
		for _, h := range sentences {
			sec.Items = append(sec.Items, Item{Text: h.Sentence.Text, Cites: []Cite{cite(arts[h.ArticleID], "")}})
		}
		ans.Sections = append(ans.Sections, sec)
	}
	if len(ans.Sections) == 0 {
		ans.Empty = true
		ans.Lead = "Nothing in the articles answers that. Try `/brief situation <country>`, `/brief who <name>` or `/brief timeline`."
		return ans, nil
	}
	ans.Lead = "What the articles say, best match first."
	ans.Sources = sourcesOf(ans.Sections, arts)
	return ans, nil
}

func hitFacts(hs []SentenceHit) []Fact {
	out := make([]Fact, 0, len(hs))
	for _, h := range hs {
		out = append(out, Fact{ArticleID: h.ArticleID})
	}
	return out
}

// Complete suggests values for autocompletion: entity names, countries,
// process topics, and for a story argument the titles of stories (a word
// of the title starting with prefix, most recent first) then names.
func (s *Service) Complete(ctx context.Context, kind string, prefix string, limit int) ([]string, error) {
	if limit <= 0 || limit > 25 {
		limit = 25
	}
	prefix, err := checkQuery("prefix", prefix)
	if err != nil {
		return nil, err
	}
	var kinds []EntityKind
	switch kind {
	case "entity":
		kinds = []EntityKind{EntityPerson, EntityOrganization, EntityCountry}
	case "country":
		kinds = []EntityKind{EntityCountry}
	case "story":
		titles, err := s.storyTitles(ctx, prefix, limit)
		if err != nil {
			return nil, err
		}
		if len(titles) >= limit {
			return titles, nil
		}
		names, err := s.Complete(ctx, "entity", prefix, limit-len(titles))
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			if !contains(titles, n) {
				titles = append(titles, n)
			}
		}
		return titles, nil
	case "topic":
		sts, err := s.store.Statuses(ctx, StatusQuery{Terms: statusTerms(prefix), Limit: 100, HistoryLimit: 1})
		if err != nil {
			return nil, fmt.Errorf("complete: %w", err)
		}
		var out []string
		for _, st := range sts {
			if !contains(out, st.Topic) {
				out = append(out, st.Topic)
			}
			if len(out) == limit {
				break
			}
		}
		if len(out) > 0 || prefix != "" {
			return out, nil
		}
		return []string{"withdrawal", "agreement"}, nil
	default:
		return nil, Errorf(CodeInvalid, "nothing to complete for %q", kind)
	}
	q := EntityQuery{Name: prefix, Prefix: true, Kinds: kinds, Limit: limit}
	if prefix == "" {
		q = EntityQuery{Kinds: kinds, Limit: limit}
	}
	es, err := s.store.Entities(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	out := make([]string, 0, len(es))
	for _, e := range es {
		out = append(out, e.Name)
	}
	return out, nil
}

// storyTitles returns the titles of the most recent stories one of whose
// title words starts with prefix (all stories for an empty prefix).
func (s *Service) storyTitles(ctx context.Context, prefix string, limit int) ([]string, error) {
	sts, err := s.store.Stories(ctx, maxStoryScan)
	if err != nil {
		return nil, fmt.Errorf("complete: %w", err)
	}
	pw := words(prefix)
	var out []string
	for _, st := range sts {
		if len(out) == limit {
			break
		}
		tw := strings.Join(words(st.Title), " ")
		if len(pw) == 0 || strings.HasPrefix(tw, strings.Join(pw, " ")) || strings.Contains(tw, " "+strings.Join(pw, " ")) {
			out = append(out, st.Title)
		}
	}
	return out, nil
}
