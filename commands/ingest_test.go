package commands_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/fetch"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/commands"
)

// The articles and sites below are invented for these tests.

const harbourTalks = `Norwegian Foreign Minister Ingrid Solberg met her Finnish counterpart, Foreign Minister Aino Virtanen, in Tromsø on Monday to settle a quarrel over fishing quotas in the Barents Sea.
After five hours of talks the two ministers agreed to restore the old quotas for the coming season and to set up a joint board of scientists to advise on next year's limits.
Virtanen said the dispute had cost Finnish trawler crews several million euros since the spring and that the board would report before the end of the year.
The quarrel began in March when Norway cut the catch allowed to foreign boats in its waters, citing falling cod stocks.
Fishing unions in both countries had warned of lay-offs, and dozens of boats stayed in port for weeks while the quotas were in doubt.
The ministers also discussed a plan for a shared weather station on Svalbard but took no decision on who would pay for it.
A spokesperson for the Nordic Council welcomed the agreement and offered to host the scientists' first meeting.
Solberg and Virtanen are due to meet again in Helsinki in the autumn.`

const harbourTalksExtra = `Skippers in the harbour at Tromsø said they would wait for the new licences before taking their boats out again.`

const harbourTalksOther = `Finland and Norway have ended a months-long row over fishing in the Barents Sea after their foreign ministers met in the Arctic city of Tromsø.
Aino Virtanen, Finland's foreign minister, travelled north to see Norway's Ingrid Solberg, and the talks ran into the evening.
Under the deal, trawlers from both countries go back to the catches they were allowed before the spring, and scientists will review the cod stocks.
Crews in Finnish ports had accused Oslo of changing the rules without warning, a charge Norwegian officials rejected.
Observers said both governments wanted the matter settled before the winter season begins.`

// page renders an invented article with navigation around it.
func page(title, text string, published time.Time) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><meta charset=utf-8><title>" + title + "</title>")
	if !published.IsZero() {
		b.WriteString(`<meta property="article:published_time" content="` + published.Format(time.RFC3339) + `">`)
	}
	b.WriteString(`</head><body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav><article><h1>` + title + "</h1>")
	for _, p := range strings.Split(text, "\n") {
		b.WriteString("<p>" + p + "</p>")
	}
	b.WriteString("</article><footer>The Test Gazette</footer></body></html>")
	return b.String()
}

const rss = `<?xml version="1.0"?><rss version="2.0"><channel><title>Test Gazette: North</title><link>%[1]s/</link><description>d</description>
<item><title>Norway and Finland settle quota row</title><link>%[1]s/harbour.html</link><guid>h1</guid></item>
<item><title>Quota row: the other account</title><link>%[1]s/other.html</link><guid>h2</guid></item>
</channel></rss>`

type rig struct {
	srv     *httptest.Server
	store   *memstore.Store
	router  *commands.Router
	fetches atomic.Int32
}

func newRig(t *testing.T, fetcher commands.ArticleFetcher) *rig {
	t.Helper()
	r := &rig{}
	mux := http.NewServeMux()
	day := time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	serve := func(path, body, ctype string) {
		mux.HandleFunc(path, func(w http.ResponseWriter, req *http.Request) {
			r.fetches.Add(1)
			w.Header().Set("Content-Type", ctype)
			fmt.Fprint(w, body)
		})
	}
	serve("/harbour.html", page("Norway and Finland settle Barents quota row", harbourTalks, day), "text/html")
	serve("/harbour-copy.html", page("Trawlers to sail again after Tromsø deal", harbourTalks+"\n"+harbourTalksExtra, day), "text/html")
	serve("/other.html", page("Finland, Norway end fishing quarrel", harbourTalksOther, time.Time{}), "text/html")
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	mux.HandleFunc("/north.rss", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, rss, r.srv.URL)
	})

	clock := briefings.ClockFunc(func() time.Time { return time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC) })
	r.store = memstore.New(memstore.Options{Clock: clock})
	svc := briefings.NewService(r.store, extract.New(), clock, nil)
	f := fetch.New(fetch.Options{AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}, Clock: clock}, nil)
	t.Cleanup(f.Close)
	if fetcher == nil {
		fetcher = f
	}
	extra := commands.IngestHandlers(commands.IngestDeps{
		Fetcher:  fetcher,
		Ingester: svc,
		Feeds:    r.store,
		CheckFeed: func(ctx context.Context, url string) (commands.FeedCheck, error) {
			res, err := f.FetchFeed(ctx, url, fetch.Conditional{})
			if err != nil {
				return commands.FeedCheck{}, err
			}
			return commands.FeedCheck{Title: res.Title, Items: len(res.Items)}, nil
		},
		Stories:   r.store,
		FirstPoll: "within a minute",
		Clock:     clock,
	})
	r.router = commands.NewRouter(svc, extra, nil)
	return r
}

func (r *rig) do(t *testing.T, text string, admin bool) (commands.Response, string) {
	t.Helper()
	resp, err := r.router.Handle(context.Background(), commands.Request{Platform: "test", User: "U1", Text: text, Admin: admin})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return resp, commands.PlainText(resp)
}

func TestIngestCommand(t *testing.T) {
	r := newRig(t, nil)
	u := r.srv.URL
	tests := []struct {
		cmd  string
		kind commands.Kind
		has  []string
	}{
		{"ingest " + u + "/harbour.html", commands.KindIngest, []string{"Article added", "Added “Norway and Finland settle Barents quota row” (" + u + "/harbour.html)", "published 2 Jun 2025", "facts", "Story: ", "/brief summary "}},
		{"ingest " + u + "/harbour.html", commands.KindIngest, []string{"Already stored as “Norway and Finland settle Barents quota row” (the same text)"}},
		{"ingest " + u + "/harbour-copy.html", commands.KindIngest, []string{"Near-duplicate of “Norway and Finland settle Barents quota row” (similarity 0.", "recorded as another source"}},
		{"ingest " + u + "/other.html", commands.KindIngest, []string{"Added “Finland, Norway end fishing quarrel”", "publication date unknown"}},
		{"ingest " + u + "/missing.html", commands.KindError, []string{"404 Not Found", "check the URL"}},
		{"ingest " + u + "/north.rss", commands.KindError, []string{"not a web page"}},
		{"ingest ftp://example.com/a", commands.KindError, []string{"not a web address"}},
		{"ingest", commands.KindError, []string{"needs"}},
	}
	for _, tt := range tests {
		resp, text := r.do(t, tt.cmd, true)
		if resp.Kind != tt.kind {
			t.Errorf("%s: kind %s, want %s: %s", tt.cmd, resp.Kind, tt.kind, text)
		}
		if resp.Visibility != commands.Ephemeral {
			t.Errorf("%s: not ephemeral", tt.cmd)
		}
		for _, h := range tt.has {
			if !strings.Contains(text, h) {
				t.Errorf("%s: answer lacks %q:\n%s", tt.cmd, h, text)
			}
		}
	}
	st, err := r.store.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 2 {
		t.Errorf("%d articles stored, want 2 (the repeat and the copy are linked, not stored)", st.Articles)
	}

	// Both reports are one story, which /brief stories lists.
	resp, text := r.do(t, "stories", false)
	if resp.Visibility != commands.InChannel || !strings.Contains(text, "2 articles") || !strings.Contains(text, "2 Jun – 3 Jun 2025") || !strings.Contains(text, "Norway") {
		t.Errorf("stories:\n%s", text)
	}
	sts, err := r.store.Stories(context.Background(), 10)
	if err != nil || len(sts) != 1 {
		t.Fatalf("stories %v, %v", sts, err)
	}
	if !strings.Contains(text, "id "+sts[0].ID) || !strings.Contains(text, sts[0].Title) {
		t.Errorf("stories does not list the title and id of %+v:\n%s", sts[0], text)
	}
	_, text = r.do(t, "summary "+sts[0].ID, false)
	if !strings.Contains(text, "Briefing: "+sts[0].Title) {
		t.Errorf("summary of a story:\n%s", text)
	}
}

// TestIngestRefusals: whatever the fetcher refuses reaches the user as a
// clear message; a bug does not leak details.
func TestIngestRefusals(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{briefings.Errorf(briefings.CodeInvalid, "refused to fetch http://10.0.0.1/: 10.0.0.1 is in private-use networks"), "refused to fetch http://10.0.0.1/: 10.0.0.1 is in private-use networks"},
		{briefings.Errorf(briefings.CodeUnavailable, "news.example answered 503 Service Unavailable; try again later"), "try again later"},
		{fmt.Errorf("fetch: %w", context.DeadlineExceeded), "took too long"},
		{errors.New("secret internal detail"), "Something went wrong (ref "},
	}
	for _, tt := range tests {
		r := newRig(t, fakeFetcher{err: tt.err})
		_, text := r.do(t, "ingest https://news.example/a", true)
		if !strings.Contains(text, tt.want) || strings.Contains(text, "secret internal detail") {
			t.Errorf("fetch error %v: answer %q, want %q", tt.err, text, tt.want)
		}
	}
}

type fakeFetcher struct{ err error }

func (f fakeFetcher) FetchArticle(context.Context, string) (briefings.Article, error) {
	return briefings.Article{}, f.err
}

// TestIngestPermissions: non-admins are refused ingest, feed add and feed
// remove politely, with who can do it, and nothing is fetched or changed;
// feed list and stories are for everyone.
func TestIngestPermissions(t *testing.T) {
	r := newRig(t, nil)
	for _, cmd := range []string{"ingest " + r.srv.URL + "/harbour.html", "feed add " + r.srv.URL + "/north.rss", "feed remove " + r.srv.URL + "/north.rss"} {
		resp, text := r.do(t, cmd, false)
		if resp.Kind != commands.KindError || resp.Visibility != commands.Ephemeral || !strings.Contains(text, "Only the bot's admins can use") || !strings.Contains(text, "Ask an admin") {
			t.Errorf("%s by a non-admin: %s", cmd, text)
		}
	}
	if n := r.fetches.Load(); n != 0 {
		t.Errorf("refused commands fetched %d pages", n)
	}
	if feeds, _ := r.store.Feeds(context.Background(), 10); len(feeds) != 0 {
		t.Errorf("a refused feed add followed %v", feeds)
	}
	for _, cmd := range []string{"feed list", "stories"} {
		if resp, text := r.do(t, cmd, false); resp.Kind == commands.KindError {
			t.Errorf("%s by a non-admin: %s", cmd, text)
		}
	}
}

func TestFeedCommands(t *testing.T) {
	r := newRig(t, nil)
	feed := r.srv.URL + "/north.rss"
	tests := []struct {
		cmd  string
		kind commands.Kind
		has  []string
	}{
		{"feed list", commands.KindInfo, []string{"follows no feed", "/brief feed add"}},
		{"feed add " + feed, commands.KindInfo, []string{"Following “Test Gazette: North” (" + feed + ") every 30m", "2 articles now", "within a minute", "/brief feed remove " + feed}},
		{"feed add " + feed + " 1h", commands.KindError, []string{"already follows " + feed, "/brief feed list"}},
		{"feed add " + r.srv.URL + "/harbour.html", commands.KindError, []string{"harbour.html"}},
		{"feed add " + r.srv.URL + "/nothing.rss", commands.KindError, []string{"404"}},
		{"feed add " + feed + " 10s", commands.KindError, []string{"every 1m to 7d", "10s is out of range"}},
		{"feed list", commands.KindInfo, []string{"follows 1 feed", "every 30m", feed, "0 articles added; not read yet"}},
		{"feed remove " + feed, commands.KindInfo, []string{"no longer follows " + feed, "articles it added stay"}},
		{"feed remove " + feed, commands.KindError, []string{"does not follow " + feed, "/brief feed list"}},
	}
	for _, tt := range tests {
		resp, text := r.do(t, tt.cmd, true)
		if resp.Kind != tt.kind {
			t.Errorf("%s: kind %s, want %s: %s", tt.cmd, resp.Kind, tt.kind, text)
		}
		for _, h := range tt.has {
			if !strings.Contains(text, h) {
				t.Errorf("%s: answer lacks %q:\n%s", tt.cmd, h, text)
			}
		}
	}
	// A feed added with an interval keeps it, and the adder.
	if _, text := r.do(t, "feed add "+feed+" 2h", true); !strings.Contains(text, "every 2h") {
		t.Fatalf("feed add with 2h: %s", text)
	}
	feeds, err := r.store.Feeds(context.Background(), 10)
	if err != nil || len(feeds) != 1 || feeds[0].Every != 2*time.Hour || feeds[0].AddedBy != "U1" {
		t.Fatalf("feeds %+v, %v", feeds, err)
	}
}

func TestParseEvery(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 30 * time.Minute, true},
		{"30m", 30 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"1d", 24 * time.Hour, true},
		{"7d", 7 * 24 * time.Hour, true},
		{"8d", 0, false},
		{"30s", 0, false},
		{"soon", 0, false},
		{"-1h", 0, false},
	}
	for _, tt := range tests {
		got, err := commands.ParseEvery(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseEvery(%q) = %v, %v", tt.in, got, err)
		}
	}
	for d, want := range map[time.Duration]string{30 * time.Minute: "30m", 2 * time.Hour: "2h", 90 * time.Minute: "1h30m", 48 * time.Hour: "2d", 90 * time.Second: "1m30s"} {
		if got := commands.FormatEvery(d); got != want {
			t.Errorf("FormatEvery(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestIngestNotSetUp: without a fetcher the router says ingest is not set
// up here, rather than failing.
func TestIngestNotSetUp(t *testing.T) {
	st := memstore.New(memstore.Options{})
	svc := briefings.NewService(st, extract.New(), nil, nil)
	r := commands.NewRouter(svc, commands.IngestHandlers(commands.IngestDeps{Stories: st}), nil)
	resp, _ := r.Handle(context.Background(), commands.Request{Text: "ingest https://example.com/a", Admin: true})
	if text := commands.PlainText(resp); !strings.Contains(text, "not set up here") {
		t.Errorf("ingest without a fetcher: %s", text)
	}
	resp, _ = r.Handle(context.Background(), commands.Request{Text: "stories"})
	if text := commands.PlainText(resp); !strings.Contains(text, "No stories yet") {
		t.Errorf("stories on an empty store: %s", text)
	}
}
