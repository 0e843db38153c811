package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	gofeedjson "github.com/mmcdole/gofeed/json"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/briefbot/briefbot/briefings"
)

// maxTitleRunes bounds a feed or item title.
const maxTitleRunes = 500

// Conditional holds the validators of the last successful fetch of a feed;
// sending them lets an unchanged feed answer 304 Not Modified.
type Conditional struct {
	// ETag is the last ETag header, sent back as If-None-Match.
	ETag string
	// LastModified is the last Last-Modified header, sent back as If-Modified-Since.
	LastModified string
}

// FeedItem is one entry of a feed.
type FeedItem struct {
	// GUID identifies the item within its feed: the feed's id or guid,
	// else the link.
	GUID string
	// Link is the absolute http or https URL of the article.
	Link string
	// Title is the item's title.
	Title string
	// Published is the item's publication (else update) date; zero when the
	// feed gives none.
	Published time.Time
}

// FeedResult is what one fetch of a feed found.
type FeedResult struct {
	// NotModified is set when the server answered 304 to a conditional
	// request: there are no items, nothing changed.
	NotModified bool
	// URL is the feed's URL after redirects.
	URL string
	// Title is the feed's title.
	Title string
	// Cond holds the validators to send with the next fetch.
	Cond Conditional
	// Items are the feed's items in feed order, at most Options.MaxFeedItems.
	Items []FeedItem
	// Skipped counts items left out because they had no usable http or
	// https link.
	Skipped int
	// Dropped counts items beyond Options.MaxFeedItems.
	Dropped int
	// Fetched is when the feed was fetched.
	Fetched time.Time
}

// FetchFeed fetches an RSS, Atom or JSON feed. With the validators of the
// last fetch in cond it sends a conditional request; a 304 answer gives a
// result with NotModified set and no items. The result's Cond holds the
// validators for the next fetch.
func (f *Fetcher) FetchFeed(ctx context.Context, rawURL string, cond Conditional) (FeedResult, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return FeedResult{}, err
	}
	header := http.Header{}
	if etag := strings.TrimSpace(cond.ETag); etag != "" && validHeader(etag) {
		header.Set("If-None-Match", etag)
	}
	if lm := strings.TrimSpace(cond.LastModified); lm != "" && validHeader(lm) {
		header.Set("If-Modified-Since", lm)
	}
	now := f.opts.Clock.Now()
	resp, err := f.get(ctx, u, kindFeed, header)
	if err != nil {
		return FeedResult{}, err
	}
	if resp.mediaType == "text/html" || resp.mediaType == "application/xhtml+xml" {
		return FeedResult{}, htmlNotFeed(resp.url, resp.body)
	}
	next := Conditional{ETag: resp.header.Get("ETag"), LastModified: resp.header.Get("Last-Modified")}
	if resp.status == http.StatusNotModified {
		// A 304 may omit the validators; keep the ones that worked.
		if next.ETag == "" {
			next.ETag = cond.ETag
		}
		if next.LastModified == "" {
			next.LastModified = cond.LastModified
		}
		return FeedResult{NotModified: true, URL: resp.url.String(), Cond: next, Fetched: now}, nil
	}
	res, err := f.parseFeed(resp.url, resp.body)
	if err != nil {
		return FeedResult{}, err
	}
	res.Cond = next
	res.Fetched = now
	return res, nil
}

// ParseFeed parses a feed already in hand; feedURL resolves relative item
// links. Input is bounded by Options.MaxBytes and the items by
// Options.MaxFeedItems.
func (f *Fetcher) ParseFeed(feedURL string, body []byte) (FeedResult, error) {
	u, err := parseURL(feedURL)
	if err != nil {
		return FeedResult{}, err
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return FeedResult{}, briefings.Errorf(briefings.CodeInvalid, "the feed %s is %s, more than the %s limit", display(u), sizeString(int64(len(body))), sizeString(f.opts.MaxBytes))
	}
	res, err := f.parseFeed(u, body)
	if err != nil {
		return FeedResult{}, err
	}
	res.Fetched = f.opts.Clock.Now()
	return res, nil
}

func (f *Fetcher) parseFeed(u *url.URL, body []byte) (res FeedResult, err error) {
	// gofeed parses outside input with several hand-written parsers; a
	// panic in one of them is a bug (CodeInternal, which the fuzz target
	// reports) that must cost one feed, not the poller.
	defer func() {
		if r := recover(); r != nil {
			res, err = FeedResult{}, briefings.WrapError(briefings.CodeInternal, fmt.Sprintf("the feed %s could not be parsed", display(u)), fmt.Errorf("gofeed panic: %v", r))
		}
	}()
	feed, err := parseAnyFeed(body)
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return FeedResult{}, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("%s is not an RSS, Atom or JSON feed", display(u)), err)
		}
		return FeedResult{}, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("the feed %s is malformed", display(u)), err)
	}
	if feed.FeedType == "json" && !strings.Contains(feed.FeedVersion, "jsonfeed.org/version/") {
		// Any JSON object passes gofeed's detection; a JSON Feed names its version.
		return FeedResult{}, briefings.Errorf(briefings.CodeInvalid, "%s is not an RSS, Atom or JSON feed: it is JSON without a JSON Feed version", display(u))
	}
	// Relative item links resolve against the URL the feed was served from.
	base := u
	res = FeedResult{URL: u.String(), Title: clip(oneLine(feed.Title), maxTitleRunes)}
	for _, it := range feed.Items {
		if it == nil {
			continue
		}
		if len(res.Items) >= f.opts.MaxFeedItems {
			res.Dropped++
			continue
		}
		link := itemLink(base, it)
		if link == "" {
			res.Skipped++
			continue
		}
		item := FeedItem{
			GUID:  clip(strings.TrimSpace(it.GUID), maxURLLength),
			Link:  link,
			Title: clip(oneLine(it.Title), maxTitleRunes),
		}
		if item.GUID == "" {
			item.GUID = link
		}
		switch {
		case it.PublishedParsed != nil:
			item.Published = *it.PublishedParsed
		case it.UpdatedParsed != nil:
			item.Published = *it.UpdatedParsed
		}
		res.Items = append(res.Items, item)
	}
	return res, nil
}

// parseAnyFeed parses an RSS, Atom or JSON feed with gofeed. JSON feeds
// are decoded first and cleared of null items and authors, on which
// gofeed v1.4.2's JSON translator dereferences nil (found by FuzzParseFeed
// with {"items":[null]}; upstream issue mmcdole/gofeed#355, fixed after
// v1.4.2). Drop this when a release with the fix is used.
func parseAnyFeed(body []byte) (*gofeed.Feed, error) {
	if gofeed.DetectFeedType(bytes.NewReader(body)) != gofeed.FeedTypeJSON {
		return gofeed.NewParser().Parse(bytes.NewReader(body))
	}
	jf, err := (&gofeedjson.Parser{}).Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	jf.Authors = compact(jf.Authors)
	items := jf.Items[:0]
	for _, it := range jf.Items {
		if it != nil {
			it.Authors = compact(it.Authors)
			items = append(items, it)
		}
	}
	jf.Items = items
	return (&gofeed.DefaultJSONTranslator{}).Translate(jf)
}

// compact drops nil elements.
func compact[T any](s []*T) []*T {
	out := s[:0]
	for _, e := range s {
		if e != nil {
			out = append(out, e)
		}
	}
	return out
}

// itemLink returns the item's first usable absolute http(s) link.
func itemLink(base *url.URL, it *gofeed.Item) string {
	for _, raw := range append([]string{it.Link}, it.Links...) {
		raw = strings.TrimSpace(raw)
		if raw == "" || len(raw) > maxURLLength {
			continue
		}
		ref, err := url.Parse(raw)
		if err != nil {
			continue
		}
		l := base.ResolveReference(ref)
		l.Fragment, l.RawFragment = "", ""
		if checkURL(l) == nil {
			return l.String()
		}
	}
	return ""
}

// htmlNotFeed builds the message for a feed URL that served a web page,
// naming the feed the page links to when it links one.
func htmlNotFeed(u *url.URL, page []byte) error {
	msg := fmt.Sprintf("%s is a web page, not a feed", display(u))
	if alt := feedLink(u, page); alt != "" {
		return briefings.Errorf(briefings.CodeInvalid, "%s; the page names its feed: %s", msg, alt)
	}
	return briefings.Errorf(briefings.CodeInvalid, "%s; give the URL of its RSS or Atom feed, or ingest the page as an article", msg)
}

// feedLink returns the first <link rel="alternate"> to an RSS, Atom or JSON
// feed in an HTML page, resolved against base.
func feedLink(base *url.URL, body []byte) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	for range 100_000 {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.DataAtom == atom.Body {
				return ""
			}
			if tok.DataAtom != atom.Link {
				continue
			}
			var rel, typ, href string
			for _, a := range tok.Attr {
				switch strings.ToLower(a.Key) {
				case "rel":
					rel = a.Val
				case "type":
					typ = strings.ToLower(strings.TrimSpace(a.Val))
				case "href":
					href = strings.TrimSpace(a.Val)
				}
			}
			if !hasToken(rel, "alternate") || href == "" {
				continue
			}
			switch typ {
			case "application/rss+xml", "application/atom+xml", "application/feed+json":
				ref, err := url.Parse(href)
				if err != nil {
					continue
				}
				l := base.ResolveReference(ref)
				if checkURL(l) == nil {
					return shorten(l.String())
				}
			}
		}
	}
	return ""
}

// validHeader reports whether a stored validator can be sent as a header value.
func validHeader(v string) bool {
	if len(v) > 1024 {
		return false
	}
	for _, r := range v {
		if r < ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos] + "…"
		}
		i++
	}
	return s
}
