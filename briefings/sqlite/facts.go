package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// Facts returns the facts matching q ordered by time (resolved start, else
// the article's publication; undated facts last), oldest first, ties in the
// order they were stored. Fields of q combine with AND, the values of one
// list with OR.
func (s *Store) Facts(ctx context.Context, q briefings.FactQuery) ([]briefings.Fact, error) {
	n, err := limit(q.Limit, DefaultFactLimit, MaxFactLimit, "fact")
	if err != nil {
		return nil, err
	}
	for _, l := range []struct {
		what string
		n    int
	}{{"fact kinds", len(q.Kinds)}, {"terms", len(q.Terms)}, {"article ids", len(q.ArticleIDs)}} {
		if err := checkList(l.what, l.n); err != nil {
			return nil, err
		}
	}
	var where []string
	var args []any
	if len(q.Kinds) > 0 {
		where = append(where, "kind IN ("+placeholders(len(q.Kinds))+")")
		args = append(args, anys(q.Kinds)...)
	}
	if len(q.Terms) > 0 {
		terms := foldAll(q.Terms)
		if len(terms) == 0 {
			return nil, nil // only blank names: nothing mentions them
		}
		where = append(where, "pk IN (SELECT fact_pk FROM fact_terms WHERE term IN ("+placeholders(len(terms))+"))")
		args = append(args, anys(terms)...)
	}
	if len(q.ArticleIDs) > 0 {
		where = append(where, "article_id IN ("+placeholders(len(q.ArticleIDs))+")")
		args = append(args, anys(q.ArticleIDs)...)
	}
	if q.Story != "" {
		where = append(where, "article_id IN (SELECT id FROM articles WHERE story = ?)")
		args = append(args, q.Story)
	}
	if !q.IngestedAfter.IsZero() {
		where = append(where, "ingested > ?")
		args = append(args, micros(q.IngestedAfter))
	}
	query := "SELECT body FROM facts"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY sort_at, pk LIMIT ?"
	args = append(args, n)

	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "facts", err)
	}
	defer rows.Close()
	var out []briefings.Fact
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&body); err != nil {
			return nil, s.fail(ctx, "facts", err)
		}
		var f briefings.Fact
		if err := json.Unmarshal(body, &f); err != nil {
			return nil, fmt.Errorf("decode stored fact: %w", err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "facts", err)
	}
	return out, nil
}
