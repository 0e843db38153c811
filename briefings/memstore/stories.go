package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// stories holds the stories and which stories each key belongs to.
type stories struct {
	stories   map[string]briefings.Story
	storyKeys map[string]map[string]bool // key → story ids
}

func newStories() stories {
	return stories{stories: map[string]briefings.Story{}, storyKeys: map[string]map[string]bool{}}
}

func cloneStory(st briefings.Story) briefings.Story {
	st.Keys = slices.Clone(st.Keys)
	return st
}

// byRecency orders stories most recent (by Last) first, then by id.
func byRecency(a, b briefings.Story) int {
	if c := b.Last.Compare(a.Last); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}

// PutStory creates a story or merges it into the stored one of the same id
// (briefings.MergeStory), as the SQLite store does.
func (s *Store) PutStory(ctx context.Context, st briefings.Story) (briefings.Story, error) {
	st, err := briefings.CheckStory(st)
	if err != nil {
		return briefings.Story{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(ctx, "put story"); err != nil {
		return briefings.Story{}, err
	}
	if stored, ok := s.stories.stories[st.ID]; ok {
		st = briefings.MergeStory(stored, st)
	}
	if len(st.Keys) == 0 {
		st.Keys = nil
	}
	s.stories.stories[st.ID] = cloneStory(st)
	for _, k := range st.Keys {
		if s.storyKeys[k] == nil {
			s.storyKeys[k] = map[string]bool{}
		}
		s.storyKeys[k][st.ID] = true
	}
	return st, nil
}

// MatchStories returns the stories sharing keys with keys within the
// window of around, most shared keys first, then the most recent.
func (s *Store) MatchStories(ctx context.Context, keys []string, around time.Time, window time.Duration, limit int) ([]briefings.StoryMatch, error) {
	keys, n, err := briefings.CheckStoryMatch(keys, around, window, limit)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "match stories"); err != nil {
		return nil, err
	}
	shared := map[string]int{}
	for _, k := range keys {
		for id := range s.storyKeys[k] {
			shared[id]++
		}
	}
	var out []briefings.StoryMatch
	for id, c := range shared {
		st := s.stories.stories[id]
		if briefings.StoryInWindow(st, around, window) {
			out = append(out, briefings.StoryMatch{Story: cloneStory(st), Shared: c})
		}
	}
	slices.SortFunc(out, func(a, b briefings.StoryMatch) int {
		if a.Shared != b.Shared {
			return b.Shared - a.Shared
		}
		return byRecency(a.Story, b.Story)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// Stories lists stories, the most recent first.
func (s *Store) Stories(ctx context.Context, limit int) ([]briefings.Story, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultStoryLimit, briefings.MaxStoryLimit, "story")
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "stories"); err != nil {
		return nil, err
	}
	var out []briefings.Story
	for _, st := range s.stories.stories {
		out = append(out, cloneStory(st))
	}
	slices.SortFunc(out, byRecency)
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// StoryByID returns one story; an error with briefings.ErrNotFound when it
// does not exist.
func (s *Store) StoryByID(ctx context.Context, id string) (briefings.Story, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if err := s.check(ctx, "story"); err != nil {
		return briefings.Story{}, err
	}
	st, ok := s.stories.stories[id]
	if !ok {
		return briefings.Story{}, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no story %q", id), briefings.ErrNotFound)
	}
	return cloneStory(st), nil
}
