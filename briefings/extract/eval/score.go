package eval

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
)

// Counts are true positives, false positives and false negatives.
type Counts struct{ TP, FP, FN int }

// Add adds o to c.
func (c *Counts) Add(o Counts) { c.TP += o.TP; c.FP += o.FP; c.FN += o.FN }

// Precision is TP / (TP + FP); 1 when nothing was produced.
func (c Counts) Precision() float64 {
	if c.TP+c.FP == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FP)
}

// Recall is TP / (TP + FN); 1 when nothing was expected.
func (c Counts) Recall() float64 {
	if c.TP+c.FN == 0 {
		return 1
	}
	return float64(c.TP) / float64(c.TP+c.FN)
}

// F1 is the harmonic mean of precision and recall.
func (c Counts) F1() float64 {
	p, r := c.Precision(), c.Recall()
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// The scored kinds. Facts (the micro average) covers the first four.
const (
	KindMeetings    = "meetings"
	KindAgreements  = "agreements"
	KindWithdrawals = "withdrawals"
	KindThreats     = "threats"
	KindPeople      = "people"
	KindDates       = "dates"
)

// Kinds lists the scored kinds in report order.
func Kinds() []string {
	return []string{KindMeetings, KindAgreements, KindWithdrawals, KindThreats, KindPeople, KindDates}
}

// NegativeHit is a claim the gold says to avoid that the extractor asserted.
type NegativeHit struct {
	Article string
	Claim   string
	// Fact is the summary of the system fact that asserts the claim.
	Fact string
}

// ArticleScore is the score of one article.
type ArticleScore struct {
	Name   string
	Counts map[string]Counts
	// Errors describe each false positive and false negative.
	Errors    []string
	Negatives []NegativeHit
	// Checked counts the negatives that could be turned into claims; the
	// others are listed in Unchecked.
	Checked   int
	Unchecked []string
}

// Report is the score of a corpus.
type Report struct {
	Articles []ArticleScore
	Totals   map[string]Counts
	// Facts is the micro average over meetings, agreements, withdrawals
	// and threats.
	Facts     Counts
	Negatives []NegativeHit
	Checked   int
	Unchecked int
}

// Score extracts every case and scores it against its gold.
func Score(ctx context.Context, x *extract.Extractor, cases []Case) (Report, error) {
	r := Report{Totals: map[string]Counts{}}
	for _, c := range cases {
		facts, err := x.Extract(ctx, c.Article)
		if err != nil {
			return Report{}, fmt.Errorf("extract %s: %w", c.Name, err)
		}
		as, err := ScoreArticle(ctx, x, c, facts)
		if err != nil {
			return Report{}, err
		}
		r.Articles = append(r.Articles, as)
		for k, v := range as.Counts {
			t := r.Totals[k]
			t.Add(v)
			r.Totals[k] = t
		}
		r.Negatives = append(r.Negatives, as.Negatives...)
		r.Checked += as.Checked
		r.Unchecked += len(as.Unchecked)
	}
	for _, k := range []string{KindMeetings, KindAgreements, KindWithdrawals, KindThreats} {
		r.Facts.Add(r.Totals[k])
	}
	return r, nil
}

// ScoreArticle scores one extraction against its gold.
func ScoreArticle(ctx context.Context, x *extract.Extractor, c Case, facts briefings.Facts) (ArticleScore, error) {
	m := &matcher{x: x, pub: c.Article.Published}
	as := ArticleScore{Name: c.Name, Counts: map[string]Counts{}}
	byKind := func(k briefings.FactKind) []briefings.Fact {
		var out []briefings.Fact
		for _, f := range facts.Facts {
			if f.Kind == k && inView(f) {
				out = append(out, f)
			}
		}
		return out
	}
	var errs []string
	// Meetings.
	as.Counts[KindMeetings] = matchAll(len(c.Gold.Meetings), byKind(briefings.FactMeeting), func(gi int, f briefings.Fact) bool {
		return m.meeting(c.Gold.Meetings[gi], f)
	}, func(gi int) string {
		return "meeting missed: " + strings.Join(c.Gold.Meetings[gi].Participants, " / ") + " " + deref(c.Gold.Meetings[gi].Date)
	},
		func(f briefings.Fact) string { return "meeting extra: " + f.Summary + " " + f.Time.Value }, &errs)
	as.Counts[KindAgreements] = matchAll(len(c.Gold.Agreements), byKind(briefings.FactAgreement), func(gi int, f briefings.Fact) bool {
		g := c.Gold.Agreements[gi]
		return sameSentence(g.Evidence, f.Evidence.Text) && g.Status == f.Status
	}, func(gi int) string {
		return "agreement missed: [" + c.Gold.Agreements[gi].Status + "] " + c.Gold.Agreements[gi].Subject
	}, func(f briefings.Fact) string { return "agreement extra: [" + f.Status + "] " + f.Summary }, &errs)
	as.Counts[KindWithdrawals] = matchAll(len(c.Gold.Withdrawals), byKind(briefings.FactWithdrawal), func(gi int, f briefings.Fact) bool {
		return m.withdrawal(c.Gold.Withdrawals[gi], f)
	}, func(gi int) string {
		g := c.Gold.Withdrawals[gi]
		return "withdrawal missed: " + g.Actor + " from " + g.From + " [" + g.Status + "]"
	}, func(f briefings.Fact) string { return "withdrawal extra: " + f.Summary }, &errs)
	as.Counts[KindThreats] = matchAll(len(c.Gold.Threats), byKind(briefings.FactThreat), func(gi int, f briefings.Fact) bool {
		return m.threat(c.Gold.Threats[gi], f)
	}, func(gi int) string {
		return "threat missed: " + c.Gold.Threats[gi].Actor + " → " + c.Gold.Threats[gi].Target
	},
		func(f briefings.Fact) string { return "threat extra: " + f.Summary }, &errs)
	// People.
	var people []briefings.Entity
	for _, e := range facts.Entities {
		if e.Kind == briefings.EntityPerson {
			people = append(people, e)
		}
	}
	as.Counts[KindPeople] = matchAllT(len(c.Gold.Entities.People), people, func(gi int, e briefings.Entity) bool {
		return samePerson(c.Gold.Entities.People[gi], e.Name)
	}, func(gi int) string { return "person missed: " + c.Gold.Entities.People[gi] },
		func(e briefings.Entity) string { return "person extra: " + e.Name }, &errs)
	// Dates.
	as.Counts[KindDates] = matchAllT(len(c.Gold.Dates), facts.Dates, func(gi int, t briefings.TimeRef) bool {
		g := c.Gold.Dates[gi]
		return deref(g.Resolved) == t.Value && textsOverlap(g.Text, t.Text)
	}, func(gi int) string {
		return fmt.Sprintf("date missed: %q = %s", c.Gold.Dates[gi].Text, deref(c.Gold.Dates[gi].Resolved))
	},
		func(t briefings.TimeRef) string { return fmt.Sprintf("date extra: %q = %s", t.Text, t.Value) }, &errs)
	as.Errors = errs
	// Negatives.
	for _, n := range c.Gold.Negatives {
		claims, err := x.ExtractClaim(ctx, n.ClaimToAvoid, c.Article.Published, facts.Entities)
		if err != nil {
			return ArticleScore{}, fmt.Errorf("claim %q: %w", n.ClaimToAvoid, err)
		}
		var cf []briefings.Fact
		for _, f := range claims.Facts {
			if f.IsAsserted() || f.Modality == briefings.Hedged || f.Modality == briefings.Intended {
				cf = append(cf, f)
			}
		}
		if len(cf) == 0 {
			as.Unchecked = append(as.Unchecked, n.ClaimToAvoid)
			continue
		}
		as.Checked++
	claims:
		for _, cl := range cf {
			for _, f := range facts.Facts {
				if f.IsAsserted() && m.entails(f, cl) {
					as.Negatives = append(as.Negatives, NegativeHit{Article: c.Name, Claim: n.ClaimToAvoid, Fact: f.Summary})
					break claims
				}
			}
		}
	}
	return as, nil
}

// inView reports whether a fact is listed in the gold-schema view (and so
// scored).
func inView(f briefings.Fact) bool {
	switch f.Kind {
	case briefings.FactMeeting:
		return f.IsAsserted()
	case briefings.FactAgreement:
		return f.IsAsserted() || f.Modality == briefings.Threatened
	case briefings.FactWithdrawal:
		return f.IsAsserted() || f.Modality == briefings.Hedged && f.Status == briefings.StagePlanned
	case briefings.FactThreat:
		return f.Modality != briefings.Negated
	}
	return false
}

// matchAll pairs gold items with system facts one to one, greedily in gold
// order.
func matchAll(nGold int, sys []briefings.Fact, match func(int, briefings.Fact) bool, missed func(int) string, extra func(briefings.Fact) string, errs *[]string) Counts {
	return matchAllT(nGold, sys, match, missed, extra, errs)
}

func matchAllT[T any](nGold int, sys []T, match func(int, T) bool, missed func(int) string, extra func(T) string, errs *[]string) Counts {
	var c Counts
	used := make([]bool, len(sys))
	for gi := 0; gi < nGold; gi++ {
		found := false
		for si, s := range sys {
			if !used[si] && match(gi, s) {
				used[si], found = true, true
				break
			}
		}
		if found {
			c.TP++
		} else {
			c.FN++
			*errs = append(*errs, missed(gi))
		}
	}
	for si, s := range sys {
		if !used[si] {
			c.FP++
			*errs = append(*errs, extra(s))
		}
	}
	return c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// norm folds case, quotes, accents and white space for comparisons.
func norm(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(briefings.FoldAccents(s))), " ")
}

// sameSentence reports whether two evidence strings are the same sentence
// (one may be cut slightly differently).
func sameSentence(a, b string) bool {
	na, nb := strings.Trim(norm(a), "\" "), strings.Trim(norm(b), "\" ")
	if na == "" || nb == "" {
		return false
	}
	return strings.Contains(na, nb) || strings.Contains(nb, na)
}

// textsOverlap reports whether two time expressions overlap in text.
func textsOverlap(a, b string) bool {
	na, nb := norm(a), norm(b)
	return na != "" && nb != "" && (strings.Contains(na, nb) || strings.Contains(nb, na))
}

// samePerson matches people by surname; when both names have a given name,
// those must agree too (so the three Ouattaras stay apart).
func samePerson(a, b string) bool {
	sa, ga := nameParts(a)
	sb, gb := nameParts(b)
	if sa == "" || sa != sb {
		return false
	}
	return ga == "" || gb == "" || ga == gb
}

func nameParts(s string) (surname, given string) {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	words := strings.Fields(norm(strings.ReplaceAll(s, ",", " ")))
	for len(words) > 0 {
		switch words[len(words)-1] {
		case "jr.", "jr", "sr.", "sr", "ii", "iii":
			words = words[:len(words)-1]
			continue
		}
		break
	}
	if len(words) == 0 {
		return "", ""
	}
	surname = words[len(words)-1]
	if len(words) > 1 {
		given = words[0]
		switch given {
		case "mr", "mr.", "mrs", "ms", "dr", "mullah", "sheikh", "president", "general":
			given = ""
		}
	}
	return surname, given
}

// matcher compares gold items and system facts through the extractor's own
// name resolution, so that "US", "U.S." and "Washington" agree.
type matcher struct {
	x   *extract.Extractor
	pub time.Time
}

// goldKeys resolves a gold party string. With byCountry, people stand for
// their country (taken from the parenthesis when the name part has none).
func (m *matcher) goldKeys(s string, byCountry bool) map[string]bool {
	out := map[string]bool{}
	refs := m.x.Resolve(s)
	paren := ""
	if i := strings.IndexByte(s, '('); i >= 0 {
		paren = strings.Trim(s[i:], "()")
	}
	for _, r := range refs {
		if byCountry && r.Kind == briefings.EntityOrganization && r.Type == "gov" && r.Country != "" {
			out[r.Country] = true
		}
		if byCountry && r.Kind == briefings.EntityPerson {
			c := r.Country
			if c == "" && paren != "" {
				for _, pr := range m.x.Resolve(paren) {
					if pr.Kind == briefings.EntityCountry {
						c = pr.Name
						break
					}
				}
			}
			if c != "" {
				out[c] = true
				continue
			}
		}
		out[r.Key()] = true
		if r.Kind == briefings.EntityPlace && r.Country != "" {
			out[r.Country] = true
		}
	}
	if len(out) == 0 {
		for _, w := range strings.Fields(norm(s)) {
			if len(w) > 3 {
				out["word:"+w] = true
			}
		}
	}
	return out
}

// partyKeys are the matching keys of system parties.
func (m *matcher) partyKeys(ps []briefings.Party, byCountry bool) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		switch {
		case p.Kind == briefings.EntityPerson && byCountry && p.Country != "":
			out[p.Country] = true
		case p.Kind == briefings.EntityPerson:
			surname, _ := nameParts(p.Name)
			out["person:"+surname] = true
		case p.Kind == briefings.EntityCountry:
			out[p.Name] = true
		case p.Kind == briefings.EntityOrganization:
			out[p.Name] = true
			// A government body stands for its country; an armed group or
			// a company does not ("Wagner" is not "Russia").
			if byCountry {
				for _, r := range m.x.Resolve(p.Name) {
					if r.Type == "gov" && r.Country != "" {
						out[r.Country] = true
					}
				}
			}
		default:
			if p.Country != "" {
				out[p.Country] = true
			}
			for k := range m.goldKeys(p.Name, byCountry) {
				out[k] = true
			}
		}
	}
	return out
}

func intersect(a, b map[string]bool) int {
	n := 0
	for k := range a {
		if b[k] {
			n++
		}
	}
	return n
}

// meeting matches when the named participants match and the date agrees at
// the gold's precision.
func (m *matcher) meeting(g Meeting, f briefings.Fact) bool {
	gk := map[string]bool{}
	for _, p := range g.Participants {
		for k := range m.goldKeys(p, false) {
			gk[k] = true
		}
	}
	sk := m.partyKeys(f.Parties(), false)
	if intersect(gk, sk) < min(2, len(gk)) {
		return false
	}
	return dateAgrees(deref(g.Date), f.Time)
}

// dateAgrees reports whether the system's time lies within the gold date's
// period (any time agrees with a gold null).
func dateAgrees(gold string, t briefings.TimeRef) bool {
	if gold == "" {
		return true
	}
	start, end, ok := periodOf(gold)
	if !ok {
		return gold == t.Value
	}
	if !t.Resolved() {
		return false
	}
	return !t.Start.Before(start) && !t.End.After(end)
}

// periodOf parses a gold DATE: YYYY-MM-DD, YYYY-Www, YYYY-MM or YYYY.
func periodOf(v string) (time.Time, time.Time, bool) {
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, t, true
	}
	if t, err := time.Parse("2006-01", v); err == nil {
		return t, t.AddDate(0, 1, -1), true
	}
	if t, err := time.Parse("2006", v); err == nil {
		return t, t.AddDate(1, 0, -1), true
	}
	var y, w int
	if n, _ := fmt.Sscanf(v, "%d-W%d", &y, &w); n == 2 {
		// Monday of ISO week w.
		jan4 := time.Date(y, 1, 4, 0, 0, 0, 0, time.UTC)
		mon := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+(w-1)*7)
		return mon, mon.AddDate(0, 0, 6), true
	}
	return time.Time{}, time.Time{}, false
}

// withdrawal matches by the actor's country, the country left, and stage.
func (m *matcher) withdrawal(g Withdrawal, f briefings.Fact) bool {
	if g.Status != f.Status || len(f.Counterparts) == 0 {
		return false
	}
	if intersect(m.goldKeys(g.Actor, true), m.partyKeys(f.Actors, true)) == 0 {
		return false
	}
	if intersect(m.goldKeys(g.From, true), m.partyKeys(f.Counterparts[:1], true)) > 0 {
		return true
	}
	// Unnamed places ("several Sahel countries") match by their words.
	return len(commonWords(g.From, f.Counterparts[0].Name)) >= 2
}

// commonWords returns the lower-case content words two strings share.
func commonWords(a, b string) []string {
	have := map[string]bool{}
	for _, w := range strings.Fields(norm(b)) {
		have[strings.Trim(w, ".,;:()")] = true
	}
	var out []string
	for _, w := range strings.Fields(norm(a)) {
		w = strings.Trim(w, ".,;:()")
		if len(w) > 3 && have[w] {
			out = append(out, w)
		}
	}
	return out
}

// threat matches by the actor's country and the target's country.
func (m *matcher) threat(g Threat, f briefings.Fact) bool {
	if intersect(m.goldKeys(g.Actor, true), m.partyKeys(f.Actors, true)) == 0 {
		return false
	}
	return intersect(m.goldKeys(g.Target, true), m.partyKeys(f.Counterparts, true)) > 0
}

// entails reports whether a system fact s states the claim c: same kind,
// the claim's parties among the fact's, and every detail the claim gives
// (stage, status, mode, place, date, scope, force, subject) the same.
func (m *matcher) entails(s, c briefings.Fact) bool {
	if s.Kind != c.Kind {
		return false
	}
	switch c.Kind {
	case briefings.FactMeeting:
		ck := m.partyKeys(c.Parties(), false)
		if intersect(ck, m.partyKeys(s.Parties(), false)) < min(2, len(ck)) {
			return false
		}
		// An unnamed body in the claim ("the ECOWAS chiefs of defence
		// staff") must be in the fact as that body, not just its country.
		for _, cp := range c.Parties() {
			if cp.Kind != "" || cp.Role == "" {
				continue
			}
			found := false
			for _, sp := range s.Parties() {
				if sp.Role == cp.Role {
					found = true
				}
			}
			if !found {
				return false
			}
		}
		if c.Mode != "" && c.Mode != s.Mode {
			return false
		}
		if c.Place != "" && !strings.Contains(norm(s.Place), norm(firstWord(c.Place))) {
			return false
		}
	case briefings.FactWithdrawal:
		if intersect(m.partyKeys(c.Actors, true), m.partyKeys(s.Actors, true)) == 0 {
			return false
		}
		if len(c.Counterparts) > 0 && (len(s.Counterparts) == 0 || intersect(m.partyKeys(c.Counterparts[:1], true), m.partyKeys(s.Counterparts[:1], true)) == 0) {
			return false
		}
		if c.Status != "" && c.Status != s.Status {
			return false
		}
		if c.Force != "" && s.Force != "" && c.Force != s.Force {
			return false
		}
		if c.Scope == "full" && s.Scope != "full" {
			return false
		}
	case briefings.FactThreat:
		if intersect(m.partyKeys(c.Actors, true), m.partyKeys(s.Actors, true)) == 0 {
			return false
		}
		if len(c.Counterparts) > 0 && intersect(m.partyKeys(c.Counterparts, true), m.partyKeys(s.Counterparts, true)) == 0 {
			return false
		}
	default:
		if !m.partiesCovered(c.Parties(), s.Parties()) {
			return false
		}
		if c.Status != "" && c.Status != s.Status {
			return false
		}
		if !subjectCovered(c, s) {
			return false
		}
	}
	if c.Time.Resolved() && !within(s.Time, c.Time) {
		return false
	}
	if c.Condition == "none" && s.Condition != "none" {
		return false
	}
	if c.Attribution != "" && intersect(m.goldKeys(c.Attribution, true), m.goldKeys(s.Attribution, true)) == 0 {
		return false
	}
	return true
}

// partiesCovered reports whether every party of the claim is among the
// fact's: people by full name (so one Ouattara is not another), others by
// key.
func (m *matcher) partiesCovered(claim, fact []briefings.Party) bool {
	keys := m.partyKeys(fact, true)
	for _, c := range claim {
		if c.Kind == briefings.EntityPerson {
			found := false
			for _, f := range fact {
				if f.Kind == briefings.EntityPerson && samePerson(c.Name, f.Name) {
					found = true
				}
			}
			if !found {
				return false
			}
			continue
		}
		for k := range m.partyKeys([]briefings.Party{c}, true) {
			if !keys[k] {
				return false
			}
		}
	}
	return true
}

func within(a, b briefings.TimeRef) bool {
	if !a.Resolved() {
		return false
	}
	return !a.Start.Before(b.Start) && !a.End.After(b.End)
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " ,"); i > 0 {
		return s[:i]
	}
	return s
}

// subjectCovered reports whether at least three quarters of the content
// words of the claim's subject appear in the system fact's subject or
// evidence.
func subjectCovered(c, s briefings.Fact) bool {
	words := contentWords(c.Subject)
	if len(words) == 0 {
		return true
	}
	have := norm(s.Subject + " " + s.Evidence.Text)
	n := 0
	for _, w := range words {
		if strings.Contains(have, w) {
			n++
		}
	}
	return n*4 >= len(words)*3
}

func contentWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(norm(s)) {
		w = strings.Trim(w, ".,;:()\"'")
		if len(w) < 4 {
			continue
		}
		switch w {
		case "with", "that", "this", "their", "they", "from", "have", "been", "will", "would", "agreement", "accord", "deal":
			continue
		}
		out = append(out, w)
	}
	return out
}

// WriteTable prints the report: per kind precision, recall and F1, the
// facts micro-F1, and the negatives produced.
func WriteTable(w io.Writer, r Report, verbose bool) {
	fmt.Fprintf(w, "%-12s %5s %5s %5s %9s %7s %7s\n", "kind", "TP", "FP", "FN", "precision", "recall", "F1")
	for _, k := range Kinds() {
		c := r.Totals[k]
		fmt.Fprintf(w, "%-12s %5d %5d %5d %9.3f %7.3f %7.3f\n", k, c.TP, c.FP, c.FN, c.Precision(), c.Recall(), c.F1())
	}
	fmt.Fprintf(w, "%-12s %5d %5d %5d %9.3f %7.3f %7.3f\n", "facts(micro)", r.Facts.TP, r.Facts.FP, r.Facts.FN, r.Facts.Precision(), r.Facts.Recall(), r.Facts.F1())
	fmt.Fprintf(w, "negatives: %d produced (of %d checked claims; %d claims could not be checked)\n", len(r.Negatives), r.Checked, r.Unchecked)
	for _, n := range r.Negatives {
		fmt.Fprintf(w, "  NEGATIVE %s: %q asserted by: %s\n", n.Article, n.Claim, n.Fact)
	}
	if verbose {
		arts := append([]ArticleScore(nil), r.Articles...)
		sort.SliceStable(arts, func(i, j int) bool { return arts[i].Name < arts[j].Name })
		for _, a := range arts {
			if len(a.Errors) == 0 && len(a.Unchecked) == 0 {
				continue
			}
			fmt.Fprintf(w, "\n%s\n", a.Name)
			for _, e := range a.Errors {
				fmt.Fprintf(w, "  %s\n", e)
			}
			for _, u := range a.Unchecked {
				fmt.Fprintf(w, "  unchecked negative: %s\n", u)
			}
		}
	}
}
