package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

const articleCols = "id, title, source, url, published, ingested, text, hash, story"

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

func scanArticle(sc scanner) (briefings.Article, error) {
	var a briefings.Article
	var published sql.NullInt64
	var ingested int64
	if err := sc.Scan(&a.ID, &a.Title, &a.Source, &a.URL, &published, &ingested, &a.Text, &a.Hash, &a.Story); err != nil {
		return briefings.Article{}, err
	}
	if published.Valid {
		a.Published = fromMicros(published.Int64)
	}
	a.Ingested = fromMicros(ingested)
	return a, nil
}

// AddArticle stores an article with its sentences, facts, entities and status
// events in one transaction. An article whose content hash is stored already
// is reported as a duplicate (with the stored article) and nothing is
// written. A new status, or a status whose stage moves, is listed in
// AddResult.Changed (From is empty for a new one).
func (s *Store) AddArticle(ctx context.Context, a briefings.Article, f briefings.Facts) (briefings.AddResult, error) {
	if err := ctx.Err(); err != nil {
		return briefings.AddResult{}, fmt.Errorf("add article: %w", err)
	}
	p, err := prepare(a, f, s.clock.Now())
	if err != nil {
		return briefings.AddResult{}, err
	}
	var res briefings.AddResult
	err = s.write(ctx, "add article "+p.article.ID, func(tx *sql.Tx) error {
		res = briefings.AddResult{}
		stored, err := scanArticle(tx.QueryRowContext(ctx, "SELECT "+articleCols+" FROM articles WHERE hash = ?", p.article.Hash))
		switch {
		case err == nil:
			res.Article, res.Duplicate = stored, true
			return nil
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("look up hash: %w", err)
		}
		if err := insertArticle(ctx, tx, p); err != nil {
			return err
		}
		changed, err := addStatuses(ctx, tx, p)
		if err != nil {
			return err
		}
		res.Article, res.Facts, res.Changed = p.article, len(p.facts), changed
		return nil
	})
	if err != nil {
		return briefings.AddResult{}, err
	}
	if !res.Duplicate {
		s.log.DebugContext(ctx, "article stored", "article", res.Article.ID, "facts", res.Facts, "status_changes", len(res.Changed))
	}
	return res, nil
}

// insertArticle writes the article, its sentences, facts and entities.
func insertArticle(ctx context.Context, tx *sql.Tx, p prepared) error {
	a := p.article
	if _, err := tx.ExecContext(ctx, "INSERT INTO articles ("+articleCols+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		a.ID, a.Title, a.Source, a.URL, nullMicros(a.Published), micros(a.Ingested), a.Text, a.Hash, a.Story); err != nil {
		return fmt.Errorf("insert article: %w", err)
	}

	if len(p.sentences) > 0 {
		st, err := tx.PrepareContext(ctx, "INSERT INTO sentences (article_id, idx, paragraph, text) VALUES (?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("prepare sentences: %w", err)
		}
		defer st.Close()
		for _, sn := range p.sentences {
			if _, err := st.ExecContext(ctx, a.ID, sn.Index, sn.Paragraph, sn.Text); err != nil {
				return fmt.Errorf("insert sentence %d: %w", sn.Index, err)
			}
		}
	}

	if len(p.facts) > 0 {
		fst, err := tx.PrepareContext(ctx, "INSERT INTO facts (id, article_id, seq, kind, time_start, sort_at, ingested, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			return fmt.Errorf("prepare facts: %w", err)
		}
		defer fst.Close()
		tst, err := tx.PrepareContext(ctx, "INSERT INTO fact_terms (term, fact_pk) VALUES (?, ?)")
		if err != nil {
			return fmt.Errorf("prepare fact terms: %w", err)
		}
		defer tst.Close()
		for i, fact := range p.facts {
			body, err := json.Marshal(fact)
			if err != nil {
				return fmt.Errorf("encode fact %s: %w", fact.ID, err)
			}
			var start sql.NullInt64
			if fact.Time.Resolved() {
				start = sql.NullInt64{Int64: micros(fact.Time.Start), Valid: true}
			}
			r, err := fst.ExecContext(ctx, fact.ID, a.ID, i, string(fact.Kind), start, sortAt(fact, a), micros(a.Ingested), body)
			if err != nil {
				return fmt.Errorf("insert fact %s: %w", fact.ID, err)
			}
			pk, err := r.LastInsertId()
			if err != nil {
				return fmt.Errorf("insert fact %s: %w", fact.ID, err)
			}
			for _, term := range factTerms(fact) {
				if _, err := tst.ExecContext(ctx, term, pk); err != nil {
					return fmt.Errorf("insert fact term: %w", err)
				}
			}
		}
	}
	return addEntities(ctx, tx, p.entities)
}

// sortAt is the time facts are ordered by: the resolved start, else the
// article's publication, else last.
func sortAt(f briefings.Fact, a briefings.Article) int64 {
	switch {
	case f.Time.Resolved():
		return micros(f.Time.Start)
	case a.PublishedKnown():
		return micros(a.Published)
	}
	return math.MaxInt64
}

// Article returns one article; an error with briefings.ErrNotFound when it
// is not stored.
func (s *Store) Article(ctx context.Context, id string) (briefings.Article, error) {
	a, err := scanArticle(s.r.QueryRowContext(ctx, "SELECT "+articleCols+" FROM articles WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return briefings.Article{}, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no article %q is stored", id), briefings.ErrNotFound)
	}
	if err != nil {
		return briefings.Article{}, s.fail(ctx, "article "+id, err)
	}
	return a, nil
}

// Articles returns articles, newest publication first (unknown dates last).
func (s *Store) Articles(ctx context.Context, q briefings.ArticleQuery) ([]briefings.Article, error) {
	n, err := limit(q.Limit, DefaultArticleLimit, MaxArticleLimit, "article")
	if err != nil {
		return nil, err
	}
	if err := checkList("article ids", len(q.IDs)); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if len(q.IDs) > 0 {
		where = append(where, "id IN ("+placeholders(len(q.IDs))+")")
		args = append(args, anys(q.IDs)...)
	}
	if q.Story != "" {
		where = append(where, "story = ?")
		args = append(args, q.Story)
	}
	if !q.IngestedAfter.IsZero() {
		where = append(where, "ingested > ?")
		args = append(args, micros(q.IngestedAfter))
	}
	query := "SELECT " + articleCols + " FROM articles"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY published DESC, rowid DESC LIMIT ?"
	args = append(args, n)
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "articles", err)
	}
	defer rows.Close()
	var out []briefings.Article
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, s.fail(ctx, "articles", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "articles", err)
	}
	return out, nil
}

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (briefings.Stats, error) {
	var st briefings.Stats
	err := s.r.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM articles),
		(SELECT count(*) FROM facts),
		(SELECT count(*) FROM entities),
		(SELECT count(*) FROM statuses)`).Scan(&st.Articles, &st.Facts, &st.Entities, &st.Statuses)
	if err != nil {
		return briefings.Stats{}, s.fail(ctx, "stats", err)
	}
	return st, nil
}
