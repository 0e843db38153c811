package commands

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// ArticleFetcher fetches a web page as an article; *fetch.Fetcher
// implements it. Its errors are *briefings.Error values whose messages say
// what was refused and why.
type ArticleFetcher interface {
	FetchArticle(ctx context.Context, url string) (briefings.Article, error)
}

// Ingester extracts and stores an article; *briefings.Service implements
// it.
type Ingester interface {
	Ingest(ctx context.Context, a briefings.Article) (briefings.AddResult, error)
}

// FeedCheck is what fetching a feed once found.
type FeedCheck struct {
	// Title is the feed's title.
	Title string
	// Items is the number of usable items in it.
	Items int
}

// IngestDeps is what the ingest, feed and stories commands need; the
// runtime wires the fetcher, the service and the store in. A command whose
// dependencies are missing is not registered, and the router says it is
// not set up.
type IngestDeps struct {
	// Fetcher and Ingester serve /brief ingest.
	Fetcher  ArticleFetcher
	Ingester Ingester
	// Feeds keeps the followed feeds (feed add, list, remove).
	Feeds briefings.FeedStore
	// CheckFeed fetches a feed once before it is followed, so that a wrong
	// address is refused at once (feed add).
	CheckFeed func(ctx context.Context, url string) (FeedCheck, error)
	// Stories lists stories (/brief stories) and names an ingested
	// article's story.
	Stories briefings.StoryStore
	// FirstPoll says when a feed added now is first polled ("within a
	// minute"); empty leaves it out.
	FirstPoll string
	Clock     briefings.Clock
}

// Bounds of the ingestion commands.
const (
	// MaxURLBytes bounds an address given to ingest or feed.
	MaxURLBytes = 2048
	// feedListLimit is how many feeds feed list shows.
	feedListLimit = 50
	// storyListLimit is how many stories /brief stories shows.
	storyListLimit = 25
)

// IngestHandlers returns the handlers of ingest, feed add, feed list, feed
// remove and stories, for those whose dependencies are given. The router
// refuses the admin commands (ingest, feed add, feed remove) to callers
// who are not admins before they get here.
func IngestHandlers(d IngestDeps) Extra {
	if d.Clock == nil {
		d.Clock = briefings.SystemClock{}
	}
	ex := Extra{}
	if d.Fetcher != nil && d.Ingester != nil {
		ex["ingest"] = d.ingest
	}
	if d.Feeds != nil {
		ex["feed list"] = d.feedList
		ex["feed remove"] = d.feedRemove
		if d.CheckFeed != nil {
			ex["feed add"] = d.feedAdd
		}
	}
	if d.Stories != nil {
		ex["stories"] = d.stories
	}
	return ex
}

// ingestInfo is an ephemeral answer of the ingestion commands.
func ingestInfo(kind Kind, title, text string, items ...Item) Response {
	r := Response{Kind: kind, Title: title, Visibility: Ephemeral}
	r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: title}, Block{Type: BlockSection, Text: text})
	if len(items) > 0 {
		r.Blocks = append(r.Blocks, Block{Type: BlockFacts, Items: items})
	}
	r.Text = PlainText(r)
	return r
}

// checkURL checks an address typed by a user: present, bounded, http or
// https. The fetcher checks the rest (where it resolves to, what it
// serves).
func checkURL(what, raw string) (string, error) {
	u := strings.TrimSpace(raw)
	// Chat clients sometimes wrap links in angle brackets.
	if strings.HasPrefix(u, "<") && strings.HasSuffix(u, ">") {
		u = strings.TrimSuffix(strings.TrimPrefix(u, "<"), ">")
		if i := strings.IndexByte(u, '|'); i >= 0 {
			u = u[:i]
		}
	}
	lu := strings.ToLower(u)
	switch {
	case u == "":
		return "", briefings.Errorf(briefings.CodeInvalid, "give the %s's address, for example `/brief %s https://example.com/news/article.html`", what, map[string]string{"article": "ingest", "feed": "feed add"}[what])
	case len(u) > MaxURLBytes:
		return "", briefings.Errorf(briefings.CodeInvalid, "that address is %d characters long; at most %d are accepted", len(u), MaxURLBytes)
	case !strings.HasPrefix(lu, "http://") && !strings.HasPrefix(lu, "https://"):
		return "", briefings.Errorf(briefings.CodeInvalid, "%q is not a web address; it must start with http:// or https://", clipRunes(u, 60))
	}
	return u, nil
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (d IngestDeps) ingest(ctx context.Context, req Request) (Response, error) {
	u, err := checkURL("article", req.Option("url"))
	if err != nil {
		return Response{}, err
	}
	art, err := d.Fetcher.FetchArticle(ctx, u)
	if err != nil {
		return Response{}, fetchFailure(u, err)
	}
	res, err := d.Ingester.Ingest(ctx, art)
	if err != nil {
		return Response{}, err
	}
	story := d.storyTitle(ctx, res.Article.Story)
	title, text := IngestSummary(res, story)
	var items []Item
	for _, ch := range res.Changed {
		items = append(items, Item{Label: "status", Text: StatusChangeText(ch)})
	}
	return ingestInfo(KindIngest, title, text, items...), nil
}

// fetchFailure makes sure a fetcher's refusal reaches the user as a clear
// message: coded errors already are one; anything else (a bug, an
// unexpected failure) is said plainly, with the details logged.
func fetchFailure(u string, err error) error {
	var be *briefings.Error
	if errors.As(err, &be) && be.Code != briefings.CodeInternal {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return briefings.WrapError(briefings.CodeUnavailable, "fetching "+clipRunes(u, 80)+" took too long", err)
	}
	return fmt.Errorf("fetch %s: %w", clipRunes(u, 80), err)
}

// storyTitle is the title of an article's story, or "" when it has none
// or it cannot be read (the answer then leaves it out).
func (d IngestDeps) storyTitle(ctx context.Context, id string) string {
	if id == "" || d.Stories == nil {
		return ""
	}
	st, err := d.Stories.StoryByID(ctx, id)
	if err != nil {
		return ""
	}
	return st.Title
}

// IngestSummary says in words what ingesting an article did: a title
// ("Article added", "Already stored") and a sentence with the article's
// title, address, date (or that it is unknown), facts and story, or the
// reason it is a duplicate. story is the story's title, if any.
func IngestSummary(res briefings.AddResult, story string) (title, text string) {
	a := res.Article
	name := "“" + orUntitled(a.Title) + "”"
	if res.Duplicate {
		switch res.DuplicateReason {
		case "near-duplicate":
			return "Already stored", fmt.Sprintf("Near-duplicate of %s (similarity %.2f), recorded as another source of it; nothing new was stored.", name, res.Similarity)
		case "same address":
			return "Already stored", fmt.Sprintf("Already stored from this address as %s; nothing new was stored.", name)
		default:
			return "Already stored", fmt.Sprintf("Already stored as %s (the same text); nothing new was stored.", name)
		}
	}
	var b strings.Builder
	b.WriteString("Added ")
	b.WriteString(name)
	if a.URL != "" {
		b.WriteString(" (" + a.URL + ")")
	}
	b.WriteString(": ")
	if a.PublishedKnown() {
		b.WriteString("published " + a.Published.UTC().Format("2 Jan 2006") + ", ")
	} else {
		b.WriteString("publication date unknown (relative dates such as “on Friday” are not resolved), ")
	}
	b.WriteString(plural(res.Facts, "fact", "facts"))
	if n := len(res.Changed); n > 0 {
		b.WriteString(", " + plural(n, "status change", "status changes"))
	}
	b.WriteString(".")
	if story != "" {
		b.WriteString(" Story: " + story + " (`/brief summary " + a.Story + "`).")
	}
	return "Article added", b.String()
}

// StatusChangeText describes a status change: "US withdrawal from Niger:
// demanded → agreed", or "…: agreed (new)" for a process seen first.
func StatusChangeText(ch briefings.StatusChange) string {
	if ch.From == "" {
		return ch.Topic + ": " + ch.To + " (new)"
	}
	return ch.Topic + ": " + ch.From + " → " + ch.To
}

func orUntitled(t string) string {
	if strings.TrimSpace(t) == "" {
		return "untitled article"
	}
	return t
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// ParseEvery parses a feed's polling interval: a Go duration ("30m",
// "1h30m") or whole days ("1d"), within the store's bounds. Empty is the
// default.
func ParseEvery(s string) (time.Duration, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "" {
		return briefings.DefaultFeedEvery, nil
	}
	var d time.Duration
	var err error
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days float64
		days, err = strconv.ParseFloat(n, 64)
		if err == nil && days >= 0 && days <= 366 {
			d = time.Duration(days * float64(24*time.Hour))
		} else if err == nil {
			err = errors.New("out of range")
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	if err != nil {
		return 0, briefings.Errorf(briefings.CodeInvalid, "%q is not a polling interval; use for example 30m, 2h or 1d", clipRunes(s, 20))
	}
	if d < briefings.MinFeedEvery || d > briefings.MaxFeedEvery {
		return 0, briefings.Errorf(briefings.CodeInvalid, "a feed can be polled every %s to %s; %s is out of range", FormatEvery(briefings.MinFeedEvery), FormatEvery(briefings.MaxFeedEvery), clipRunes(s, 20))
	}
	return d, nil
}

// FormatEvery writes a polling interval briefly: "30m", "2h", "1h30m",
// "7d".
func FormatEvery(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	s := d.String()
	if d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
	}
	if d%time.Hour == 0 {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func (d IngestDeps) feedAdd(ctx context.Context, req Request) (Response, error) {
	u, err := checkURL("feed", req.Option("url"))
	if err != nil {
		return Response{}, err
	}
	every, err := ParseEvery(req.Option("every"))
	if err != nil {
		return Response{}, err
	}
	check, err := d.CheckFeed(ctx, u)
	if err != nil {
		return Response{}, fetchFailure(u, err)
	}
	f, err := d.Feeds.AddFeed(ctx, briefings.Feed{URL: u, Every: every, AddedBy: req.User, Added: d.Clock.Now()})
	if briefings.ErrorCode(err) == briefings.CodeConflict {
		return Response{}, briefings.WrapError(briefings.CodeConflict, "The bot already follows "+u+". `/brief feed list` shows the feeds and when each was last read.", err)
	}
	if err != nil {
		return Response{}, fmt.Errorf("add feed: %w", err)
	}
	name := "the feed"
	if check.Title != "" {
		name = "“" + check.Title + "”"
	}
	text := fmt.Sprintf("Following %s (%s) every %s. It lists %s now; new ones are added as they appear", name, f.URL, FormatEvery(f.Every), plural(check.Items, "article", "articles"))
	if d.FirstPoll != "" {
		text += ", starting " + d.FirstPoll
	}
	text += ". `/brief feed remove " + f.URL + "` stops it."
	return ingestInfo(KindInfo, "Feed added", text), nil
}

func (d IngestDeps) feedList(ctx context.Context, req Request) (Response, error) {
	feeds, err := d.Feeds.Feeds(ctx, feedListLimit)
	if err != nil {
		return Response{}, fmt.Errorf("list feeds: %w", err)
	}
	if len(feeds) == 0 {
		return ingestInfo(KindInfo, "Feeds", "The bot follows no feed. Admins add one with `/brief feed add <url> [every]`, for example `/brief feed add https://example.com/world.rss 1h`."), nil
	}
	now := d.Clock.Now()
	var items []Item
	for _, f := range feeds {
		items = append(items, FeedItem(f, now))
	}
	lead := fmt.Sprintf("The bot follows %s.", plural(len(feeds), "feed", "feeds"))
	if len(feeds) == feedListLimit {
		lead = fmt.Sprintf("The first %d feeds the bot follows, oldest first.", feedListLimit)
	}
	return ingestInfo(KindInfo, "Feeds", lead, items...), nil
}

// FeedItem describes a feed for a list: its address, interval, the
// articles it added, when it was last read and its last error.
func FeedItem(f briefings.Feed, now time.Time) Item {
	it := Item{Label: "every " + FormatEvery(f.Every), Text: f.URL}
	polled := "not read yet"
	if !f.LastPolled.IsZero() {
		polled = "last read " + ago(now.Sub(f.LastPolled))
	}
	it.Notes = append(it.Notes, fmt.Sprintf("%s added; %s", plural(f.Items, "article", "articles"), polled))
	if f.Failures > 0 {
		n := fmt.Sprintf("failing (%s in a row): %s; next try %s", plural(f.Failures, "time", "times"), f.LastError, inDuration(f.NextPoll.Sub(now)))
		it.Notes = append(it.Notes, n)
	} else if f.LastError != "" {
		it.Notes = append(it.Notes, "last read with problems: "+f.LastError)
	}
	return it
}

func ago(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return roundDuration(d) + " ago"
}

func inDuration(d time.Duration) string {
	if d <= time.Minute {
		return "within a minute"
	}
	return "in " + roundDuration(d)
}

// roundDuration writes a duration to the minute, hour or day.
func roundDuration(d time.Duration) string {
	switch {
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute", "minutes")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour", "hours")
	}
	return plural(int(d/(24*time.Hour)), "day", "days")
}

func (d IngestDeps) feedRemove(ctx context.Context, req Request) (Response, error) {
	u, err := checkURL("feed", req.Option("url"))
	if err != nil {
		return Response{}, err
	}
	err = d.Feeds.RemoveFeed(ctx, u)
	if errors.Is(err, briefings.ErrNotFound) || briefings.ErrorCode(err) == briefings.CodeNotFound {
		return Response{}, briefings.WrapError(briefings.CodeNotFound, "The bot does not follow "+u+". `/brief feed list` shows the feeds it follows, with their exact addresses.", err)
	}
	if err != nil {
		return Response{}, fmt.Errorf("remove feed: %w", err)
	}
	return ingestInfo(KindInfo, "Feed removed", "The bot no longer follows "+u+". The articles it added stay."), nil
}

func (d IngestDeps) stories(ctx context.Context, req Request) (Response, error) {
	sts, err := d.Stories.Stories(ctx, storyListLimit+1)
	if err != nil {
		return Response{}, fmt.Errorf("list stories: %w", err)
	}
	r := Response{Kind: KindInfo, Title: "Stories", Visibility: InChannel}
	r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: "Stories"})
	if len(sts) == 0 {
		r.Blocks = append(r.Blocks, Block{Type: BlockSection, Text: "No stories yet: articles are grouped into stories as they are added. Add some with `/brief ingest <url>` (admins) or `briefbot ingest FILE`."})
		r.Text = PlainText(r)
		return r, nil
	}
	more := false
	if len(sts) > storyListLimit {
		sts, more = sts[:storyListLimit], true
	}
	r.Blocks = append(r.Blocks, Block{Type: BlockSection, Text: "Articles grouped by the people, countries and bodies they are about, most recent first. `/brief summary <story>` and `/brief timeline <story>` take a title or an id."})
	b := Block{Type: BlockFacts}
	for _, s := range sts {
		b.Items = append(b.Items, StoryItem(s))
	}
	if more {
		b.More = fmt.Sprintf("… older stories not shown (the %d most recent are)", storyListLimit)
	}
	r.Blocks = append(r.Blocks, b)
	r.Text = PlainText(r)
	return r, nil
}

// StoryItem describes a story for a list: its date range, title, id and
// article count.
func StoryItem(s briefings.Story) Item {
	return Item{Label: StoryDates(s), Text: s.Title, Notes: []string{"id " + s.ID + " · " + plural(s.Articles, "article", "articles")}}
}

// StoryDates writes a story's date range: "20 Apr 2024", "12 Mar – 5 Sep
// 2025", "29 Feb 2020 – 14 Apr 2021".
func StoryDates(s briefings.Story) string {
	f, l := s.First.UTC(), s.Last.UTC()
	switch {
	case f.Format("2006-01-02") == l.Format("2006-01-02"):
		return f.Format("2 Jan 2006")
	case f.Year() == l.Year():
		return f.Format("2 Jan") + " – " + l.Format("2 Jan 2006")
	}
	return f.Format("2 Jan 2006") + " – " + l.Format("2 Jan 2006")
}
