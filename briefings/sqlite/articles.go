package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

const articleCols = "id, title, source, url, published, ingested, text, hash, story"

// articleColsNoText reads the same columns with an empty text.
const articleColsNoText = "id, title, source, url, published, ingested, '', hash, story"

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
// events in one transaction. An article stored already (the same text, the
// same address or a near-duplicate, by the rules of
// briefings.DuplicateSameText) is reported as a duplicate with the stored
// article, and only its source is recorded (see findDuplicate). A new
// status, or a status whose stage moves, is listed in AddResult.Changed
// (From is empty for a new one).
func (s *Store) AddArticle(ctx context.Context, a briefings.Article, f briefings.Facts) (briefings.AddResult, error) {
	if err := ctx.Err(); err != nil {
		return briefings.AddResult{}, fmt.Errorf("add article: %w", err)
	}
	p, err := briefings.PrepareArticle(a, f, s.clock.Now())
	if err != nil {
		return briefings.AddResult{}, err
	}
	var res briefings.AddResult
	err = s.write(ctx, "add article "+p.Article.ID, func(tx *sql.Tx) error {
		var err error
		res, err = addPrepared(ctx, s.ws.bind(ctx, tx), p)
		return err
	})
	if err != nil {
		return briefings.AddResult{}, err
	}
	if !res.Duplicate {
		s.log.DebugContext(ctx, "article stored", "article", res.Article.ID, "facts", res.Facts, "status_changes", len(res.Changed))
	}
	return res, nil
}

// addBatch stores several articles in one transaction, which costs far less
// per article than one transaction each (the pages every article touches
// are written once). It is all or nothing: one invalid article fails the
// batch. Results are in the order of the batch.
func (s *Store) addBatch(ctx context.Context, batch []batchItem) ([]briefings.AddResult, error) {
	now := s.clock.Now()
	ps := make([]briefings.PreparedArticle, len(batch))
	for i, b := range batch {
		var err error
		if ps[i], err = briefings.PrepareArticle(b.a, b.f, now); err != nil {
			return nil, err
		}
	}
	out := make([]briefings.AddResult, len(ps))
	err := s.write(ctx, "add articles", func(tx *sql.Tx) error {
		st := s.ws.bind(ctx, tx)
		for i, p := range ps {
			var err error
			if out[i], err = addPrepared(ctx, st, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// batchItem is one article of a batch with its extraction.
type batchItem struct {
	a briefings.Article
	f briefings.Facts
}

// addPrepared stores one checked article inside a write transaction.
func addPrepared(ctx context.Context, st *writeStmts, p briefings.PreparedArticle) (briefings.AddResult, error) {
	dup, found, err := findDuplicate(ctx, st, p)
	if err != nil || found {
		return dup, err
	}
	apk, err := insertArticle(ctx, st, p)
	if err != nil {
		return briefings.AddResult{}, err
	}
	if err := insertSignature(ctx, st, apk, p.Signature); err != nil {
		return briefings.AddResult{}, err
	}
	if err := addEntities(ctx, st, p.Entities); err != nil {
		return briefings.AddResult{}, err
	}
	changed, err := addStatuses(ctx, st, p, apk)
	if err != nil {
		return briefings.AddResult{}, err
	}
	return briefings.AddResult{Article: p.Article, Facts: len(p.Facts), Changed: changed}, nil
}

// insertArticle writes the article, its sentences and its facts.
func insertArticle(ctx context.Context, st *writeStmts, p briefings.PreparedArticle) (int64, error) {
	a := p.Article
	r, err := st.article.ExecContext(ctx, a.ID, a.Title, a.Source, a.URL, nullMicros(a.Published), micros(a.Ingested), a.Text, a.Hash, a.Story)
	if err != nil {
		return 0, fmt.Errorf("insert article: %w", err)
	}
	apk, err := r.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("insert article: %w", err)
	}
	if len(p.Sentences) > 0 {
		rows := make([][3]any, len(p.Sentences))
		for i, sn := range p.Sentences {
			rows[i] = [3]any{sn.Index, sn.Paragraph, sn.Text}
		}
		if err := execJSON(ctx, st.sentences, rows, apk); err != nil {
			return 0, fmt.Errorf("insert sentences: %w", err)
		}
	}
	if len(p.Facts) == 0 {
		return apk, nil
	}
	bodies := make([][2]any, 0, len(p.Facts))
	var terms [][4]any
	for i, fact := range p.Facts {
		body, err := json.Marshal(fact)
		if err != nil {
			return 0, fmt.Errorf("encode fact %s: %w", fact.ID, err)
		}
		var start sql.NullInt64
		if fact.Time.Resolved() {
			start = sql.NullInt64{Int64: micros(fact.Time.Start), Valid: true}
		}
		at := briefings.FactSortAt(fact, a)
		r, err := st.fact.ExecContext(ctx, fact.ID, apk, i, string(fact.Kind), start, at, micros(a.Ingested))
		if err != nil {
			return 0, fmt.Errorf("insert fact %s: %w", fact.ID, err)
		}
		pk, err := r.LastInsertId()
		if err != nil {
			return 0, fmt.Errorf("insert fact %s: %w", fact.ID, err)
		}
		bodies = append(bodies, [2]any{pk, string(body)})
		for _, term := range briefings.FactTerms(fact) {
			terms = append(terms, [4]any{term, at, pk, string(fact.Kind)})
		}
	}
	if err := execJSON(ctx, st.factBodies, bodies); err != nil {
		return 0, fmt.Errorf("insert facts: %w", err)
	}
	if len(terms) > 0 {
		if err := execJSON(ctx, st.factTerms, terms); err != nil {
			return 0, fmt.Errorf("insert fact terms: %w", err)
		}
	}
	return apk, nil
}

// execJSON runs a statement whose last argument is rows as a JSON array.
func execJSON(ctx context.Context, st *sql.Stmt, rows any, args ...any) error {
	js, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, append(args, string(js))...)
	return err
}

// Article returns one article; an error with briefings.ErrNotFound when it
// is not stored.
func (s *Store) Article(ctx context.Context, id string) (briefings.Article, error) {
	a, err := scanArticle(s.queryRow(ctx, "SELECT "+articleCols+" FROM articles WHERE id = ?", id))
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
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultArticleLimit, briefings.MaxArticleLimit, "article")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("article ids", len(q.IDs), briefings.MaxQueryIDs); err != nil {
		return nil, err
	}
	query, args := articleQuery(q, n)
	rows, err := s.query(ctx, query, args...)
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

// statsSQL reads the record counts that triggers keep (migration 2).
const statsSQL = `SELECT (SELECT n FROM store_counts WHERE name = 'articles'), (SELECT n FROM store_counts WHERE name = 'facts'),
	(SELECT n FROM store_counts WHERE name = 'entities'), (SELECT n FROM store_counts WHERE name = 'statuses')`

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (briefings.Stats, error) {
	var st briefings.Stats
	err := s.queryRow(ctx, statsSQL).Scan(&st.Articles, &st.Facts, &st.Entities, &st.Statuses)
	if err != nil {
		return briefings.Stats{}, s.fail(ctx, "stats", err)
	}
	return st, nil
}

// articleQuery builds the SQL of an article query.
func articleQuery(q briefings.ArticleQuery, n int) (string, []any) {
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
	cols := articleCols
	if q.NoText {
		cols = articleColsNoText
	}
	query := "SELECT " + cols + " FROM articles"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY published DESC, pk DESC LIMIT ?", append(args, n)
}
