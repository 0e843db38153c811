package briefings

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// DigestResult is a composed digest: the answer, the ingestion time up to
// which it covers news (the next digest starts after it), and whether
// anything was new.
type DigestResult struct {
	Answer Answer
	Cursor time.Time
	// Empty is set when nothing was new since the previous digest.
	Empty bool
	// NewFacts and Changes count what was new.
	NewFacts, Changes int
}

// Digest composes what is new for a subscription since a time: status
// changes first ("US withdrawal from Niger: agreed → under way"), then the
// new facts that matter most, then the status board. Nothing new yields an
// Empty result whose answer says "no new developments".
func (s *Service) Digest(ctx context.Context, sub Subscription, since, now time.Time) (DigestResult, error) {
	loc, err := time.LoadLocation(sub.Zone)
	if err != nil {
		loc = time.UTC
	}
	q, display, err := s.scope(ctx, sub.Story)
	if err != nil {
		return DigestResult{}, err
	}
	q.IngestedAfter = since
	q.Limit, q.Newest = 1000, true
	facts, err := s.store.Facts(ctx, q)
	if err != nil {
		return DigestResult{}, fmt.Errorf("digest facts: %w", err)
	}
	arts, err := s.articles(ctx, facts)
	if err != nil {
		return DigestResult{}, err
	}
	res := DigestResult{Cursor: since}
	for _, a := range arts {
		if a.Ingested.After(res.Cursor) {
			res.Cursor = a.Ingested
		}
	}
	sts, err := s.store.Statuses(ctx, StatusQuery{ChangedAfter: since, Limit: 200})
	if err != nil {
		return DigestResult{}, fmt.Errorf("digest statuses: %w", err)
	}
	ans := Answer{Kind: "digest", Title: "Briefing digest — " + now.In(loc).Format("Mon 2 Jan 2006")}
	if display != "" {
		ans.Title += " · " + display
	}
	keep, err := s.digestStatusFilter(ctx, q.Story, display)
	if err != nil {
		return DigestResult{}, err
	}
	// Status changes.
	changes := Section{Heading: "Status changes"}
	allArts := arts
	for _, st := range sts {
		if !keep(st) {
			continue
		}
		before, after := stageAt(st, since), st.Stage
		if before == after {
			continue
		}
		cur := st.Current()
		if _, ok := allArts[cur.ArticleID]; !ok {
			more, err := s.articles(ctx, []Fact{{ArticleID: cur.ArticleID}})
			if err != nil {
				return DigestResult{}, err
			}
			for k, v := range more {
				allArts[k] = v
			}
		}
		text := st.Topic + ": " + after
		if before != "" {
			text = st.Topic + ": " + before + " → " + after
		} else {
			text += " (new)"
		}
		it := Item{Label: FormatTime(st.AsOf), Text: text}
		it.Cites = append(it.Cites, cite(allArts[cur.ArticleID], cur.Evidence.Text))
		changes.Items = append(changes.Items, it)
	}
	res.Changes = len(changes.Items)
	// New facts.
	picked := pickImportant(facts, arts, 10)
	res.NewFacts = len(picked)
	newSec := Section{Heading: "New"}
	for _, f := range picked {
		newSec.Items = append(newSec.Items, factItem(f, arts))
	}
	if extra := countAsserted(facts) - len(picked); extra > 0 {
		newSec.More = extra
		newSec.MoreHint = "/brief summary"
	}
	res.Empty = res.Changes == 0 && res.NewFacts == 0
	sinceText := since.In(loc).Format("Mon 2 Jan 15:04 MST")
	if res.Empty {
		ans.Lead = "No new developments since " + sinceText + "."
	} else {
		ans.Lead = fmt.Sprintf("Since %s: %s, %s, %s.", sinceText,
			countLead(len(arts), "new article", "new articles"), countLead(res.NewFacts, "new fact", "new facts"), countLead(res.Changes, "status change", "status changes"))
	}
	if len(changes.Items) > 0 {
		ans.Sections = append(ans.Sections, limitItems(changes, 10, "/brief status"))
	}
	if len(newSec.Items) > 0 {
		ans.Sections = append(ans.Sections, newSec)
	}
	// The status board: where every tracked process stands.
	board, err := s.store.Statuses(ctx, StatusQuery{Limit: 50, HistoryLimit: 1})
	if err != nil {
		return DigestResult{}, fmt.Errorf("digest board: %w", err)
	}
	sortStatuses(board)
	bsec := Section{Heading: "Status board"}
	for _, st := range board {
		if !keep(st) {
			continue
		}
		bsec.Items = append(bsec.Items, Item{Label: strings.TrimSpace(st.Stage + " " + FormatTime(st.AsOf)), Text: st.Topic})
	}
	if len(bsec.Items) > 0 {
		ans.Sections = append(ans.Sections, limitItems(bsec, 8, "/brief status"))
	}
	ans.Sources = sourcesOf(ans.Sections, allArts)
	res.Answer = ans
	return res, nil
}

func countAsserted(fs []Fact) int {
	n := 0
	for _, f := range fs {
		if f.Modality != Negated && f.Modality != Requested && f.Kind != FactStatement {
			n++
		}
	}
	return n
}

// stageAt is a status's stage from the events ingested up to t ("" when
// none was).
func stageAt(st Status, t time.Time) string {
	var before []StatusEvent
	for _, e := range st.History {
		if !e.Ingested.After(t) {
			before = append(before, e)
		}
	}
	if len(before) == 0 {
		return ""
	}
	return MergeStatus(st.Key, st.Kind, st.Topic, st.Actor, st.Subject, before).Stage
}

// digestStatusFilter returns which statuses a digest shows: for a story,
// those with evidence from its articles; for a name, those that mention
// it; otherwise all.
func (s *Service) digestStatusFilter(ctx context.Context, story, display string) (func(Status) bool, error) {
	if story == "" {
		return func(st Status) bool { return display == "" || statusMentions(st, display) }, nil
	}
	arts, err := s.store.Articles(ctx, ArticleQuery{Story: story, Limit: maxScopeArticles, NoText: true})
	if err != nil {
		return nil, fmt.Errorf("articles of story %s: %w", story, err)
	}
	in := make(map[string]bool, len(arts))
	for _, a := range arts {
		in[a.ID] = true
	}
	return func(st Status) bool {
		for _, e := range st.History {
			if in[e.ArticleID] {
				return true
			}
		}
		return false
	}, nil
}

func statusMentions(st Status, name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(strings.ToLower(st.Topic), n) || strings.Contains(st.Key, Slug(name))
}
