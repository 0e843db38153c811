package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/briefbot/briefbot/briefings"
)

// dups holds what near-duplicate detection and source recording need.
type dups struct {
	sigs         []briefings.Signature // by article index
	bands        map[string][]int      // band key → article indexes, ascending
	sources      map[int][]briefings.ArticleSource
	sourceByHash map[string]int // the first source with each hash → article index
	sourceByURL  map[string]int
}

func newDups() dups {
	return dups{bands: map[string][]int{}, sources: map[int][]briefings.ArticleSource{},
		sourceByHash: map[string]int{}, sourceByURL: map[string]int{}}
}

// addSignature indexes the signature of article i (the next index).
func (d *dups) addSignature(i int, sig briefings.Signature) {
	d.sigs = append(d.sigs, sig)
	for _, k := range sig.BandKeys() {
		d.bands[k] = append(d.bands[k], i)
	}
}

// findDuplicate applies the store rules of briefings.DuplicateSameText as
// the SQLite store does: the same text, the same address, then the most
// similar near-duplicate among the candidates sharing the most band keys.
// The caller holds mu for writing.
func (s *Store) findDuplicate(p briefings.PreparedArticle) (briefings.AddResult, bool) {
	a := p.Article
	byAddress := func() (int, bool) {
		if a.URL == "" {
			return 0, false
		}
		if i, ok := s.byURL[a.URL]; ok {
			return i, true
		}
		i, ok := s.sourceByURL[a.URL]
		return i, ok
	}
	i, ok := s.byHash[a.Hash]
	if !ok {
		i, ok = s.sourceByHash[a.Hash]
	}
	if ok {
		if _, known := byAddress(); a.URL != "" && !known {
			s.addSource(i, briefings.NewArticleSource(s.articles[i].ID, a, 1, a.Ingested))
		}
		return briefings.AddResult{Article: s.articles[i], Duplicate: true, DuplicateReason: briefings.DuplicateSameText}, true
	}
	if i, ok := byAddress(); ok {
		return briefings.AddResult{Article: s.articles[i], Duplicate: true, DuplicateReason: briefings.DuplicateSameAddress}, true
	}
	shared := map[int]int{}
	for _, k := range p.Signature.BandKeys() {
		for _, j := range s.bands[k] {
			shared[j]++
		}
	}
	cands := make([]int, 0, len(shared))
	for j := range shared {
		cands = append(cands, j)
	}
	slices.SortFunc(cands, func(x, y int) int {
		if shared[x] != shared[y] {
			return shared[y] - shared[x]
		}
		return x - y
	})
	if len(cands) > briefings.MaxNearDuplicateCandidates {
		cands = cands[:briefings.MaxNearDuplicateCandidates]
	}
	best, bestSim := -1, 0.0
	for _, j := range cands {
		sim := briefings.Similarity(p.Signature, s.sigs[j])
		if sim >= briefings.NearDuplicateThreshold && (sim > bestSim || (sim == bestSim && j < best)) {
			best, bestSim = j, sim
		}
	}
	if best < 0 {
		return briefings.AddResult{}, false
	}
	s.addSource(best, briefings.NewArticleSource(s.articles[best].ID, a, bestSim, a.Ingested))
	return briefings.AddResult{Article: s.articles[best], Duplicate: true, DuplicateReason: briefings.DuplicateNear, Similarity: bestSim}, true
}

// addSource records a copy as a source of article i.
func (s *Store) addSource(i int, src briefings.ArticleSource) {
	s.sources[i] = append(s.sources[i], src)
	if _, ok := s.sourceByHash[src.Hash]; !ok {
		s.sourceByHash[src.Hash] = i
	}
	if src.URL != "" {
		s.sourceByURL[src.URL] = i
	}
}

// ArticleSources returns the copies recorded as sources of a stored article,
// first recorded first (at most briefings.MaxArticleSources); an error with
// briefings.ErrNotFound when the article is not stored.
func (s *Store) ArticleSources(ctx context.Context, id string) ([]briefings.ArticleSource, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "article sources"); err != nil {
		return nil, err
	}
	i, ok := s.byID[id]
	if !ok {
		return nil, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no article %q is stored", id), briefings.ErrNotFound)
	}
	src := s.sources[i]
	if len(src) > briefings.MaxArticleSources {
		src = src[:briefings.MaxArticleSources]
	}
	return slices.Clone(src), nil
}

// ArticleSentences returns the sentences of one article in order;
// ErrNotFound when the article is not stored.
func (s *Store) ArticleSentences(ctx context.Context, id string) ([]briefings.Sentence, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "article sentences"); err != nil {
		return nil, err
	}
	if _, ok := s.byID[id]; !ok {
		return nil, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no article %q is stored", id), briefings.ErrNotFound)
	}
	var out []briefings.Sentence
	for _, sn := range s.sentences {
		if sn.articleID == id {
			out = append(out, sn.s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out, nil
}
