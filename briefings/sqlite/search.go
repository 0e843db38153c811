package sqlite

import (
	"context"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// SearchSentences returns the sentences that best match any word of the
// terms, ranked by BM25 (Score: higher is better). Case and accents do not
// matter. Terms without a letter or digit match nothing.
func (s *Store) SearchSentences(ctx context.Context, terms []string, n int) ([]briefings.SentenceHit, error) {
	n, err := limit(n, DefaultSentenceLimit, MaxSentenceLimit, "sentence")
	if err != nil {
		return nil, err
	}
	if err := checkList("terms", len(terms)); err != nil {
		return nil, err
	}
	ws := searchWords(terms)
	if len(ws) == 0 {
		return nil, nil
	}
	// Each word is letters and digits only, so quoting it is enough to make
	// it a plain FTS5 string: no operator, column filter or syntax error.
	quoted := make([]string, len(ws))
	for i, w := range ws {
		quoted[i] = `"` + w + `"`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT s.article_id, s.idx, s.paragraph, s.text, f.rank
		FROM sentences_fts AS f JOIN sentences AS s ON s.pk = f.rowid
		WHERE sentences_fts MATCH ? ORDER BY f.rank LIMIT ?`, strings.Join(quoted, " OR "), n)
	if err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	defer rows.Close()
	var out []briefings.SentenceHit
	for rows.Next() {
		var h briefings.SentenceHit
		var rank float64
		if err := rows.Scan(&h.ArticleID, &h.Sentence.Index, &h.Sentence.Paragraph, &h.Sentence.Text, &rank); err != nil {
			return nil, s.fail(ctx, "search sentences", err)
		}
		h.Score = -rank // bm25() is lower for better matches
		out = append(out, h)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	return out, nil
}
