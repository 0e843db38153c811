package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/briefbot/briefbot/briefings"
)

// sourceArticleCols are articleCols of articles AS a.
const sourceArticleCols = "a.id, a.title, a.source, a.url, a.published, a.ingested, a.text, a.hash, a.story"

// findDuplicate looks for a stored copy of p, in the order of the store
// rules: the same text (an article's or a recorded source's hash), the same
// address (an article's or a recorded source's URL), a near-duplicate (the
// most similar of the candidates sharing band keys). A near-duplicate, and a
// same-text copy from an address not recorded yet, is recorded as a source
// of the stored article. found is false when p is new.
func findDuplicate(ctx context.Context, st *writeStmts, p briefings.PreparedArticle) (res briefings.AddResult, found bool, err error) {
	a := p.Article
	stored, ok, err := firstArticle(ctx, "look up hash", st.articleByHash, st.sourceByHash, a.Hash)
	if err != nil {
		return briefings.AddResult{}, false, err
	}
	if ok {
		if a.URL != "" {
			_, known, err := firstArticle(ctx, "look up address", st.articleByURL, st.sourceByURL, a.URL)
			if err != nil {
				return briefings.AddResult{}, false, err
			}
			if !known {
				if err := insertSource(ctx, st, briefings.NewArticleSource(stored.ID, a, 1, a.Ingested)); err != nil {
					return briefings.AddResult{}, false, err
				}
			}
		}
		return briefings.AddResult{Article: stored, Duplicate: true, DuplicateReason: briefings.DuplicateSameText}, true, nil
	}
	if a.URL != "" {
		stored, ok, err := firstArticle(ctx, "look up address", st.articleByURL, st.sourceByURL, a.URL)
		if err != nil || ok {
			return briefings.AddResult{Article: stored, Duplicate: true, DuplicateReason: briefings.DuplicateSameAddress}, ok, err
		}
	}
	pk, sim, err := nearest(ctx, st, p.Signature)
	if err != nil || pk == 0 {
		return briefings.AddResult{}, false, err
	}
	stored, err = scanArticle(st.articleByPK.QueryRowContext(ctx, pk))
	if err != nil {
		return briefings.AddResult{}, false, fmt.Errorf("read near-duplicate %d: %w", pk, err)
	}
	if err := insertSource(ctx, st, briefings.NewArticleSource(stored.ID, a, sim, a.Ingested)); err != nil {
		return briefings.AddResult{}, false, err
	}
	return briefings.AddResult{Article: stored, Duplicate: true, DuplicateReason: briefings.DuplicateNear, Similarity: sim}, true, nil
}

// firstArticle runs the lookup among articles, then among recorded sources.
func firstArticle(ctx context.Context, what string, articles, sources *sql.Stmt, arg any) (briefings.Article, bool, error) {
	for _, q := range []*sql.Stmt{articles, sources} {
		a, err := scanArticle(q.QueryRowContext(ctx, arg))
		switch {
		case err == nil:
			return a, true, nil
		case !errors.Is(err, sql.ErrNoRows):
			return briefings.Article{}, false, fmt.Errorf("%s: %w", what, err)
		}
	}
	return briefings.Article{}, false, nil
}

// nearest returns the stored article most similar to sig at or above the
// near-duplicate threshold (the earliest stored among equals), or pk 0.
func nearest(ctx context.Context, st *writeStmts, sig briefings.Signature) (int64, float64, error) {
	keys := sig.BandKeys()
	if len(keys) == 0 {
		return 0, 0, nil
	}
	js, err := json.Marshal(keys)
	if err != nil {
		return 0, 0, err
	}
	rows, err := st.nearCandidates.QueryContext(ctx, string(js), briefings.MaxNearDuplicateCandidates)
	if err != nil {
		return 0, 0, fmt.Errorf("near-duplicate candidates: %w", err)
	}
	defer rows.Close()
	var best int64
	var bestSim float64
	for rows.Next() {
		var pk int64
		var raw []byte
		if err := rows.Scan(&pk, &raw); err != nil {
			return 0, 0, fmt.Errorf("near-duplicate candidates: %w", err)
		}
		var other briefings.Signature
		if err := other.UnmarshalBinary(raw); err != nil {
			return 0, 0, fmt.Errorf("signature of article %d: %w", pk, err)
		}
		sim := briefings.Similarity(sig, other)
		if sim >= briefings.NearDuplicateThreshold && (sim > bestSim || (sim == bestSim && pk < best)) {
			best, bestSim = pk, sim
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, fmt.Errorf("near-duplicate candidates: %w", err)
	}
	return best, bestSim, nil
}

// insertSignature stores an article's signature and indexes its band keys.
func insertSignature(ctx context.Context, st *writeStmts, pk int64, sig briefings.Signature) error {
	raw, err := sig.MarshalBinary()
	if err != nil {
		return err
	}
	if _, err := st.signaturePut.ExecContext(ctx, pk, raw); err != nil {
		return fmt.Errorf("store signature: %w", err)
	}
	if keys := sig.BandKeys(); len(keys) > 0 {
		if err := execJSON(ctx, st.bandsPut, keys, pk); err != nil {
			return fmt.Errorf("index signature: %w", err)
		}
	}
	return nil
}

// insertSource records a copy as another source of a stored article.
func insertSource(ctx context.Context, st *writeStmts, src briefings.ArticleSource) error {
	_, err := st.sourcePut.ExecContext(ctx, src.ArticleID, src.Title, src.Source, src.URL, nullMicros(src.Published), src.Hash, src.Similarity, micros(src.Added))
	if err != nil {
		return fmt.Errorf("record source of %s: %w", src.ArticleID, err)
	}
	return nil
}

// sourcesSQL reads the recorded sources of one article.
const sourcesSQL = `SELECT title, source, url, published, hash, similarity, added FROM article_sources
	WHERE article_pk = ? ORDER BY pk LIMIT ?`

// ArticleSources returns the copies recorded as sources of a stored article,
// first recorded first (at most briefings.MaxArticleSources); an error with
// briefings.ErrNotFound when the article is not stored.
func (s *Store) ArticleSources(ctx context.Context, id string) ([]briefings.ArticleSource, error) {
	var pk int64
	err := s.queryRow(ctx, "SELECT pk FROM articles WHERE id = ?", id).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no article %q is stored", id), briefings.ErrNotFound)
	}
	if err != nil {
		return nil, s.fail(ctx, "article sources "+id, err)
	}
	rows, err := s.query(ctx, sourcesSQL, pk, briefings.MaxArticleSources)
	if err != nil {
		return nil, s.fail(ctx, "article sources "+id, err)
	}
	defer rows.Close()
	var out []briefings.ArticleSource
	for rows.Next() {
		src := briefings.ArticleSource{ArticleID: id}
		var published sql.NullInt64
		var added int64
		if err := rows.Scan(&src.Title, &src.Source, &src.URL, &published, &src.Hash, &src.Similarity, &added); err != nil {
			return nil, s.fail(ctx, "article sources "+id, err)
		}
		if published.Valid {
			src.Published = fromMicros(published.Int64)
		}
		src.Added = fromMicros(added)
		out = append(out, src)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "article sources "+id, err)
	}
	return out, nil
}

// backfillBatch is how many articles one transaction of the signature
// backfill reads.
const backfillBatch = 200

// backfillSignatures computes the signatures of articles stored before
// migration 3, once (the store_tasks row says whether it is still to do).
// Several processes may run it at once: each write is idempotent.
func (s *Store) backfillSignatures(ctx context.Context) error {
	var pending int
	if err := s.w.QueryRowContext(ctx, "SELECT count(*) FROM store_tasks WHERE name = 'signatures'").Scan(&pending); err != nil {
		return s.fail(ctx, "read store tasks", err)
	}
	if pending == 0 {
		return nil
	}
	var after int64
	for {
		n := 0
		err := s.write(ctx, "backfill signatures", func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT pk, text FROM articles AS a WHERE pk > ?
				AND NOT EXISTS (SELECT 1 FROM article_signatures AS g WHERE g.article_pk = a.pk) ORDER BY pk LIMIT ?`, after, backfillBatch)
			if err != nil {
				return err
			}
			type todo struct {
				pk  int64
				sig briefings.Signature
			}
			var batch []todo
			for rows.Next() {
				var t todo
				var text string
				if err := rows.Scan(&t.pk, &text); err != nil {
					rows.Close()
					return err
				}
				t.sig = briefings.NewSignature(text)
				batch = append(batch, t)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			st := s.ws.bind(ctx, tx)
			for _, t := range batch {
				if err := insertSignature(ctx, st, t.pk, t.sig); err != nil {
					return err
				}
				after = t.pk
			}
			n = len(batch)
			if n < backfillBatch {
				_, err = tx.ExecContext(ctx, "DELETE FROM store_tasks WHERE name = 'signatures'")
			}
			return err
		})
		if err != nil {
			return err
		}
		if n < backfillBatch {
			s.log.InfoContext(ctx, "near-duplicate signatures computed for earlier articles", "last_article_pk", after)
			return nil
		}
	}
}

// ArticleSentences returns the sentences of one article in order;
// ErrNotFound when the article is not stored.
func (s *Store) ArticleSentences(ctx context.Context, id string) ([]briefings.Sentence, error) {
	var pk int64
	err := s.queryRow(ctx, "SELECT pk FROM articles WHERE id = ?", id).Scan(&pk)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("no article %q is stored", id), briefings.ErrNotFound)
	}
	if err != nil {
		return nil, s.fail(ctx, "article sentences "+id, err)
	}
	rows, err := s.query(ctx, "SELECT idx, paragraph, text FROM sentences WHERE article_pk = ? ORDER BY idx LIMIT ?", pk, briefings.MaxSentencesPerArticle)
	if err != nil {
		return nil, s.fail(ctx, "article sentences "+id, err)
	}
	defer rows.Close()
	var out []briefings.Sentence
	for rows.Next() {
		var sn briefings.Sentence
		if err := rows.Scan(&sn.Index, &sn.Paragraph, &sn.Text); err != nil {
			return nil, s.fail(ctx, "article sentences "+id, err)
		}
		out = append(out, sn)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "article sentences "+id, err)
	}
	return out, nil
}
