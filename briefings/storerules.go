package briefings

// The rules every Store applies, in one place: bounds and default limits,
// how names are folded and indexed, how entities merge, which words a
// sentence search ranks, how an article is checked before it is stored, and
// the checks on subscriptions, deliveries, feeds and stories. The SQLite
// store, the in-memory store and the Postgres store all call these, so that
// the conformance suite (briefings/storetest) sees one behaviour.

import (
	"crypto/rand"
	"encoding/base32"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds on what one article may carry and on what one query may ask.
const (
	// MaxFactsPerArticle bounds the facts stored with one article.
	MaxFactsPerArticle = 5000
	// MaxSentencesPerArticle bounds the sentences stored with one article.
	MaxSentencesPerArticle = 20000
	// MaxEntitiesPerArticle bounds the entities stored with one article.
	MaxEntitiesPerArticle = 5000
	// MaxFieldBytes bounds an article's title, source, URL and story, and
	// the free-text fields of subscriptions, deliveries, feeds and stories.
	MaxFieldBytes = 8 << 10
	// MaxQueryValues bounds the terms, kinds or keys of one query.
	MaxQueryValues = 100
	// MaxQueryIDs bounds the article ids of one query.
	MaxQueryIDs = 1000

	// Default and largest limits per query. A limit of 0 selects the
	// default; a larger limit than the largest is lowered to it.
	DefaultArticleLimit  = 100
	MaxArticleLimit      = 1000
	DefaultFactLimit     = 500
	MaxFactLimit         = 5000
	DefaultEntityLimit   = 50
	MaxEntityLimit       = 1000
	DefaultStatusLimit   = 100
	MaxStatusLimit       = 1000
	DefaultSentenceLimit = 20
	MaxSentenceLimit     = 500

	// MaxSearchWords bounds the words of one sentence search.
	MaxSearchWords = 64
	// SearchBudget bounds the sentences a search ranks: the words of a
	// search are kept from the rarest on while the sentences holding them
	// add up to at most this many (the rarest word is always kept).
	SearchBudget = 2500
)

// IsStopWord reports English function words, left out of sentence searches
// unless a search has nothing else: they match most sentences and tell
// little about any.
func IsStopWord(w string) bool {
	switch w {
	case "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "before",
		"being", "but", "by", "can", "could", "did", "do", "does", "for", "from", "had", "has", "have", "he",
		"her", "here", "his", "how", "i", "if", "in", "into", "is", "it", "its", "may", "me", "might", "must",
		"my", "no", "not", "of", "on", "or", "our", "over", "shall", "she", "should", "so", "some", "such", "than",
		"that", "the", "their", "them", "then", "there", "these", "they", "this", "those", "to", "very", "was",
		"we", "were", "what", "when", "where", "which", "who", "whom", "whose", "why", "will", "with", "would",
		"you", "your":
		return true
	}
	return false
}

// PreparedArticle is an article and its extraction, checked against the
// store rules and completed with what a store derives.
type PreparedArticle struct {
	Article   Article
	Facts     []Fact
	Sentences []Sentence
	Entities  []Entity
	// Signature is the near-duplicate signature of the article's text.
	Signature Signature
}

// PrepareArticle checks an article and its facts against the store rules and
// fills what the store derives: content hash, id, ingestion time (now when
// unset), fact ids, the merged entities of the article and its
// near-duplicate signature. Times are kept to the microsecond in UTC.
func PrepareArticle(a Article, f Facts, now time.Time) (PreparedArticle, error) {
	if strings.TrimSpace(a.Text) == "" {
		return PreparedArticle{}, Errorf(CodeInvalid, "article %q has no text; an article needs a body to be stored", a.Title)
	}
	if len(a.Text) > MaxArticleBytes {
		return PreparedArticle{}, Errorf(CodeInvalid, "article %q has %d bytes of text; at most %d are stored", a.Title, len(a.Text), MaxArticleBytes)
	}
	for _, fl := range []struct{ name, v string }{{"title", a.Title}, {"source", a.Source}, {"URL", a.URL}, {"story", a.Story}} {
		if len(fl.v) > MaxFieldBytes {
			return PreparedArticle{}, Errorf(CodeInvalid, "article %s is %d bytes long; at most %d are stored", fl.name, len(fl.v), MaxFieldBytes)
		}
	}
	// Every store holds text alike: PostgreSQL cannot hold a NUL byte or
	// invalid UTF-8, so no store takes them (ParseArticle and the fetcher
	// never produce them).
	for _, fl := range []struct{ name, v string }{{"text", a.Text}, {"title", a.Title}, {"source", a.Source}, {"URL", a.URL}, {"story", a.Story}} {
		if strings.IndexByte(fl.v, 0) >= 0 || !utf8.ValidString(fl.v) {
			return PreparedArticle{}, Errorf(CodeInvalid, "article %s holds a NUL byte or invalid UTF-8; save the article as UTF-8 text and add it again", fl.name)
		}
	}
	if a.Hash == "" {
		a.Hash = ContentHash(a.Text)
	}
	if a.ID == "" {
		a.ID = ArticleID(a.Hash)
	}
	if f.ArticleID != "" && f.ArticleID != a.ID {
		return PreparedArticle{}, Errorf(CodeInvalid, "the facts were extracted from article %q, not from %q; extract them from this article", f.ArticleID, a.ID)
	}
	if !a.Published.IsZero() {
		a.Published = StoreTime(a.Published)
	}
	if a.Ingested.IsZero() {
		a.Ingested = now
	}
	a.Ingested = StoreTime(a.Ingested)
	switch {
	case len(f.Facts) > MaxFactsPerArticle:
		return PreparedArticle{}, Errorf(CodeInvalid, "article %s has %d facts; at most %d are stored per article", a.ID, len(f.Facts), MaxFactsPerArticle)
	case len(f.Sentences) > MaxSentencesPerArticle:
		return PreparedArticle{}, Errorf(CodeInvalid, "article %s has %d sentences; at most %d are stored per article", a.ID, len(f.Sentences), MaxSentencesPerArticle)
	case len(f.Entities) > MaxEntitiesPerArticle:
		return PreparedArticle{}, Errorf(CodeInvalid, "article %s has %d entities; at most %d are stored per article", a.ID, len(f.Entities), MaxEntitiesPerArticle)
	}

	p := PreparedArticle{Article: a}
	seenSentence := make(map[int]bool, len(f.Sentences))
	sentenceBytes := 0
	for _, s := range f.Sentences {
		if s.Index < 0 || seenSentence[s.Index] {
			return PreparedArticle{}, Errorf(CodeInvalid, "article %s: sentence index %d is negative or used twice", a.ID, s.Index)
		}
		seenSentence[s.Index] = true
		sentenceBytes += len(s.Text)
	}
	if sentenceBytes > 2*MaxArticleBytes {
		return PreparedArticle{}, Errorf(CodeInvalid, "article %s: its sentences hold %d bytes, more than the article could", a.ID, sentenceBytes)
	}
	p.Sentences = f.Sentences

	p.Facts = make([]Fact, len(f.Facts))
	seenFact := make(map[string]bool, len(f.Facts))
	for i, fact := range f.Facts {
		if fact.ID == "" {
			fact.ID = a.ID + "-" + strconv.Itoa(i)
		}
		switch {
		case fact.ArticleID == "":
			fact.ArticleID = a.ID
		case fact.ArticleID != a.ID:
			return PreparedArticle{}, Errorf(CodeInvalid, "fact %s belongs to article %s, not %s", fact.ID, fact.ArticleID, a.ID)
		}
		if fact.Kind == "" {
			return PreparedArticle{}, Errorf(CodeInvalid, "fact %s has no kind", fact.ID)
		}
		if strings.TrimSpace(fact.Evidence.Text) == "" {
			return PreparedArticle{}, Errorf(CodeInvalid, "fact %s has no evidence sentence; a fact without evidence is not stored", fact.ID)
		}
		if seenFact[fact.ID] {
			return PreparedArticle{}, Errorf(CodeInvalid, "fact id %s is used twice in article %s", fact.ID, a.ID)
		}
		seenFact[fact.ID] = true
		p.Facts[i] = fact
	}

	byID := make(map[string]int, len(f.Entities))
	for _, e := range f.Entities {
		if e.ID == "" || strings.TrimSpace(e.Name) == "" {
			return PreparedArticle{}, Errorf(CodeInvalid, "entity %q (%s) has no id or no name; the extractor must give both", e.Name, e.Kind)
		}
		if e.Mentions < 0 {
			return PreparedArticle{}, Errorf(CodeInvalid, "entity %s has a negative mention count", e.ID)
		}
		if i, ok := byID[e.ID]; ok {
			p.Entities[i] = MergeEntity(p.Entities[i], e)
			continue
		}
		byID[e.ID] = len(p.Entities)
		p.Entities = append(p.Entities, MergeEntity(Entity{ID: e.ID, Name: e.Name, Kind: e.Kind, Country: e.Country}, e))
	}
	p.Signature = NewSignature(a.Text)
	return p, nil
}

// StoreTime keeps a time to the microsecond, in UTC: what every store can hold.
func StoreTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

// FactSortAt is the time facts are ordered by, in unix microseconds: the
// resolved start, else the article's publication, else last (the largest
// int64).
func FactSortAt(f Fact, a Article) int64 {
	switch {
	case f.Time.Resolved():
		return f.Time.Start.UnixMicro()
	case a.PublishedKnown():
		return a.Published.UnixMicro()
	}
	return 1<<63 - 1
}

// FoldName is how names are compared: accents removed, lower case, single
// spaces.
func FoldName(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(FoldAccents(s))), " ")
}

// FoldNames folds and deduplicates values, dropping empty ones.
func FoldNames(values []string) []string {
	out := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		v = FoldName(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// FactTerms lists the folded names a fact can be found by (FactQuery.Terms):
// every party's name, country, entity id and key, the place, and the
// fact's mentions.
func FactTerms(f Fact) []string {
	vals := make([]string, 0, 4*(len(f.Actors)+len(f.Counterparts))+1+len(f.Mentions))
	for _, p := range f.Parties() {
		vals = append(vals, p.Name, p.Country, p.Entity, p.Key())
	}
	vals = append(vals, f.Place)
	vals = append(vals, f.Mentions...)
	return FoldNames(vals)
}

// FoldedWords splits folded text into its letter-and-digit words.
func FoldedWords(s string) []string {
	return strings.FieldsFunc(FoldName(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// StatusWords lists the folded words of a status's topic and key, by which
// StatusQuery.Terms find it (each word of a term must start one of them).
func StatusWords(topic, key string) []string {
	return FoldNames(append(FoldedWords(topic), FoldedWords(key)...))
}

// SearchWords lists the distinct words of search terms, without stop words
// unless there is nothing else, at most MaxSearchWords.
func SearchWords(terms []string) []string {
	var all []string
	for _, t := range terms {
		all = append(all, FoldedWords(t)...)
	}
	all = FoldNames(all)
	out := make([]string, 0, len(all))
	for _, w := range all {
		if !IsStopWord(w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = all
	}
	if len(out) > MaxSearchWords {
		out = out[:MaxSearchWords]
	}
	return out
}

// PruneSearchWords keeps the words a search can afford to rank: from the
// rarest on, while the sentences holding them (docs) add up to at most
// SearchBudget; the rarest word that occurs at all is always kept.
func PruneSearchWords(ws []string, docs map[string]int) []string {
	sorted := make([]string, 0, len(ws))
	for _, w := range ws {
		if docs[w] > 0 {
			sorted = append(sorted, w)
		}
	}
	sort.Slice(sorted, func(i, j int) bool {
		if docs[sorted[i]] != docs[sorted[j]] {
			return docs[sorted[i]] < docs[sorted[j]]
		}
		return sorted[i] < sorted[j]
	})
	total := 0
	for i, w := range sorted {
		total += docs[w]
		if i > 0 && total > SearchBudget {
			return sorted[:i]
		}
	}
	return sorted
}

// MergeEntity adds what b knows to a: aliases and roles are unioned (folded
// comparison, first spelling kept), mentions summed; a's id, name and kind
// stay, its country is filled in when it has none.
func MergeEntity(a, b Entity) Entity {
	if a.Country == "" {
		a.Country = b.Country
	}
	a.Mentions += b.Mentions
	seen := make(map[string]bool, len(a.Aliases)+len(b.Aliases))
	aliases := make([]string, 0, len(a.Aliases)+len(b.Aliases))
	for _, al := range append(append([]string(nil), a.Aliases...), b.Aliases...) {
		k := FoldName(al)
		if k != "" && !seen[k] {
			seen[k] = true
			aliases = append(aliases, al)
		}
	}
	if len(aliases) == 0 {
		aliases = nil
	}
	a.Aliases = aliases
	seenRole := make(map[[2]string]bool, len(a.Roles)+len(b.Roles))
	roles := make([]Role, 0, len(a.Roles)+len(b.Roles))
	for _, r := range append(append([]Role(nil), a.Roles...), b.Roles...) {
		k := [2]string{FoldName(r.Title), FoldName(r.Affiliation)}
		if k[0] != "" && !seenRole[k] {
			seenRole[k] = true
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		roles = nil
	}
	a.Roles = roles
	return a
}

// EntityNames lists the folded names an entity is found by: its name and
// every alias.
func EntityNames(e Entity) []string {
	return FoldNames(append([]string{e.Name}, e.Aliases...))
}

// NewStatusEvent is the evidence a fact of article a gives about the tracked
// process key.
func NewStatusEvent(key string, f Fact, a Article) StatusEvent {
	return StatusEvent{
		Key: key, Stage: f.Status, Time: f.Time, FactID: f.ID, ArticleID: a.ID,
		Evidence: f.Evidence, Deadline: f.Deadline, Notes: f.Notes, Modality: f.Modality,
		Published: a.Published, Ingested: a.Ingested,
	}
}

// StatusActor names who carries out a tracked process: the keys of the
// fact's actors, joined.
func StatusActor(f Fact) string {
	var names []string
	seen := map[string]bool{}
	for _, p := range f.Actors {
		if k := p.Key(); k != "" && !seen[k] {
			seen[k] = true
			names = append(names, k)
		}
	}
	return strings.Join(names, ", ")
}

// StatusSubject names what a tracked process is about: the country or body
// withdrawn from, or the agreement.
func StatusSubject(f Fact) string {
	if f.Kind == FactWithdrawal && len(f.Counterparts) > 0 {
		return f.Counterparts[0].Key()
	}
	return f.Subject
}

// StageSetter returns the event that sets a merged status's stage, by the
// rule of MergeStatus: the latest asserted event, else the latest.
func StageSetter(s Status) StatusEvent {
	for i := len(s.History) - 1; i >= 0; i-- {
		if s.History[i].Modality == Asserted {
			return s.History[i]
		}
	}
	return s.Current()
}

// StatusLatest is the time of a status's latest event, which orders the
// status board.
func StatusLatest(s Status) time.Time {
	var t time.Time
	for _, e := range s.History {
		if at := e.At(); at.After(t) {
			t = at
		}
	}
	return t
}

// QueryLimit applies a query's default and largest limit: 0 selects def, a
// limit above max is lowered to it, a negative one is refused.
func QueryLimit(n, def, max int, what string) (int, error) {
	switch {
	case n < 0:
		return 0, Errorf(CodeInvalid, "%s limit %d is negative; use 0 for the default of %d", what, n, def)
	case n == 0:
		return def, nil
	case n > max:
		return max, nil
	}
	return n, nil
}

// CheckQueryList bounds one list of a query.
func CheckQueryList(what string, n, max int) error {
	if n > max {
		return Errorf(CodeInvalid, "%d %s in one query; at most %d are allowed", n, what, max)
	}
	return nil
}

// Duplicates. AddArticle recognizes an article already stored, in this
// order: the same text (its content hash is an article's or a recorded
// source's), the same address (its URL is an article's or a recorded
// source's), or a near-duplicate (a stored article's signature is at least
// NearDuplicateThreshold similar; the most similar one, the earliest stored
// among equals). A near-duplicate, and a same-text copy from an address not
// yet recorded, is recorded as an ArticleSource of the stored article;
// nothing else is written.
const (
	// DuplicateSameText is AddResult.DuplicateReason for a copy of a stored text.
	DuplicateSameText = "same text"
	// DuplicateSameAddress is AddResult.DuplicateReason for a URL already stored.
	DuplicateSameAddress = "same address"
	// DuplicateNear is AddResult.DuplicateReason for a near-duplicate.
	DuplicateNear = "near-duplicate"

	// MaxNearDuplicateCandidates bounds the stored articles whose signatures
	// are compared with a new one: those sharing the most band keys.
	MaxNearDuplicateCandidates = 50
	// MaxArticleSources bounds the sources ArticleSources returns (the
	// first recorded).
	MaxArticleSources = 1000
)

// NewArticleSource is the source record of a duplicate copy a of the stored
// article id, recorded at now.
func NewArticleSource(id string, a Article, similarity float64, now time.Time) ArticleSource {
	src := ArticleSource{ArticleID: id, Title: a.Title, Source: a.Source, URL: a.URL, Hash: a.Hash,
		Similarity: similarity, Added: StoreTime(now)}
	if !a.Published.IsZero() {
		src.Published = StoreTime(a.Published)
	}
	return src
}

// NewStoreID returns a new random record id: prefix, "_" and 16 base32
// characters (80 random bits), such as "sub_k3m9x2qa7bdf4p1z".
func NewStoreID(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return prefix + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// Bounds of subscriptions and the delivery ledger.
const (
	// MaxKeyBytes bounds identifiers: platform, workspace, channel, record
	// ids, delivery slots, claimants, time zones, feed item ids.
	MaxKeyBytes = 256
	// DefaultSubscriptionLimit and MaxSubscriptionLimit bound one page of
	// Subscriptions.
	DefaultSubscriptionLimit = 100
	MaxSubscriptionLimit     = 1000
	// DefaultDeliveryLimit and MaxDeliveryLimit bound Deliveries.
	DefaultDeliveryLimit = 20
	MaxDeliveryLimit     = 500
	// MaxLease bounds the lease of one delivery or feed claim.
	MaxLease = 24 * time.Hour
	// LedgerRetention is how long ledger rows are kept: when a new slot of
	// a subscription is claimed, its rows due more than this before the
	// claim are deleted, except the latest sent or empty one (LastCursor
	// reads it). It is far longer than any catch-up window, so a deleted
	// slot is never due again, and it keeps a year of history.
	LedgerRetention = 400 * 24 * time.Hour
)

// checkKey checks an identifier: required, at most MaxKeyBytes, valid UTF-8
// without control characters.
func checkKey(what, v string, required bool) error {
	switch {
	case v == "" && required:
		return Errorf(CodeInvalid, "no %s given", what)
	case len(v) > MaxKeyBytes:
		return Errorf(CodeInvalid, "%s is %d bytes long; at most %d are allowed", what, len(v), MaxKeyBytes)
	case !utf8.ValidString(v) || strings.ContainsFunc(v, unicode.IsControl):
		return Errorf(CodeInvalid, "%s %q contains invalid characters", what, v)
	}
	return nil
}

// checkText checks a free-text field: at most MaxFieldBytes of valid UTF-8.
func checkText(what, v string) error {
	if len(v) > MaxFieldBytes {
		return Errorf(CodeInvalid, "%s is %d bytes long; at most %d are allowed", what, len(v), MaxFieldBytes)
	}
	if !utf8.ValidString(v) {
		return Errorf(CodeInvalid, "%s is not valid UTF-8", what)
	}
	return nil
}

// truncateText shortens s to at most MaxFieldBytes on a character boundary,
// marking the cut with "…".
func truncateText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= MaxFieldBytes {
		return s
	}
	cut := MaxFieldBytes - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// CheckSubscription checks a subscription before it is stored and
// normalizes it: days sorted without repeats, Created and Updated set (now
// when unset) to the microsecond in UTC. The id is the store's to give.
func CheckSubscription(s Subscription, now time.Time) (Subscription, error) {
	for _, k := range []struct {
		what, v  string
		required bool
	}{{"platform", s.Platform, true}, {"workspace", s.Workspace, false}, {"channel", s.Channel, true}, {"time zone", s.Zone, true}} {
		if err := checkKey("subscription "+k.what, k.v, k.required); err != nil {
			return Subscription{}, err
		}
	}
	if strings.ContainsAny(s.Zone, " \t") {
		return Subscription{}, Errorf(CodeInvalid, "time zone %q contains a space; use an IANA name such as Europe/Berlin", s.Zone)
	}
	if s.Hour < 0 || s.Hour > 23 || s.Minute < 0 || s.Minute > 59 {
		return Subscription{}, Errorf(CodeInvalid, "%02d:%02d is not a time of day; use HH:MM from 00:00 to 23:59", s.Hour, s.Minute)
	}
	if len(s.Days) == 0 {
		return Subscription{}, Errorf(CodeInvalid, "a subscription needs at least one weekday (0 = Sunday to 6 = Saturday)")
	}
	days := make([]int, 0, len(s.Days))
	for _, d := range s.Days {
		if d < 0 || d > 6 {
			return Subscription{}, Errorf(CodeInvalid, "weekday %d is out of range; use 0 (Sunday) to 6 (Saturday)", d)
		}
		if !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	slices.Sort(days)
	s.Days = days
	for _, t := range []struct{ what, v string }{{"story", s.Story}, {"creator", s.Creator}} {
		if err := checkText("subscription "+t.what, t.v); err != nil {
			return Subscription{}, err
		}
	}
	if s.Updated.IsZero() {
		s.Updated = now
	}
	if s.Created.IsZero() {
		s.Created = s.Updated
	}
	s.Created, s.Updated = StoreTime(s.Created), StoreTime(s.Updated)
	s.PausedReason = PauseReason(s.Paused, s.PausedReason)
	return s, nil
}

// PauseReason is the reason a store records with SetPaused: cut to
// MaxFieldBytes (a platform's error text may be long; it is never refused),
// and empty when the subscription is resumed.
func PauseReason(paused bool, reason string) string {
	if !paused {
		return ""
	}
	return truncateText(reason)
}

// CheckSubscriptionQuery checks a subscription query and returns its limit.
// A channel is only meaningful within a workspace, and a workspace within a
// platform: a query naming a channel must name both, one naming a
// workspace its platform.
func CheckSubscriptionQuery(q SubscriptionQuery) (int, error) {
	n, err := QueryLimit(q.Limit, DefaultSubscriptionLimit, MaxSubscriptionLimit, "subscription")
	if err != nil {
		return 0, err
	}
	for _, k := range []struct{ what, v string }{{"platform", q.Platform}, {"workspace", q.Workspace}, {"channel", q.Channel}, {"id", q.AfterID}} {
		if err := checkKey("subscription "+k.what, k.v, false); err != nil {
			return 0, err
		}
	}
	switch {
	case q.Channel != "" && q.Platform == "":
		return 0, Errorf(CodeInvalid, "a subscription query by channel needs the platform (and workspace) too")
	case q.Workspace != "" && q.Platform == "":
		return 0, Errorf(CodeInvalid, "a subscription query by workspace needs the platform too")
	}
	return n, nil
}

// CheckClaim checks a delivery claim and returns the row a store writes for
// a new slot: state claimed, one attempt, the claimant's lease from now.
func CheckClaim(d Delivery, claimant string, now time.Time, lease time.Duration) (Delivery, error) {
	if err := checkKey("delivery subscription id", d.SubscriptionID, true); err != nil {
		return Delivery{}, err
	}
	if err := checkKey("delivery slot", d.Slot, true); err != nil {
		return Delivery{}, err
	}
	if err := checkKey("claimant", claimant, true); err != nil {
		return Delivery{}, err
	}
	if d.Due.IsZero() || now.IsZero() {
		return Delivery{}, Errorf(CodeInvalid, "delivery %s %s: the due time and the claim time are required", d.SubscriptionID, d.Slot)
	}
	if lease <= 0 || lease > MaxLease {
		return Delivery{}, Errorf(CodeInvalid, "delivery lease %v is out of range; use more than 0 and at most %v", lease, MaxLease)
	}
	now = StoreTime(now)
	return Delivery{
		SubscriptionID: d.SubscriptionID, Slot: d.Slot, Due: StoreTime(d.Due), State: DeliveryClaimed, Manual: d.Manual,
		Attempts: 1, Claimant: claimant, LeaseUntil: StoreTime(now.Add(lease)), Updated: now,
	}, nil
}

// CanTakeOver reports whether a ledger row may be claimed again at now: a
// claim whose lease has run out (LeaseUntil before now), or a retryable
// failure whose NextAttempt has come (at or before now).
func CanTakeOver(d Delivery, now time.Time) bool {
	switch d.State {
	case DeliveryClaimed:
		return d.LeaseUntil.Before(now)
	case DeliveryFailedRetryable:
		return !d.NextAttempt.After(now)
	}
	return false
}

// TakeOver is row d claimed again by claimant at now: one more attempt, a new
// lease, the previous outcome cleared.
func TakeOver(d Delivery, claimant string, now time.Time, lease time.Duration) Delivery {
	now = StoreTime(now)
	d.State, d.Claimant, d.Attempts = DeliveryClaimed, claimant, d.Attempts+1
	d.LeaseUntil, d.NextAttempt, d.Updated = StoreTime(now.Add(lease)), time.Time{}, now
	return d
}

// CheckFinish checks the outcome of a claimed delivery and normalizes it.
// d must be the row ClaimDelivery returned (its Claimant and LeaseUntil
// identify the claim) with the outcome filled in: a state other than
// claimed, NextAttempt for failed_retryable. An over-long Error is cut, not
// refused, so that an outcome is never lost. Updated is set to now.
func CheckFinish(d Delivery, now time.Time) (Delivery, error) {
	if err := checkKey("delivery subscription id", d.SubscriptionID, true); err != nil {
		return Delivery{}, err
	}
	if err := checkKey("delivery slot", d.Slot, true); err != nil {
		return Delivery{}, err
	}
	if d.Claimant == "" || d.LeaseUntil.IsZero() {
		return Delivery{}, Errorf(CodeInvalid, "delivery %s %s: finish the row ClaimDelivery returned (its claimant and lease identify the claim)", d.SubscriptionID, d.Slot)
	}
	switch d.State {
	case DeliverySent, DeliveryEmpty, DeliveryFailedPermanent, DeliveryMissed:
		d.NextAttempt = time.Time{}
	case DeliveryFailedRetryable:
		if d.NextAttempt.IsZero() {
			return Delivery{}, Errorf(CodeInvalid, "delivery %s %s failed and is to be retried, but no next attempt time was given", d.SubscriptionID, d.Slot)
		}
		d.NextAttempt = StoreTime(d.NextAttempt)
	default:
		return Delivery{}, Errorf(CodeInvalid, "delivery %s %s cannot finish as %q; use sent, empty, failed_retryable, failed_permanent or missed", d.SubscriptionID, d.Slot, d.State)
	}
	if d.Attempts < 0 {
		return Delivery{}, Errorf(CodeInvalid, "delivery %s %s: negative attempt count", d.SubscriptionID, d.Slot)
	}
	if err := checkKey("message id", d.MessageID, false); err != nil {
		return Delivery{}, err
	}
	if err := checkText("message link", d.Link); err != nil {
		return Delivery{}, err
	}
	d.Error = truncateText(d.Error)
	if !d.Cursor.IsZero() {
		d.Cursor = StoreTime(d.Cursor)
	}
	d.LeaseUntil, d.Updated = StoreTime(d.LeaseUntil), StoreTime(now)
	return d, nil
}

// Bounds and defaults of feeds.
const (
	// DefaultFeedEvery is the polling interval of a feed added without one.
	DefaultFeedEvery = 30 * time.Minute
	// MinFeedEvery and MaxFeedEvery bound a feed's polling interval.
	MinFeedEvery = time.Minute
	MaxFeedEvery = 7 * 24 * time.Hour
	// DefaultFeedLimit and MaxFeedLimit bound Feeds and ClaimDueFeeds.
	DefaultFeedLimit = 100
	MaxFeedLimit     = 1000
	// MaxFeedItemsPerCall bounds the item ids of one NewFeedItems call.
	MaxFeedItemsPerCall = 1000
	// MaxSeenItemsPerFeed bounds the item ids remembered per feed: the
	// oldest beyond it are forgotten (an item that reappears after that is
	// new again, and is then caught as a duplicate article).
	MaxSeenItemsPerFeed = 5000
)

// CheckFeed checks a feed before it is added and fills its defaults:
// polling interval DefaultFeedEvery, due now, added now. Only http and https
// addresses are followed.
func CheckFeed(f Feed, now time.Time) (Feed, error) {
	if err := checkFeedURL(f.URL); err != nil {
		return Feed{}, err
	}
	if f.Every == 0 {
		f.Every = DefaultFeedEvery
	}
	if f.Every < MinFeedEvery || f.Every > MaxFeedEvery {
		return Feed{}, Errorf(CodeInvalid, "feed polling interval %v is out of range; use %v to %v (for example 30m)", f.Every, MinFeedEvery, MaxFeedEvery)
	}
	f.Every = f.Every.Truncate(time.Microsecond)
	if f.Failures < 0 || f.Items < 0 {
		return Feed{}, Errorf(CodeInvalid, "feed %s: negative counts", f.URL)
	}
	if err := checkKey("feed added by", f.AddedBy, false); err != nil {
		return Feed{}, err
	}
	if err := checkFeedValidators(f); err != nil {
		return Feed{}, err
	}
	f.LastError = truncateText(f.LastError)
	if f.Added.IsZero() {
		f.Added = now
	}
	if f.NextPoll.IsZero() {
		f.NextPoll = now
	}
	f.Added, f.NextPoll = StoreTime(f.Added), StoreTime(f.NextPoll)
	if !f.LastPolled.IsZero() {
		f.LastPolled = StoreTime(f.LastPolled)
	}
	return f, nil
}

func checkFeedURL(raw string) error {
	if err := checkText("feed URL", raw); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	if raw == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(CodeInvalid, "feed address %q is not an http or https URL; give one such as https://example.com/feed.xml", raw)
	}
	return nil
}

func checkFeedValidators(f Feed) error {
	if err := checkText("feed ETag", f.ETag); err != nil {
		return err
	}
	return checkText("feed Last-Modified", f.LastModified)
}

// CheckFeedPoll checks a poll's outcome before FinishFeedPoll records it:
// the next poll time is required; an over-long error is cut.
func CheckFeedPoll(f Feed) (Feed, error) {
	if err := checkKey("feed id", f.ID, true); err != nil {
		return Feed{}, err
	}
	if f.NextPoll.IsZero() {
		return Feed{}, Errorf(CodeInvalid, "feed %s: the poll's outcome needs the next poll time", f.ID)
	}
	if f.Failures < 0 || f.Items < 0 {
		return Feed{}, Errorf(CodeInvalid, "feed %s: negative counts", f.ID)
	}
	if err := checkFeedValidators(f); err != nil {
		return Feed{}, err
	}
	f.LastError = truncateText(f.LastError)
	f.NextPoll = StoreTime(f.NextPoll)
	if !f.LastPolled.IsZero() {
		f.LastPolled = StoreTime(f.LastPolled)
	}
	return f, nil
}

// CheckFeedClaim checks a ClaimDueFeeds call and returns its limit.
func CheckFeedClaim(claimant string, now time.Time, lease time.Duration, limit int) (int, error) {
	if err := checkKey("claimant", claimant, true); err != nil {
		return 0, err
	}
	if now.IsZero() {
		return 0, Errorf(CodeInvalid, "claiming feeds needs the time")
	}
	if lease <= 0 || lease > MaxLease {
		return 0, Errorf(CodeInvalid, "feed lease %v is out of range; use more than 0 and at most %v", lease, MaxLease)
	}
	return QueryLimit(limit, DefaultFeedLimit, MaxFeedLimit, "feed")
}

// CheckFeedItems checks the item ids of one NewFeedItems call and returns
// them without blanks and repeats, in their order.
func CheckFeedItems(feedID string, guids []string) ([]string, error) {
	if err := checkKey("feed id", feedID, true); err != nil {
		return nil, err
	}
	if len(guids) > MaxFeedItemsPerCall {
		return nil, Errorf(CodeInvalid, "%d feed items in one call; at most %d are allowed", len(guids), MaxFeedItemsPerCall)
	}
	out := make([]string, 0, len(guids))
	seen := make(map[string]bool, len(guids))
	for _, g := range guids {
		if g == "" || seen[g] {
			continue
		}
		if len(g) > MaxFieldBytes || !utf8.ValidString(g) {
			return nil, Errorf(CodeInvalid, "feed item id of %d bytes is too long or not UTF-8; at most %d bytes are allowed", len(g), MaxFieldBytes)
		}
		seen[g] = true
		out = append(out, g)
	}
	return out, nil
}

// Bounds of stories.
const (
	// MaxStoryKeys bounds the keys of one story: a merge keeps the stored
	// keys first and drops new ones beyond it.
	MaxStoryKeys = 256
	// DefaultStoryLimit and MaxStoryLimit bound Stories and MatchStories.
	DefaultStoryLimit = 50
	MaxStoryLimit     = 1000
)

// CheckStory checks a story before PutStory stores or merges it: keys are
// folded (FoldName) and deduplicated; First is required, Last defaults to
// it; a new story without an id gets one from NewStoreID.
func CheckStory(s Story) (Story, error) {
	if s.ID == "" {
		s.ID = NewStoreID("story")
	}
	if err := checkKey("story id", s.ID, true); err != nil {
		return Story{}, err
	}
	if err := checkText("story title", s.Title); err != nil {
		return Story{}, err
	}
	if len(s.Keys) > MaxStoryKeys {
		return Story{}, Errorf(CodeInvalid, "story %s has %d keys; at most %d are kept", s.ID, len(s.Keys), MaxStoryKeys)
	}
	for _, k := range s.Keys {
		if err := checkKey("story key", k, false); err != nil {
			return Story{}, err
		}
	}
	s.Keys = FoldNames(s.Keys)
	if s.First.IsZero() {
		return Story{}, Errorf(CodeInvalid, "story %s has no first date", s.ID)
	}
	if s.Last.IsZero() {
		s.Last = s.First
	}
	if s.Last.Before(s.First) {
		return Story{}, Errorf(CodeInvalid, "story %s ends (%v) before it starts (%v)", s.ID, s.Last, s.First)
	}
	if s.Articles < 0 {
		return Story{}, Errorf(CodeInvalid, "story %s has a negative article count", s.ID)
	}
	s.First, s.Last = StoreTime(s.First), StoreTime(s.Last)
	return s, nil
}

// MergeStory merges a checked story into the stored one of the same id:
// keys unioned (stored first, at most MaxStoryKeys), the date range
// widened, article counts added; the stored title stays unless it is empty.
func MergeStory(stored, s Story) Story {
	keys := slices.Clone(stored.Keys)
	for _, k := range s.Keys {
		if len(keys) >= MaxStoryKeys {
			break
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	stored.Keys = keys
	if s.First.Before(stored.First) {
		stored.First = s.First
	}
	if s.Last.After(stored.Last) {
		stored.Last = s.Last
	}
	stored.Articles += s.Articles
	if stored.Title == "" {
		stored.Title = s.Title
	}
	return stored
}

// CheckStoryMatch checks a MatchStories call and returns the folded keys and
// the limit.
func CheckStoryMatch(keys []string, around time.Time, window time.Duration, limit int) ([]string, int, error) {
	if err := CheckQueryList("story keys", len(keys), MaxQueryValues); err != nil {
		return nil, 0, err
	}
	if around.IsZero() {
		return nil, 0, Errorf(CodeInvalid, "matching stories needs the article's date")
	}
	if window < 0 {
		return nil, 0, Errorf(CodeInvalid, "story window %v is negative", window)
	}
	n, err := QueryLimit(limit, DefaultStoryLimit, MaxStoryLimit, "story")
	if err != nil {
		return nil, 0, err
	}
	return FoldNames(keys), n, nil
}

// StoryInWindow reports whether a story's date range comes within window
// of around: First-window <= around <= Last+window.
func StoryInWindow(s Story, around time.Time, window time.Duration) bool {
	return !s.Last.Before(around.Add(-window)) && !s.First.After(around.Add(window))
}

// StatusGroup is the evidence one article gives about one tracked process:
// its first fact (which names a new status) and its events.
type StatusGroup struct {
	First  Fact
	Events []StatusEvent
}

// GroupStatusEvents turns the facts of a prepared article that track a
// status into events, grouped by status key; keys lists them in order of
// first appearance.
func GroupStatusEvents(p PreparedArticle) (keys []string, groups map[string]*StatusGroup) {
	groups = map[string]*StatusGroup{}
	for _, f := range p.Facts {
		if !TracksStatus(f) {
			continue
		}
		key := StatusKey(f)
		g, ok := groups[key]
		if !ok {
			g = &StatusGroup{First: f}
			groups[key] = g
			keys = append(keys, key)
		}
		g.Events = append(g.Events, NewStatusEvent(key, f, p.Article))
	}
	return keys, groups
}
