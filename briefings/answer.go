package briefings

import (
	"fmt"
	"strings"
	"time"
)

// Answer is the domain's reply to a briefing question: titled sections of
// cited items. The commands layer lays it out for each platform.
type Answer struct {
	// Kind names the question ("meetings", "status", ...).
	Kind  string
	Title string
	// Lead is a one-line summary, or what to try when nothing is known.
	Lead     string
	Sections []Section
	// Sources are the articles the items cite, newest first.
	Sources []Article
	// Empty is set when nothing matched.
	Empty bool
}

// Section is a titled list of items.
type Section struct {
	Heading string
	Items   []Item
	// More counts the items left out; MoreHint says how to see them.
	More     int
	MoreHint string
}

// Item is one cited line of an answer.
type Item struct {
	// Label is a short lead (a date, a stage).
	Label string
	Text  string
	Notes []string
	Cites []Cite
}

// Cite is the evidence for an item: the article and its sentence.
type Cite struct {
	ArticleID string
	Title     string
	URL       string
	Published time.Time
	Quote     string
}

// FormatTime writes a resolved time for people: "19 Apr 2024", "week of 15
// Apr 2024", "Mar 2024", "summer 2023", "2023", or the text itself.
func FormatTime(t TimeRef) string {
	switch t.Precision {
	case PrecisionDay:
		if !t.Start.IsZero() {
			return t.Start.Format("2 Jan 2006")
		}
	case PrecisionWeek:
		if !t.Start.IsZero() {
			return "week of " + t.Start.Format("2 Jan 2006")
		}
	case PrecisionMonth:
		if !t.Start.IsZero() {
			return t.Start.Format("Jan 2006")
		}
	case PrecisionSeason:
		if t.Note != "" {
			return t.Note
		}
	case PrecisionYear:
		if !t.Start.IsZero() {
			return t.Start.Format("2006")
		}
	case PrecisionDuration:
		if t.Text != "" {
			return t.Text
		}
		return t.Value
	}
	if t.Text != "" {
		return strings.TrimSpace(t.Text) + " (date not resolved)"
	}
	return ""
}

// PartyLabel writes a party as "Name (Role, Country)", shortening the
// United States to US.
func PartyLabel(p Party) string {
	var extra []string
	if p.Role != "" && p.Kind == EntityPerson {
		extra = append(extra, p.Role)
	}
	if p.Country != "" && p.Country != p.Name && (p.Kind == EntityPerson || p.Kind == "") && !strings.Contains(p.Name, ShortName(p.Country)) && !strings.Contains(p.Name, p.Country) {
		extra = append(extra, ShortName(p.Country))
	}
	if len(extra) == 0 {
		return ShortName(p.Name)
	}
	return p.Name + " (" + strings.Join(extra, ", ") + ")"
}

// JoinAnd joins items as "a, b and c".
func JoinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func partyList(ps []Party) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, PartyLabel(p))
	}
	return JoinAnd(out)
}

// modalityLabel says how firmly a fact is asserted, for people.
func modalityLabel(m Modality) string {
	switch m {
	case Negated:
		return "did not happen"
	case Hedged:
		return "expected"
	case Conditional:
		return "conditional"
	case Threatened:
		return "threatened"
	case Intended:
		return "planned"
	case Requested:
		return "requested"
	case Implied:
		return "implied"
	}
	return ""
}

// Describe writes a fact as one line for people, including its modality:
// "Kurt Campbell (Deputy Secretary of State, US) met Ali Lamine Zeine
// (Prime Minister, Niger) in Washington, DC".
func Describe(f Fact) string {
	var b strings.Builder
	actors, counter := partyList(f.Actors), partyList(f.Counterparts)
	switch f.Kind {
	case FactMeeting:
		switch f.Modality {
		case Requested:
			fmt.Fprintf(&b, "%s asked to meet %s", actors, counter)
			if len(f.Notes) > 0 {
				fmt.Fprintf(&b, " (%s)", strings.Join(f.Notes, "; "))
			}
			return b.String()
		case Negated:
			fmt.Fprintf(&b, "%s did not meet %s", actors, counter)
			return b.String()
		}
		verb := " met "
		switch f.Mode {
		case ModePhone:
			verb = " spoke by phone with "
		case ModeVideo:
			verb = " held a video call with "
		case ModeUnspecified:
			verb = " and "
		}
		b.WriteString(actors)
		b.WriteString(verb)
		b.WriteString(counter)
		if f.Mode == ModeUnspecified {
			b.WriteString(" had an encounter")
		}
		if f.Place != "" {
			b.WriteString(" in ")
			b.WriteString(strings.TrimPrefix(f.Place, "the "))
		}
	case FactAgreement:
		parties := partyList(f.Parties())
		subj := f.Subject
		if subj == "" {
			subj = "an agreement"
		}
		switch f.Status {
		case AgreementSigned:
			fmt.Fprintf(&b, "%s signed %s", parties, subj)
		case AgreementTerminated:
			fmt.Fprintf(&b, "%s ended %s", partyList(f.Actors), subj)
		case AgreementThreatened:
			fmt.Fprintf(&b, "%s threatened to end %s", partyList(f.Actors), subj)
		case AgreementSuspended:
			fmt.Fprintf(&b, "%s suspended %s", partyList(f.Actors), subj)
		case AgreementProposed:
			fmt.Fprintf(&b, "%s proposed %s", partyList(f.Actors), subj)
		case AgreementEffective:
			fmt.Fprintf(&b, "%s takes effect (%s)", subj, parties)
		default:
			fmt.Fprintf(&b, "%s agreed: %s", parties, subj)
		}
	case FactWithdrawal:
		from := ""
		if len(f.Counterparts) > 0 {
			from = PartyLabel(f.Counterparts[0])
		}
		what := "withdrawal"
		switch f.Force {
		case "diplomatic":
			what = "diplomats' departure"
		case "membership":
			what = "exit"
		case "mission":
			what = "mission's end"
		}
		where := from
		if f.Place != "" {
			where = f.Place
			if from != "" && !strings.Contains(f.Place, from) {
				where += " (" + from + ")"
			}
		}
		switch f.Modality {
		case Negated:
			fmt.Fprintf(&b, "no order for %s to leave %s", actors, from)
		case Implied:
			fmt.Fprintf(&b, "%s would need to leave %s (implied, not ordered)", actors, where)
		case Conditional:
			fmt.Fprintf(&b, "%s would leave %s only on a condition", actors, where)
		case Threatened:
			fmt.Fprintf(&b, "%s threatened to leave %s", actors, where)
		case Hedged:
			fmt.Fprintf(&b, "%s %s from %s: expected (%s)", actors, what, where, f.Status)
		default:
			fmt.Fprintf(&b, "%s %s from %s: %s", actors, what, where, f.Status)
		}
		if f.Deadline.Text != "" {
			fmt.Fprintf(&b, ", %s", strings.TrimSpace(f.Deadline.Text))
		}
	case FactThreat:
		lw := strings.ToLower(f.Subject)
		if strings.HasPrefix(lw, "threat") || strings.HasPrefix(lw, "warn") {
			fmt.Fprintf(&b, "%s %s", actors, f.Subject)
			if counter != "" {
				fmt.Fprintf(&b, " (against %s)", counter)
			}
			break
		}
		fmt.Fprintf(&b, "%s warned %s", actors, counter)
		if f.Subject != "" {
			fmt.Fprintf(&b, ": %s", f.Subject)
		}
	case FactCoup:
		b.WriteString("Coup")
		if f.Place != "" {
			b.WriteString(" in " + f.Place)
		}
		if actors != "" {
			b.WriteString(" by " + actors)
		}
		if counter != "" {
			b.WriteString(", ousting " + counter)
		}
	case FactDeployment:
		if actors == "" {
			actors = "Forces"
		}
		b.WriteString(actors + " deployed")
		if f.Place != "" {
			b.WriteString(" in " + f.Place)
		} else if counter != "" {
			b.WriteString(" in " + counter)
		}
	case FactComplaint:
		if actors == "" {
			b.WriteString("A complaint")
		} else {
			b.WriteString(actors + " complained")
		}
		if f.Subject != "" {
			b.WriteString(": " + f.Subject)
		}
	case FactDemand:
		b.WriteString(actors + " demanded")
		if counter != "" {
			b.WriteString(" of " + counter)
		}
		if f.Subject != "" {
			b.WriteString(": " + f.Subject)
		}
	case FactTermination:
		b.WriteString(actors + " ended " + f.Subject)
		if counter != "" && !strings.Contains(f.Subject, counter) {
			b.WriteString(" with " + counter)
		}
	case FactStatement:
		b.WriteString(actors + ": “" + f.Subject + "”")
	default:
		b.WriteString(actors)
		if f.Subject != "" {
			b.WriteString(": " + f.Subject)
		}
	}
	if m := modalityLabel(f.Modality); m != "" && f.Kind != FactWithdrawal && f.Kind != FactMeeting && f.Kind != FactAgreement {
		b.WriteString(" (" + m + ")")
	}
	return strings.TrimSpace(b.String())
}
