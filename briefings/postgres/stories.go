package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// Stories (migration 6).

const storyCols = "id, title, first, last, articles, keys"

func scanStory(row pgx.Row, extra ...any) (briefings.Story, error) {
	var st briefings.Story
	var first, last int64
	if err := row.Scan(append([]any{&st.ID, &st.Title, &first, &last, &st.Articles, &st.Keys}, extra...)...); err != nil {
		return briefings.Story{}, err
	}
	if len(st.Keys) == 0 {
		st.Keys = nil
	}
	st.First, st.Last = fromMicros(first), fromMicros(last)
	return st, nil
}

const (
	storySQL       = "SELECT " + storyCols + " FROM stories WHERE id = $1"
	storyLockSQL   = storySQL + " FOR UPDATE"
	storyInsertSQL = "INSERT INTO stories (" + storyCols + ") VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING"
	storyUpdateSQL = "UPDATE stories SET title = $2, first = $3, last = $4, articles = $5, keys = $6 WHERE id = $1"
	storyKeysSQL   = "INSERT INTO story_keys (key, story_id) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING"
	matchStorySQL  = `SELECT s.id, s.title, s.first, s.last, s.articles, s.keys, m.shared
	FROM (SELECT story_id, count(*) AS shared FROM story_keys WHERE key = ANY($1) GROUP BY story_id) AS m
	JOIN stories AS s ON s.id = m.story_id
	WHERE s.last >= $2 AND s.first <= $3
	ORDER BY m.shared DESC, s.last DESC, s.id LIMIT $4`
)

// PutStory creates a story, or merges it into the stored one of the same id
// by briefings.MergeStory (keys unioned, date range widened, article counts
// added, the stored title kept). Keys are folded; a story without an id gets
// a random one ("story_" and 16 characters). It returns the stored story.
// Merges of one story by several processes wait for each other (the row is
// locked), so none is lost.
func (s *Store) PutStory(ctx context.Context, st briefings.Story) (briefings.Story, error) {
	st, err := briefings.CheckStory(st)
	if err != nil {
		return briefings.Story{}, err
	}
	var out briefings.Story
	err = s.tx(ctx, "put story "+st.ID, func(tx pgx.Tx) error {
		out = st
		stored, err := scanStory(tx.QueryRow(ctx, storyLockSQL, st.ID))
		if errors.Is(err, pgx.ErrNoRows) {
			tag, err := tx.Exec(ctx, storyInsertSQL, st.ID, st.Title, micros(st.First), micros(st.Last), st.Articles, nonNil(st.Keys))
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				_, err = tx.Exec(ctx, storyKeysSQL, st.ID, nonNil(st.Keys))
				return err
			}
			// Another process created it meanwhile: merge into theirs.
			stored, err = scanStory(tx.QueryRow(ctx, storyLockSQL, st.ID))
		}
		if err != nil {
			return err
		}
		out = briefings.MergeStory(stored, st)
		if _, err := tx.Exec(ctx, storyUpdateSQL, out.ID, out.Title, micros(out.First), micros(out.Last), out.Articles, nonNil(out.Keys)); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, storyKeysSQL, out.ID, nonNil(out.Keys))
		return err
	})
	if err != nil {
		return briefings.Story{}, err
	}
	return out, nil
}

// MatchStories returns the stories sharing at least one key with keys
// (folded) whose date range comes within window of around (First-window <=
// around <= Last+window), most shared keys first, then the most recent.
func (s *Store) MatchStories(ctx context.Context, keys []string, around time.Time, window time.Duration, limit int) ([]briefings.StoryMatch, error) {
	keys, n, err := briefings.CheckStoryMatch(keys, around, window, limit)
	if err != nil || len(keys) == 0 {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, matchStorySQL, keys, micros(around.Add(-window)), micros(around.Add(window)), n)
	if err != nil {
		return nil, s.fail(ctx, "match stories", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.StoryMatch, error) {
		var m briefings.StoryMatch
		var err error
		m.Story, err = scanStory(row, &m.Shared)
		return m, err
	})
	if err != nil {
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
	rows, err := s.pool.Query(ctx, "SELECT "+storyCols+" FROM stories ORDER BY last DESC, id LIMIT $1", n)
	if err != nil {
		return nil, s.fail(ctx, "stories", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.Story, error) { return scanStory(row) })
	if err != nil {
		return nil, s.fail(ctx, "stories", err)
	}
	return out, nil
}

// StoryByID returns one story; an error with briefings.ErrNotFound when it
// does not exist.
func (s *Store) StoryByID(ctx context.Context, id string) (briefings.Story, error) {
	st, err := scanStory(s.pool.QueryRow(ctx, storySQL, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return briefings.Story{}, notFound(fmt.Sprintf("no story %q", id))
	}
	if err != nil {
		return briefings.Story{}, s.fail(ctx, "story "+id, err)
	}
	return st, nil
}
