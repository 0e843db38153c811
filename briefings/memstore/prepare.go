package memstore

// This file holds the store rules every briefings.Store applies (bounds,
// defaults, folding, entity merging, status bookkeeping). briefings/memstore
// carries the same file word for word, apart from the package clause; a test
// there keeps the two equal. The rules belong in package briefings, where
// the Postgres store can share them too.

import (
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/briefbot/briefbot/briefings"
)

// Bounds on what one article may carry and on what one query may ask.
const (
	// MaxFactsPerArticle bounds the facts stored with one article.
	MaxFactsPerArticle = 5000
	// MaxSentencesPerArticle bounds the sentences stored with one article.
	MaxSentencesPerArticle = 20000
	// MaxEntitiesPerArticle bounds the entities stored with one article.
	MaxEntitiesPerArticle = 5000
	// MaxFieldBytes bounds an article's title, source, URL and story.
	MaxFieldBytes = 8 << 10
	// MaxQueryValues bounds the terms or kinds of one query.
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

	// maxSearchWords bounds the words of one sentence search.
	maxSearchWords = 64
	// SearchBudget bounds the sentences a search ranks: the words of a
	// search are kept from the rarest on while the sentences holding them
	// add up to at most this many (the rarest word is always kept).
	SearchBudget = 4000
)

// isStopWord reports English function words, left out of sentence searches
// unless a search has nothing else: they match most sentences and tell
// little about any.
func isStopWord(w string) bool {
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

// prepared is an article and its extraction, checked and completed.
type prepared struct {
	article   briefings.Article
	facts     []briefings.Fact
	sentences []briefings.Sentence
	entities  []briefings.Entity
}

// prepare checks an article and its facts against the store's rules and
// fills what the store derives: content hash, id, ingestion time, fact ids.
func prepare(a briefings.Article, f briefings.Facts, now time.Time) (prepared, error) {
	if strings.TrimSpace(a.Text) == "" {
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %q has no text; an article needs a body to be stored", a.Title)
	}
	if len(a.Text) > briefings.MaxArticleBytes {
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %q has %d bytes of text; at most %d are stored", a.Title, len(a.Text), briefings.MaxArticleBytes)
	}
	for _, fl := range []struct{ name, v string }{{"title", a.Title}, {"source", a.Source}, {"URL", a.URL}, {"story", a.Story}} {
		if len(fl.v) > MaxFieldBytes {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %s is %d bytes long; at most %d are stored", fl.name, len(fl.v), MaxFieldBytes)
		}
	}
	if a.Hash == "" {
		a.Hash = briefings.ContentHash(a.Text)
	}
	if a.ID == "" {
		a.ID = briefings.ArticleID(a.Hash)
	}
	if f.ArticleID != "" && f.ArticleID != a.ID {
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "the facts were extracted from article %q, not from %q; extract them from this article", f.ArticleID, a.ID)
	}
	if !a.Published.IsZero() {
		a.Published = normTime(a.Published)
	}
	if a.Ingested.IsZero() {
		a.Ingested = now
	}
	a.Ingested = normTime(a.Ingested)
	switch {
	case len(f.Facts) > MaxFactsPerArticle:
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %s has %d facts; at most %d are stored per article", a.ID, len(f.Facts), MaxFactsPerArticle)
	case len(f.Sentences) > MaxSentencesPerArticle:
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %s has %d sentences; at most %d are stored per article", a.ID, len(f.Sentences), MaxSentencesPerArticle)
	case len(f.Entities) > MaxEntitiesPerArticle:
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %s has %d entities; at most %d are stored per article", a.ID, len(f.Entities), MaxEntitiesPerArticle)
	}

	p := prepared{article: a}
	seenSentence := make(map[int]bool, len(f.Sentences))
	sentenceBytes := 0
	for _, s := range f.Sentences {
		if s.Index < 0 || seenSentence[s.Index] {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %s: sentence index %d is negative or used twice", a.ID, s.Index)
		}
		seenSentence[s.Index] = true
		sentenceBytes += len(s.Text)
	}
	if sentenceBytes > 2*briefings.MaxArticleBytes {
		return prepared{}, briefings.Errorf(briefings.CodeInvalid, "article %s: its sentences hold %d bytes, more than the article could", a.ID, sentenceBytes)
	}
	p.sentences = f.Sentences

	p.facts = make([]briefings.Fact, len(f.Facts))
	seenFact := make(map[string]bool, len(f.Facts))
	for i, fact := range f.Facts {
		if fact.ID == "" {
			fact.ID = a.ID + "-" + strconv.Itoa(i)
		}
		switch {
		case fact.ArticleID == "":
			fact.ArticleID = a.ID
		case fact.ArticleID != a.ID:
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "fact %s belongs to article %s, not %s", fact.ID, fact.ArticleID, a.ID)
		}
		if fact.Kind == "" {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "fact %s has no kind", fact.ID)
		}
		if strings.TrimSpace(fact.Evidence.Text) == "" {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "fact %s has no evidence sentence; a fact without evidence is not stored", fact.ID)
		}
		if seenFact[fact.ID] {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "fact id %s is used twice in article %s", fact.ID, a.ID)
		}
		seenFact[fact.ID] = true
		p.facts[i] = fact
	}

	byID := make(map[string]int, len(f.Entities))
	for _, e := range f.Entities {
		if e.ID == "" || strings.TrimSpace(e.Name) == "" {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "entity %q (%s) has no id or no name; the extractor must give both", e.Name, e.Kind)
		}
		if e.Mentions < 0 {
			return prepared{}, briefings.Errorf(briefings.CodeInvalid, "entity %s has a negative mention count", e.ID)
		}
		if i, ok := byID[e.ID]; ok {
			p.entities[i] = mergeEntity(p.entities[i], e)
			continue
		}
		byID[e.ID] = len(p.entities)
		p.entities = append(p.entities, mergeEntity(briefings.Entity{ID: e.ID, Name: e.Name, Kind: e.Kind, Country: e.Country}, e))
	}
	return p, nil
}

// normTime keeps a time to the microsecond, in UTC: what every store can hold.
func normTime(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

// fold is how names are compared: accents removed, lower case, single spaces.
func fold(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(briefings.FoldAccents(s))), " ")
}

// foldAll folds and deduplicates values, dropping empty ones.
func foldAll(values []string) []string {
	out := make([]string, 0, len(values))
	seen := make(map[string]bool, len(values))
	for _, v := range values {
		v = fold(v)
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// factTerms lists the folded names a fact can be found by.
func factTerms(f briefings.Fact) []string {
	vals := make([]string, 0, 4*(len(f.Actors)+len(f.Counterparts))+1+len(f.Mentions))
	for _, p := range f.Parties() {
		vals = append(vals, p.Name, p.Country, p.Entity, p.Key())
	}
	vals = append(vals, f.Place)
	vals = append(vals, f.Mentions...)
	return foldAll(vals)
}

// words splits folded text into its letter-and-digit words.
func words(s string) []string {
	return strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// statusWords lists the folded words of a status's topic and key.
func statusWords(topic, key string) []string {
	return foldAll(append(words(topic), words(key)...))
}

// searchWords lists the distinct words of search terms, without stop words
// unless there is nothing else.
func searchWords(terms []string) []string {
	var all []string
	for _, t := range terms {
		all = append(all, words(t)...)
	}
	all = foldAll(all)
	out := make([]string, 0, len(all))
	for _, w := range all {
		if !isStopWord(w) {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		out = all
	}
	if len(out) > maxSearchWords {
		out = out[:maxSearchWords]
	}
	return out
}

// pruneWords keeps the words a search can afford to rank: from the rarest
// on, while the sentences holding them (docs) add up to at most
// SearchBudget; the rarest word that occurs at all is always kept.
func pruneWords(ws []string, docs map[string]int) []string {
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

// mergeEntity adds what b knows to a: aliases and roles are unioned,
// mentions summed; a's id, name and kind stay, its country is filled in.
func mergeEntity(a, b briefings.Entity) briefings.Entity {
	if a.Country == "" {
		a.Country = b.Country
	}
	a.Mentions += b.Mentions
	seen := make(map[string]bool, len(a.Aliases)+len(b.Aliases))
	aliases := make([]string, 0, len(a.Aliases)+len(b.Aliases))
	for _, al := range append(append([]string(nil), a.Aliases...), b.Aliases...) {
		k := fold(al)
		if k != "" && !seen[k] {
			seen[k] = true
			aliases = append(aliases, al)
		}
	}
	a.Aliases = nilIfEmpty(aliases)
	seenRole := make(map[[2]string]bool, len(a.Roles)+len(b.Roles))
	roles := make([]briefings.Role, 0, len(a.Roles)+len(b.Roles))
	for _, r := range append(append([]briefings.Role(nil), a.Roles...), b.Roles...) {
		k := [2]string{fold(r.Title), fold(r.Affiliation)}
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

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// entityNames lists the folded names an entity is found by.
func entityNames(e briefings.Entity) []string {
	return foldAll(append([]string{e.Name}, e.Aliases...))
}

// statusEvent is the evidence a fact gives about its tracked process.
func statusEvent(key string, f briefings.Fact, a briefings.Article) briefings.StatusEvent {
	return briefings.StatusEvent{
		Key: key, Stage: f.Status, Time: f.Time, FactID: f.ID, ArticleID: a.ID,
		Evidence: f.Evidence, Deadline: f.Deadline, Notes: f.Notes, Modality: f.Modality,
		Published: a.Published, Ingested: a.Ingested,
	}
}

// statusActor names who carries out a tracked process.
func statusActor(f briefings.Fact) string {
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

// statusSubject names what a tracked process is about: the country or body
// withdrawn from, or the agreement.
func statusSubject(f briefings.Fact) string {
	if f.Kind == briefings.FactWithdrawal && len(f.Counterparts) > 0 {
		return f.Counterparts[0].Key()
	}
	return f.Subject
}

// stageSetter returns the event that sets a merged status's stage, by the
// rule of briefings.MergeStatus: the latest asserted event, else the latest.
func stageSetter(s briefings.Status) briefings.StatusEvent {
	for i := len(s.History) - 1; i >= 0; i-- {
		if s.History[i].Modality == briefings.Asserted {
			return s.History[i]
		}
	}
	return s.Current()
}

// latestAt is the time of a status's latest event, which orders the board.
func latestAt(s briefings.Status) time.Time {
	var t time.Time
	for _, e := range s.History {
		if at := e.At(); at.After(t) {
			t = at
		}
	}
	return t
}

// limit applies a query's default and largest limit.
func limit(n, def, max int, what string) (int, error) {
	switch {
	case n < 0:
		return 0, briefings.Errorf(briefings.CodeInvalid, "%s limit %d is negative; use 0 for the default of %d", what, n, def)
	case n == 0:
		return def, nil
	case n > max:
		return max, nil
	}
	return n, nil
}

// checkList bounds one list of a query.
func checkList(what string, n, max int) error {
	if n > max {
		return briefings.Errorf(briefings.CodeInvalid, "%d %s in one query; at most %d are allowed", n, what, max)
	}
	return nil
}
