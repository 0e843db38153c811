package postgres

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// Sentence search. Each sentence's words are its briefings.FoldedWords
// (accents removed, lower case, letters and digits), stored as a tsvector
// of exactly those lexemes with their positions, never stemmed or parsed
// again by Postgres, so that a search finds what the SQLite store's FTS5
// index finds; a GIN index finds the sentences holding any word of a
// search. Hits are ranked by BM25 with FTS5's constants and formula, from
// the per-word sentence counts (sentence_words) and the corpus totals
// (store_counts) that triggers keep.

// Bounds of one sentence's index entry: Postgres keeps a lexeme of at most
// 2,047 bytes, 256 positions per lexeme, positions up to 16,383, and a
// tsvector of under 1 MB. Longer words are not indexed, and a sentence's
// words beyond maxSentenceLexemeBytes are not either (no real sentence
// comes near).
const (
	maxLexemeBytes         = 2046
	maxPositions           = 256
	maxPosition            = 16383
	maxSentenceLexemeBytes = 512 << 10
)

// sentenceWords returns the tsvector literal of a sentence's folded words
// (with positions) and its length in words.
func sentenceWords(text string) (string, int) {
	words := briefings.FoldedWords(text)
	type entry struct {
		word string
		pos  []int
	}
	var order []*entry
	byWord := make(map[string]*entry, len(words))
	size := 0
	for i, w := range words {
		if len(w) > maxLexemeBytes {
			continue
		}
		e, ok := byWord[w]
		if !ok {
			if size+len(w) > maxSentenceLexemeBytes {
				continue
			}
			size += len(w)
			e = &entry{word: w}
			byWord[w] = e
			order = append(order, e)
		}
		if len(e.pos) < maxPositions {
			e.pos = append(e.pos, min(i+1, maxPosition))
		}
	}
	var b strings.Builder
	b.Grow(size + 8*len(order))
	for i, e := range order {
		if i > 0 {
			b.WriteByte(' ')
		}
		quoteLexeme(&b, e.word)
		for j, p := range e.pos {
			if j == 0 {
				b.WriteByte(':')
			} else {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
	}
	return b.String(), len(words)
}

// quoteLexeme writes a lexeme as a quoted tsvector or tsquery operand.
// Folded words hold only letters and digits; quotes and backslashes are
// escaped all the same.
func quoteLexeme(b *strings.Builder, w string) {
	b.WriteByte('\'')
	for _, r := range w {
		if r == '\'' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
}

// BM25's constants, as FTS5's bm25() uses them.
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// wordDocsSQL reads the sentence counts of some words and the corpus
// totals.
const wordDocsSQL = `SELECT w.word, w.docs, (SELECT n FROM store_counts WHERE name = 'sentences'), (SELECT n FROM store_counts WHERE name = 'sentence_words')
	FROM sentence_words AS w WHERE w.word = ANY($1) AND w.docs > 0`

// searchSQL ranks the sentences holding any word of the tsquery $1 by BM25
// over the words $2 with their idf $3, given the average sentence length
// $4 and the constants k1 $6 and b $7; only the best $5 are joined to their
// rows.
const searchSQL = `SELECT a.id, s.idx, s.paragraph, s.text, m.score
	FROM (SELECT s.pk, (SELECT sum(($3::float8[])[array_position($2::text[], u.lexeme)] * cardinality(u.positions) * ($6::float8 + 1)
				/ (cardinality(u.positions) + $6 * (1 - $7::float8 + $7 * s.nwords / $4::float8)))
			FROM unnest(s.words) AS u WHERE u.lexeme = ANY($2)) AS score
		FROM sentences AS s WHERE s.words @@ $1::tsquery
		ORDER BY score DESC, s.pk LIMIT $5) AS m
	JOIN sentences AS s ON s.pk = m.pk
	JOIN articles AS a ON a.pk = s.article_pk
	ORDER BY m.score DESC, m.pk`

// SearchSentences returns the sentences that best match any word of the
// terms, ranked by BM25 (Score: higher is better). Case and accents do not
// matter; English function words are left out unless nothing else is
// asked, and so are the most common words when ranking every sentence that
// holds them would cost too much (see briefings.SearchBudget). Terms without
// a letter or digit match nothing; quotes and operators are plain words.
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
	rows, err := s.pool.Query(ctx, wordDocsSQL, ws)
	if err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	docs := make(map[string]int, len(ws))
	var total, words float64
	for rows.Next() {
		var w string
		var d int
		if err := rows.Scan(&w, &d, &total, &words); err != nil {
			rows.Close()
			return nil, s.fail(ctx, "search sentences", err)
		}
		docs[w] = d
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	if ws = briefings.PruneSearchWords(ws, docs); len(ws) == 0 {
		return nil, nil
	}
	var query strings.Builder
	idf := make([]float64, len(ws))
	for i, w := range ws {
		if i > 0 {
			query.WriteString(" | ")
		}
		quoteLexeme(&query, w)
		idf[i] = bm25IDF(total, float64(docs[w]))
	}
	avg := 1.0
	if total > 0 && words > 0 {
		avg = words / total
	}
	rows, err = s.pool.Query(ctx, searchSQL, query.String(), ws, idf, avg, n, bm25K1, bm25B)
	if err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.SentenceHit, error) {
		var h briefings.SentenceHit
		err := row.Scan(&h.ArticleID, &h.Sentence.Index, &h.Sentence.Paragraph, &h.Sentence.Text, &h.Score)
		return h, err
	})
	if err != nil {
		return nil, s.fail(ctx, "search sentences", err)
	}
	return out, nil
}

// bm25IDF is FTS5's inverse document frequency of a word held by docs of
// total sentences: never zero or negative, so that a word in most
// sentences still counts a little.
func bm25IDF(total, docs float64) float64 {
	idf := math.Log((total - docs + 0.5) / (docs + 0.5))
	if idf <= 0 {
		idf = 1e-6
	}
	return idf
}
