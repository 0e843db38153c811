package briefings

import (
	"time"
)

// EntityKind is what sort of thing an entity is.
type EntityKind string

// The entity kinds.
const (
	EntityPerson       EntityKind = "person"
	EntityOrganization EntityKind = "organization"
	EntityCountry      EntityKind = "country"
	EntityPlace        EntityKind = "place"
)

// Role is a title a person holds, with the body or country it belongs to.
type Role struct {
	Title       string `json:"title"`
	Affiliation string `json:"affiliation,omitempty"`
}

// Entity is a person, organization, country or place named in articles.
type Entity struct {
	// ID is stable across articles: kind and a slug of the canonical name.
	ID   string     `json:"id"`
	Name string     `json:"name"`
	Kind EntityKind `json:"kind"`
	// Aliases are the other ways the text refers to it ("Campbell", "U.S.").
	Aliases []string `json:"aliases,omitempty"`
	// Roles are the titles a person holds (deduplicated).
	Roles []Role `json:"roles,omitempty"`
	// Country is the country a person, organization or place belongs to.
	Country string `json:"country,omitempty"`
	// Mentions counts how often the article names it.
	Mentions int `json:"mentions,omitempty"`
}

// FactKind is the kind of event or state a fact records.
type FactKind string

// The fact kinds.
const (
	FactMeeting     FactKind = "meeting"
	FactAgreement   FactKind = "agreement"
	FactWithdrawal  FactKind = "withdrawal"
	FactDemand      FactKind = "demand"
	FactTermination FactKind = "termination"
	FactThreat      FactKind = "threat"
	FactCoup        FactKind = "coup"
	FactComplaint   FactKind = "complaint"
	FactDeployment  FactKind = "deployment"
	FactStatement   FactKind = "statement"
)

// FactKinds lists every fact kind in display order.
func FactKinds() []FactKind {
	return []FactKind{FactMeeting, FactAgreement, FactWithdrawal, FactDemand, FactTermination,
		FactThreat, FactCoup, FactComplaint, FactDeployment, FactStatement}
}

// Withdrawal stages, in the order a withdrawal usually moves through them.
const (
	StageDemanded  = "demanded"
	StageAgreed    = "agreed"
	StagePlanned   = "planned"
	StageUnderWay  = "under way"
	StageCompleted = "completed"
	StagePaused    = "paused"
	StageReversed  = "reversed"
)

// Agreement statuses.
const (
	AgreementProposed   = "proposed"
	AgreementAgreed     = "agreed"
	AgreementSigned     = "signed"
	AgreementEffective  = "in effect"
	AgreementTerminated = "terminated"
	AgreementSuspended  = "suspended"
	AgreementThreatened = "threatened"
)

// Meeting modes.
const (
	ModeInPerson    = "in-person"
	ModePhone       = "phone"
	ModeVideo       = "video"
	ModeUnspecified = "unspecified"
)

// Modality says how firmly the text asserts a fact.
type Modality string

// The modalities. An empty modality is a plain assertion.
const (
	Asserted    Modality = ""
	Negated     Modality = "negated"     // "did not order"
	Hedged      Modality = "hedged"      // "expected to", "likely to"
	Conditional Modality = "conditional" // "would not stay if"
	Threatened  Modality = "threatened"  // "threatened to annul"
	Intended    Modality = "intended"    // "plans to", "will", "are to meet"
	Requested   Modality = "requested"   // "requests to meet"
	Implied     Modality = "implied"     // "implied ... would need to vacate"
)

// Precision is how exactly a TimeRef pins a time.
type Precision string

// The precisions.
const (
	PrecisionDay      Precision = "day"
	PrecisionWeek     Precision = "week"
	PrecisionMonth    Precision = "month"
	PrecisionSeason   Precision = "season"
	PrecisionYear     Precision = "year"
	PrecisionDecade   Precision = "decade"
	PrecisionDuration Precision = "duration"
	PrecisionUnknown  Precision = "unknown"
)

// TimeRef is a time expression from the text and what it resolves to.
type TimeRef struct {
	// Text is the expression as written ("on Friday", "last month").
	Text string `json:"text,omitempty"`
	// Value is the resolved value: YYYY-MM-DD, YYYY-Www, YYYY-MM, YYYY, or an
	// ISO 8601 duration such as P1Y. Empty when unresolved.
	Value     string    `json:"value,omitempty"`
	Precision Precision `json:"precision,omitempty"`
	// Start and End bound the resolved period (inclusive days); zero when
	// unresolved or a duration.
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Sentence is the index of the sentence the expression is in.
	Sentence int `json:"sentence"`
	// Note explains an unresolved or derived value.
	Note string `json:"note,omitempty"`
}

// IsZero reports whether t holds nothing.
func (t TimeRef) IsZero() bool { return t.Text == "" && t.Value == "" }

// Resolved reports whether t has a calendar value (not a duration).
func (t TimeRef) Resolved() bool { return !t.Start.IsZero() }

// Party is a participant in a fact: a person, body or country, with the role
// and country the text gives it.
type Party struct {
	Name    string     `json:"name"`
	Kind    EntityKind `json:"kind,omitempty"`
	Role    string     `json:"role,omitempty"`
	Country string     `json:"country,omitempty"`
	// Entity is the ID of the entity this party refers to, when known.
	Entity string `json:"entity,omitempty"`
}

// Key returns the party's country when it stands for one, otherwise its
// name: what matching and status keys compare.
func (p Party) Key() string {
	if p.Kind == EntityCountry {
		return p.Name
	}
	if p.Kind == EntityPerson || p.Kind == EntityOrganization {
		if p.Name != "" {
			return p.Name
		}
	}
	if p.Country != "" {
		return p.Country
	}
	return p.Name
}

// Evidence locates the sentence that carries a fact.
type Evidence struct {
	ArticleID string `json:"article_id,omitempty"`
	// Sentence is the index of the sentence in the article body.
	Sentence int `json:"sentence"`
	// Text is the sentence exactly as the article has it.
	Text string `json:"text"`
}

// Fact is one event or state reported by an article. A fact without evidence
// does not exist.
type Fact struct {
	ID        string   `json:"id"`
	ArticleID string   `json:"article_id,omitempty"`
	Kind      FactKind `json:"kind"`
	// Actors do the thing: who met, who signed, who withdraws, who threatens.
	Actors []Party `json:"actors,omitempty"`
	// Counterparts receive it: whom they met, the other signatory, the
	// threat's target, the country or body withdrawn from.
	Counterparts []Party `json:"counterparts,omitempty"`
	Place        string  `json:"place,omitempty"`
	Time         TimeRef `json:"time,omitzero"`
	// Deadline is the text's deadline for the thing, if any.
	Deadline TimeRef `json:"deadline,omitzero"`
	// Status is a withdrawal's stage or an agreement's status.
	Status string `json:"status,omitempty"`
	// Mode is a meeting's mode (in-person, phone, video, unspecified).
	Mode string `json:"mode,omitempty"`
	// Force says what withdraws: military, diplomatic, mission, membership.
	Force string `json:"force,omitempty"`
	// Scope is "full" or "partial" when the text says so.
	Scope string `json:"scope,omitempty"`
	// Subject is what an agreement, demand, threat or statement is about.
	Subject string `json:"subject,omitempty"`
	// Condition is what the fact depends on ("in return for guarantees");
	// "none" when the text says it is unconditional.
	Condition string `json:"condition,omitempty"`
	// Attribution is who the text says reported the fact ("a State
	// Department official", "diplomatic sources"), when not an actor.
	Attribution string   `json:"attribution,omitempty"`
	Modality    Modality `json:"modality,omitempty"`
	// Summary is a one-line normalized statement of the fact.
	Summary  string     `json:"summary"`
	Evidence Evidence   `json:"evidence"`
	Support  []Evidence `json:"support,omitempty"`
	// Notes carry details that fit no field ("their second encounter this week").
	Notes []string `json:"notes,omitempty"`
	// Mentions are the canonical names of the entities the evidence sentence
	// names, so that a fact can be found by any of them.
	Mentions   []string `json:"mentions,omitempty"`
	Confidence float64  `json:"confidence"`
}

// IsAsserted reports whether the text states the fact as happening or
// having happened (or, for plans and agreements, as decided).
func (f Fact) IsAsserted() bool { return f.Modality == Asserted }

// Parties returns actors followed by counterparts.
func (f Fact) Parties() []Party {
	out := make([]Party, 0, len(f.Actors)+len(f.Counterparts))
	out = append(out, f.Actors...)
	return append(out, f.Counterparts...)
}

// Sentence is one sentence of an article body.
type Sentence struct {
	Index int    `json:"index"`
	Text  string `json:"text"`
	// Paragraph is the index of the paragraph the sentence is in.
	Paragraph int `json:"paragraph"`
}

// Facts is what the extractor finds in one article.
type Facts struct {
	ArticleID string     `json:"article_id"`
	Sentences []Sentence `json:"sentences"`
	Entities  []Entity   `json:"entities"`
	Facts     []Fact     `json:"facts"`
	// Dates are the time expressions found, in text order, deduplicated by
	// text and value.
	Dates []TimeRef `json:"dates"`
}
