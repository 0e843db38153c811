package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// How a fact query is driven: as in the SQLite store, the store picks the
// list it reads in time order, from what the query asks and two capped
// counts, rather than leaving the whole query to the planner:
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
// Every query of a plan is "WHERE <one list> AND <the other filters> ORDER
// BY sort_at, pk LIMIT n", which an index on the list's columns answers
// in order; the facts themselves (fact_bodies) are read only for the rows
// returned.
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
// driver's, adding their arguments to a. With termTable set, the kinds are
// checked on fact_terms AS t.
func (ff factFilter) conds(driver factDriver, termTable bool, a *sqlArgs) []string {
	var where []string
	if len(ff.kinds) > 0 && driver != driveKinds {
		col := "f.kind"
		if termTable {
			col = "t.kind"
		}
		where = append(where, col+" = ANY("+a.add(ff.kinds)+")")
	}
	if len(ff.terms) > 0 && driver != driveTerms {
		where = append(where, "EXISTS (SELECT 1 FROM fact_terms AS t2 WHERE t2.term = ANY("+a.add(ff.terms)+
			") AND t2.sort_at = f.sort_at AND t2.fact_pk = f.pk)")
	}
	if len(ff.articleIDs) > 0 && driver != driveArticles {
		where = append(where, "f.article_pk IN (SELECT pk FROM articles WHERE id = ANY("+a.add(ff.articleIDs)+"))")
	}
	if ff.story != "" && driver != driveStory {
		where = append(where, "f.article_pk IN (SELECT pk FROM articles WHERE story = "+a.add(ff.story)+")")
	}
	if ff.after && driver != driveIngested {
		where = append(where, "f.ingested > "+a.add(ff.ingested))
	}
	return where
}

// sqlQuery is a statement with its arguments.
type sqlQuery struct {
	sql  string
	args []any
}

// factQueries returns the candidate queries of a plan: each selects
// (pk, sort_at) in time order, at most limit rows. Oldest first, one query
// per list; newest first, two: the dated facts from the latest back, then
// the undated ones (sort_at is the largest bigint), latest stored first.
func (ff factFilter) factQueries(driver factDriver) []sqlQuery {
	// build returns one list's query: its first condition (given the
	// argument list to add to), then the other filters.
	type base struct {
		sql, at, pk string
		args        sqlArgs
	}
	build := func(sel, from string, first func(a *sqlArgs) string, termTable bool) base {
		var a sqlArgs
		where := []string{first(&a)}
		where = append(where, ff.conds(driver, termTable, &a)...)
		return base{sql: sel + " FROM " + from + " WHERE " + strings.Join(where, " AND "), args: a}
	}
	var bases []base
	facts := func(first func(a *sqlArgs) string) {
		b := build("SELECT f.pk, f.sort_at", "facts AS f", first, false)
		b.at, b.pk = "f.sort_at", "f.pk"
		bases = append(bases, b)
	}
	switch driver {
	case driveArticles:
		facts(func(a *sqlArgs) string {
			return "f.article_pk IN (SELECT pk FROM articles WHERE id = ANY(" + a.add(ff.articleIDs) + "))"
		})
	case driveStory:
		facts(func(a *sqlArgs) string {
			return "f.article_pk IN (SELECT pk FROM articles WHERE story = " + a.add(ff.story) + ")"
		})
	case driveIngested:
		facts(func(a *sqlArgs) string { return "f.ingested > " + a.add(ff.ingested) })
	case driveTerms:
		// Kinds are checked in fact_terms itself; the facts row is joined
		// only when another filter needs it.
		var probe sqlArgs
		from := "fact_terms AS t"
		for _, c := range ff.conds(driver, true, &probe) {
			if !strings.HasPrefix(c, "t.") {
				from += " JOIN facts AS f ON f.pk = t.fact_pk"
				break
			}
		}
		for _, term := range ff.terms {
			b := build("SELECT t.fact_pk, t.sort_at", from, func(a *sqlArgs) string { return "t.term = " + a.add(term) }, true)
			b.at, b.pk = "t.sort_at", "t.fact_pk"
			bases = append(bases, b)
		}
	case driveKinds:
		for _, kind := range ff.kinds {
			facts(func(a *sqlArgs) string { return "f.kind = " + a.add(kind) })
		}
	default:
		facts(func(*sqlArgs) string { return "true" })
	}
	var out []sqlQuery
	for _, b := range bases {
		if !ff.newest {
			a := slices.Clone(b.args)
			out = append(out, sqlQuery{b.sql + " ORDER BY " + b.at + ", " + b.pk + " LIMIT " + a.add(ff.limit), a})
			continue
		}
		dated, undatedQ := slices.Clone(b.args), slices.Clone(b.args)
		out = append(out,
			sqlQuery{b.sql + " AND " + b.at + " < " + dated.add(int64(undated)) + " ORDER BY " + b.at + " DESC, " + b.pk + " DESC LIMIT " + dated.add(ff.limit), dated},
			sqlQuery{b.sql + " AND " + b.at + " = " + undatedQ.add(int64(undated)) + " ORDER BY " + b.pk + " DESC LIMIT " + undatedQ.add(ff.limit), undatedQ})
	}
	return out
}

// undated is the sort_at of a fact with neither a resolved time nor an
// article publication date (briefings.FactSortAt).
const undated = math.MaxInt64

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

// The capped counts that plan a fact query.
const (
	storyCountSQL    = "SELECT count(*) FROM (SELECT 1 FROM articles WHERE story = $1 LIMIT $2) AS x"
	ingestedCountSQL = "SELECT count(*) FROM (SELECT 1 FROM facts WHERE ingested > $1 LIMIT $2) AS x"
)

// plan picks the driver of a fact query (see storyDriverArticles).
func (s *Store) plan(ctx context.Context, ff factFilter) (factDriver, error) {
	if len(ff.articleIDs) > 0 {
		return driveArticles, nil
	}
	if ff.story != "" {
		var n int
		if err := s.pool.QueryRow(ctx, storyCountSQL, ff.story, storyDriverArticles).Scan(&n); err != nil {
			return 0, err
		}
		if n < storyDriverArticles {
			return driveStory, nil
		}
	}
	if ff.after {
		var n int
		if err := s.pool.QueryRow(ctx, ingestedCountSQL, ff.ingested, ingestedDriverFacts).Scan(&n); err != nil {
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
	qs := ff.factQueries(driver)
	b := &pgx.Batch{}
	for _, fq := range qs {
		b.Queue(fq.sql, fq.args...).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var c cand
				if err := rows.Scan(&c.pk, &c.at); err != nil {
					return err
				}
				cands = append(cands, c)
			}
			return rows.Err()
		})
	}
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, s.fail(ctx, "facts", err)
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

// factBodies reads facts by primary key, in the order given.
func (s *Store) factBodies(ctx context.Context, pks []int64) ([]briefings.Fact, error) {
	rows, err := s.pool.Query(ctx, "SELECT fact_pk, body FROM fact_bodies WHERE fact_pk = ANY($1)", pks)
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
