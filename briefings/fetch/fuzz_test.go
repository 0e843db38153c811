package fetch

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// checkParseError fails unless err is nil or a *briefings.Error with a
// user-facing message: malformed input gets a clear error, never a panic
// and never an internal error.
func checkParseError(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var be *briefings.Error
	if !errors.As(err, &be) || be.Code != briefings.CodeInvalid || be.Msg == "" {
		t.Fatalf("error %v (%T) is not a CodeInvalid *briefings.Error", err, err)
	}
}

// FuzzParseArticle feeds arbitrary bytes to the HTML extraction path
// (charset detection, html.Parse, the metadata scan, readability).
//
//	go test ./briefings/fetch -run '^$' -fuzz FuzzParseArticle -fuzztime 60s
func FuzzParseArticle(f *testing.F) {
	f.Add(readTestdata(f, "article.html"), "text/html; charset=utf-8")
	f.Add([]byte(articleHTML(`<meta property="article:published_time" content="2024-05-03"><link rel="canonical" href="/x">`, `<time datetime="2024-04-30">x</time>`, "")), "")
	f.Add([]byte(articleHTML(`<script type="application/ld+json">{"@graph":[{"@type":["NewsArticle"],"datePublished":"2024-05-02"}]}</script>`, "", "")), "text/html")
	f.Add([]byte(`<script type="application/ld+json">[[[[{"datePublished":1}]]]]</script><p>`+strings.Repeat("word ", 40)), "text/html; charset=iso-8859-1")
	f.Add([]byte(strings.Repeat("<div>", 600)+"deep"), "text/html")
	f.Add([]byte("<html><body><table><tr><td><p>unclosed <b><i>mis</b>nested</i>"), "text/html; charset=shift_jis")
	f.Add([]byte("\xef\xbb\xbf<p>\xff\xfe broken utf-8 \xc3</p>"), "application/xhtml+xml")
	f.Add([]byte{}, "")
	fetcher := New(Options{MaxBytes: 1 << 20, MaxElements: 20_000}, nil)
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		page, err := fetcher.ParseArticle("https://ledger.example/world/story", body, contentType)
		checkParseError(t, err)
		if err != nil {
			return
		}
		a := page.Article
		if a.Text == "" || a.Hash != briefings.ContentHash(a.Text) || a.ID != briefings.ArticleID(a.Hash) {
			t.Fatalf("an article without text or with a wrong hash: %+v", a)
		}
		if !utf8.ValidString(a.Text) || !utf8.ValidString(a.Title) {
			t.Fatalf("invalid UTF-8 in the text or title")
		}
		if strings.Contains(a.Text, "\n\n") || strings.HasPrefix(a.Text, " ") {
			t.Fatalf("the text is not one trimmed paragraph per line: %q", a.Text)
		}
		if err := checkURL(mustParse(t, a.URL)); err != nil {
			t.Fatalf("the canonical URL %q is unusable: %v", a.URL, err)
		}
	})
}

// FuzzParseFeed feeds arbitrary bytes to the feed parsing path (gofeed's
// detection, RSS, Atom and JSON parsers, link resolution).
//
//	go test ./briefings/fetch -run '^$' -fuzz FuzzParseFeed -fuzztime 60s
func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"feed.rss", "feed.atom", "feed.json"} {
		f.Add(readTestdata(f, name))
	}
	f.Add([]byte(`<rss><channel><item><title>unclosed`))
	f.Add([]byte(`<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item><link>javascript:alert(1)</link></item></rdf:RDF>`))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="//other.example/x"/><published>not a date</published></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"url":"/relative","date_published":"2024-13-45"},null,{"url":5}]}`))
	f.Add([]byte(`<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><rss><channel><title>&b;</title></channel></rss>`))
	f.Add([]byte{})
	fetcher := New(Options{MaxBytes: 1 << 20, MaxFeedItems: 50}, nil)
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := fetcher.ParseFeed("https://ledger.example/feed.xml", body)
		checkParseError(t, err)
		if err != nil {
			return
		}
		if len(res.Items) > 50 {
			t.Fatalf("%d items, more than the bound of 50", len(res.Items))
		}
		for _, it := range res.Items {
			if err := checkURL(mustParse(t, it.Link)); err != nil || it.GUID == "" {
				t.Fatalf("item with an unusable link or no GUID: %+v", it)
			}
		}
	})
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parsing %q: %v", raw, err)
	}
	return u
}
