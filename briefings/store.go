package briefings

import (
	"context"
	"time"
)

// Extractor turns an article into facts.
type Extractor interface {
	Extract(ctx context.Context, a Article) (Facts, error)
}

// Clock tells the time; tests inject a fake.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function to Clock.
type ClockFunc func() time.Time

// Now calls f.
func (f ClockFunc) Now() time.Time { return f() }

// SystemClock is the real clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AddResult reports what AddArticle did.
type AddResult struct {
	// Article is the stored article (for a duplicate: the one already stored).
	Article Article
	// Duplicate is set when the article was already stored; nothing was added.
	Duplicate bool
	// DuplicateReason says how it was recognized: "same text", "same
	// address" or "near-duplicate". A near-duplicate is recorded as another
	// source of the stored article.
	DuplicateReason string
	// Similarity is the near-duplicate's estimated similarity.
	Similarity float64
	// Facts is the number of facts stored.
	Facts int
	// Changed lists the statuses whose stage changed because of this article.
	Changed []StatusChange
}

// ArticleSource is another copy of a stored article, recorded instead of
// being stored twice: a near-duplicate (another outlet's version with a new
// headline or an extra paragraph), or the same text from another address.
type ArticleSource struct {
	// ArticleID is the stored article the copy duplicates.
	ArticleID string `json:"article_id"`
	// Title, Source, URL and Published describe the copy.
	Title     string    `json:"title"`
	Source    string    `json:"source"`
	URL       string    `json:"url,omitempty"`
	Published time.Time `json:"published,omitzero"`
	// Hash is the content hash of the copy's text.
	Hash string `json:"hash"`
	// Similarity is the estimated similarity to the stored article (1 for
	// the same text).
	Similarity float64 `json:"similarity"`
	// Added is when the copy was recorded.
	Added time.Time `json:"added"`
}

// StatusChange is a tracked process moving from one stage to another.
type StatusChange struct {
	Key   string `json:"key"`
	Topic string `json:"topic"`
	From  string `json:"from"`
	To    string `json:"to"`
	// Event is the evidence that moved it.
	Event StatusEvent `json:"event"`
}

// ArticleQuery selects articles.
type ArticleQuery struct {
	// IDs restricts to these articles.
	IDs []string
	// Story restricts to one story.
	Story string
	// IngestedAfter keeps articles stored strictly after this time.
	IngestedAfter time.Time
	// Limit caps the result (0: the store's default of 100).
	Limit int
	// NoText leaves each article's Text empty: the metadata a citation
	// needs, without reading every article's body.
	NoText bool
}

// FactQuery selects facts. Empty fields do not filter.
type FactQuery struct {
	Kinds []FactKind
	// Terms keeps facts that mention any of these names (party names,
	// countries, entity ids or places), compared case-insensitively after
	// folding accents.
	Terms []string
	// ArticleIDs restricts to facts from these articles.
	ArticleIDs []string
	// Story restricts to facts from articles of one story.
	Story string
	// IngestedAfter keeps facts from articles stored strictly after this time.
	IngestedAfter time.Time
	// Limit caps the result (0: the store's default of 500).
	Limit int
	// Newest returns the newest facts first (by resolved time, else the
	// article's publication): with a limit, the latest ones.
	Newest bool
}

// EntityQuery selects entities.
type EntityQuery struct {
	// Name matches the name or an alias exactly (folded), or as a prefix
	// when Prefix is set.
	Name   string
	Prefix bool
	Kinds  []EntityKind
	Limit  int
}

// StatusQuery selects statuses.
type StatusQuery struct {
	// Terms keeps statuses whose topic or key mentions any of these words.
	Terms []string
	Kinds []FactKind
	// Keys keeps the statuses with these keys.
	Keys []string
	// ChangedAfter keeps statuses with an event ingested after this time.
	ChangedAfter time.Time
	Limit        int
	// HistoryLimit, when positive, lets the store return each status's
	// History as CompactHistory(status, HistoryLimit): at most that many
	// events, the current one always among them (and from two on, the
	// stage-setting one). Stage, AsOf and Events still account for every
	// event. Zero returns the full history.
	HistoryLimit int
}

// SentenceHit is a sentence found by a text search.
type SentenceHit struct {
	ArticleID string
	Sentence  Sentence
	// Score ranks hits: higher is better.
	Score float64
}

// Stats counts what a store holds.
type Stats struct {
	Articles int
	Facts    int
	Entities int
	Statuses int
}

// ArticleStore stores articles and what was extracted from them.
type ArticleStore interface {
	// AddArticle stores an article with its facts, entities, sentences and
	// status events in one transaction. An article already stored (the same
	// text, the same address, or a near-duplicate; see DuplicateSameText) is
	// reported as a duplicate with the stored article, and nothing is written
	// but, for a near-duplicate or a copy from a new address, one
	// ArticleSource.
	AddArticle(ctx context.Context, a Article, f Facts) (AddResult, error)
	// Article returns one article; ErrNotFound when absent.
	Article(ctx context.Context, id string) (Article, error)
	// Articles returns articles, newest publication first.
	Articles(ctx context.Context, q ArticleQuery) ([]Article, error)
	// Facts returns facts ordered by time (resolved start, else article
	// publication), oldest first.
	Facts(ctx context.Context, q FactQuery) ([]Fact, error)
	// Entities returns entities, most mentioned first.
	Entities(ctx context.Context, q EntityQuery) ([]Entity, error)
	// Statuses returns tracked processes with their full history.
	Statuses(ctx context.Context, q StatusQuery) ([]Status, error)
	// ArticleSources returns the other copies recorded as sources of a
	// stored article (near-duplicates, and the same text from another
	// address), first recorded first; ErrNotFound when the article is not
	// stored.
	ArticleSources(ctx context.Context, id string) ([]ArticleSource, error)
	// ArticleSentences returns one article's sentences in order;
	// ErrNotFound when the article is not stored.
	ArticleSentences(ctx context.Context, id string) ([]Sentence, error)
	// SearchSentences returns the sentences that best match the terms.
	SearchSentences(ctx context.Context, terms []string, limit int) ([]SentenceHit, error)
	// Stats counts stored records.
	Stats(ctx context.Context) (Stats, error)
}

// Store is everything briefbot keeps. Implementations: briefings/sqlite and
// briefings/postgres, both checked by briefings/storetest.
type Store interface {
	ArticleStore
	SubscriptionStore
	FeedStore
	StoryStore
	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close() error
}
