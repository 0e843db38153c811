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
	// The listing needs each process's stage and current evidence only;
	// the processes shown are read again with the history their items
	// show.
	q := StatusQuery{Limit: 100, HistoryLimit: 1}
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
	// Each section shows its 10 most recent processes; the others are
	// counted.
	const shown = 10
	var keys []string
	perKind := map[FactKind]int{}
	for _, st := range sts {
		if perKind[st.Kind] < shown {
			keys = append(keys, st.Key)
		}
		perKind[st.Kind]++
	}
	show, err := s.store.Statuses(ctx, StatusQuery{Keys: keys, Limit: len(keys), HistoryLimit: statusHistoryLimit})
	if err != nil {
		return Answer{}, fmt.Errorf("statuses: %w", err)
	}
	detailed := make(map[string]Status, len(show))
	for _, st := range show {
		detailed[st.Key] = st
	}
	arts, err := s.statusArticles(ctx, show)
	if err != nil {
		return Answer{}, err
	}
	sents := sentenceCache{}
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
		if d, ok := detailed[st.Key]; ok {
			st = d
		}
		// The most recent processes of each kind also quote what
		// qualifies them; the rest keep to their stage and evidence.
		withRelated := len(sec.Items) < relatedItems
		it, err := s.statusItem(ctx, st, arts, sents, withRelated)
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
	if len(sts) == q.Limit {
		// The listing stops at its limit: say so rather than a false total.
		ans.Lead = fmt.Sprintf("The %d tracked processes with the latest evidence (there may be more: name a topic or country to narrow it); each stage is the one of its latest dated evidence.", q.Limit)
	}
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

// statusArticles loads the articles a status item cites or dates a step
// by: the first event of each stage run, the current event, and the
// articles related sentences are read from.
func (s *Service) statusArticles(ctx context.Context, sts []Status) (map[string]Article, error) {
	var fs []Fact
	for _, st := range sts {
		last := ""
		for _, e := range st.History {
			if e.Stage != last {
				fs = append(fs, Fact{ArticleID: e.ArticleID})
				last = e.Stage
			}
		}
		fs = append(fs, Fact{ArticleID: st.Current().ArticleID})
		for id := range relatedArticles(st) {
			fs = append(fs, Fact{ArticleID: id})
		}
	}
	return s.articles(ctx, fs)
}

// relatedItems is how many processes of each kind a status answer quotes
// related sentences for.
const relatedItems = 3

// statusHistoryLimit is the history a status answer asks the store for.
const statusHistoryLimit = 16

// relatedArticlesMax bounds the articles whose sentences a status item
// reads for related sentences.
const relatedArticlesMax = 4

// relatedArticles returns the articles of a process's latest evidence (at
// most relatedArticlesMax, the current event's first) with the indexes of
// their evidence sentences.
func relatedArticles(st Status) map[string][]int {
	out := map[string][]int{}
	cur := st.Current()
	out[cur.ArticleID] = nil
	for i := len(st.History) - 1; i >= 0; i-- {
		e := st.History[i]
		if _, ok := out[e.ArticleID]; !ok && len(out) == relatedArticlesMax {
			continue
		}
		out[e.ArticleID] = append(out[e.ArticleID], e.Evidence.Sentence)
	}
	return out
}

// statusItem writes one tracked process: its stage and date, its history,
// its deadline, and with withRelated the sentences around it that qualify
// it (a timeline still under discussion, a presence kept).
func (s *Service) statusItem(ctx context.Context, st Status, arts map[string]Article, sents sentenceCache, withRelated bool) (Item, error) {
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
	if !withRelated {
		return it, nil
	}
	related, err := s.related(ctx, st, arts, sents)
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

// related finds up to two sentences that say more about a process, in the
// articles of its latest evidence (see relatedArticles): they name a
// process word (withdrawal, timeline, presence, terms) and either the
// process's actor or stand next to its evidence; those that qualify its
// state come first, then the nearest.
func (s *Service) related(ctx context.Context, st Status, arts map[string]Article, sents sentenceCache) ([]Cite, error) {
	used := map[string]bool{}
	for _, e := range st.History {
		used[e.Evidence.Text] = true
	}
	evidence := relatedArticles(st)
	ids := make([]string, 0, len(evidence))
	for id := range evidence {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	actor := statusActor(st)
	type cand struct {
		id   string
		sen  *readSentence
		dist int
	}
	var cands []cand
	for _, id := range ids {
		ss, err := s.sentencesOf(ctx, sents, id)
		if err != nil {
			return nil, err
		}
		for _, sen := range ss {
			if !sen.process || used[sen.Text] {
				continue
			}
			dist := 1 << 20
			for _, i := range evidence[id] {
				if d := abs(sen.Index - i); d < dist {
					dist = d
				}
			}
			// About the process's actor, or a qualifier right next to its
			// evidence ("Following this agreement, ... the timeline").
			if !mentionsAny(sen.words, actor) && !(dist <= 2 && sen.qualifies) {
				continue
			}
			used[sen.Text] = true
			cands = append(cands, cand{id, sen, dist})
		}
	}
	// Sentences that qualify the process's state (a timeline, a presence
	// maintained) first, then the nearest.
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].sen.qualifies != cands[j].sen.qualifies {
			return cands[i].sen.qualifies
		}
		return cands[i].dist < cands[j].dist
	})
	var out []Cite
	for _, c := range cands {
		if len(out) == 2 {
			break
		}
		out = append(out, cite(arts[c.id], c.sen.Text))
	}
	return out, nil
}

// readSentence is an article's sentence that names a process word, with
// what related looks for in it.
type readSentence struct {
	Sentence
	words     []string
	process   bool // names a process word (always, once read)
	qualifies bool // qualifies a process's state
}

// sentenceCache keeps the sentences of the articles one answer has read:
// the items of a status answer share many articles.
type sentenceCache map[string][]*readSentence

// sentencesOf returns the sentences of an article that name a process
// word, read once per answer.
func (s *Service) sentencesOf(ctx context.Context, cache sentenceCache, id string) ([]*readSentence, error) {
	if ss, ok := cache[id]; ok {
		return ss, nil
	}
	raw, err := s.store.ArticleSentences(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("related sentences: %w", err)
	}
	ss := make([]*readSentence, 0, len(raw))
	for _, sen := range raw {
		// Most sentences name no process word: a substring test skips
		// them before splitting words.
		low := strings.ToLower(sen.Text)
		if !strings.Contains(low, "timeline") && !strings.Contains(low, "presence") && !strings.Contains(low, "withdraw") &&
			!strings.Contains(low, "terms") && !strings.Contains(low, "deadline") && !strings.Contains(low, "troops") && !strings.Contains(low, "forces") {
			continue
		}
		rs := &readSentence{Sentence: sen, words: words(sen.Text)}
		for _, w := range rs.words {
			switch w {
			case "timeline", "presence", "withdrawal", "withdraw", "terms", "deadline", "troops", "forces":
				rs.process = true
			}
		}
		if !rs.process {
			continue
		}
		rs.qualifies = qualifies(sen.Text)
		ss = append(ss, rs)
	}
	cache[id] = ss
	return ss, nil
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

// statusActor returns the first actor's name of a status (from its key:
// kind|actors|place|force).
func statusActor(st Status) string {
	parts := strings.Split(st.Key, "|")
	if len(parts) >= 3 {
		return strings.ReplaceAll(strings.Split(parts[1], "+")[0], "-", " ")
	}
	return ""
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
