package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

func TestFetchArticleDropsBoilerplate(t *testing.T) {
	var gotUA string
	mux := http.NewServeMux()
	mux.HandleFunc("/news/aflao", func(w http.ResponseWriter, r *http.Request) {
		gotUA = r.Header.Get("User-Agent")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(readTestdata(t, "article.html"))
	})
	mux.HandleFunc("/short-link", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/news/aflao", http.StatusMovedPermanently)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{UserAgent: UserAgent("1.2.3")})

	page, err := f.FetchPage(context.Background(), srv.URL+"/short-link")
	if err != nil {
		t.Fatal(err)
	}
	a := page.Article
	if want := "Ghana and Togo agree to reopen Aflao crossing"; a.Title != want {
		t.Errorf("Title = %q, want %q", a.Title, want)
	}
	if want := time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC); !a.Published.Equal(want) || page.PublishedFrom != FromArticleMeta {
		t.Errorf("Published = %v from %q, want %v from %q", a.Published, page.PublishedFrom, want, FromArticleMeta)
	}
	if want := srv.URL + "/world/2024/03/ghana-togo-aflao-crossing"; a.URL != want || a.Source != want {
		t.Errorf("URL, Source = %q, %q; want the canonical URL %q", a.URL, a.Source, want)
	}
	if want := srv.URL + "/news/aflao"; page.FinalURL != want {
		t.Errorf("FinalURL = %q, want %q", page.FinalURL, want)
	}
	if a.Hash != briefings.ContentHash(a.Text) || a.ID != briefings.ArticleID(a.Hash) {
		t.Errorf("Hash/ID = %q/%q do not derive from the text", a.Hash, a.ID)
	}
	if want := "briefbot/1.2.3 (+" + ProjectURL + ")"; gotUA != want {
		t.Errorf("User-Agent = %q, want %q", gotUA, want)
	}

	lines := strings.Split(a.Text, "\n")
	wantParas := []string{
		"The foreign ministers of Ghana and Togo met in Lomé on Tuesday to settle a dispute over trucks held at the Aflao border crossing, officials from both governments said.",
		"Ghana's minister, Ama Mensah, told reporters",
		"Togo's foreign minister, Koffi Agbodjan, said",
		"The dispute began last month",
		"Hundreds of lorries carrying cement",
		"The two ministers also discussed",
		"The ministers are due to meet again in Accra in six weeks to review progress.",
	}
	for _, p := range wantParas {
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, p) {
				found = true
			}
		}
		if !found {
			t.Errorf("no paragraph of the text starts with %q; text:\n%s", p, a.Text)
		}
	}
	for _, boiler := range []string{"cookie", "Accept all", "Subscribe now", "Business", "Opinion", "Related stories", "Lorries stranded", "transit trade at a record", "All rights reserved", "Privacy policy", "newsletter", "track(", "dataLayer"} {
		if strings.Contains(a.Text, boiler) {
			t.Errorf("the text contains boilerplate %q:\n%s", boiler, a.Text)
		}
	}
	if len(lines) > len(wantParas)+1 { // the byline may stay
		t.Errorf("the text has %d paragraphs, want %d (and perhaps the byline):\n%s", len(lines), len(wantParas), a.Text)
	}
}

// articleHTML builds a page with a readable body and the given head and
// article-header markup.
func articleHTML(head, inArticle, outside string) string {
	body := strings.Repeat("<p>The committee heard evidence from traders, drivers and customs officers about the delays at the border, and said it would publish its findings within a month so that both governments could act on them.</p>\n", 4)
	return "<!DOCTYPE html><html><head><title>Committee hears border evidence</title>" + head + "</head><body>" + outside +
		"<article><h1>Committee hears border evidence</h1>" + inArticle + body + "</article></body></html>"
}

func TestParseArticleMetadata(t *testing.T) {
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		url       string
		html      string
		published time.Time
		from      string
		canonical string
		note      string // a note that must be present
	}{
		{
			name:      "JSON-LD datePublished in @graph",
			html:      articleHTML(`<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"x"},{"@type":"NewsArticle","headline":"h","datePublished":"2024-05-02T08:15:00+02:00"}]}</script>`, "", ""),
			published: time.Date(2024, 5, 2, 6, 15, 0, 0, time.UTC),
			from:      FromJSONLD,
		},
		{
			name:      "article:published_time wins over JSON-LD",
			html:      articleHTML(`<meta property="article:published_time" content="2024-05-03"><script type="application/ld+json">{"@type":"Article","datePublished":"2024-01-01"}</script>`, "", ""),
			published: time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC),
			from:      FromArticleMeta,
		},
		{
			name:      "time element marked as the publication date",
			html:      articleHTML("", `<p>Updated <time datetime="2024-05-20T10:00:00Z">20 May</time>, first published <time itemprop="datePublished" datetime="2024-05-19T09:00:00Z">19 May</time></p>`, ""),
			published: time.Date(2024, 5, 19, 9, 0, 0, 0, time.UTC),
			from:      FromTimeElement,
		},
		{
			name:      "time element inside the article, not the one in the header",
			html:      articleHTML("", `<time datetime="2024-04-30">30 April</time>`, `<header><time datetime="2024-06-01">Today</time></header>`),
			published: time.Date(2024, 4, 30, 0, 0, 0, 0, time.UTC),
			from:      FromTimeElement,
		},
		{
			name: "no date: unknown, and said so",
			html: articleHTML("", "", ""),
			note: "publication date unknown",
		},
		{
			name: "a date in the future is implausible",
			html: articleHTML(`<meta property="article:published_time" content="2031-01-01T00:00:00Z">`, "", ""),
			note: "ignored the implausible article:published_time",
		},
		{
			name: "an unreadable date is reported",
			html: articleHTML(`<meta property="article:published_time" content="last Tuesday">`, "", ""),
			note: `ignored the unreadable article:published_time "last Tuesday"`,
		},
		{
			name:      "og:url when there is no link rel=canonical",
			url:       "https://www.ledger.example/amp/story?ref=home",
			html:      articleHTML(`<meta property="og:url" content="https://ledger.example/story">`, "", ""),
			canonical: "https://ledger.example/story",
			note:      "publication date unknown",
		},
		{
			name:      "a canonical URL on another site is ignored",
			url:       "https://ledger.example/story",
			html:      articleHTML(`<link rel="canonical" href="https://wire.example/original">`, "", ""),
			canonical: "https://ledger.example/story",
			note:      "ignored the canonical URL https://wire.example/original: it is on another site",
		},
		{
			name:      "a canonical URL with another scheme is ignored",
			url:       "https://ledger.example/story",
			html:      articleHTML(`<link rel="canonical" href="javascript:alert(1)">`, "", ""),
			canonical: "https://ledger.example/story",
			note:      "not an http or https URL",
		},
	}
	f := New(Options{Clock: briefings.ClockFunc(func() time.Time { return now })}, testLogger(t))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := tt.url
			if u == "" {
				u = "https://ledger.example/world/story"
			}
			page, err := f.ParseArticle(u, []byte(tt.html), "text/html")
			if err != nil {
				t.Fatal(err)
			}
			if !page.Article.Published.Equal(tt.published) || page.PublishedFrom != tt.from {
				t.Errorf("Published = %v from %q, want %v from %q", page.Article.Published, page.PublishedFrom, tt.published, tt.from)
			}
			if tt.published.IsZero() && page.Article.PublishedKnown() {
				t.Errorf("PublishedKnown() = true for a page without a usable date")
			}
			if tt.canonical != "" && page.Article.URL != tt.canonical {
				t.Errorf("URL = %q, want %q", page.Article.URL, tt.canonical)
			}
			if tt.note != "" && !strings.Contains(strings.Join(page.Notes, "\n"), tt.note) {
				t.Errorf("Notes = %q, want one containing %q", page.Notes, tt.note)
			}
			if !strings.Contains(page.Article.Text, "The committee heard evidence") {
				t.Errorf("Text = %q, want the article body", page.Article.Text)
			}
		})
	}
}

func TestParseArticleCharset(t *testing.T) {
	// "Lomé" in ISO-8859-1, declared in a meta tag.
	body := []byte(articleHTML(`<meta charset="iso-8859-1">`, "<p>Talks in Lom\xe9 ended late on Tuesday after both delegations had presented their positions at length to the mediators.</p>", ""))
	f := New(Options{}, testLogger(t))
	page, err := f.ParseArticle("https://ledger.example/a", body, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.Article.Text, "Talks in Lomé ended") {
		t.Errorf("Text = %q, want the ISO-8859-1 é decoded", page.Article.Text)
	}
}

func TestParseArticleRefusesNonArticles(t *testing.T) {
	f := New(Options{MaxElements: 500}, testLogger(t))
	tests := []struct {
		name string
		body string
		want string
	}{
		{"empty document", "", "found no readable article text"},
		{"only navigation", `<html><body><nav><a href="/a">A</a><a href="/b">B</a></nav></body></html>`, "found no readable article text"},
		{"binary garbage", "\x00\x01\x02\xff\xfe PNG \x89", "found no readable article text"},
		{"too many elements", "<html><body>" + strings.Repeat("<span>x</span>", 600) + "</body></html>", "more than 500 HTML elements"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.ParseArticle("https://ledger.example/a", []byte(tt.body), "text/html")
			wantError(t, err, briefings.CodeInvalid, tt.want)
		})
	}
}
