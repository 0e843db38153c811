package sqlite

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// searchSQL ranks the sentences matching an FTS5 query; only the best are
// joined to their rows.
const searchSQL = `SELECT a.id, s.idx, s.paragraph, s.text, m.rank
	FROM (SELECT rowid, rank FROM sentences_fts WHERE sentences_fts MATCH ? ORDER BY rank, rowid LIMIT ?) AS m
	JOIN sentences AS s ON s.pk = m.rowid
	JOIN articles AS a ON a.pk = s.article_pk
	ORDER BY m.rank, s.pk`

// vocabSQL counts the sentences holding each word of a JSON array.
const vocabSQL = `SELECT v.term, v.doc FROM json_each(?) AS j CROSS JOIN sentences_vocab AS v ON v.term = j.value`

// SearchSentences returns the sentences that best match any word of the
// terms, ranked by BM25 (Score: higher is better). Case and accents do not
// matter; English function words are left out unless nothing else is
// asked, and so are the most common words when ranking every sentence that
// holds them would cost too much (see briefings.SearchBudget). Terms without a letter
// or digit match nothing.
func (s *Store) SearchSentences(ctx context.Context, terms []string, n int) ([]briefings.SentenceHit, error) {
	n, err := briefings.QueryLimit(n, briefings.DefaultSentenceLimit, briefings.MaxSentenceLimit, "sentence")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("terms", len(terms), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	ws := briefings.SearchWords(terms)
	if len(ws) == 0 {
		return nil, nil
	}
	docs, err := s.wordDocs(ctx, ws)
	if err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	if ws = briefings.PruneSearchWords(ws, docs); len(ws) == 0 {
		return nil, nil
	}
	// Each word is letters and digits only, so quoting it is enough to make
	// it a plain FTS5 string: no operator, column filter or syntax error.
	quoted := make([]string, len(ws))
	for i, w := range ws {
		quoted[i] = `"` + w + `"`
	}
	rows, err := s.query(ctx, searchSQL, strings.Join(quoted, " OR "), n)
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

// wordDocs counts the sentences that hold each word.
func (s *Store) wordDocs(ctx context.Context, ws []string) (map[string]int, error) {
	js, err := json.Marshal(ws)
	if err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, vocabSQL, string(js))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	docs := make(map[string]int, len(ws))
	for rows.Next() {
		var w string
		var n int
		if err := rows.Scan(&w, &n); err != nil {
			return nil, err
		}
		docs[w] = n
	}
	return docs, rows.Err()
}
