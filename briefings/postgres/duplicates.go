package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// sourceArticleCols are articleCols of articles AS a.
const sourceArticleCols = "a.id, a.title, a.source, a.url, a.published, a.ingested, a.text, a.hash, a.story"

// The lookups of a duplicate, all sent in one round trip after the ingest
// lock.
const (
	lockIngestSQL  = "SELECT pg_advisory_xact_lock($1)"
	articleHashSQL = "SELECT " + articleCols + " FROM articles WHERE hash = $1"
	sourceHashSQL  = "SELECT " + sourceArticleCols + " FROM article_sources AS s JOIN articles AS a ON a.pk = s.article_pk WHERE s.hash = $1 ORDER BY s.pk LIMIT 1"
	articleURLSQL  = "SELECT " + articleCols + " FROM articles WHERE url = $1 AND url <> '' ORDER BY pk LIMIT 1"
	sourceURLSQL   = "SELECT " + sourceArticleCols + " FROM article_sources AS s JOIN articles AS a ON a.pk = s.article_pk WHERE s.url = $1 AND s.url <> ''"
	// nearCandidatesSQL returns the signatures of the stored articles that
	// share the most band keys with a new one.
	nearCandidatesSQL = `SELECT c.article_pk, g.sig FROM (SELECT article_pk, count(*) AS n FROM article_bands
			WHERE band_key = ANY($1) GROUP BY article_pk ORDER BY n DESC, article_pk LIMIT $2) AS c
		JOIN article_signatures AS g ON g.article_pk = c.article_pk ORDER BY c.n DESC, c.article_pk`
	insertSourceSQL = `INSERT INTO article_sources (article_pk, title, source, url, published, hash, similarity, added)
		VALUES ((SELECT pk FROM articles WHERE id = $1), $2, $3, $4, $5, $6, $7, $8)`
)

// lookup is the result of one duplicate lookup.
type lookup struct {
	a     briefings.Article
	found bool
}

// queueLookup queues a query of one article row into l.
func queueLookup(b *pgx.Batch, l *lookup, query string, arg any) {
	b.Queue(query, arg).QueryRow(func(row pgx.Row) error {
		a, err := scanArticle(row)
		switch {
		case err == nil:
			l.a, l.found = a, true
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return nil
	})
}

// findDuplicate takes the ingest lock and looks for a stored copy of p, in
// the order of the store rules: the same text (an article's or a recorded
// source's hash), the same address (an article's or a recorded source's
// URL), a near-duplicate (the most similar of the candidates sharing band
// keys). A near-duplicate, and a same-text copy from an address not
// recorded yet, is recorded as a source of the stored article. found is
// false when p is new.
func (s *Store) findDuplicate(ctx context.Context, tx pgx.Tx, p briefings.PreparedArticle) (res briefings.AddResult, found bool, err error) {
	a := p.Article
	var byHash, srcByHash, byURL, srcByURL lookup
	type cand struct {
		pk  int64
		sig []byte
	}
	var cands []cand
	b := &pgx.Batch{}
	b.Queue(lockIngestSQL, s.ingestLock)
	queueLookup(b, &byHash, articleHashSQL, a.Hash)
	queueLookup(b, &srcByHash, sourceHashSQL, a.Hash)
	if a.URL != "" {
		queueLookup(b, &byURL, articleURLSQL, a.URL)
		queueLookup(b, &srcByURL, sourceURLSQL, a.URL)
	}
	if keys := p.Signature.BandKeys(); len(keys) > 0 {
		b.Queue(nearCandidatesSQL, keys, briefings.MaxNearDuplicateCandidates).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var c cand
				if err := rows.Scan(&c.pk, &c.sig); err != nil {
					return err
				}
				cands = append(cands, c)
			}
			return rows.Err()
		})
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return briefings.AddResult{}, false, fmt.Errorf("look for duplicates: %w", err)
	}

	if stored, ok := first(byHash, srcByHash); ok {
		if a.URL != "" && !byURL.found && !srcByURL.found {
			if err := insertSource(ctx, tx, briefings.NewArticleSource(stored.ID, a, 1, a.Ingested)); err != nil {
				return briefings.AddResult{}, false, err
			}
		}
		return briefings.AddResult{Article: stored, Duplicate: true, DuplicateReason: briefings.DuplicateSameText}, true, nil
	}
	if stored, ok := first(byURL, srcByURL); ok {
		return briefings.AddResult{Article: stored, Duplicate: true, DuplicateReason: briefings.DuplicateSameAddress}, true, nil
	}
	var best int64
	var bestSim float64
	for _, c := range cands {
		var other briefings.Signature
		if err := other.UnmarshalBinary(c.sig); err != nil {
			return briefings.AddResult{}, false, fmt.Errorf("signature of article %d: %w", c.pk, err)
		}
		sim := briefings.Similarity(p.Signature, other)
		if sim >= briefings.NearDuplicateThreshold && (sim > bestSim || (sim == bestSim && c.pk < best)) {
			best, bestSim = c.pk, sim
		}
	}
	if best == 0 {
		return briefings.AddResult{}, false, nil
	}
	stored, err := scanArticle(tx.QueryRow(ctx, "SELECT "+articleCols+" FROM articles WHERE pk = $1", best))
	if err != nil {
		return briefings.AddResult{}, false, fmt.Errorf("read near-duplicate %d: %w", best, err)
	}
	if err := insertSource(ctx, tx, briefings.NewArticleSource(stored.ID, a, bestSim, a.Ingested)); err != nil {
		return briefings.AddResult{}, false, err
	}
	return briefings.AddResult{Article: stored, Duplicate: true, DuplicateReason: briefings.DuplicateNear, Similarity: bestSim}, true, nil
}

// first returns the article of the first lookup that found one.
func first(ls ...lookup) (briefings.Article, bool) {
	for _, l := range ls {
		if l.found {
			return l.a, true
		}
	}
	return briefings.Article{}, false
}

// insertSource records a copy as another source of a stored article.
func insertSource(ctx context.Context, tx pgx.Tx, src briefings.ArticleSource) error {
	_, err := tx.Exec(ctx, insertSourceSQL, src.ArticleID, src.Title, src.Source, src.URL, nullMicros(src.Published), src.Hash, src.Similarity, micros(src.Added))
	if err != nil {
		return fmt.Errorf("record source of %s: %w", src.ArticleID, err)
	}
	return nil
}

// sourcesSQL reads the recorded sources of one article.
const sourcesSQL = `SELECT title, source, url, published, hash, similarity, added FROM article_sources
	WHERE article_pk = $1 ORDER BY pk LIMIT $2`

// ArticleSources returns the copies recorded as sources of a stored article,
// first recorded first (at most briefings.MaxArticleSources); an error with
// briefings.ErrNotFound when the article is not stored.
func (s *Store) ArticleSources(ctx context.Context, id string) ([]briefings.ArticleSource, error) {
	pk, err := s.articlePK(ctx, "article sources", id)
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sourcesSQL, pk, briefings.MaxArticleSources)
	if err != nil {
		return nil, s.fail(ctx, "article sources "+id, err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.ArticleSource, error) {
		src := briefings.ArticleSource{ArticleID: id}
		var published *int64
		var added int64
		if err := row.Scan(&src.Title, &src.Source, &src.URL, &published, &src.Hash, &src.Similarity, &added); err != nil {
			return src, err
		}
		src.Published, src.Added = fromNullMicros(published), fromMicros(added)
		return src, nil
	})
	if err != nil {
		return nil, s.fail(ctx, "article sources "+id, err)
	}
	return out, nil
}

// backfillBatch is how many articles one transaction of the signature
// backfill reads.
const backfillBatch = 200

// backfillSignatures computes the signatures of articles stored before
// migration 3, once (the store_tasks row says whether it is still to do).
// It runs under the ingest lock, so several processes opening the store at
// once do the work once, and no article is added meanwhile.
func (s *Store) backfillSignatures(ctx context.Context) error {
	var pending bool
	err := s.pool.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM store_tasks WHERE name = 'signatures')").Scan(&pending)
	if err != nil {
		return s.fail(ctx, "read store tasks", err)
	}
	if !pending {
		return nil
	}
	var after int64
	for done := false; !done; {
		// What one transaction did, set again by every attempt of it.
		var last int64
		var end bool
		err := s.tx(ctx, "backfill signatures", func(tx pgx.Tx) error {
			last, end = after, false
			if _, err := tx.Exec(ctx, lockIngestSQL, s.ingestLock); err != nil {
				return err
			}
			rows, err := tx.Query(ctx, `SELECT pk, text FROM articles AS a WHERE pk > $1
				AND NOT EXISTS (SELECT 1 FROM article_signatures AS g WHERE g.article_pk = a.pk) ORDER BY pk LIMIT $2`, after, backfillBatch)
			if err != nil {
				return err
			}
			type todo struct {
				pk   int64
				text string
			}
			batch, err := collect(rows, func(row pgx.CollectableRow) (todo, error) {
				var t todo
				err := row.Scan(&t.pk, &t.text)
				return t, err
			})
			if err != nil {
				return err
			}
			b := &pgx.Batch{}
			for _, t := range batch {
				sig := briefings.NewSignature(t.text)
				raw, err := sig.MarshalBinary()
				if err != nil {
					return err
				}
				b.Queue(insertSignatureSQL, t.pk, raw)
				if keys := sig.BandKeys(); len(keys) > 0 {
					b.Queue(insertBandsSQL, t.pk, keys)
				}
				last = t.pk
			}
			end = len(batch) < backfillBatch
			if end {
				b.Queue("DELETE FROM store_tasks WHERE name = 'signatures'")
			}
			return tx.SendBatch(ctx, b).Close()
		})
		if err != nil {
			return err
		}
		after, done = last, end
	}
	s.log.InfoContext(ctx, "near-duplicate signatures computed for earlier articles", "last_article_pk", after)
	return nil
}
