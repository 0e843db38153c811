package briefings

import (
	"context"
	"time"
)

// Feed is an RSS, Atom or JSON feed the bot polls for articles.
type Feed struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Every is the polling interval.
	Every time.Duration `json:"every"`
	// ETag and LastModified make the next poll conditional.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// NextPoll is when the feed is due; a claimed feed's NextPoll is the end
	// of its claim.
	NextPoll   time.Time `json:"next_poll"`
	LastPolled time.Time `json:"last_polled,omitzero"`
	// Failures counts consecutive failed polls (for backoff); LastError
	// says what went wrong last.
	Failures  int    `json:"failures"`
	LastError string `json:"last_error,omitempty"`
	// Items counts the articles the feed has added.
	Items   int       `json:"items"`
	Added   time.Time `json:"added"`
	AddedBy string    `json:"added_by,omitempty"`
}

// FeedStore keeps feeds and which of their items were seen.
type FeedStore interface {
	// AddFeed adds a feed; CodeConflict when its URL is already followed.
	AddFeed(ctx context.Context, f Feed) (Feed, error)
	// RemoveFeed stops following a feed; ErrNotFound when it is not followed.
	RemoveFeed(ctx context.Context, url string) error
	// Feeds lists the feeds, oldest first.
	Feeds(ctx context.Context, limit int) ([]Feed, error)
	// ClaimDueFeeds claims up to limit feeds whose NextPoll has passed,
	// moving their NextPoll to now+lease so that no other poller takes them
	// meanwhile.
	ClaimDueFeeds(ctx context.Context, claimant string, now time.Time, lease time.Duration, limit int) ([]Feed, error)
	// FinishFeedPoll records a poll's outcome (validators, next poll,
	// failures, error, items).
	FinishFeedPoll(ctx context.Context, f Feed) error
	// NewFeedItems returns the item ids not seen before for the feed and
	// records them all as seen.
	NewFeedItems(ctx context.Context, feedID string, guids []string) ([]string, error)
}

// Story is a cluster of articles about one developing story, found by the
// entities they share and their dates.
type Story struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	// Keys are the entity names the story is about.
	Keys     []string  `json:"keys"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
	Articles int       `json:"articles"`
}

// StoryMatch is a story sharing keys with an article.
type StoryMatch struct {
	Story  Story
	Shared int
}

// StoryStore keeps stories.
type StoryStore interface {
	// MatchStories returns the stories sharing at least one key with keys
	// whose date range comes within window of around, most shared first.
	MatchStories(ctx context.Context, keys []string, around time.Time, window time.Duration, limit int) ([]StoryMatch, error)
	// PutStory creates a story or merges into an existing one (same id):
	// keys are unioned, the date range widened, Articles added.
	PutStory(ctx context.Context, s Story) (Story, error)
	// Stories lists stories, most recent first.
	Stories(ctx context.Context, limit int) ([]Story, error)
	// StoryByID returns one story; ErrNotFound when absent.
	StoryByID(ctx context.Context, id string) (Story, error)
}
