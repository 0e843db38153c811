package briefings

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// StatusEvent is one piece of dated evidence about a tracked process.
type StatusEvent struct {
	Key       string    `json:"key"`
	Stage     string    `json:"stage"`
	Time      TimeRef   `json:"time"`
	FactID    string    `json:"fact_id"`
	ArticleID string    `json:"article_id"`
	Evidence  Evidence  `json:"evidence"`
	Deadline  TimeRef   `json:"deadline,omitempty"`
	Notes     []string  `json:"notes,omitempty"`
	Modality  Modality  `json:"modality,omitempty"`
	Published time.Time `json:"published"`
	// Ingested is when the article behind the event was stored.
	Ingested time.Time `json:"ingested"`
}

// At is the time the event is ordered by: its resolved start, else the
// article's publication date.
func (e StatusEvent) At() time.Time {
	if e.Time.Resolved() {
		return e.Time.Start
	}
	return e.Published
}

// Status is a tracked process ("US military withdrawal from Niger") whose
// stage is the one of its latest dated evidence.
type Status struct {
	Key     string        `json:"key"`
	Kind    FactKind      `json:"kind"`
	Topic   string        `json:"topic"`
	Actor   string        `json:"actor"`
	Subject string        `json:"subject"`
	Stage   string        `json:"stage"`
	AsOf    TimeRef       `json:"as_of"`
	History []StatusEvent `json:"history"`
	// Events counts the status's evidence; History may hold fewer when it
	// was compacted (see StatusQuery.HistoryLimit).
	Events int `json:"events"`
}

// Current returns the event that sets the status's stage.
func (s Status) Current() StatusEvent {
	if len(s.History) == 0 {
		return StatusEvent{}
	}
	return s.History[len(s.History)-1]
}

// stageRank orders the stages of one process so that, for evidence dated the
// same day, the further stage wins.
func stageRank(stage string) int {
	switch stage {
	case StageDemanded, AgreementProposed:
		return 1
	case StageAgreed, AgreementThreatened:
		return 2
	case StagePlanned, AgreementSigned:
		return 3
	case StageUnderWay, AgreementEffective:
		return 4
	case StagePaused, AgreementSuspended:
		return 5
	case StageCompleted, StageReversed, AgreementTerminated:
		return 6
	}
	return 0
}

// TracksStatus reports whether a fact is evidence about a tracked process.
func TracksStatus(f Fact) bool {
	if f.Status == "" || len(f.Actors) == 0 || len(f.Counterparts) == 0 {
		return false
	}
	switch f.Kind {
	case FactWithdrawal:
		return f.Modality == Asserted || f.Modality == Hedged || f.Modality == Intended
	case FactAgreement:
		return f.Modality == Asserted || f.Modality == Threatened
	}
	return false
}

// StatusKey is the identity of the process a fact is about: the same process
// reported by several articles gets the same key.
func StatusKey(f Fact) string {
	parts := []string{string(f.Kind)}
	switch f.Kind {
	case FactWithdrawal:
		parts = append(parts, partyKeys(f.Actors), partyKeys(f.Counterparts[:1]), f.Force)
	default:
		parts = append(parts, partyKeys(sides(f.Parties())), Slug(agreementHead(f.Subject)))
	}
	return strings.Join(parts, "|")
}

// sides replaces people by the countries they act for, so that an accord
// reached by two ministers is the accord between their countries.
func sides(ps []Party) []Party {
	out := make([]Party, 0, len(ps))
	for _, p := range ps {
		if p.Kind == EntityPerson && p.Country != "" {
			p = Party{Name: p.Country, Kind: EntityCountry, Country: p.Country}
		}
		out = append(out, p)
	}
	return out
}

// StatusTopic names the process a fact is about for people.
func StatusTopic(f Fact) string {
	switch f.Kind {
	case FactWithdrawal:
		force := f.Force
		if force == "" || force == "military" {
			force = "military"
		}
		from := ""
		if len(f.Counterparts) > 0 {
			from = f.Counterparts[0].Key()
		}
		return ShortName(partyNames(f.Actors)) + " " + force + " withdrawal from " + ShortName(from)
	default:
		subj := f.Subject
		if subj == "" {
			subj = "agreement"
		}
		return subj + " (" + partyNames(sides(f.Parties())) + ")"
	}
}

// agreementHead reduces an agreement subject to its head words so that
// "the Status of Forces Agreement (SOFA)" and "SOFA" can meet.
func agreementHead(subject string) string {
	s := strings.ToLower(subject)
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	for _, drop := range []string{"the ", "its ", "their ", "a ", "an "} {
		s = strings.ReplaceAll(s, drop, " ")
	}
	return strings.Join(strings.Fields(s), " ")
}

func partyKeys(ps []Party) string {
	keys := make([]string, 0, len(ps))
	seen := map[string]bool{}
	for _, p := range ps {
		k := Slug(p.Key())
		if k != "" && !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return strings.Join(keys, "+")
}

func partyNames(ps []Party) string {
	names := make([]string, 0, len(ps))
	seen := map[string]bool{}
	for _, p := range ps {
		k := p.Key()
		if k != "" && !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	return strings.Join(names, ", ")
}

// ShortName abbreviates the few country names that have a common short form.
func ShortName(name string) string {
	switch name {
	case "United States":
		return "US"
	case "United Kingdom":
		return "UK"
	}
	return name
}

// MergeStatus builds a Status from its events: history in time order, the
// stage of the latest dated event (ties go to the further stage).
func MergeStatus(key string, kind FactKind, topic, actor, subject string, events []StatusEvent) Status {
	h := append([]StatusEvent(nil), events...)
	sort.SliceStable(h, func(i, j int) bool {
		ai, aj := h[i].At(), h[j].At()
		if !ai.Equal(aj) {
			return ai.Before(aj)
		}
		ri, rj := stageRank(h[i].Stage), stageRank(h[j].Stage)
		if ri != rj {
			return ri < rj
		}
		return h[i].FactID < h[j].FactID
	})
	s := Status{Key: key, Kind: kind, Topic: topic, Actor: actor, Subject: subject, History: h, Events: len(h)}
	// The current stage is the latest asserted event; hedged or intended
	// evidence only counts when nothing firmer is known.
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Modality == Asserted {
			s.Stage, s.AsOf = h[i].Stage, h[i].Time
			return s
		}
	}
	if len(h) > 0 {
		s.Stage, s.AsOf = h[len(h)-1].Stage, h[len(h)-1].Time
	}
	return s
}

// Slug lowercases s and keeps letters and digits, joining words with '-'.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r > 127 && isLetter(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(foldAccent(r))
		default:
			dash = true
		}
	}
	return b.String()
}

// CompactHistory returns at most limit events of a status's time-ordered
// history, in time order. A limit of one keeps the latest event (the
// status's Current); two or more keep the latest and the one that sets the
// stage, then the first event of each stage run (up to half the limit, the
// latest runs first), then the latest events. A limit of zero or less, or
// one the history fits in, returns the history unchanged.
func CompactHistory(s Status, limit int) []StatusEvent {
	h := s.History
	if limit <= 0 || len(h) <= limit {
		return h
	}
	if limit == 1 {
		return h[len(h)-1:]
	}
	keep := make(map[int]bool, limit)
	keep[len(h)-1] = true
	for i := len(h) - 1; i >= 0; i-- {
		if h[i].Modality == Asserted {
			keep[i] = true
			break
		}
	}
	var starts []int
	for i, e := range h {
		if i == 0 || e.Stage != h[i-1].Stage {
			starts = append(starts, i)
		}
	}
	for i, added := len(starts)-1, 0; i >= 0 && added < max(limit/2, 1) && len(keep) < limit; i-- {
		if !keep[starts[i]] {
			keep[starts[i]] = true
			added++
		}
	}
	for i := len(h) - 1; i >= 0 && len(keep) < limit; i-- {
		keep[i] = true
	}
	out := make([]StatusEvent, 0, len(keep))
	for i, e := range h {
		if keep[i] {
			out = append(out, e)
		}
	}
	return out
}

// StatusSummaryEvents is the history a store keeps with each status's
// summary (see EncodeStatusSummary): a query with a larger HistoryLimit
// reads the events.
const StatusSummaryEvents = 16

// EncodeStatusSummary returns what a store keeps beside a status's events
// so that listing statuses reads one row each: the JSON of the merged
// status with its latest event (summary), and of its history compacted to
// StatusSummaryEvents (history).
func EncodeStatusSummary(st Status) (summary, history []byte, err error) {
	h := CompactHistory(st, StatusSummaryEvents)
	st.History = CompactHistory(st, 1)
	if summary, err = json.Marshal(st); err != nil {
		return nil, nil, fmt.Errorf("encode status summary of %s: %w", st.Key, err)
	}
	if history, err = json.Marshal(h); err != nil {
		return nil, nil, fmt.Errorf("encode status history of %s: %w", st.Key, err)
	}
	return summary, history, nil
}

// DecodeStatusSummary reads what EncodeStatusSummary wrote, the history
// only when the latest event is not all a query asks for, and compacts it
// to limit (see CompactHistory).
func DecodeStatusSummary(summary, history []byte, limit int) (Status, error) {
	var st Status
	if err := json.Unmarshal(summary, &st); err != nil {
		return st, fmt.Errorf("decode status summary: %w", err)
	}
	if limit > 1 {
		var h []StatusEvent
		if err := json.Unmarshal(history, &h); err != nil {
			return st, fmt.Errorf("decode status history of %s: %w", st.Key, err)
		}
		st.History = h
	}
	st.History = CompactHistory(st, limit)
	return st, nil
}
