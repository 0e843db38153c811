package fetch

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// feedServer serves one feed with validators and answers 304 when the
// request's validators match; it counts full and not-modified answers.
type feedServer struct {
	ctype, etag, lastModified string
	body                      []byte
	full, notModified         atomic.Int32
}

func (s *feedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.etag != "" {
		w.Header().Set("ETag", s.etag)
	}
	if s.lastModified != "" {
		w.Header().Set("Last-Modified", s.lastModified)
	}
	inm, ims := r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
	if (s.etag != "" && inm == s.etag) || (s.etag == "" && s.lastModified != "" && ims == s.lastModified) {
		s.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.full.Add(1)
	w.Header().Set("Content-Type", s.ctype)
	_, _ = w.Write(s.body)
}

func TestFetchFeedConditional(t *testing.T) {
	tests := []struct {
		name, file, ctype, etag, lastModified string
		title                                 string
		want                                  []FeedItem // Link is relative to the feed server when it starts with "/"
		skipped                               int
	}{
		{
			name: "RSS with ETag", file: "feed.rss", ctype: "application/rss+xml; charset=utf-8", etag: `"rss-v1"`,
			title: "The Coastal Ledger: World",
			want: []FeedItem{
				{GUID: "ledger-20240312-aflao", Link: "https://ledger.example/world/2024/03/ghana-togo-aflao-crossing", Title: "Ghana and Togo agree to reopen Aflao crossing", Published: time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)},
				{Link: "/world/2024/02/aflao-lorries", Title: "Lorries stranded at Aflao as fee row drags on", Published: time.Date(2024, 2, 26, 17, 5, 0, 0, time.UTC)},
			},
			skipped: 1,
		},
		{
			name: "Atom with Last-Modified only", file: "feed.atom", ctype: "application/atom+xml", lastModified: "Thu, 14 Mar 2024 08:00:00 GMT",
			title: "Sahel Desk",
			want: []FeedItem{
				{GUID: "urn:uuid:0c9e-niamey-corridor", Link: "https://sahel.example/2024/03/niamey-corridor", Title: "Niamey hosts talks on transit corridor", Published: time.Date(2024, 3, 14, 7, 45, 0, 0, time.UTC)},
				{GUID: "urn:uuid:0c9f-bamako-grain", Link: "https://sahel.example/2024/03/bamako-grain", Title: "Grain prices ease in Bamako markets", Published: time.Date(2024, 3, 13, 12, 0, 0, 0, time.UTC)},
			},
		},
		{
			name: "JSON Feed with both validators", file: "feed.json", ctype: "application/feed+json", etag: `W/"j1"`, lastModified: "Sun, 10 Mar 2024 06:00:00 GMT",
			title: "Harbour Notes",
			want: []FeedItem{
				{GUID: "hn-101", Link: "https://harbour.example/notes/101", Title: "Port of Tema extends opening hours", Published: time.Date(2024, 3, 10, 6, 0, 0, 0, time.UTC)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := &feedServer{ctype: tt.ctype, etag: tt.etag, lastModified: tt.lastModified, body: readTestdata(t, tt.file)}
			srv := httptest.NewServer(fs)
			defer srv.Close()
			f := newLoopbackFetcher(t, Options{})
			ctx := context.Background()

			first, err := f.FetchFeed(ctx, srv.URL+"/feed", Conditional{})
			if err != nil {
				t.Fatal(err)
			}
			if first.NotModified || first.Title != tt.title || first.Skipped != tt.skipped {
				t.Errorf("first fetch: NotModified=%v Title=%q Skipped=%d; want false, %q, %d", first.NotModified, first.Title, first.Skipped, tt.title, tt.skipped)
			}
			if len(first.Items) != len(tt.want) {
				t.Fatalf("first fetch: %d items %+v, want %d", len(first.Items), first.Items, len(tt.want))
			}
			for i, want := range tt.want {
				if strings.HasPrefix(want.Link, "/") {
					want.Link = srv.URL + want.Link
				}
				if want.GUID == "" {
					want.GUID = want.Link
				}
				got := first.Items[i]
				if got.GUID != want.GUID || got.Link != want.Link || got.Title != want.Title || !got.Published.Equal(want.Published) {
					t.Errorf("item %d = %+v, want %+v", i, got, want)
				}
			}
			if first.Cond.ETag != tt.etag || first.Cond.LastModified != tt.lastModified {
				t.Errorf("validators = %+v, want ETag %q Last-Modified %q", first.Cond, tt.etag, tt.lastModified)
			}

			second, err := f.FetchFeed(ctx, srv.URL+"/feed", first.Cond)
			if err != nil {
				t.Fatal(err)
			}
			if !second.NotModified || len(second.Items) != 0 {
				t.Errorf("second fetch: NotModified=%v with %d items; want a 304 with nothing new", second.NotModified, len(second.Items))
			}
			if second.Cond != first.Cond {
				t.Errorf("second fetch lost the validators: %+v, want %+v", second.Cond, first.Cond)
			}
			if fs.full.Load() != 1 || fs.notModified.Load() != 1 {
				t.Errorf("server sent %d full answers and %d 304s, want 1 and 1", fs.full.Load(), fs.notModified.Load())
			}
		})
	}
}

func TestFetchFeedBoundsItems(t *testing.T) {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title>`)
	for i := range 30 {
		b.WriteString("<item><title>Item</title><link>https://many.example/" + string(rune('a'+i%26)) + "</link></item>")
	}
	b.WriteString("</channel></rss>")
	srv := httptest.NewServer(serveBytes("application/rss+xml", []byte(b.String())))
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{MaxFeedItems: 10})
	res, err := f.FetchFeed(context.Background(), srv.URL, Conditional{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 10 || res.Dropped != 20 {
		t.Errorf("got %d items and %d dropped, want 10 and 20", len(res.Items), res.Dropped)
	}
}

func TestFetchFeedRefusals(t *testing.T) {
	page := `<html><head><link rel="alternate" type="application/rss+xml" href="/feeds/world.xml"></head><body><p>News</p></body></html>`
	mux := http.NewServeMux()
	mux.Handle("/page-with-feed", serveBytes("text/html; charset=utf-8", []byte(page)))
	mux.Handle("/page", serveBytes("text/html", []byte("<html><body><p>No feed here</p></body></html>")))
	mux.Handle("/garbage", serveBytes("application/xml", []byte("<rss><channel><item><title>unclosed")))
	mux.Handle("/not-a-feed", serveBytes("application/json", []byte(`{"hello":"world"}`)))
	mux.Handle("/image", serveBytes("image/png", []byte("\x89PNG\r\n\x1a\n")))
	mux.Handle("/gone", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusGone) }))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{})
	tests := []struct {
		path  string
		code  briefings.Code
		parts []string
	}{
		{"/page-with-feed", briefings.CodeInvalid, []string{"is a web page, not a feed", "the page names its feed: " + srv.URL + "/feeds/world.xml"}},
		{"/page", briefings.CodeInvalid, []string{"is a web page, not a feed", "give the URL of its RSS or Atom feed"}},
		{"/garbage", briefings.CodeInvalid, []string{"the feed " + srv.URL + "/garbage is malformed"}},
		{"/not-a-feed", briefings.CodeInvalid, []string{"is not an RSS, Atom or JSON feed"}},
		{"/image", briefings.CodeInvalid, []string{"it is an image (image/png), not a feed"}},
		{"/gone", briefings.CodeNotFound, []string{"answered 410 Gone; check the URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := f.FetchFeed(context.Background(), srv.URL+tt.path, Conditional{})
			wantError(t, err, tt.code, tt.parts...)
		})
	}
}

// TestParseFeedJSONNulls pins the workaround for gofeed v1.4.2, whose JSON
// translator panics on null items and authors.
func TestParseFeedJSONNulls(t *testing.T) {
	f := New(Options{}, testLogger(t))
	body := `{"version":"https://jsonfeed.org/version/1.1","title":"N","authors":[null],"items":[null,{"id":"1","url":"https://n.example/1","authors":[null,{"name":"A"}]},null]}`
	res, err := f.ParseFeed("https://n.example/feed.json", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != 1 || res.Items[0].GUID != "1" || res.Items[0].Link != "https://n.example/1" {
		t.Errorf("items = %+v, want the one non-null item", res.Items)
	}
}
