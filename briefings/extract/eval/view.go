package eval

import (
	"sort"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// FromFacts renders an extraction in the gold schema: what `briefbot
// extract --json` prints. Only facts the text asserts are listed (plus
// threatened agreements, expected withdrawals and threats, which are
// asserted as such).
func FromFacts(name string, a briefings.Article, f briefings.Facts) Doc {
	d := Doc{Article: name, Meetings: []Meeting{}, Agreements: []Agreement{}, Withdrawals: []Withdrawal{}, Threats: []Threat{}, Dates: []Date{}, KeyFacts: []string{}}
	d.Meta = &Meta{Article: name, Title: a.Title, Source: a.Source}
	if a.PublishedKnown() {
		d.Meta.Published = a.Published.Format("2006-01-02")
	}
	for _, x := range f.Facts {
		switch x.Kind {
		case briefings.FactMeeting:
			if !x.IsAsserted() {
				continue
			}
			m := Meeting{Mode: x.Mode, Evidence: x.Evidence.Text, Date: timeValue(x.Time), Place: strPtr(x.Place), Note: strings.Join(x.Notes, "; ")}
			for _, p := range x.Parties() {
				m.Participants = append(m.Participants, Label(p))
			}
			m.Support = support(x)
			d.Meetings = append(d.Meetings, m)
		case briefings.FactAgreement:
			if !x.IsAsserted() && x.Modality != briefings.Threatened {
				continue
			}
			ag := Agreement{Subject: x.Subject, Status: x.Status, Date: timeValue(x.Time), Place: strPtr(x.Place), Evidence: x.Evidence.Text, Note: strings.Join(x.Notes, "; ")}
			for _, p := range x.Parties() {
				ag.Parties = append(ag.Parties, Label(p))
			}
			ag.Support = support(x)
			d.Agreements = append(d.Agreements, ag)
		case briefings.FactWithdrawal:
			if !(x.IsAsserted() || x.Modality == briefings.Hedged && x.Status == briefings.StagePlanned) {
				continue
			}
			w := Withdrawal{Actor: labels(x.Actors), Status: x.Status, Evidence: x.Evidence.Text, Note: strings.Join(x.Notes, "; ")}
			if len(x.Counterparts) > 0 {
				w.From = Label(x.Counterparts[0])
			}
			if x.Deadline.Text != "" {
				dl := x.Deadline.Text
				if x.Deadline.Value != "" {
					dl += " (" + x.Deadline.Value + ")"
				}
				w.Deadline = &dl
			}
			w.Support = support(x)
			d.Withdrawals = append(d.Withdrawals, w)
		case briefings.FactThreat:
			if x.Modality == briefings.Negated {
				continue
			}
			t := Threat{Actor: labels(x.Actors), Target: labels(x.Counterparts), Threat: x.Subject, Date: timeValue(x.Time), Evidence: x.Evidence.Text, Note: strings.Join(x.Notes, "; ")}
			t.Support = support(x)
			d.Threats = append(d.Threats, t)
		}
	}
	d.Entities = Entities{People: []string{}, Organizations: []string{}, Places: []string{}}
	for _, e := range f.Entities {
		switch e.Kind {
		case briefings.EntityPerson:
			d.Entities.People = append(d.Entities.People, e.Name)
		case briefings.EntityOrganization:
			d.Entities.Organizations = append(d.Entities.Organizations, e.Name)
		case briefings.EntityCountry, briefings.EntityPlace:
			d.Entities.Places = append(d.Entities.Places, e.Name)
		}
	}
	for _, t := range f.Dates {
		dt := Date{Text: t.Text, Note: t.Note}
		if t.Value != "" {
			v := t.Value
			dt.Resolved = &v
		}
		d.Dates = append(d.Dates, dt)
	}
	d.KeyFacts = KeyFacts(f, 8)
	return d
}

// KeyFacts picks up to n one-line facts for a briefing on one article:
// agreements, withdrawals, meetings and threats first, dated ones first.
func KeyFacts(f briefings.Facts, n int) []string {
	rank := func(k briefings.FactKind) int {
		switch k {
		case briefings.FactAgreement:
			return 0
		case briefings.FactWithdrawal:
			return 1
		case briefings.FactMeeting:
			return 2
		case briefings.FactThreat:
			return 3
		}
		return 4
	}
	facts := append([]briefings.Fact(nil), f.Facts...)
	sort.SliceStable(facts, func(i, j int) bool { return rank(facts[i].Kind) < rank(facts[j].Kind) })
	out := []string{}
	for _, x := range facts {
		if len(out) >= n {
			break
		}
		s := x.Summary
		if x.Time.Value != "" {
			s += " (" + x.Time.Value + ")"
		}
		out = append(out, s)
	}
	return out
}

// Label writes a party as the gold does: "Full Name (role, country)".
func Label(p briefings.Party) string {
	var extra []string
	if p.Role != "" && p.Kind == briefings.EntityPerson {
		extra = append(extra, p.Role)
	}
	if p.Country != "" && p.Country != p.Name && (p.Kind == briefings.EntityPerson || p.Kind == "") && !strings.Contains(p.Name, briefings.ShortName(p.Country)) {
		extra = append(extra, p.Country)
	}
	if len(extra) == 0 {
		return p.Name
	}
	return p.Name + " (" + strings.Join(extra, ", ") + ")"
}

func labels(ps []briefings.Party) string {
	var out []string
	for _, p := range ps {
		out = append(out, Label(p))
	}
	switch len(out) {
	case 0:
		return ""
	case 1:
		return out[0]
	}
	return strings.Join(out[:len(out)-1], ", ") + " and " + out[len(out)-1]
}

func support(f briefings.Fact) []string {
	var out []string
	for _, s := range f.Support {
		if s.Text != f.Evidence.Text {
			out = append(out, s.Text)
		}
	}
	return out
}

func timeValue(t briefings.TimeRef) *string {
	if t.Value == "" {
		return nil
	}
	v := t.Value
	return &v
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
