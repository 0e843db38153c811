package sqlite

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// How a fact query is driven. Facts come back in time order with a limit,
// so the cheapest plan is the one that reads the fewest index entries
// before it has the answer. The store picks it itself, from what the query
// asks and two capped counts, rather than leaving it to SQLite's planner,
// whose choice would depend on statistics that may be missing or stale:
//
//   - article ids: their facts (a few per article), sorted;
//   - a story of fewer than storyDriverArticles articles: its facts, sorted;
//   - an ingestion cut after which fewer than ingestedDriverFacts facts
//     were stored (the "new since" of a digest): those facts, sorted;
//   - terms: for each term, its facts in time order from fact_terms (which
//     also holds the kind), up to the limit; the lists are merged;
//   - kinds: likewise for each kind, from facts_kind;
//   - otherwise: all facts in time order from facts_sort.
//
// Every other filter is checked on each candidate through the narrow facts
// row or a primary-key lookup, and the facts themselves (fact_bodies) are
// read only for the rows returned.
const (
	storyDriverArticles = 300
	ingestedDriverFacts = 5000
)

// factDriver names the plan of a fact query.
type factDriver int

const (
	driveAll factDriver = iota
	driveArticles
	driveStory
	driveIngested
	driveTerms
	driveKinds
)

// factFilter is a validated FactQuery.
type factFilter struct {
	kinds      []string
	terms      []string
	articleIDs []string
	story      string
	ingested   int64
	after      bool // ingested is set
	limit      int
	newest     bool // newest first (undated facts still last)
}

// conds returns the SQL conditions on facts AS f for every filter except the
// driver's. With termTable set, the kinds are checked on fact_terms AS t.
func (ff factFilter) conds(driver factDriver, termTable bool) ([]string, []any) {
	var where []string
	var args []any
	if len(ff.kinds) > 0 && driver != driveKinds {
		col := "f.kind"
		if termTable {
			col = "t.kind"
		}
		where = append(where, col+" IN ("+placeholders(len(ff.kinds))+")")
		args = append(args, anys(ff.kinds)...)
	}
	if len(ff.terms) > 0 && driver != driveTerms {
		where = append(where, "EXISTS (SELECT 1 FROM fact_terms AS t2 WHERE t2.term IN ("+placeholders(len(ff.terms))+
			") AND t2.sort_at = f.sort_at AND t2.fact_pk = f.pk)")
		args = append(args, anys(ff.terms)...)
	}
	if len(ff.articleIDs) > 0 && driver != driveArticles {
		where = append(where, "f.article_pk IN (SELECT pk FROM articles WHERE id IN ("+placeholders(len(ff.articleIDs))+"))")
		args = append(args, anys(ff.articleIDs)...)
	}
	if ff.story != "" && driver != driveStory {
		where = append(where, "f.article_pk IN (SELECT pk FROM articles WHERE story = ?)")
		args = append(args, ff.story)
	}
	if ff.after && driver != driveIngested {
		where = append(where, "f.ingested > ?")
		args = append(args, ff.ingested)
	}
	return where, args
}

// factQueries returns the candidate queries of a plan: each selects
// (pk, sort_at) in time order, at most limit rows. Oldest first, one query
// per list; newest first, two: the dated facts from the latest back, then
// the undated ones (sort_at is the largest int64), latest stored first.
func (ff factFilter) factQueries(driver factDriver) []sqlQuery {
	where, args := ff.conds(driver, driver == driveTerms)
	and := func(first string, firstArgs ...any) (string, []any) {
		w := append([]string{first}, where...)
		return " WHERE " + strings.Join(w, " AND "), append(firstArgs, args...)
	}
	// base is a query without its order and limit; at and pk name its
	// columns.
	type base struct {
		sql, at, pk string
		args        []any
	}
	var bases []base
	switch driver {
	case driveArticles:
		w, a := and("f.article_pk IN (SELECT pk FROM articles WHERE id IN ("+placeholders(len(ff.articleIDs))+"))", anys(ff.articleIDs)...)
		bases = append(bases, base{"SELECT f.pk, f.sort_at FROM facts AS f INDEXED BY facts_article" + w, "f.sort_at", "f.pk", a})
	case driveStory:
		w, a := and("f.article_pk IN (SELECT pk FROM articles WHERE story = ?)", ff.story)
		bases = append(bases, base{"SELECT f.pk, f.sort_at FROM facts AS f INDEXED BY facts_article" + w, "f.sort_at", "f.pk", a})
	case driveIngested:
		w, a := and("f.ingested > ?", ff.ingested)
		bases = append(bases, base{"SELECT f.pk, f.sort_at FROM facts AS f INDEXED BY facts_ingested" + w, "f.sort_at", "f.pk", a})
	case driveTerms:
		// Kinds are checked in fact_terms itself; the facts row is joined
		// only when another filter needs it.
		from := "fact_terms AS t"
		var fw []string
		for _, c := range where {
			if strings.HasPrefix(c, "t.") {
				continue
			}
			fw = append(fw, c)
		}
		if len(fw) > 0 {
			from += " CROSS JOIN facts AS f ON f.pk = t.fact_pk"
		}
		for _, term := range ff.terms {
			w, a := and("t.term = ?", term)
			bases = append(bases, base{"SELECT t.fact_pk, t.sort_at FROM " + from + w, "t.sort_at", "t.fact_pk", a})
		}
	case driveKinds:
		for _, kind := range ff.kinds {
			w, a := and("f.kind = ?", kind)
			bases = append(bases, base{"SELECT f.pk, f.sort_at FROM facts AS f INDEXED BY facts_kind" + w, "f.sort_at", "f.pk", a})
		}
	default:
		w := " WHERE true"
		if len(where) > 0 {
			w = " WHERE " + strings.Join(where, " AND ")
		}
		bases = append(bases, base{"SELECT f.pk, f.sort_at FROM facts AS f INDEXED BY facts_sort" + w, "f.sort_at", "f.pk", args})
	}
	var out []sqlQuery
	for _, b := range bases {
		if !ff.newest {
			out = append(out, sqlQuery{b.sql + " ORDER BY " + b.at + ", " + b.pk + " LIMIT ?", append(slices.Clip(b.args), ff.limit)})
			continue
		}
		out = append(out,
			sqlQuery{b.sql + " AND " + b.at + " < ? ORDER BY " + b.at + " DESC, " + b.pk + " DESC LIMIT ?", append(slices.Clip(b.args), int64(undated), ff.limit)},
			sqlQuery{b.sql + " AND " + b.at + " = ? ORDER BY " + b.pk + " DESC LIMIT ?", append(slices.Clip(b.args), int64(undated), ff.limit)})
	}
	return out
}

// undated is the sort_at of a fact with neither a resolved time nor an
// article publication date (briefings.FactSortAt).
const undated = math.MaxInt64

// sqlQuery is a statement with its arguments.
type sqlQuery struct {
	sql  string
	args []any
}

// newFactFilter validates a FactQuery. ok is false when the query can match
// nothing (its terms are all blank).
func newFactFilter(q briefings.FactQuery) (ff factFilter, ok bool, err error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultFactLimit, briefings.MaxFactLimit, "fact")
	if err != nil {
		return ff, false, err
	}
	for _, l := range []struct {
		what   string
		n, max int
	}{{"fact kinds", len(q.Kinds), briefings.MaxQueryValues}, {"terms", len(q.Terms), briefings.MaxQueryValues}, {"article ids", len(q.ArticleIDs), briefings.MaxQueryIDs}} {
		if err := briefings.CheckQueryList(l.what, l.n, l.max); err != nil {
			return ff, false, err
		}
	}
	ff = factFilter{limit: n, story: q.Story, articleIDs: q.ArticleIDs, newest: q.Newest}
	for _, k := range q.Kinds {
		if !slices.Contains(ff.kinds, string(k)) {
			ff.kinds = append(ff.kinds, string(k))
		}
	}
	if len(q.Terms) > 0 {
		if ff.terms = briefings.FoldNames(q.Terms); len(ff.terms) == 0 {
			return ff, false, nil
		}
	}
	if !q.IngestedAfter.IsZero() {
		ff.ingested, ff.after = micros(q.IngestedAfter), true
	}
	return ff, true, nil
}

// plan picks the driver of a fact query (see the comment on
// storyDriverArticles).
func (s *Store) plan(ctx context.Context, ff factFilter) (factDriver, error) {
	if len(ff.articleIDs) > 0 {
		return driveArticles, nil
	}
	if ff.story != "" {
		n, err := s.countUpTo(ctx, storyCountSQL, storyDriverArticles, ff.story)
		if err != nil {
			return 0, err
		}
		if n < storyDriverArticles {
			return driveStory, nil
		}
	}
	if ff.after {
		n, err := s.countUpTo(ctx, ingestedCountSQL, ingestedDriverFacts, ff.ingested)
		if err != nil {
			return 0, err
		}
		if n < ingestedDriverFacts {
			return driveIngested, nil
		}
	}
	switch {
	case len(ff.terms) > 0:
		return driveTerms, nil
	case len(ff.kinds) > 0:
		return driveKinds, nil
	}
	return driveAll, nil
}

// countSQL counts the rows of query up to a limit (the last argument).
func countSQL(query string) string { return "SELECT count(*) FROM (" + query + " LIMIT ?)" }

// The capped counts that plan a fact query.
const (
	storyCountSQL    = "SELECT 1 FROM articles WHERE story = ?"
	ingestedCountSQL = "SELECT 1 FROM facts WHERE ingested > ?"
)

// countUpTo counts the rows of query, stopping at max.
func (s *Store) countUpTo(ctx context.Context, query string, max int, args ...any) (int, error) {
	var n int
	err := s.queryRow(ctx, countSQL(query), append(args, max)...).Scan(&n)
	return n, err
}

// Facts returns the facts matching q ordered by time (resolved start, else
// the article's publication; undated facts last), oldest first, ties in the
// order they were stored; with q.Newest, newest first, ties the latest
// stored first, undated facts still last (with a limit: the latest dated
// facts). Fields of q combine with AND, the values of one list with OR.
func (s *Store) Facts(ctx context.Context, q briefings.FactQuery) ([]briefings.Fact, error) {
	ff, ok, err := newFactFilter(q)
	if err != nil || !ok {
		return nil, err
	}
	driver, err := s.plan(ctx, ff)
	if err != nil {
		return nil, s.fail(ctx, "plan facts", err)
	}
	type cand struct{ pk, at int64 }
	var cands []cand
	for _, fq := range ff.factQueries(driver) {
		rows, err := s.query(ctx, fq.sql, fq.args...)
		if err != nil {
			return nil, s.fail(ctx, "facts", err)
		}
		for rows.Next() {
			var c cand
			if err := rows.Scan(&c.pk, &c.at); err != nil {
				rows.Close()
				return nil, s.fail(ctx, "facts", err)
			}
			cands = append(cands, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, s.fail(ctx, "facts", err)
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if !ff.newest {
			if c := cmp.Compare(a.at, b.at); c != 0 {
				return c
			}
			return cmp.Compare(a.pk, b.pk)
		}
		// Newest first; undated last.
		if au, bu := a.at == undated, b.at == undated; au != bu {
			if au {
				return 1
			}
			return -1
		}
		if c := cmp.Compare(b.at, a.at); c != 0 {
			return c
		}
		return cmp.Compare(b.pk, a.pk)
	})
	cands = slices.CompactFunc(cands, func(a, b cand) bool { return a.pk == b.pk })
	if len(cands) > ff.limit {
		cands = cands[:ff.limit]
	}
	if len(cands) == 0 {
		return nil, nil
	}
	pks := make([]int64, len(cands))
	for i, c := range cands {
		pks[i] = c.pk
	}
	return s.factBodies(ctx, pks)
}

// factBodiesSQL reads the facts whose keys a JSON array lists.
const factBodiesSQL = "SELECT fact_pk, body FROM fact_bodies WHERE fact_pk IN (SELECT value FROM json_each(?))"

// factBodies reads facts by primary key, in the order given.
func (s *Store) factBodies(ctx context.Context, pks []int64) ([]briefings.Fact, error) {
	js, err := json.Marshal(pks)
	if err != nil {
		return nil, fmt.Errorf("encode fact keys: %w", err)
	}
	rows, err := s.query(ctx, factBodiesSQL, string(js))
	if err != nil {
		return nil, s.fail(ctx, "facts", err)
	}
	defer rows.Close()
	pos := make(map[int64]int, len(pks))
	for i, pk := range pks {
		pos[pk] = i
	}
	out := make([]briefings.Fact, len(pks))
	found := 0
	var pk int64
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&pk, &body); err != nil {
			return nil, s.fail(ctx, "facts", err)
		}
		if err := json.Unmarshal(body, &out[pos[pk]]); err != nil {
			return nil, fmt.Errorf("decode stored fact: %w", err)
		}
		found++
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "facts", err)
	}
	if found != len(pks) {
		return nil, fmt.Errorf("facts: %d of %d fact bodies are missing", len(pks)-found, len(pks))
	}
	return out, nil
}
