package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

const articleCols = "id, title, source, url, published, ingested, text, hash, story"

// scanArticle reads an article row (articleCols).
func scanArticle(row pgx.Row) (briefings.Article, error) {
	var a briefings.Article
	var published *int64
	var ingested int64
	if err := row.Scan(&a.ID, &a.Title, &a.Source, &a.URL, &published, &ingested, &a.Text, &a.Hash, &a.Story); err != nil {
		return briefings.Article{}, err
	}
	a.Published, a.Ingested = fromNullMicros(published), fromMicros(ingested)
	return a, nil
}

// AddArticle stores an article with its sentences, facts, entities and status
// events in one transaction. An article stored already (the same text, the
// same address or a near-duplicate, by the rules of
// briefings.DuplicateSameText) is reported as a duplicate with the stored
// article, and only its source is recorded. A new status, or a status whose
// stage moves, is listed in AddResult.Changed (From is empty for a new one).
//
// Articles are added one at a time per schema, whichever process adds them
// (a transaction-scoped advisory lock): near-duplicate detection compares
// with every stored article, and entities and statuses are merged by
// reading and writing them back.
func (s *Store) AddArticle(ctx context.Context, a briefings.Article, f briefings.Facts) (briefings.AddResult, error) {
	if err := ctx.Err(); err != nil {
		return briefings.AddResult{}, fmt.Errorf("add article: %w", err)
	}
	p, err := briefings.PrepareArticle(a, f, s.clock.Now())
	if err != nil {
		return briefings.AddResult{}, err
	}
	w, err := newArticleWrite(p)
	if err != nil {
		return briefings.AddResult{}, err
	}
	var res briefings.AddResult
	err = s.tx(ctx, "add article "+p.Article.ID, func(tx pgx.Tx) error {
		var err error
		res, err = s.addPrepared(ctx, tx, p, w)
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

// articleWrite is what AddArticle writes, encoded before the transaction:
// sentences, facts and their terms as column arrays.
type articleWrite struct {
	sIdx, sPar, sWords []int
	sText, sTSV        []string

	fID, fKind, fBody []string
	fSeq              []int
	fStart            []*int64
	fSortAt           []int64

	tTerm, tKind []string
	tSortAt      []int64
	tSeq         []int

	sig   []byte
	bands []string
}

// newArticleWrite encodes a prepared article's rows.
func newArticleWrite(p briefings.PreparedArticle) (*articleWrite, error) {
	w := &articleWrite{}
	for _, sn := range p.Sentences {
		tsv, n := sentenceWords(sn.Text)
		w.sIdx = append(w.sIdx, sn.Index)
		w.sPar = append(w.sPar, sn.Paragraph)
		w.sText = append(w.sText, sn.Text)
		w.sTSV = append(w.sTSV, tsv)
		w.sWords = append(w.sWords, n)
	}
	for i, fact := range p.Facts {
		body, err := json.Marshal(fact)
		if err != nil {
			return nil, fmt.Errorf("encode fact %s: %w", fact.ID, err)
		}
		var start *int64
		if fact.Time.Resolved() {
			v := micros(fact.Time.Start)
			start = &v
		}
		at := briefings.FactSortAt(fact, p.Article)
		w.fID = append(w.fID, fact.ID)
		w.fSeq = append(w.fSeq, i)
		w.fKind = append(w.fKind, string(fact.Kind))
		w.fStart = append(w.fStart, start)
		w.fSortAt = append(w.fSortAt, at)
		w.fBody = append(w.fBody, string(body))
		for _, term := range briefings.FactTerms(fact) {
			w.tTerm = append(w.tTerm, term)
			w.tSortAt = append(w.tSortAt, at)
			w.tSeq = append(w.tSeq, i)
			w.tKind = append(w.tKind, string(fact.Kind))
		}
	}
	sig, err := p.Signature.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode signature: %w", err)
	}
	w.sig, w.bands = sig, p.Signature.BandKeys()
	return w, nil
}

// The statements that write a new article's rows. $1 is the article's pk.
const (
	insertArticleSQL   = "INSERT INTO articles (" + articleCols + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING pk"
	insertSentencesSQL = `INSERT INTO sentences (article_pk, idx, paragraph, text, words, nwords)
	SELECT $1, x.idx, x.par, x.text, x.words::tsvector, x.n
	FROM unnest($2::int4[], $3::int4[], $4::text[], $5::text[], $6::int4[]) WITH ORDINALITY AS x(idx, par, text, words, n, ord)
	ORDER BY x.ord`
	insertFactsSQL = `INSERT INTO facts (id, article_pk, seq, kind, time_start, sort_at, ingested)
	SELECT x.id, $1, x.seq, x.kind, x.start, x.sort_at, $2
	FROM unnest($3::text[], $4::int4[], $5::text[], $6::int8[], $7::int8[]) AS x(id, seq, kind, start, sort_at)
	ORDER BY x.seq`
	insertFactBodiesSQL = `INSERT INTO fact_bodies (fact_pk, body)
	SELECT f.pk, b.body FROM unnest($2::text[]) WITH ORDINALITY AS b(body, n)
	JOIN facts AS f ON f.article_pk = $1 AND f.seq = b.n - 1`
	insertFactTermsSQL = `INSERT INTO fact_terms (term, sort_at, fact_pk, kind)
	SELECT t.term, t.sort_at, f.pk, t.kind FROM unnest($2::text[], $3::int8[], $4::int4[], $5::text[]) AS t(term, sort_at, seq, kind)
	JOIN facts AS f ON f.article_pk = $1 AND f.seq = t.seq`
	insertSignatureSQL = "INSERT INTO article_signatures (article_pk, sig) VALUES ($1, $2) ON CONFLICT DO NOTHING"
	insertBandsSQL     = "INSERT INTO article_bands (band_key, article_pk) SELECT k, $1 FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING"
)

// addPrepared stores one checked article inside a transaction.
func (s *Store) addPrepared(ctx context.Context, tx pgx.Tx, p briefings.PreparedArticle, w *articleWrite) (briefings.AddResult, error) {
	dup, found, err := s.findDuplicate(ctx, tx, p)
	if err != nil || found {
		return dup, err
	}
	a := p.Article
	// One round trip: the article, and what its entities and statuses merge
	// with.
	entities := make([]string, len(p.Entities))
	for i, e := range p.Entities {
		entities[i] = e.ID
	}
	keys, groups := briefings.GroupStatusEvents(p)
	var apk int64
	stored := map[string]briefings.Entity{}
	heads := map[string]statusHead{}
	events := map[string][]briefings.StatusEvent{}
	b := &pgx.Batch{}
	b.Queue(insertArticleSQL, a.ID, a.Title, a.Source, a.URL, nullMicros(a.Published), micros(a.Ingested), a.Text, a.Hash, a.Story).
		QueryRow(func(row pgx.Row) error { return row.Scan(&apk) })
	if len(entities) > 0 {
		b.Queue("SELECT "+entityCols+" FROM entities WHERE id = ANY($1)", entities).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				e, err := scanEntity(rows)
				if err != nil {
					return err
				}
				stored[e.ID] = e
			}
			return rows.Err()
		})
	}
	if len(keys) > 0 {
		b.Queue("SELECT key, kind, topic, actor, subject, stage FROM statuses WHERE key = ANY($1)", keys).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var h statusHead
				if err := rows.Scan(&h.key, &h.kind, &h.topic, &h.actor, &h.subject, &h.stage); err != nil {
					return err
				}
				heads[h.key] = h
			}
			return rows.Err()
		})
		b.Queue(statusEventsSQL, keys).Query(func(rows pgx.Rows) error { return readEvents(rows, events) })
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return briefings.AddResult{}, fmt.Errorf("insert article: %w", err)
	}

	// One round trip: every row of the article.
	b = &pgx.Batch{}
	if len(w.sIdx) > 0 {
		b.Queue(insertSentencesSQL, apk, w.sIdx, w.sPar, w.sText, w.sTSV, w.sWords)
	}
	if len(w.fID) > 0 {
		b.Queue(insertFactsSQL, apk, micros(a.Ingested), w.fID, w.fSeq, w.fKind, w.fStart, w.fSortAt)
		b.Queue(insertFactBodiesSQL, apk, w.fBody)
		if len(w.tTerm) > 0 {
			b.Queue(insertFactTermsSQL, apk, w.tTerm, w.tSortAt, w.tSeq, w.tKind)
		}
	}
	b.Queue(insertSignatureSQL, apk, w.sig)
	if len(w.bands) > 0 {
		b.Queue(insertBandsSQL, apk, w.bands)
	}
	if err := queueEntities(b, p.Entities, stored); err != nil {
		return briefings.AddResult{}, err
	}
	changed, err := queueStatuses(b, apk, keys, groups, heads, events)
	if err != nil {
		return briefings.AddResult{}, err
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return briefings.AddResult{}, fmt.Errorf("store the article's rows: %w", err)
	}
	return briefings.AddResult{Article: a, Facts: len(p.Facts), Changed: changed}, nil
}

// Article returns one article; an error with briefings.ErrNotFound when it
// is not stored.
func (s *Store) Article(ctx context.Context, id string) (briefings.Article, error) {
	a, err := scanArticle(s.pool.QueryRow(ctx, "SELECT "+articleCols+" FROM articles WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return briefings.Article{}, notFound(fmt.Sprintf("no article %q is stored", id))
	}
	if err != nil {
		return briefings.Article{}, s.fail(ctx, "article "+id, err)
	}
	return a, nil
}

// Articles returns articles, newest publication first (unknown dates last,
// the latest stored first among equals).
func (s *Store) Articles(ctx context.Context, q briefings.ArticleQuery) ([]briefings.Article, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultArticleLimit, briefings.MaxArticleLimit, "article")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("article ids", len(q.IDs), briefings.MaxQueryIDs); err != nil {
		return nil, err
	}
	query, args := articleQuery(q, n)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "articles", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.Article, error) { return scanArticle(row) })
	if err != nil {
		return nil, s.fail(ctx, "articles", err)
	}
	return out, nil
}

// articleQuery builds the SQL of an article query.
func articleQuery(q briefings.ArticleQuery, n int) (string, []any) {
	var a sqlArgs
	var where []string
	if len(q.IDs) > 0 {
		where = append(where, "id = ANY("+a.add(q.IDs)+")")
	}
	if q.Story != "" {
		where = append(where, "story = "+a.add(q.Story))
	}
	if !q.IngestedAfter.IsZero() {
		where = append(where, "ingested > "+a.add(micros(q.IngestedAfter)))
	}
	cols := articleCols
	if q.NoText {
		// The metadata a citation needs, without the body.
		cols = "id, title, source, url, published, ingested, '', hash, story"
	}
	query := "SELECT " + cols + " FROM articles"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY published DESC NULLS LAST, pk DESC LIMIT " + a.add(n), a
}

// sqlArgs collects the arguments of a statement built piece by piece.
type sqlArgs []any

// add appends v and returns its placeholder ($n).
func (a *sqlArgs) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// statsSQL reads the record counts that triggers keep (migration 2).
const statsSQL = `SELECT (SELECT n FROM store_counts WHERE name = 'articles'), (SELECT n FROM store_counts WHERE name = 'facts'),
	(SELECT n FROM store_counts WHERE name = 'entities'), (SELECT n FROM store_counts WHERE name = 'statuses')`

// Stats counts what the store holds.
func (s *Store) Stats(ctx context.Context) (briefings.Stats, error) {
	var st briefings.Stats
	if err := s.pool.QueryRow(ctx, statsSQL).Scan(&st.Articles, &st.Facts, &st.Entities, &st.Statuses); err != nil {
		return briefings.Stats{}, s.fail(ctx, "stats", err)
	}
	return st, nil
}

// articlePK returns the key of a stored article; ErrNotFound when absent.
func (s *Store) articlePK(ctx context.Context, what, id string) (int64, error) {
	var pk int64
	err := s.pool.QueryRow(ctx, "SELECT pk FROM articles WHERE id = $1", id).Scan(&pk)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, notFound(fmt.Sprintf("no article %q is stored", id))
	}
	if err != nil {
		return 0, s.fail(ctx, what+" "+id, err)
	}
	return pk, nil
}

// ArticleSentences returns the sentences of one article in order;
// ErrNotFound when the article is not stored.
func (s *Store) ArticleSentences(ctx context.Context, id string) ([]briefings.Sentence, error) {
	pk, err := s.articlePK(ctx, "article sentences", id)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT idx, paragraph, text FROM sentences WHERE article_pk = $1 ORDER BY idx LIMIT $2", pk, briefings.MaxSentencesPerArticle)
	if err != nil {
		return nil, s.fail(ctx, "article sentences "+id, err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.Sentence, error) {
		var sn briefings.Sentence
		err := row.Scan(&sn.Index, &sn.Paragraph, &sn.Text)
		return sn, err
	})
	if err != nil {
		return nil, s.fail(ctx, "article sentences "+id, err)
	}
	return out, nil
}
