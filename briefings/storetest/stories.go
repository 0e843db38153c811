package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

func putStory(t *testing.T, s briefings.Store, st briefings.Story) briefings.Story {
	t.Helper()
	got, err := s.PutStory(t.Context(), st)
	if err != nil {
		t.Fatalf("PutStory(%s): %v", st.ID, err)
	}
	return got
}

func sameStory(t *testing.T, what string, got, want briefings.Story) {
	t.Helper()
	if got.ID != want.ID || got.Title != want.Title || !slices.Equal(got.Keys, want.Keys) || !got.First.Equal(want.First) ||
		!got.Last.Equal(want.Last) || got.Articles != want.Articles {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func storyIDs(ss []briefings.Story) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.ID
	}
	return out
}

func testStories(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	created := putStory(t, s, briefings.Story{Title: "US–Niger withdrawal", Keys: []string{"United States", "united  states", "Niger", " "},
		First: day("2024-03-16"), Last: day("2024-04-19"), Articles: 2})
	if !strings.HasPrefix(created.ID, "story_") {
		t.Errorf("a story without an id got %q; want a generated story_ id", created.ID)
	}
	want := briefings.Story{ID: created.ID, Title: "US–Niger withdrawal", Keys: []string{"united states", "niger"},
		First: day("2024-03-16"), Last: day("2024-04-19"), Articles: 2}
	sameStory(t, "PutStory(new)", created, want)
	got, err := s.StoryByID(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameStory(t, "StoryByID", got, want)

	// Merging: keys unioned, the range widened both ways, articles added,
	// the title kept.
	merged := putStory(t, s, briefings.Story{ID: created.ID, Title: "Another title", Keys: []string{"NIGER", "Chad", "Niamey"},
		First: day("2024-03-01"), Last: day("2024-05-02"), Articles: 3})
	want = briefings.Story{ID: created.ID, Title: "US–Niger withdrawal", Keys: []string{"united states", "niger", "chad", "niamey"},
		First: day("2024-03-01"), Last: day("2024-05-02"), Articles: 5}
	sameStory(t, "PutStory(merge)", merged, want)
	got, err = s.StoryByID(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameStory(t, "StoryByID after merge", got, want)
	// A narrower merge leaves the range alone; the last date defaults to the first.
	inner := putStory(t, s, briefings.Story{ID: created.ID, First: day("2024-04-01"), Articles: 1})
	if !inner.First.Equal(day("2024-03-01")) || !inner.Last.Equal(day("2024-05-02")) || inner.Articles != 6 || len(inner.Keys) != 4 {
		t.Errorf("PutStory(inside the range) = %+v; want the range kept and 6 articles", inner)
	}
	// A new story with a chosen id.
	named := putStory(t, s, briefings.Story{ID: "sahel-coups", Title: "Sahel coups", Keys: []string{"Mali"}, First: day("2023-07-26"), Last: day("2023-08-30"), Articles: 1})
	if named.ID != "sahel-coups" {
		t.Errorf("PutStory(with id) = %q", named.ID)
	}
	late := putStory(t, s, briefings.Story{ID: "late", Keys: []string{"Chad"}, First: day("2024-05-02"), Articles: 1})

	// Most recent first; equal Last dates by id ("late" < "story_…").
	all, err := s.Stories(ctx, 0)
	if want := []string{late.ID, created.ID, "sahel-coups"}; err != nil || !slices.Equal(storyIDs(all), want) {
		t.Errorf("Stories = %v, %v; want the most recent first, by id among equals: %v", storyIDs(all), err, want)
	}
	if one, err := s.Stories(ctx, 1); err != nil || len(one) != 1 {
		t.Errorf("Stories(1) = %v, %v", storyIDs(one), err)
	}
	_, err = s.StoryByID(ctx, "no-such-story")
	wantNotFound(t, "StoryByID(missing)", err)

	many := make([]string, briefings.MaxStoryKeys+1)
	for i := range many {
		many[i] = fmt.Sprint("key ", i)
	}
	for name, st := range map[string]briefings.Story{
		"no first date":     {ID: "x", Keys: []string{"a"}},
		"ends before":       {ID: "x", First: day("2024-02-02"), Last: day("2024-02-01")},
		"negative articles": {ID: "x", First: day("2024-02-02"), Articles: -1},
		"too many keys":     {ID: "x", First: day("2024-02-02"), Keys: many},
		"long key":          {ID: "x", First: day("2024-02-02"), Keys: []string{strings.Repeat("k", briefings.MaxKeyBytes+1)}},
		"long title":        {ID: "x", First: day("2024-02-02"), Title: strings.Repeat("t", briefings.MaxFieldBytes+1)},
		"long id":           {ID: strings.Repeat("i", briefings.MaxKeyBytes+1), First: day("2024-02-02")},
	} {
		_, err := s.PutStory(ctx, st)
		wantCode(t, "PutStory "+name, err, briefings.CodeInvalid)
	}
	if _, err := s.StoryByID(ctx, "x"); err == nil {
		t.Error("a refused story was stored")
	}
	_, err = s.Stories(ctx, -1)
	wantCode(t, "Stories(-1)", err, briefings.CodeInvalid)

	// Merging never grows a story beyond MaxStoryKeys keys.
	big := putStory(t, s, briefings.Story{ID: "big", First: day("2024-01-01"), Keys: many[:briefings.MaxStoryKeys]})
	big = putStory(t, s, briefings.Story{ID: "big", First: day("2024-01-01"), Keys: []string{"one more"}})
	if len(big.Keys) != briefings.MaxStoryKeys || slices.Contains(big.Keys, "one more") {
		t.Errorf("story merged beyond the key bound: %d keys", len(big.Keys))
	}
}

func testMatchStories(t *testing.T, s briefings.Store) {
	ctx := t.Context()
	a := putStory(t, s, briefings.Story{ID: "a", Keys: []string{"Niger", "United States"}, First: day("2024-06-01"), Last: day("2024-06-10"), Articles: 4})
	putStory(t, s, briefings.Story{ID: "b", Keys: []string{"Niger", "Chad"}, First: day("2024-06-05"), Last: day("2024-06-06"), Articles: 2})
	putStory(t, s, briefings.Story{ID: "c", Keys: []string{"Niger", "United States", "Chad"}, First: day("2024-01-01"), Last: day("2024-01-20"), Articles: 3})
	putStory(t, s, briefings.Story{ID: "d", Keys: []string{"Mali"}, First: day("2024-06-01"), Last: day("2024-06-12"), Articles: 1})
	putStory(t, s, briefings.Story{ID: "e", Keys: []string{"Chad"}, First: day("2024-06-08"), Last: day("2024-06-11"), Articles: 1})
	week := 7 * 24 * time.Hour
	type match struct {
		id     string
		shared int
	}
	for _, tc := range []struct {
		name   string
		keys   []string
		around time.Time
		window time.Duration
		limit  int
		want   []match
	}{
		{"most shared first, then most recent", []string{"Niger", "United States", "chad"}, day("2024-06-12"), week, 0,
			[]match{{"a", 2}, {"b", 2}, {"e", 1}}},
		{"keys folded", []string{"NIGER", "  united   STATES "}, day("2024-06-12"), week, 0, []match{{"a", 2}, {"b", 1}}},
		{"window end inclusive", []string{"niger"}, day("2024-06-17"), week, 0, []match{{"a", 1}}},
		{"window start inclusive", []string{"niger"}, day("2024-05-25"), week, 0, []match{{"a", 1}}},
		{"inside the range, no window", []string{"niger"}, day("2024-06-05"), 0, 0, []match{{"a", 1}, {"b", 1}}},
		{"an old story", []string{"chad"}, day("2024-01-10"), week, 0, []match{{"c", 1}}},
		{"limit", []string{"niger", "united states"}, day("2024-06-12"), week, 1, []match{{"a", 2}}},
		{"no shared key", []string{"Peru"}, day("2024-06-12"), week, 0, nil},
		{"no keys", []string{" "}, day("2024-06-12"), week, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.MatchStories(ctx, tc.keys, tc.around, tc.window, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ms []match
			for _, m := range got {
				ms = append(ms, match{m.Story.ID, m.Shared})
			}
			if !slices.Equal(ms, tc.want) {
				t.Errorf("MatchStories(%q, %s ± %v) = %v; want %v", tc.keys, tc.around.Format("2006-01-02"), tc.window, ms, tc.want)
			}
		})
	}
	got, err := s.MatchStories(ctx, []string{"niger"}, day("2024-06-17"), week, 0)
	if err != nil || len(got) != 1 {
		t.Fatal(got, err)
	}
	sameStory(t, "a matched story", got[0].Story, a)
	many := make([]string, briefings.MaxQueryValues+1)
	for name, call := range map[string]func() error{
		"too many keys": func() error { _, err := s.MatchStories(ctx, many, day("2024-06-12"), week, 0); return err },
		"no date":       func() error { _, err := s.MatchStories(ctx, []string{"niger"}, time.Time{}, week, 0); return err },
		"negative window": func() error {
			_, err := s.MatchStories(ctx, []string{"niger"}, day("2024-06-12"), -week, 0)
			return err
		},
		"negative limit": func() error {
			_, err := s.MatchStories(ctx, []string{"niger"}, day("2024-06-12"), week, -1)
			return err
		},
	} {
		wantCode(t, "MatchStories "+name, call(), briefings.CodeInvalid)
	}
}
