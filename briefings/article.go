package briefings

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode"
)

// Article is one news article as the bot knows it.
type Article struct {
	// ID is derived from the content hash, so the same text always has the
	// same ID whichever store holds it.
	ID string
	// Title is the headline.
	Title string
	// Source is where the article came from: a URL or a label.
	Source string
	// URL is the canonical URL when the article came from the web.
	URL string
	// Published is the publication date; zero when unknown.
	Published time.Time
	// Ingested is when the bot stored the article.
	Ingested time.Time
	// Text is the body: paragraphs separated by newlines.
	Text string
	// Hash is the hex SHA-256 of the normalized body.
	Hash string
	// Story is the id of the story the article belongs to, if any.
	Story string
}

// PublishedKnown reports whether the article's publication date is known.
func (a Article) PublishedKnown() bool { return !a.Published.IsZero() }

// ContentHash returns the hex SHA-256 of text after normalization: runs of
// white space are folded to one space and leading and trailing space is
// dropped, so re-wrapped copies of one article hash alike.
func ContentHash(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	space := false
	for _, r := range strings.TrimSpace(text) {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// ArticleID derives the article id from a content hash.
func ArticleID(hash string) string {
	if len(hash) > 16 {
		return hash[:16]
	}
	return hash
}
