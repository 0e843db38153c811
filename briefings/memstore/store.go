// Package memstore is an in-memory briefings.Store for the domain tests of
// other packages. It has the semantics of the SQLite store (the conformance
// suite in briefings/storetest checks both) but keeps nothing on disk and
// scans instead of indexing, so it suits small test data only.
package memstore

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Options tunes a Store.
type Options struct {
	// Clock stamps articles stored without an ingestion time
	// (default: briefings.SystemClock).
	Clock briefings.Clock
}

// Store is an in-memory briefings.Store, safe for concurrent use.
type Store struct {
	clock briefings.Clock

	mu        sync.RWMutex
	closed    bool
	articles  []briefings.Article // in the order stored
	byID      map[string]int
	byHash    map[string]int
	byURL     map[string]int // the first article stored from each address
	dups                     // near-duplicate signatures and recorded sources
	digests                  // subscriptions and the delivery ledger
	feeds                    // followed feeds and their seen items
	stories                  // story clusters and their keys
	sentences []sentence
	facts     []fact
	factIDs   map[string]bool
	entities  map[string]briefings.Entity
	statuses  map[string]*status
}

type sentence struct {
	articleID string
	s         briefings.Sentence
	words     []string
}

type fact struct {
	f        briefings.Fact
	sortAt   int64
	ingested time.Time
	terms    []string
}

type status struct {
	kind                         briefings.FactKind
	topic, actor, subject, stage string
	events                       []briefings.StatusEvent
	words                        []string
	latest                       int64
}

var _ briefings.Store = (*Store)(nil)

// New returns an empty store.
func New(opts Options) *Store {
	if opts.Clock == nil {
		opts.Clock = briefings.SystemClock{}
	}
	return &Store{
		clock:    opts.Clock,
		byID:     map[string]int{},
		byHash:   map[string]int{},
		byURL:    map[string]int{},
		dups:     newDups(),
		digests:  newDigests(),
		feeds:    newFeeds(),
		stories:  newStories(),
		factIDs:  map[string]bool{},
		entities: map[string]briefings.Entity{},
		statuses: map[string]*status{},
	}
}

// errClosed is returned by a closed store.
var errClosed = briefings.Errorf(briefings.CodeUnavailable, "the store is closed")

// check fails for a canceled context or a closed store; the caller holds mu.
func (s *Store) check(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if s.closed {
		return errClosed
	}
	return nil
}

// Ping reports whether the store is open.
func (s *Store) Ping(ctx context.Context) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.check(ctx, "ping")
}

// Close closes the store; later calls fail.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// AddArticle stores an article and what was extracted from it, with the
// semantics of the SQLite store: duplicates (the same text, the same
// address, near-duplicates) are reported and only their source recorded;
// new statuses and stage changes are listed in Changed.
func (s *Store) AddArticle(ctx context.Context, a briefings.Article, f briefings.Facts) (briefings.AddResult, error) {
	if err := ctx.Err(); err != nil {
		return briefings.AddResult{}, fmt.Errorf("add article: %w", err)
	}
	p, err := briefings.PrepareArticle(a, f, s.clock.Now())
	if err != nil {
		return briefings.AddResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "add article"); err != nil {
		return briefings.AddResult{}, err
	}
	if res, ok := s.findDuplicate(p); ok {
		return res, nil
	}
	if _, ok := s.byID[p.Article.ID]; ok {
		return briefings.AddResult{}, briefings.Errorf(briefings.CodeConflict, "another article with id %s is stored", p.Article.ID)
	}
	for _, fc := range p.Facts {
		if s.factIDs[fc.ID] {
			return briefings.AddResult{}, briefings.Errorf(briefings.CodeConflict, "a fact with id %s is stored already", fc.ID)
		}
	}
	// Everything is checked: from here on nothing fails, so the article is
	// stored whole or not at all.
	art := p.Article
	s.byID[art.ID] = len(s.articles)
	s.byHash[art.Hash] = len(s.articles)
	if _, ok := s.byURL[art.URL]; art.URL != "" && !ok {
		s.byURL[art.URL] = len(s.articles)
	}
	s.addSignature(len(s.articles), p.Signature)
	s.articles = append(s.articles, art)
	for _, sn := range p.Sentences {
		s.sentences = append(s.sentences, sentence{articleID: art.ID, s: sn, words: briefings.FoldedWords(sn.Text)})
	}
	for _, fc := range p.Facts {
		s.factIDs[fc.ID] = true
		s.facts = append(s.facts, fact{f: fc, sortAt: briefings.FactSortAt(fc, art), ingested: art.Ingested, terms: briefings.FactTerms(fc)})
	}
	for _, e := range p.Entities {
		if old, ok := s.entities[e.ID]; ok {
			e = briefings.MergeEntity(old, e)
		}
		s.entities[e.ID] = e
	}
	res := briefings.AddResult{Article: art, Facts: len(p.Facts), Changed: s.addStatuses(p)}
	return res, nil
}

func (s *Store) addStatuses(p briefings.PreparedArticle) []briefings.StatusChange {
	var keys []string // in order of first appearance, as the SQLite store merges
	for _, fc := range p.Facts {
		if !briefings.TracksStatus(fc) {
			continue
		}
		key := briefings.StatusKey(fc)
		st, ok := s.statuses[key]
		if !ok {
			topic := briefings.StatusTopic(fc)
			st = &status{kind: fc.Kind, topic: topic, actor: briefings.StatusActor(fc), subject: briefings.StatusSubject(fc), words: briefings.StatusWords(topic, key)}
			s.statuses[key] = st
		}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
		st.events = append(st.events, briefings.NewStatusEvent(key, fc, p.Article))
	}
	var changed []briefings.StatusChange
	for _, key := range keys {
		st := s.statuses[key]
		merged := briefings.MergeStatus(key, st.kind, st.topic, st.actor, st.subject, st.events)
		st.latest = briefings.StatusLatest(merged).UnixMicro()
		if merged.Stage != st.stage {
			changed = append(changed, briefings.StatusChange{Key: key, Topic: st.topic, From: st.stage, To: merged.Stage, Event: briefings.StageSetter(merged)})
			st.stage = merged.Stage
		}
	}
	return changed
}

// Article returns one article; an error with briefings.ErrNotFound when it
// is not stored.
func (s *Store) Article(ctx context.Context, id string) (briefings.Article, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "article"); err != nil {
		return briefings.Article{}, err
	}
	i, ok := s.byID[id]
	if !ok {
		return briefings.Article{}, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no article %q is stored", id), briefings.ErrNotFound)
	}
	return s.articles[i], nil
}

// Articles returns articles, newest publication first (unknown dates last).
func (s *Store) Articles(ctx context.Context, q briefings.ArticleQuery) ([]briefings.Article, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultArticleLimit, briefings.MaxArticleLimit, "article")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("article ids", len(q.IDs), briefings.MaxQueryIDs); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "articles"); err != nil {
		return nil, err
	}
	var out []briefings.Article
	for i := len(s.articles) - 1; i >= 0; i-- { // later stored first among equals
		a := s.articles[i]
		if (len(q.IDs) > 0 && !slices.Contains(q.IDs, a.ID)) || (q.Story != "" && a.Story != q.Story) ||
			(!q.IngestedAfter.IsZero() && !a.Ingested.After(q.IngestedAfter)) {
			continue
		}
		if q.NoText {
			a.Text = ""
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool {
		pi, pj := out[i].PublishedKnown(), out[j].PublishedKnown()
		if pi != pj {
			return pi
		}
		return out[i].Published.After(out[j].Published)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// Facts returns the facts matching q, oldest first, or newest first with
// q.Newest (undated facts last either way; see the SQLite store).
func (s *Store) Facts(ctx context.Context, q briefings.FactQuery) ([]briefings.Fact, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultFactLimit, briefings.MaxFactLimit, "fact")
	if err != nil {
		return nil, err
	}
	for _, l := range []struct {
		what   string
		n, max int
	}{{"fact kinds", len(q.Kinds), briefings.MaxQueryValues}, {"terms", len(q.Terms), briefings.MaxQueryValues}, {"article ids", len(q.ArticleIDs), briefings.MaxQueryIDs}} {
		if err := briefings.CheckQueryList(l.what, l.n, l.max); err != nil {
			return nil, err
		}
	}
	terms := briefings.FoldNames(q.Terms)
	if len(q.Terms) > 0 && len(terms) == 0 {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "facts"); err != nil {
		return nil, err
	}
	var hits []int
	for i, fc := range s.facts {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, fc.f.Kind) {
			continue
		}
		if len(terms) > 0 && !slices.ContainsFunc(terms, func(t string) bool { return slices.Contains(fc.terms, t) }) {
			continue
		}
		if len(q.ArticleIDs) > 0 && !slices.Contains(q.ArticleIDs, fc.f.ArticleID) {
			continue
		}
		if q.Story != "" && s.articles[s.byID[fc.f.ArticleID]].Story != q.Story {
			continue
		}
		if !q.IngestedAfter.IsZero() && !fc.ingested.After(q.IngestedAfter) {
			continue
		}
		hits = append(hits, i)
	}
	if q.Newest {
		// Newest first, the latest stored first among equals; undated last.
		const undated = math.MaxInt64
		sort.Slice(hits, func(i, j int) bool {
			a, b := s.facts[hits[i]].sortAt, s.facts[hits[j]].sortAt
			if (a == undated) != (b == undated) {
				return b == undated
			}
			if a != b {
				return a > b
			}
			return hits[i] > hits[j]
		})
	} else {
		sort.SliceStable(hits, func(i, j int) bool { return s.facts[hits[i]].sortAt < s.facts[hits[j]].sortAt })
	}
	if len(hits) > n {
		hits = hits[:n]
	}
	out := make([]briefings.Fact, len(hits))
	for i, h := range hits {
		out[i] = cloneFact(s.facts[h].f)
	}
	return out, nil
}

// cloneFact copies a fact's slices so callers cannot change the store.
func cloneFact(f briefings.Fact) briefings.Fact {
	f.Actors = slices.Clone(f.Actors)
	f.Counterparts = slices.Clone(f.Counterparts)
	f.Support = slices.Clone(f.Support)
	f.Notes = slices.Clone(f.Notes)
	f.Mentions = slices.Clone(f.Mentions)
	return f
}

// Entities returns entities matching q's name or alias (folded; exactly or
// as a prefix), most mentioned first.
func (s *Store) Entities(ctx context.Context, q briefings.EntityQuery) ([]briefings.Entity, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultEntityLimit, briefings.MaxEntityLimit, "entity")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("entity kinds", len(q.Kinds), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	name := briefings.FoldName(q.Name)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "entities"); err != nil {
		return nil, err
	}
	var out []briefings.Entity
	for _, e := range s.entities {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, e.Kind) {
			continue
		}
		if name != "" && !slices.ContainsFunc(briefings.EntityNames(e), func(en string) bool {
			if q.Prefix {
				return strings.HasPrefix(en, name)
			}
			return en == name
		}) {
			continue
		}
		e.Aliases, e.Roles = slices.Clone(e.Aliases), slices.Clone(e.Roles)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Mentions != out[j].Mentions {
			return out[i].Mentions > out[j].Mentions
		}
		return out[i].ID < out[j].ID
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// Statuses returns tracked processes with their full history, the one with
// the most recent evidence first (term matching as in the SQLite store).
func (s *Store) Statuses(ctx context.Context, q briefings.StatusQuery) ([]briefings.Status, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultStatusLimit, briefings.MaxStatusLimit, "status")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("terms", len(q.Terms), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("fact kinds", len(q.Kinds), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("status keys", len(q.Keys), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	var termWords [][]string
	for _, t := range q.Terms {
		if ws := briefings.FoldedWords(t); len(ws) > 0 {
			termWords = append(termWords, ws)
		}
	}
	if len(q.Terms) > 0 && len(termWords) == 0 {
		return nil, nil
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "statuses"); err != nil {
		return nil, err
	}
	type hit struct {
		key string
		st  *status
	}
	var hits []hit
	for key, st := range s.statuses {
		if len(q.Kinds) > 0 && !slices.Contains(q.Kinds, st.kind) {
			continue
		}
		if len(q.Keys) > 0 && !slices.Contains(q.Keys, key) {
			continue
		}
		if len(termWords) > 0 && !slices.ContainsFunc(termWords, func(ws []string) bool {
			for _, w := range ws {
				if !slices.ContainsFunc(st.words, func(sw string) bool { return strings.HasPrefix(sw, w) }) {
					return false
				}
			}
			return true
		}) {
			continue
		}
		if !q.ChangedAfter.IsZero() && !slices.ContainsFunc(st.events, func(e briefings.StatusEvent) bool { return e.Ingested.After(q.ChangedAfter) }) {
			continue
		}
		hits = append(hits, hit{key, st})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].st.latest != hits[j].st.latest {
			return hits[i].st.latest > hits[j].st.latest
		}
		return hits[i].key < hits[j].key
	})
	if len(hits) > n {
		hits = hits[:n]
	}
	out := make([]briefings.Status, len(hits))
	for i, h := range hits {
		out[i] = briefings.MergeStatus(h.key, h.st.kind, h.st.topic, h.st.actor, h.st.subject, h.st.events)
		out[i].History = briefings.CompactHistory(out[i], q.HistoryLimit)
	}
	return out, nil
}

// SearchSentences ranks sentences by BM25 over their words (k1 1.2, b 0.75,
// as SQLite's FTS5 does); any word of the terms matches, with the SQLite
// store's rules for stop words and common words.
func (s *Store) SearchSentences(ctx context.Context, terms []string, n int) ([]briefings.SentenceHit, error) {
	n, err := briefings.QueryLimit(n, briefings.DefaultSentenceLimit, briefings.MaxSentenceLimit, "sentence")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("terms", len(terms), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	ws := briefings.SearchWords(terms)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "search sentences"); err != nil {
		return nil, err
	}
	if len(ws) == 0 || len(s.sentences) == 0 {
		return nil, nil
	}
	const k1, b = 1.2, 0.75
	total := 0
	docs := make(map[string]int, len(ws)) // sentences holding each word
	for _, sn := range s.sentences {
		total += len(sn.words)
		for _, w := range ws {
			if slices.Contains(sn.words, w) {
				docs[w]++
			}
		}
	}
	if ws = briefings.PruneSearchWords(ws, docs); len(ws) == 0 {
		return nil, nil
	}
	nDocs := float64(len(s.sentences))
	avg := float64(total) / nDocs
	var hits []briefings.SentenceHit
	for _, sn := range s.sentences {
		score, matched := 0.0, false
		for _, w := range ws {
			tf := 0
			for _, sw := range sn.words {
				if sw == w {
					tf++
				}
			}
			if tf == 0 {
				continue
			}
			matched = true
			idf := math.Log((nDocs - float64(docs[w]) + 0.5) / (float64(docs[w]) + 0.5))
			if idf <= 0 {
				idf = 1e-6
			}
			f := float64(tf)
			score += idf * f * (k1 + 1) / (f + k1*(1-b+b*float64(len(sn.words))/avg))
		}
		if matched {
			hits = append(hits, briefings.SentenceHit{ArticleID: sn.articleID, Sentence: sn.s, Score: score})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if len(hits) > n {
		hits = hits[:n]
	}
	return hits, nil
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (briefings.Stats, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "stats"); err != nil {
		return briefings.Stats{}, err
	}
	return briefings.Stats{Articles: len(s.articles), Facts: len(s.facts), Entities: len(s.entities), Statuses: len(s.statuses)}, nil
}
