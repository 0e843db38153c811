package briefings

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// kindHeading is the section heading of a fact kind.
func kindHeading(k FactKind) string {
	switch k {
	case FactMeeting:
		return "Meetings"
	case FactAgreement:
		return "Agreements"
	case FactWithdrawal:
		return "Withdrawals"
	case FactDemand:
		return "Demands"
	case FactTermination:
		return "Ended cooperation"
	case FactThreat:
		return "Threats and warnings"
	case FactCoup:
		return "Coups"
	case FactComplaint:
		return "Complaints"
	case FactDeployment:
		return "Deployments"
	case FactStatement:
		return "Statements"
	}
	return string(k)
}

// Situation answers "what is known about a country", grouped by kind.
func (s *Service) Situation(ctx context.Context, country string) (Answer, error) {
	country, err := checkQuery("country", country)
	if err != nil {
		return Answer{}, err
	}
	if country == "" {
		return Answer{}, Errorf(CodeInvalid, "which country? For example `/brief situation chad`")
	}
	t, err := s.resolve(ctx, country, EntityCountry)
	if err != nil {
		return Answer{}, err
	}
	if !t.found {
		known, err := s.store.Entities(ctx, EntityQuery{Kinds: []EntityKind{EntityCountry}, Limit: 8})
		if err != nil {
			return Answer{}, fmt.Errorf("countries: %w", err)
		}
		var names []string
		for _, e := range known {
			names = append(names, e.Name)
		}
		msg := fmt.Sprintf("No article mentions a country called %q.", country)
		if len(names) > 0 {
			msg += " Countries in the articles include " + JoinAnd(names) + "."
		}
		return Answer{}, &Error{Code: CodeNotFound, Msg: msg}
	}
	facts, err := s.store.Facts(ctx, FactQuery{Terms: t.terms, Limit: 300, Newest: true})
	if err != nil {
		return Answer{}, fmt.Errorf("situation: %w", err)
	}
	arts, err := s.articles(ctx, facts)
	if err != nil {
		return Answer{}, err
	}
	newestFirst(facts, arts)
	ans := Answer{Kind: "situation", Title: "Situation: " + t.display}
	byKind := map[FactKind]*Section{}
	seen := map[string]bool{}
	for _, f := range facts {
		key := string(f.Kind) + "|" + f.Evidence.Text + "|" + string(f.Modality) + "|" + f.Status
		if seen[key] {
			continue
		}
		seen[key] = true
		sec, ok := byKind[f.Kind]
		if !ok {
			sec = &Section{Heading: kindHeading(f.Kind)}
			byKind[f.Kind] = sec
		}
		it := factItem(f, arts)
		if m := modalityLabel(f.Modality); m != "" && f.Kind != FactWithdrawal && f.Kind != FactMeeting {
			it.Label = strings.TrimSpace(m + " " + it.Label)
		}
		sec.Items = append(sec.Items, it)
	}
	for _, k := range FactKinds() {
		if sec, ok := byKind[k]; ok {
			n := 6
			if k == FactStatement {
				n = 3
			}
			ans.Sections = append(ans.Sections, limitItems(*sec, n, "/brief timeline "+strings.ToLower(t.display)))
		}
	}
	if len(ans.Sections) == 0 {
		ans.Empty = true
		ans.Lead = fmt.Sprintf("%s is named in the articles, but no fact about it was found.", t.display)
		return ans, nil
	}
	ans.Lead = fmt.Sprintf("%s in %d facts%s", t.display, len(seen), fromArticles(facts))
	ans.Sources = sourcesOf(ans.Sections, arts)
	return ans, nil
}

// scope selects the facts of a story: the argument is first resolved to a
// story (its id or title, see FindStory), and only otherwise taken as a
// name the facts mention.
func (s *Service) scope(ctx context.Context, story string) (FactQuery, string, error) {
	story, err := checkQuery("story", story)
	if err != nil {
		return FactQuery{}, "", err
	}
	if story == "" {
		return FactQuery{}, "", nil
	}
	st, ok, err := s.FindStory(ctx, story)
	if err != nil {
		return FactQuery{}, "", err
	}
	if ok {
		return FactQuery{Story: st.ID}, st.Title, nil
	}
	t, err := s.resolve(ctx, story)
	if err != nil {
		return FactQuery{}, "", err
	}
	return FactQuery{Terms: t.terms}, t.display, nil
}

// Timeline answers "what happened when": dated facts in order.
func (s *Service) Timeline(ctx context.Context, story string) (Answer, error) {
	q, display, err := s.scope(ctx, story)
	if err != nil {
		return Answer{}, err
	}
	q.Limit, q.Newest = 300, true
	facts, err := s.store.Facts(ctx, q)
	if err != nil {
		return Answer{}, fmt.Errorf("timeline: %w", err)
	}
	var dated []Fact
	seen := map[string]int{}
	for _, f := range facts {
		if !f.Time.Resolved() || f.Kind == FactStatement || f.Modality == Negated || f.Modality == Requested {
			continue
		}
		// One sentence read as two stages of one kind ("reached an
		// agreement that the US would withdraw ... in response to Niger's
		// demands") shows as the further stage.
		key := f.Evidence.Text + "|" + string(f.Kind)
		if i, ok := seen[key]; ok {
			if stageRank(f.Status) > stageRank(dated[i].Status) {
				dated[i] = f
			}
			continue
		}
		seen[key] = len(dated)
		dated = append(dated, f)
	}
	arts, err := s.articles(ctx, dated)
	if err != nil {
		return Answer{}, err
	}
	oldestFirst(dated, arts)
	ans := Answer{Kind: "timeline", Title: "Timeline"}
	if display != "" {
		ans.Title = "Timeline: " + display
	}
	if len(dated) == 0 {
		ans.Empty = true
		ans.Lead = "No dated events recorded" + forName(display) + "."
		return ans, nil
	}
	sec := Section{}
	for _, f := range dated {
		sec.Items = append(sec.Items, factItem(f, arts))
	}
	// Keep the latest events when the list is long.
	if len(sec.Items) > 25 {
		sec.More = len(sec.Items) - 25
		sec.Items = sec.Items[len(sec.Items)-25:]
		sec.MoreHint = "/brief timeline <story or name>"
	}
	ans.Lead = countLead(len(dated), "dated event", "dated events") + ", oldest first; relative dates are resolved against each article's publication date."
	ans.Sections = []Section{sec}
	ans.Sources = sourcesOf(ans.Sections, arts)
	return ans, nil
}

func forName(n string) string {
	if n == "" {
		return ""
	}
	return " for " + n
}

// Who answers "who is X": roles, meetings, statements and articles.
func (s *Service) Who(ctx context.Context, name string) (Answer, error) {
	name, err := checkQuery("name", name)
	if err != nil {
		return Answer{}, err
	}
	if name == "" {
		return Answer{}, Errorf(CodeInvalid, "who? For example `/brief who campbell`")
	}
	t, err := s.resolve(ctx, name)
	if err != nil {
		return Answer{}, err
	}
	if !t.found {
		return Answer{}, &Error{Code: CodeNotFound, Msg: fmt.Sprintf("No one called %q appears in the articles. A surname is enough: `/brief who campbell`.", name)}
	}
	e := t.entity
	facts, err := s.store.Facts(ctx, FactQuery{Terms: t.terms, Limit: 200, Newest: true})
	if err != nil {
		return Answer{}, fmt.Errorf("who: %w", err)
	}
	arts, err := s.articles(ctx, facts)
	if err != nil {
		return Answer{}, err
	}
	newestFirst(facts, arts)
	ans := Answer{Kind: "who", Title: e.Name}
	var about []string
	for _, r := range e.Roles {
		if r.Affiliation != "" {
			about = append(about, r.Title+", "+ShortName(r.Affiliation))
		} else {
			about = append(about, r.Title)
		}
	}
	switch {
	case len(about) > 0:
		ans.Lead = strings.Join(about, "; ")
	case e.Country != "" && e.Country != e.Name:
		ans.Lead = string(e.Kind) + ", " + ShortName(e.Country)
	default:
		ans.Lead = string(e.Kind)
	}
	if len(e.Aliases) > 0 {
		ans.Lead += " · also written " + JoinAnd(quoteAll(e.Aliases))
	}
	meetings := Section{Heading: "Meetings"}
	statements := Section{Heading: "Statements"}
	other := Section{Heading: "Other facts"}
	for _, f := range facts {
		it := factItem(f, arts)
		switch f.Kind {
		case FactMeeting:
			meetings.Items = append(meetings.Items, it)
		case FactStatement:
			statements.Items = append(statements.Items, it)
		default:
			other.Items = append(other.Items, it)
		}
	}
	for _, sec := range []Section{meetings, other, statements} {
		if len(sec.Items) > 0 {
			ans.Sections = append(ans.Sections, limitItems(sec, 6, "/brief timeline "+strings.ToLower(lastWord(e.Name))))
		}
	}
	if len(ans.Sections) == 0 {
		ans.Lead += ". Named in the articles, but in no recorded fact."
	}
	ans.Sources = sourcesOf(ans.Sections, arts)
	return ans, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		out = append(out, "“"+s+"”")
	}
	return out
}

func lastWord(s string) string {
	f := strings.Fields(strings.TrimSuffix(s, ", Jr."))
	if len(f) == 0 {
		return s
	}
	return strings.Trim(f[len(f)-1], ",")
}

// Sources lists the stored articles, newest first.
func (s *Service) Sources(ctx context.Context, story string) (Answer, error) {
	story, err := checkQuery("story", story)
	if err != nil {
		return Answer{}, err
	}
	q := ArticleQuery{Limit: 50, NoText: true}
	arts, err := s.store.Articles(ctx, q)
	if err != nil {
		return Answer{}, fmt.Errorf("sources: %w", err)
	}
	if story != "" {
		fq, _, err := s.scope(ctx, story)
		if err != nil {
			return Answer{}, err
		}
		fq.Limit, fq.Newest = 1000, true
		facts, err := s.store.Facts(ctx, fq)
		if err != nil {
			return Answer{}, fmt.Errorf("sources: %w", err)
		}
		keep := map[string]bool{}
		for _, f := range facts {
			keep[f.ArticleID] = true
		}
		var filtered []Article
		for _, a := range arts {
			if keep[a.ID] {
				filtered = append(filtered, a)
			}
		}
		arts = filtered
	}
	st, err := s.store.Stats(ctx)
	if err != nil {
		return Answer{}, fmt.Errorf("sources: %w", err)
	}
	ans := Answer{Kind: "sources", Title: "Sources"}
	if len(arts) == 0 {
		ans.Empty = true
		ans.Lead = "No articles yet. Add some with `/brief ingest <url>` (admins) or `briefbot ingest FILE`."
		return ans, nil
	}
	sec := Section{}
	for _, a := range arts {
		label := "date unknown"
		if a.PublishedKnown() {
			label = a.Published.Format("2 Jan 2006")
		}
		it := Item{Label: label, Text: a.Title}
		if a.URL != "" {
			it.Notes = append(it.Notes, a.URL)
		} else if a.Source != "" {
			it.Notes = append(it.Notes, a.Source)
		}
		sec.Items = append(sec.Items, it)
	}
	ans.Lead = fmt.Sprintf("%s, %s, %s.", countLead(st.Articles, "article", "articles"), countLead(st.Facts, "fact", "facts"), countLead(st.Statuses, "tracked process", "tracked processes"))
	ans.Sections = []Section{limitItems(sec, 20, "")}
	ans.Sources = arts
	return ans, nil
}

// kindWeight ranks fact kinds for a briefing.
func kindWeight(k FactKind) float64 {
	switch k {
	case FactAgreement, FactWithdrawal:
		return 5
	case FactMeeting, FactThreat:
		return 4
	case FactTermination, FactCoup:
		return 3.5
	case FactDemand, FactDeployment:
		return 2.5
	case FactComplaint:
		return 2
	}
	return 0.5
}

// Summary answers "what matters": the 5 to 8 most important facts of the
// newest articles (or of one story), each cited.
func (s *Service) Summary(ctx context.Context, story string) (Answer, error) {
	q, display, err := s.scope(ctx, story)
	if err != nil {
		return Answer{}, err
	}
	if len(q.Terms) == 0 && q.Story == "" {
		recent, err := s.store.Articles(ctx, ArticleQuery{Limit: 10, NoText: true})
		if err != nil {
			return Answer{}, fmt.Errorf("summary: %w", err)
		}
		for _, a := range recent {
			q.ArticleIDs = append(q.ArticleIDs, a.ID)
		}
		if len(q.ArticleIDs) == 0 {
			return Answer{Kind: "summary", Title: "Briefing", Empty: true, Lead: "No articles yet. Add some with `/brief ingest <url>` (admins) or `briefbot ingest FILE`."}, nil
		}
	}
	q.Limit, q.Newest = 300, true
	facts, err := s.store.Facts(ctx, q)
	if err != nil {
		return Answer{}, fmt.Errorf("summary: %w", err)
	}
	arts, err := s.articles(ctx, facts)
	if err != nil {
		return Answer{}, err
	}
	picked := pickImportant(facts, arts, 8)
	ans := Answer{Kind: "summary", Title: "Briefing"}
	if display != "" {
		ans.Title = "Briefing: " + display
	}
	if len(picked) == 0 {
		ans.Empty = true
		ans.Lead = "Nothing recorded" + forName(display) + " yet."
		return ans, nil
	}
	// Newest events first; undated ones (background) last.
	sort.SliceStable(picked, func(i, j int) bool {
		ti, tj := picked[i].Time, picked[j].Time
		if ti.Resolved() != tj.Resolved() {
			return ti.Resolved()
		}
		return ti.Start.After(tj.Start)
	})
	sec := Section{}
	for _, f := range picked {
		sec.Items = append(sec.Items, factItem(f, arts))
	}
	ans.Sections = []Section{sec}
	ans.Sources = sourcesOf(ans.Sections, arts)
	ans.Lead = fmt.Sprintf("The %d most important facts from %s, newest first.", len(picked), articlesPhrase(len(ans.Sources)))
	return ans, nil
}

// threatOfAgreement reports a threat whose sentence already gave a
// threatened agreement: the same news told twice.
func threatOfAgreement(f Fact, picked []Fact) bool {
	for _, p := range picked {
		if p.Evidence.Text != f.Evidence.Text {
			continue
		}
		if f.Kind == FactThreat && p.Kind == FactAgreement && p.Status == AgreementThreatened ||
			f.Kind == FactAgreement && f.Status == AgreementThreatened && p.Kind == FactThreat {
			return true
		}
	}
	return false
}

func articlesPhrase(n int) string {
	if n == 1 {
		return "1 article"
	}
	return fmt.Sprintf("%d articles", n)
}

// pickImportant ranks facts by kind, firmness, date and recency of their
// article, one per sentence and one per process, and keeps the best n.
func pickImportant(facts []Fact, arts map[string]Article, n int) []Fact {
	type scored struct {
		f     Fact
		score float64
	}
	// Newer articles first.
	order := map[string]int{}
	var ids []string
	for id := range arts {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return arts[ids[i]].Published.After(arts[ids[j]].Published) })
	for i, id := range ids {
		order[id] = i
	}
	var all []scored
	for _, f := range facts {
		if f.Modality == Negated || f.Modality == Requested {
			continue
		}
		sc := kindWeight(f.Kind)
		if f.Modality == Asserted {
			sc += 1
		} else {
			sc *= 0.6
		}
		if f.Time.Resolved() {
			sc += 0.5
		}
		// The further stage of a process first.
		sc += 0.05 * float64(stageRank(f.Status))
		sc -= 0.3 * float64(order[f.ArticleID])
		all = append(all, scored{f, sc})
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].score > all[j].score })
	var out []Fact
	sentence := map[string]int{}
	process := map[string]bool{}
	for _, c := range all {
		if len(out) == n {
			break
		}
		// Two facts from one sentence only when they are different kinds of
		// news (a meeting and the agreement reached at it).
		key := c.f.ArticleID + "|" + c.f.Evidence.Text
		if sentence[key] >= 3 || threatOfAgreement(c.f, out) {
			continue
		}
		if TracksStatus(c.f) {
			k := StatusKey(c.f)
			if process[k] {
				continue
			}
			process[k] = true
		}
		sentence[key]++
		out = append(out, c.f)
	}
	return out
}
