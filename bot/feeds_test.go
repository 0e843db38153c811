package bot

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/fetch"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/briefings/sqlite"
)

// The articles, feeds and sites below are invented for these tests.

// feedTestClock is a settable clock.
type feedTestClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *feedTestClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *feedTestClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	feedCountries = []string{"Kenya", "Tanzania", "Ghana", "Togo", "Peru", "Chile", "Norway", "Finland", "Senegal", "Uruguay", "Vietnam", "Portugal"}
	feedFirst     = []string{"Grace", "Juma", "Ama", "Koffi", "Lucia", "Mateo", "Ingrid", "Aino", "Awa", "Diego", "Linh", "Rui"}
	feedLast      = []string{"Wanjiru", "Mwinyi", "Mensah", "Agbodjan", "Paredes", "Rojas", "Solberg", "Virtanen", "Diop", "Ferreira", "Tran", "Costa"}
	feedCities    = []string{"Arusha", "Accra", "Lima", "Oslo", "Dakar", "Hanoi", "Lisbon", "Montevideo"}
	feedTopics    = []string{"fishing rights", "a rail link", "border tariffs", "grain exports", "a power line", "river pollution", "visa rules", "port fees"}
)

// feedArticle is an invented article, different for every i: two
// countries' ministers meet about a topic, with varied details.
func feedArticle(i int) (title, text string) {
	n := len(feedCountries)
	a, b := feedCountries[i%n], feedCountries[(i*5+3)%n]
	if a == b {
		b = feedCountries[(i+1)%n]
	}
	p1 := feedFirst[i%n] + " " + feedLast[(i+3)%n]
	p2 := feedFirst[(i+7)%n] + " " + feedLast[(i+5)%n]
	city := feedCities[i%len(feedCities)]
	topic := feedTopics[(i*3)%len(feedTopics)]
	title = fmt.Sprintf("%s and %s hold talks on %s in %s (%d)", a, b, topic, city, i)
	text = strings.Join([]string{
		fmt.Sprintf("Foreign Minister %s of %s met Foreign Minister %s of %s in %s on Tuesday to discuss %s.", p1, a, p2, b, city, topic),
		fmt.Sprintf("The meeting lasted %d hours, and %s said afterwards that both sides wanted a settlement on %s before %d more weeks had passed.", 2+i%5, p1, topic, 3+i%7),
		fmt.Sprintf("Officials in %s estimated the dispute had cost %d million dollars, while %s's delegation put the figure nearer %d million.", a, 10+i%40, b, 25+i%30),
		fmt.Sprintf("%s told reporters in %s that a joint committee of %d experts would report by the end of the month.", p2, city, 4+i%9),
		fmt.Sprintf("Traders from %s and %s have complained for %d months about the rules on %s.", a, b, 2+i%11, topic),
	}, "\n\n")
	return title, text
}

// articlePage renders an article as a web page with navigation and a
// footer around it; published may be zero (the page then has no date).
func articlePage(title, text string, published time.Time) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + title + " | The Test Gazette</title>")
	if !published.IsZero() {
		b.WriteString(`<meta property="article:published_time" content="` + published.Format(time.RFC3339) + `">`)
	}
	b.WriteString(`</head><body><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav><article><h1>` + title + `</h1>`)
	for _, p := range strings.Split(text, "\n\n") {
		b.WriteString("<p>" + p + "</p>")
	}
	b.WriteString(`</article><footer>© The Test Gazette. <a href="/about">About</a></footer></body></html>`)
	return b.String()
}

// site serves invented article pages, RSS and Atom feeds with ETags, and
// counts what it is asked for.
type site struct {
	srv *httptest.Server

	mu       sync.Mutex
	pages    map[string]string // path → page
	status   map[string]int    // path → status to answer instead
	retry    map[string]string // path → Retry-After with the status
	feeds    map[string]siteFeed
	hits     map[string]int
	notMod   map[string]int
	delay    map[string]time.Duration // path → wait before answering
	arrived  chan string              // paths with a delay, as they are asked for
	inflight atomic.Int32
	maxIn    atomic.Int32
}

type siteFeed struct {
	ctype, body, etag string
}

func newSite(t *testing.T) *site {
	s := &site{pages: map[string]string{}, status: map[string]int{}, retry: map[string]string{}, feeds: map[string]siteFeed{}, hits: map[string]int{}, notMod: map[string]int{},
		delay: map[string]time.Duration{}, arrived: make(chan string, 16)}
	s.srv = httptest.NewServer(s)
	t.Cleanup(s.srv.Close)
	return s
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		m := s.maxIn.Load()
		if n <= m || s.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	s.mu.Lock()
	s.hits[r.URL.Path]++
	status, ra := s.status[r.URL.Path], s.retry[r.URL.Path]
	page, isPage := s.pages[r.URL.Path]
	f, isFeed := s.feeds[r.URL.Path]
	if isFeed && f.etag != "" && r.Header.Get("If-None-Match") == f.etag {
		s.notMod[r.URL.Path]++
	}
	delay := s.delay[r.URL.Path]
	s.mu.Unlock()
	if delay > 0 {
		s.arrived <- r.URL.Path
		time.Sleep(delay)
	}
	switch {
	case status != 0:
		if ra != "" {
			w.Header().Set("Retry-After", ra)
		}
		http.Error(w, http.StatusText(status), status)
	case isFeed:
		if f.etag != "" {
			w.Header().Set("ETag", f.etag)
			if r.Header.Get("If-None-Match") == f.etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("Content-Type", f.ctype)
		fmt.Fprint(w, f.body)
	case isPage:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	default:
		http.NotFound(w, r)
	}
}

func (s *site) url(path string) string { return s.srv.URL + path }

func (s *site) hit(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

func (s *site) notModified(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notMod[path]
}

func (s *site) set(fn func(s *site)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// addArticle serves invented article i at path, dated or not.
func (s *site) addArticle(path string, i int, published time.Time) string {
	title, text := feedArticle(i)
	s.set(func(s *site) { s.pages[path] = articlePage(title, text, published) })
	return title
}

type feedEntry struct {
	path, title string
	date        time.Time
}

func rssFeed(s *site, entries []feedEntry) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Gazette World (RSS)</title><link>` + s.url("/") + `</link><description>World news</description>`)
	for _, e := range entries {
		b.WriteString("<item><title>" + e.title + "</title><link>" + s.url(e.path) + "</link><guid>" + s.url(e.path) + "</guid>")
		if !e.date.IsZero() {
			b.WriteString("<pubDate>" + e.date.Format(time.RFC1123Z) + "</pubDate>")
		}
		b.WriteString("</item>")
	}
	b.WriteString("</channel></rss>")
	return b.String()
}

func atomFeed(s *site, entries []feedEntry) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Gazette Regions (Atom)</title><id>urn:test:regions</id><updated>2025-03-20T08:00:00Z</updated>`)
	for i, e := range entries {
		fmt.Fprintf(&b, `<entry><title>%s</title><id>urn:test:regions:%d</id><link href="%s"/><updated>%s</updated></entry>`, e.title, i, s.url(e.path), e.date.Format(time.RFC3339))
	}
	b.WriteString("</feed>")
	return b.String()
}

// feedRig is a poller over a store, a real fetcher allowed to reach the
// loopback test site only, and a service that extracts and stores.
type feedRig struct {
	clock *feedTestClock
	store briefings.Store
	svc   *briefings.Service
	fetch *fetch.Fetcher
}

func newFeedRig(t *testing.T, store string) *feedRig {
	t.Helper()
	clock := &feedTestClock{t: time.Date(2025, 3, 20, 9, 0, 0, 0, time.UTC)}
	var st briefings.Store
	switch store {
	case "sqlite":
		s, err := sqlite.OpenOptions(context.Background(), filepath.Join(t.TempDir(), "briefbot.db"), nil, sqlite.Options{Clock: clock})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		st = s
	default:
		st = memstore.New(memstore.Options{Clock: clock})
	}
	f := fetch.New(fetch.Options{
		AllowCIDRs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		Clock:      clock,
		Timeout:    5 * time.Second,
	}, nil)
	t.Cleanup(f.Close)
	return &feedRig{clock: clock, store: st, svc: briefings.NewService(st, extract.New(), clock, nil), fetch: f}
}

func (r *feedRig) poller(t *testing.T, mod func(*FeedPollerConfig)) *FeedPoller {
	t.Helper()
	cfg := FeedPollerConfig{Store: r.store, Fetcher: r.fetch, Ingest: r.svc.Ingest, Clock: r.clock, Claimant: "poller-a"}
	if mod != nil {
		mod(&cfg)
	}
	p, err := NewFeedPoller(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (r *feedRig) addFeed(t *testing.T, url string) briefings.Feed {
	t.Helper()
	f, err := r.store.AddFeed(context.Background(), briefings.Feed{URL: url, Every: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (r *feedRig) feed(t *testing.T, url string) briefings.Feed {
	t.Helper()
	fs, err := r.store.Feeds(context.Background(), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.URL == url {
			return f
		}
	}
	t.Fatalf("feed %s is not followed", url)
	return briefings.Feed{}
}

func (r *feedRig) articles(t *testing.T) []briefings.Article {
	t.Helper()
	as, err := r.store.Articles(context.Background(), briefings.ArticleQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func tick(t *testing.T, p *FeedPoller) FeedTickReport {
	t.Helper()
	rep, err := p.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// TestFeedPollerRSSAndAtom: an RSS and an Atom feed are polled; their
// items are ingested once (one item is in both feeds); the second poll is
// conditional, answered 304, and adds nothing.
func TestFeedPollerRSSAndAtom(t *testing.T) {
	for _, store := range []string{"memstore", "sqlite"} {
		t.Run(store, func(t *testing.T) {
			ctx := context.Background()
			s := newSite(t)
			r := newFeedRig(t, store)
			day := time.Date(2025, 3, 19, 7, 0, 0, 0, time.UTC)
			var rss, atom []feedEntry
			for i := range 3 {
				p := fmt.Sprintf("/world/%d.html", i)
				rss = append(rss, feedEntry{p, s.addArticle(p, i, day.Add(time.Duration(i)*time.Hour)), day.Add(time.Duration(i) * time.Hour)})
			}
			// The Atom feed's first page has no date: the item's date stands in.
			for i := 3; i < 5; i++ {
				p := fmt.Sprintf("/regions/%d.html", i)
				var pub time.Time
				if i == 4 {
					pub = day
				}
				atom = append(atom, feedEntry{p, s.addArticle(p, i, pub), day.Add(-24 * time.Hour)})
			}
			atom = append(atom, rss[0]) // in both feeds
			s.set(func(s *site) {
				s.feeds["/world.rss"] = siteFeed{"application/rss+xml", rssFeed(s, rss), `"rss-1"`}
				s.feeds["/regions.atom"] = siteFeed{"application/atom+xml", atomFeed(s, atom), `"atom-1"`}
			})
			r.addFeed(t, s.url("/world.rss"))
			r.addFeed(t, s.url("/regions.atom"))
			p := r.poller(t, nil)

			rep := tick(t, p)
			if rep.Claimed != 2 || rep.Polled != 2 || rep.Failed != 0 || rep.Added != 5 || rep.Duplicates != 1 {
				t.Fatalf("first tick: %+v; want 2 feeds polled, 5 articles added, the shared one a duplicate", rep)
			}
			arts := r.articles(t)
			if len(arts) != 5 {
				t.Fatalf("%d articles stored, want 5", len(arts))
			}
			for _, a := range arts {
				if strings.Contains(a.Text, "Home") || strings.Contains(a.Text, "©") {
					t.Errorf("article %q kept the page's navigation or footer: %q", a.Title, a.Text)
				}
				if a.Title == atom[0].title && !a.Published.Equal(atom[0].date) {
					t.Errorf("undated page %q: published %v, want the feed item's date %v", a.Title, a.Published, atom[0].date)
				}
				if a.Story == "" {
					t.Errorf("article %q has no story", a.Title)
				}
			}
			for _, path := range []string{"/world/1.html", "/regions/3.html"} {
				if n := s.hit(path); n != 1 {
					t.Errorf("%s fetched %d times, want once", path, n)
				}
			}
			// The item in both feeds is read once per feed, stored once.
			if n := s.hit("/world/0.html"); n != 2 {
				t.Errorf("the shared item's page was fetched %d times, want once per feed", n)
			}
			fr := r.feed(t, s.url("/world.rss"))
			if fr.ETag != `"rss-1"` || fr.Failures != 0 || !fr.NextPoll.Equal(r.clock.Now().Add(30*time.Minute)) || !fr.LastPolled.Equal(r.clock.Now()) {
				t.Errorf("RSS feed after the first poll: %+v", fr)
			}
			// The feeds are polled at once: the shared item counts for
			// whichever feed stored it first.
			worldItems := fr.Items
			if fa := r.feed(t, s.url("/regions.atom")); worldItems+fa.Items != 5 || worldItems < 2 || worldItems > 3 {
				t.Errorf("feeds count %d and %d added articles; want 5 in all, the RSS feed 2 or 3", worldItems, fa.Items)
			}

			// Not due yet: nothing is polled.
			if rep := tick(t, p); rep.Claimed != 0 {
				t.Fatalf("a tick before the feeds are due claimed %d", rep.Claimed)
			}
			// Due again: conditional requests, 304, nothing added.
			r.clock.Add(31 * time.Minute)
			rep = tick(t, p)
			if rep.Polled != 2 || rep.NotModified != 2 || rep.NewItems != 0 || rep.Added != 0 {
				t.Fatalf("second tick: %+v; want both feeds not modified and nothing added", rep)
			}
			if s.notModified("/world.rss") != 1 || s.notModified("/regions.atom") != 1 {
				t.Errorf("the second poll was not conditional: 304s %d and %d", s.notModified("/world.rss"), s.notModified("/regions.atom"))
			}
			if n := len(r.articles(t)); n != 5 {
				t.Errorf("%d articles after the 304 poll, want 5", n)
			}

			// A changed feed (new ETag) with one new item: only that one is read.
			s.addArticle("/world/9.html", 9, day.Add(48*time.Hour))
			rss = append([]feedEntry{{"/world/9.html", "new", day.Add(48 * time.Hour)}}, rss...)
			s.set(func(s *site) { s.feeds["/world.rss"] = siteFeed{"application/rss+xml", rssFeed(s, rss), `"rss-2"`} })
			r.clock.Add(31 * time.Minute)
			rep = tick(t, p)
			if rep.Added != 1 || rep.NewItems != 1 {
				t.Fatalf("third tick: %+v; want exactly the new item read and added", rep)
			}
			if n := s.hit("/world/1.html"); n != 1 {
				t.Errorf("an old item's page was fetched again (%d times)", n)
			}
			if fr := r.feed(t, s.url("/world.rss")); fr.ETag != `"rss-2"` || fr.Items != worldItems+1 {
				t.Errorf("RSS feed after the change: etag %s, %d items; want %d", fr.ETag, fr.Items, worldItems+1)
			}
			if _, err := r.store.Stats(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFeedPollerBackoff: failed polls back off exponentially, at least the
// server's Retry-After, at most MaxBackoff; a good poll resets the count.
func TestFeedPollerBackoff(t *testing.T) {
	s := newSite(t)
	r := newFeedRig(t, "memstore")
	s.set(func(s *site) {
		s.status["/flaky.rss"] = http.StatusServiceUnavailable
		s.retry["/flaky.rss"] = "7200"
	})
	url := s.url("/flaky.rss")
	r.addFeed(t, url)
	p := r.poller(t, func(c *FeedPollerConfig) { c.MaxBackoff = 6 * time.Hour })

	rep := tick(t, p)
	f := r.feed(t, url)
	if rep.Failed != 1 || f.Failures != 1 || !f.NextPoll.Equal(r.clock.Now().Add(2*time.Hour)) {
		t.Fatalf("after a 503 with Retry-After 2h: %+v, feed %+v; want the next poll in 2h", rep, f)
	}
	if !strings.Contains(f.LastError, "503") {
		t.Errorf("last error %q does not say what the server answered", f.LastError)
	}
	// Without Retry-After: 30m doubled per failure (1h, 2h, 4h), then 6h.
	s.set(func(s *site) { delete(s.retry, "/flaky.rss"); s.status["/flaky.rss"] = http.StatusInternalServerError })
	for i, want := range []time.Duration{time.Hour, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 6 * time.Hour} {
		r.clock.t = r.feed(t, url).NextPoll
		tick(t, p)
		f = r.feed(t, url)
		if f.Failures != i+2 || !f.NextPoll.Equal(r.clock.Now().Add(want)) {
			t.Fatalf("failure %d: next poll in %v, want %v", f.Failures, f.NextPoll.Sub(r.clock.Now()), want)
		}
	}
	// A good poll resets the failures.
	s.addArticle("/ok.html", 1, r.clock.Now())
	s.set(func(s *site) {
		delete(s.status, "/flaky.rss")
		s.feeds["/flaky.rss"] = siteFeed{"application/rss+xml", rssFeed(s, []feedEntry{{"/ok.html", "ok", r.clock.Now()}}), ""}
	})
	r.clock.t = f.NextPoll
	if rep := tick(t, p); rep.Added != 1 {
		t.Fatalf("recovered poll: %+v", rep)
	}
	if f = r.feed(t, url); f.Failures != 0 || f.LastError != "" || !f.NextPoll.Equal(r.clock.Now().Add(30*time.Minute)) {
		t.Errorf("after a good poll: %+v", f)
	}
}

// TestFeedPollerItems: at most MaxItems new items per poll, the rest soon
// after; a missing page is skipped and named; a page that fails for a
// passing reason makes the feed back off and is tried again.
func TestFeedPollerItems(t *testing.T) {
	s := newSite(t)
	r := newFeedRig(t, "memstore")
	day := time.Date(2025, 3, 19, 7, 0, 0, 0, time.UTC)
	var entries []feedEntry
	for i := range 5 {
		p := fmt.Sprintf("/n/%d.html", i)
		entries = append(entries, feedEntry{p, s.addArticle(p, 20+i, day), day})
	}
	entries = append(entries, feedEntry{"/n/gone.html", "gone", day})
	s.set(func(s *site) {
		s.feeds["/n.rss"] = siteFeed{"application/rss+xml", rssFeed(s, entries), `"n-1"`}
		s.status["/n/3.html"] = http.StatusBadGateway
	})
	url := s.url("/n.rss")
	r.addFeed(t, url)
	p := r.poller(t, func(c *FeedPollerConfig) { c.MaxItems = 2; c.Tick = 10 * time.Second })

	rep := tick(t, p)
	f := r.feed(t, url)
	if rep.Added != 2 || f.ETag != "" || !f.NextPoll.Equal(r.clock.Now().Add(10*time.Second)) {
		t.Fatalf("first poll: %+v, feed %+v; want 2 added and the rest read one tick later, unconditionally", rep, f)
	}
	r.clock.Add(10 * time.Second)
	rep = tick(t, p)
	f = r.feed(t, url)
	// Item 2 is added; item 3 answers 502: the feed backs off.
	if rep.Added != 1 || rep.ItemErrors != 1 || f.Failures != 1 || !f.NextPoll.Equal(r.clock.Now().Add(30*time.Minute)) {
		t.Fatalf("second poll: %+v, feed %+v; want one added, then a back-off for the 502", rep, f)
	}
	// The page recovers; the retry and the remaining items are read, the
	// missing page is skipped and named.
	s.set(func(s *site) { delete(s.status, "/n/3.html") })
	r.clock.t = f.NextPoll
	rep = tick(t, p)
	f = r.feed(t, url)
	if rep.Added != 2 || f.Failures != 0 || !strings.Contains(f.LastError, "gone.html") {
		t.Fatalf("third poll: %+v, feed %+v; want the retried and the last item added, the missing page named", rep, f)
	}
	if n := len(r.articles(t)); n != 5 || f.Items != 5 {
		t.Errorf("%d articles stored, feed counts %d; want 5", n, f.Items)
	}
	if n := s.hit("/n/3.html"); n != 2 {
		t.Errorf("the failed page was fetched %d times, want twice", n)
	}
	if n := s.hit("/n/0.html"); n != 1 {
		t.Errorf("a read page was fetched %d times, want once", n)
	}
}

// TestFeedPollerClaims: pollers of several replicas never poll one feed
// twice; polls run at most Concurrency at once.
func TestFeedPollerClaims(t *testing.T) {
	s := newSite(t)
	r := newFeedRig(t, "sqlite")
	const feeds = 12
	for i := range feeds {
		path := fmt.Sprintf("/f%d.rss", i)
		page := fmt.Sprintf("/f%d/a.html", i)
		title := s.addArticle(page, 40+i, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
		s.set(func(s *site) {
			s.feeds[path] = siteFeed{"application/rss+xml", rssFeed(s, []feedEntry{{page, title, time.Time{}}}), ""}
		})
		r.addFeed(t, s.url(path))
	}
	var pollers []*FeedPoller
	for i := range 3 {
		pollers = append(pollers, r.poller(t, func(c *FeedPollerConfig) {
			c.Claimant = fmt.Sprintf("replica-%d", i)
			c.Batch = 2
			c.Concurrency = 2
		}))
	}
	var wg sync.WaitGroup
	var added atomic.Int32
	for _, p := range pollers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rep, err := p.Tick(context.Background())
			if err != nil {
				t.Error(err)
			}
			added.Add(int32(rep.Added))
		}()
	}
	wg.Wait()
	for i := range feeds {
		if n := s.hit(fmt.Sprintf("/f%d.rss", i)); n != 1 {
			t.Errorf("feed %d fetched %d times, want once", i, n)
		}
	}
	if added.Load() != feeds {
		t.Errorf("%d articles added, want %d", added.Load(), feeds)
	}
	if m := s.maxIn.Load(); m > 3*2 {
		t.Errorf("%d requests at once from 3 pollers of concurrency 2", m)
	}
}

// TestFeedPollerStop: when the poller stops mid-poll, the item being read
// finishes (its id is already recorded as seen), no other starts, and the
// feed is due again at once with nothing counted against it.
func TestFeedPollerStop(t *testing.T) {
	s := newSite(t)
	r := newFeedRig(t, "memstore")
	day := time.Date(2025, 3, 19, 7, 0, 0, 0, time.UTC)
	var entries []feedEntry
	for i := range 3 {
		p := fmt.Sprintf("/s/%d.html", i)
		entries = append(entries, feedEntry{p, s.addArticle(p, 80+i, day), day})
	}
	s.set(func(s *site) {
		s.feeds["/s.rss"] = siteFeed{"application/rss+xml", rssFeed(s, entries), `"s-1"`}
		s.delay["/s/1.html"] = 300 * time.Millisecond
	})
	url := s.url("/s.rss")
	r.addFeed(t, url)
	p := r.poller(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan FeedTickReport, 1)
	go func() {
		rep, _ := p.Tick(ctx)
		done <- rep
	}()
	<-s.arrived // the second item's page is being read
	cancel()
	rep := <-done
	if rep.Added != 2 {
		t.Fatalf("stopped tick: %+v; want the first item and the one in flight added", rep)
	}
	if n := s.hit("/s/2.html"); n != 0 {
		t.Errorf("an item was started after the stop (%d fetches)", n)
	}
	f := r.feed(t, url)
	if f.Failures != 0 || f.ETag != "" || !f.NextPoll.Equal(r.clock.Now()) || f.Items != 2 {
		t.Fatalf("feed after the stop: %+v; want it due again at once, read whole, no failure", f)
	}
	// The next start reads the rest.
	s.set(func(s *site) { delete(s.delay, "/s/1.html") })
	if rep := tick(t, p); rep.Added != 1 || rep.NewItems != 1 {
		t.Fatalf("tick after the restart: %+v; want the remaining item only", rep)
	}
}

func TestFeedPollerConfig(t *testing.T) {
	r := newFeedRig(t, "memstore")
	for _, mod := range []func(*FeedPollerConfig){
		func(c *FeedPollerConfig) { c.Store = nil },
		func(c *FeedPollerConfig) { c.Fetcher = nil },
		func(c *FeedPollerConfig) { c.Ingest = nil },
		func(c *FeedPollerConfig) { c.Tick = time.Millisecond },
		func(c *FeedPollerConfig) { c.Lease = 48 * time.Hour },
		func(c *FeedPollerConfig) { c.Concurrency = 1000 },
		func(c *FeedPollerConfig) { c.MaxItems = -1 },
		func(c *FeedPollerConfig) { c.Claimant = strings.Repeat("x", 300) },
	} {
		cfg := FeedPollerConfig{Store: r.store, Fetcher: r.fetch, Ingest: r.svc.Ingest}
		mod(&cfg)
		if _, err := NewFeedPoller(cfg, nil); err == nil {
			t.Errorf("config %+v accepted", cfg)
		}
	}
}

// TestFeedPollerRun: Run polls at once, then stops when its context ends.
func TestFeedPollerRun(t *testing.T) {
	s := newSite(t)
	r := newFeedRig(t, "memstore")
	s.addArticle("/r/a.html", 60, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	s.set(func(s *site) {
		s.feeds["/r.rss"] = siteFeed{"application/rss+xml", rssFeed(s, []feedEntry{{"/r/a.html", "a", time.Time{}}}), ""}
	})
	r.addFeed(t, s.url("/r.rss"))
	p := r.poller(t, func(c *FeedPollerConfig) { c.Tick = time.Hour })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for len(r.articles(t)) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(r.articles(t)); n != 1 {
		t.Fatalf("Run stored %d articles, want 1 from its first tick", n)
	}
}
