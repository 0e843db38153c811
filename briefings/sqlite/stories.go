package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Stories (migration 6).

const storyCols = "id, title, first, last, articles, keys"

func scanStory(sc scanner, extra ...any) (briefings.Story, error) {
	var st briefings.Story
	var first, last int64
	var keys string
	if err := sc.Scan(append([]any{&st.ID, &st.Title, &first, &last, &st.Articles, &keys}, extra...)...); err != nil {
		return briefings.Story{}, err
	}
	if err := json.Unmarshal([]byte(keys), &st.Keys); err != nil {
		return briefings.Story{}, fmt.Errorf("decode keys of story %s: %w", st.ID, err)
	}
	if len(st.Keys) == 0 {
		st.Keys = nil
	}
	st.First, st.Last = fromMicros(first), fromMicros(last)
	return st, nil
}

const (
	storySQL    = "SELECT " + storyCols + " FROM stories WHERE id = ?"
	storyPutSQL = "INSERT INTO stories (" + storyCols + `) VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (id) DO UPDATE SET title = excluded.title, first = excluded.first, last = excluded.last, articles = excluded.articles, keys = excluded.keys`
	storyKeysSQL  = "INSERT INTO story_keys (key, story_id) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING"
	storiesSQL    = "SELECT " + storyCols + " FROM stories ORDER BY last DESC, id LIMIT ?"
	matchStorySQL = `SELECT s.id, s.title, s.first, s.last, s.articles, s.keys, m.shared
	FROM (SELECT story_id, count(*) AS shared FROM story_keys WHERE key IN (SELECT value FROM json_each(?)) GROUP BY story_id) AS m
	JOIN stories AS s ON s.id = m.story_id
	WHERE s.last >= ? AND s.first <= ?
	ORDER BY m.shared DESC, s.last DESC, s.id LIMIT ?`
)

// PutStory creates a story, or merges it into the stored one of the same id
// by briefings.MergeStory (keys unioned, date range widened, article counts
// added, the stored title kept). Keys are folded; a story without an id gets
// a random one ("story_" and 16 characters). It returns the stored story.
func (s *Store) PutStory(ctx context.Context, st briefings.Story) (briefings.Story, error) {
	st, err := briefings.CheckStory(st)
	if err != nil {
		return briefings.Story{}, err
	}
	err = s.write(ctx, "put story "+st.ID, func(tx *sql.Tx) error {
		stored, err := scanStory(tx.QueryRowContext(ctx, storySQL, st.ID))
		switch {
		case err == nil:
			st = briefings.MergeStory(stored, st)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		keys, err := json.Marshal(nonNil(st.Keys))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, storyPutSQL, st.ID, st.Title, micros(st.First), micros(st.Last), st.Articles, string(keys)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, storyKeysSQL, st.ID, string(keys))
		return err
	})
	if err != nil {
		return briefings.Story{}, err
	}
	return st, nil
}

// MatchStories returns the stories sharing at least one key with keys
// (folded) whose date range comes within window of around (First-window <=
// around <= Last+window), most shared keys first, then the most recent.
func (s *Store) MatchStories(ctx context.Context, keys []string, around time.Time, window time.Duration, limit int) ([]briefings.StoryMatch, error) {
	keys, n, err := briefings.CheckStoryMatch(keys, around, window, limit)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	js, err := json.Marshal(keys)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, matchStorySQL, string(js), micros(around.Add(-window)), micros(around.Add(window)), n)
	if err != nil {
		return nil, s.fail(ctx, "match stories", err)
	}
	defer rows.Close()
	var out []briefings.StoryMatch
	for rows.Next() {
		var m briefings.StoryMatch
		if m.Story, err = scanStory(rows, &m.Shared); err != nil {
			return nil, s.fail(ctx, "match stories", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "match stories", err)
	}
	return out, nil
}

// Stories lists stories, the most recent (by Last) first (default 50, at
// most 1000).
func (s *Store) Stories(ctx context.Context, limit int) ([]briefings.Story, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultStoryLimit, briefings.MaxStoryLimit, "story")
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, storiesSQL, n)
	if err != nil {
		return nil, s.fail(ctx, "stories", err)
	}
	defer rows.Close()
	var out []briefings.Story
	for rows.Next() {
		st, err := scanStory(rows)
		if err != nil {
			return nil, s.fail(ctx, "stories", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "stories", err)
	}
	return out, nil
}

// StoryByID returns one story; an error with briefings.ErrNotFound when it
// does not exist.
func (s *Store) StoryByID(ctx context.Context, id string) (briefings.Story, error) {
	st, err := scanStory(s.queryRow(ctx, storySQL, id))
	if errors.Is(err, sql.ErrNoRows) {
		return briefings.Story{}, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no story %q", id), briefings.ErrNotFound)
	}
	if err != nil {
		return briefings.Story{}, s.fail(ctx, "story "+id, err)
	}
	return st, nil
}
