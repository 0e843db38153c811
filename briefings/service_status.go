package briefings

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// Status answers "where does each tracked process stand", optionally
// filtered by a topic or country ("withdrawal", "niger").
func (s *Service) Status(ctx context.Context, topic string) (Answer, error) {
	topic, err := checkQuery("topic", topic)
	if err != nil {
		return Answer{}, err
	}
	q := StatusQuery{Limit: 100}
	if topic != "" {
		q.Terms = statusTerms(topic)
	}
	sts, err := s.store.Statuses(ctx, q)
	if err != nil {
		return Answer{}, fmt.Errorf("statuses: %w", err)
	}
	ans := Answer{Kind: "status", Title: "Status"}
	if topic != "" {
		ans.Title = "Status: " + topic
	}
	if len(sts) == 0 {
		ans.Empty = true
		ans.Lead = "No tracked process matches that."
		if topic == "" {
			ans.Lead = "No tracked processes yet: statuses come from withdrawals and agreements in the articles."
		} else {
			ans.Lead = fmt.Sprintf("No tracked process mentions %q. Try `/brief status` for all of them, or `/brief situation <country>`.", topic)
		}
		return ans, nil
	}
	sortStatuses(sts)
	arts, err := s.statusArticles(ctx, sts)
	if err != nil {
		return Answer{}, err
	}
	// Each section shows its 10 most recent processes; the others are
	// counted.
	const shown = 10
	withdrawals := Section{Heading: "Withdrawals", MoreHint: "/brief status <topic>"}
	agreements := Section{Heading: "Agreements", MoreHint: "/brief status <topic>"}
	for _, st := range sts {
		sec := &agreements
		if st.Kind == FactWithdrawal {
			sec = &withdrawals
		}
		if len(sec.Items) == shown {
			sec.More++
			continue
		}
		it, err := s.statusItem(ctx, st, arts)
		if err != nil {
			return Answer{}, err
		}
		sec.Items = append(sec.Items, it)
	}
	for _, sec := range []Section{withdrawals, agreements} {
		if len(sec.Items) > 0 {
			ans.Sections = append(ans.Sections, sec)
		}
	}
	ans.Lead = countLead(len(sts), "tracked process", "tracked processes") + "; each stage is the one of its latest dated evidence."
	ans.Sources = sourcesOf(ans.Sections, arts)
	return ans, nil
}

// statusTerms turns a topic into store terms: its words, with "withdrawal"
// synonyms folded in.
func statusTerms(topic string) []string {
	var out []string
	for _, w := range words(topic) {
		switch w {
		case "withdraw", "withdrawals", "pullout", "pull", "exit", "leave", "departure", "drawdown":
			w = "withdrawal"
		case "agreements", "deal", "deals", "accord", "accords", "treaty", "pact":
			w = "agreement"
		case "us", "usa", "america", "american":
			w = "us"
		}
		if len(w) >= 2 && !contains(out, w) {
			out = append(out, w)
		}
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

// sortStatuses puts withdrawals first, then agreements, latest evidence
// first within each.
func sortStatuses(sts []Status) {
	sort.SliceStable(sts, func(i, j int) bool {
		if sts[i].Kind != sts[j].Kind {
			return sts[i].Kind == FactWithdrawal
		}
		ai, aj := sts[i].Current().At(), sts[j].Current().At()
		if !ai.Equal(aj) {
			return ai.After(aj)
		}
		return sts[i].Topic < sts[j].Topic
	})
}

func (s *Service) statusArticles(ctx context.Context, sts []Status) (map[string]Article, error) {
	var fs []Fact
	for _, st := range sts {
		for _, e := range st.History {
			fs = append(fs, Fact{ArticleID: e.ArticleID})
		}
	}
	return s.articles(ctx, fs)
}

// statusItem writes one tracked process: its stage and date, its history,
// its deadline, and the sentences around it that qualify it (a timeline
// still under discussion, a presence kept).
func (s *Service) statusItem(ctx context.Context, st Status, arts map[string]Article) (Item, error) {
	cur := st.Current()
	when := FormatTime(st.AsOf)
	if when == "" {
		if a, ok := arts[cur.ArticleID]; ok && a.PublishedKnown() {
			when = "reported " + a.Published.Format("2 Jan 2006")
		}
	}
	stage := st.Stage
	if cur.Modality == Hedged {
		stage = "expected (" + stage + ")"
	}
	it := Item{Label: strings.TrimSpace(stage + " " + when), Text: st.Topic}
	if cur.Deadline.Text != "" {
		it.Notes = append(it.Notes, "deadline: "+strings.TrimSpace(cur.Deadline.Text)+deadlineValue(cur.Deadline))
	}
	for _, n := range cur.Notes {
		it.Notes = append(it.Notes, n)
	}
	if len(st.History) > 1 {
		var steps []string
		last := ""
		for _, e := range st.History {
			if e.Stage == last {
				continue // the same stage told again
			}
			last = e.Stage
			step := e.Stage
			if w := FormatTime(e.Time); w != "" {
				step += " " + w
			} else if a, ok := arts[e.ArticleID]; ok && a.PublishedKnown() {
				step += " (reported " + a.Published.Format("2 Jan 2006") + ")"
			}
			steps = append(steps, step)
		}
		it.Notes = append(it.Notes, "history: "+strings.Join(steps, " → "))
	}
	it.Cites = append(it.Cites, cite(arts[cur.ArticleID], cur.Evidence.Text))
	related, err := s.related(ctx, st, arts)
	if err != nil {
		return Item{}, err
	}
	it.Cites = append(it.Cites, related...)
	return it, nil
}

func deadlineValue(t TimeRef) string {
	if t.Resolved() {
		return " (" + FormatTime(t) + ")"
	}
	return ""
}

// related finds up to three sentences of the process's articles that say
// more about it: they name a process word (withdrawal, timeline, presence,
// terms) and either the process's actor or place or stand next to its
// evidence; the nearest come first.
func (s *Service) related(ctx context.Context, st Status, arts map[string]Article) ([]Cite, error) {
	articles := map[string]bool{}
	used := map[string]bool{}
	evidence := map[string][]int{}
	for _, e := range st.History {
		articles[e.ArticleID] = true
		used[e.Evidence.Text] = true
		evidence[e.ArticleID] = append(evidence[e.ArticleID], e.Evidence.Sentence)
	}
	actor, place := statusParties(st)
	terms := []string{"timeline", "presence", "withdrawal", "troops", "forces", "maintain", "remain"}
	if st.Kind == FactAgreement {
		terms = []string{"agreement", "accord", "deal", "terms", "sofa"}
	}
	terms = append(terms, actor, place)
	hits, err := s.candidateSentences(ctx, articles, terms)
	if err != nil {
		return nil, err
	}
	type cand struct {
		h    SentenceHit
		dist int
	}
	var cands []cand
	for _, h := range hits {
		if !articles[h.ArticleID] || used[h.Sentence.Text] {
			continue
		}
		ws := words(h.Sentence.Text)
		hasProcess := false
		for _, w := range ws {
			switch w {
			case "timeline", "presence", "withdrawal", "withdraw", "terms", "deadline", "troops", "forces":
				hasProcess = true
			}
		}
		if !hasProcess {
			continue
		}
		dist := 1 << 20
		for _, i := range evidence[h.ArticleID] {
			if d := abs(h.Sentence.Index - i); d < dist {
				dist = d
			}
		}
		// About the process's actor, or a qualifier right next to its
		// evidence ("Following this agreement, ... the timeline").
		if !mentionsAny(ws, actor) && !(dist <= 2 && qualifies(h.Sentence.Text)) {
			continue
		}
		used[h.Sentence.Text] = true
		cands = append(cands, cand{h, dist})
	}
	// Sentences that qualify the process's state (a timeline, a presence
	// maintained) first, then the nearest.
	sort.SliceStable(cands, func(i, j int) bool {
		qi, qj := qualifies(cands[i].h.Sentence.Text), qualifies(cands[j].h.Sentence.Text)
		if qi != qj {
			return qi
		}
		return cands[i].dist < cands[j].dist
	})
	var out []Cite
	for _, c := range cands {
		if len(out) == 2 {
			break
		}
		out = append(out, cite(arts[c.h.ArticleID], c.h.Sentence.Text))
	}
	return out, nil
}

// candidateSentences returns the sentences of the given articles (an
// indexed read), or for many articles the best search hits for terms.
func (s *Service) candidateSentences(ctx context.Context, articles map[string]bool, terms []string) ([]SentenceHit, error) {
	if len(articles) <= 20 {
		var out []SentenceHit
		ids := make([]string, 0, len(articles))
		for id := range articles {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			ss, err := s.store.ArticleSentences(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("related sentences: %w", err)
			}
			for _, sen := range ss {
				out = append(out, SentenceHit{ArticleID: id, Sentence: sen})
			}
		}
		return out, nil
	}
	hits, err := s.store.SearchSentences(ctx, terms, 60)
	if err != nil {
		return nil, fmt.Errorf("related sentences: %w", err)
	}
	return hits, nil
}

// qualifies reports words that qualify a process's state.
func qualifies(s string) bool {
	for _, w := range words(s) {
		switch w {
		case "timeline", "deadline", "maintain", "maintains", "keep", "keeps", "remain", "remains", "retain", "schedule",
			"scheduled", "postpone", "postponed", "delay", "delayed", "gradual", "gradually", "phased":
			return true
		}
	}
	return false
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// statusParties returns the actor and place names of a status (from its
// key: kind|actors|place|force).
func statusParties(st Status) (actor, place string) {
	parts := strings.Split(st.Key, "|")
	if len(parts) >= 3 {
		actor = strings.ReplaceAll(strings.Split(parts[1], "+")[0], "-", " ")
		place = strings.ReplaceAll(strings.Split(parts[2], "+")[0], "-", " ")
	}
	return actor, place
}

func mentionsAny(ws []string, names ...string) bool {
	for _, n := range names {
		nw := words(n)
		if len(nw) == 0 {
			continue
		}
		// The name's last word is enough ("states" for "united states",
		// "us" too).
		last := nw[len(nw)-1]
		for _, w := range ws {
			if w == last || n == "united states" && w == "us" {
				return true
			}
		}
	}
	return false
}
