package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/sqlite"
)

// The articles and sites in these tests are invented (see genArticle).

// runCLI runs briefbot in-process, like run, and returns what it printed.
func runCLI(t *testing.T, env map[string]string, stdin io.Reader, args ...string) (string, string, error) {
	t.Helper()
	var out, errb syncBuffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	a := &app{ctx: context.Background(), getenv: envFunc(env), stdin: stdin, stdout: &out, stderr: &errb}
	root := newRootCommand(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(&out)
	root.SetErr(&errb)
	err := root.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// testEnv is a fresh SQLite database without the sample, with the
// fetcher opened to loopback (the test servers).
func testEnv(t *testing.T) map[string]string {
	return map[string]string{
		"DATABASE_URL":               filepath.Join(t.TempDir(), "briefbot.db"),
		"BRIEFBOT_LOAD_SAMPLE":       "false",
		"BRIEFBOT_FETCH_ALLOW_HOSTS": "127.0.0.1",
		"BRIEFBOT_LOG_FORMAT":        "text",
		"NO_COLOR":                   "1",
	}
}

func writeArticle(t *testing.T, dir, name string, i int, published string) string {
	t.Helper()
	title, text := genArticle(i)
	body := "Title: " + title + "\nSource: " + name + "\n"
	if published != "" {
		body += "Published: " + published + "\n"
	}
	body += "\n" + text + "\n"
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIngestFilesAndURLs(t *testing.T) {
	env := testEnv(t)
	dir := t.TempDir()
	writeArticle(t, dir, "a.txt", 1, "2025-03-10")
	writeArticle(t, dir, "b.txt", 2, "")
	day := time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC)
	srv := newPageServer(t, 3, day)
	title1, _ := genArticle(1)

	out, _, err := runCLI(t, env, nil, "ingest", "--published", "2025-03-11", dir, srv.URL+"/a/3.html", srv.URL+"/missing.html", filepath.Join(dir, "a.txt"), srv.URL+"/a/4.html")
	if !errors.Is(err, errSilent) {
		t.Fatalf("ingest with a failed address: err %v, want the silent exit status 1", err)
	}
	for _, want := range []string{
		"added      " + filepath.Join(dir, "a.txt") + ": “" + title1 + "”, published 2025-03-10",
		"added      " + filepath.Join(dir, "b.txt"),
		", published 2025-03-11", // --published fills the date b.txt lacks
		"added      " + srv.URL + "/a/3.html",
		"published 2025-03-12",
		"failed     " + srv.URL + "/missing.html: ",
		"404 Not Found",
		"duplicate  " + filepath.Join(dir, "a.txt") + ": Already stored as “" + title1 + "”",
		"4 added, 1 duplicate, 1 failed",
		"Failed:\n  " + srv.URL + "/missing.html: ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "\x1b[") {
		t.Errorf("piped output has terminal control sequences:\n%q", out)
	}
	// Stored once each, in stories.
	st, err := sqlite.Open(context.Background(), env["DATABASE_URL"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Stats(context.Background())
	if err != nil || stats.Articles != 4 {
		t.Fatalf("stats %+v, %v; want 4 articles", stats, err)
	}

	// Everything fine: exit status 0.
	out, _, err = runCLI(t, env, nil, "ingest", srv.URL+"/a/5.html")
	if err != nil || !strings.Contains(out, "1 added, 0 duplicates, 0 failed") {
		t.Fatalf("ingest of one page: %v\n%s", err, out)
	}
}

func TestIngestRefusesPrivateAddresses(t *testing.T) {
	env := testEnv(t)
	delete(env, "BRIEFBOT_FETCH_ALLOW_HOSTS")
	srv := newPageServer(t, 1, time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC))
	out, _, err := runCLI(t, env, nil, "ingest", srv.URL+"/a/1.html")
	if !errors.Is(err, errSilent) || !strings.Contains(out, "loopback") || !strings.Contains(out, "0 added, 0 duplicates, 1 failed") {
		t.Fatalf("loopback address without the allow-list: %v\n%s", err, out)
	}
	if srv.hits() != 0 {
		t.Errorf("the refused address was fetched %d times", srv.hits())
	}
	for _, arg := range []string{"ftp://example.com/a.txt", "/no/such/file.txt"} {
		if _, _, err := runCLI(t, env, nil, "ingest", arg); err == nil || errors.Is(err, errSilent) {
			t.Errorf("ingest %s: %v, want a clear error before anything runs", arg, err)
		}
	}
}

// TestProgressBar: on a terminal the bar is redrawn in place, failures and
// duplicates print above it, and it is cleared before the summary.
func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, true, 60, 3)
	p.start("one.txt")
	p.done("one.txt", ingestOutcome{res: briefings.AddResult{Article: briefings.Article{Title: "One"}, Facts: 3}})
	p.start("two.txt")
	p.done("two.txt", ingestOutcome{err: briefings.Errorf(briefings.CodeInvalid, "two.txt has no text")})
	p.start("three.txt")
	p.done("three.txt", ingestOutcome{res: briefings.AddResult{Duplicate: true, DuplicateReason: "near-duplicate", Similarity: 0.91, Article: briefings.Article{Title: "One"}}})
	p.finish(2 * time.Second)
	out := b.String()
	for _, want := range []string{
		"\r\x1b[2K[",
		"] 0/3  added 0 · duplicates 0 · failed 0",
		"] 1/3  added 1",
		"\r\x1b[2Kfailed     two.txt: two.txt has no text\n",
		"duplicate  three.txt: Near-duplicate of “One” (similarity 0.91)",
		"\r\x1b[2K1 added, 1 duplicate, 1 failed in 2s\nFailed:\n  two.txt: two.txt has no text\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "added      one.txt") {
		t.Errorf("an added article printed a line on a terminal:\n%q", out)
	}
	for _, l := range strings.Split(out, "\r\x1b[2K") {
		if first, _, _ := strings.Cut(l, "\n"); strings.HasPrefix(first, "[") && len([]rune(first)) > 60 {
			t.Errorf("a bar line is wider than the terminal: %q", first)
		}
	}
}

func TestFeedsCommand(t *testing.T) {
	env := testEnv(t)
	srv := newPageServer(t, 3, time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC))
	feed := srv.URL + "/feed.rss"
	steps := []struct {
		args    []string
		ok      bool
		has     []string
		errText string
	}{
		{[]string{"feeds", "list"}, true, []string{"No feeds are followed"}, ""},
		{[]string{"feeds", "add", "--every", "2h", feed}, true, []string{"Following “Invented Wire” (" + feed + ") every 2h", "3 articles now"}, ""},
		{[]string{"feeds", "add", feed}, false, nil, "already follows"},
		{[]string{"feeds", "add", "--every", "5s", srv.URL + "/other.rss"}, false, nil, "out of range"},
		{[]string{"feeds", "add", srv.URL + "/a/1.html"}, false, nil, "a/1.html"},
		{[]string{"feeds", "list"}, true, []string{"URL", feed, "2h", "never", "due", "ok"}, ""},
		{[]string{"feeds", "remove", feed}, true, []string{"no longer follows " + feed}, ""},
		{[]string{"feeds", "remove", feed}, false, nil, "does not follow"},
	}
	for _, s := range steps {
		out, _, err := runCLI(t, env, nil, s.args...)
		if (err == nil) != s.ok {
			t.Fatalf("%v: err %v\n%s", s.args, err, out)
		}
		if err != nil && !strings.Contains(err.Error(), s.errText) {
			t.Errorf("%v: error %q lacks %q", s.args, err, s.errText)
		}
		for _, h := range s.has {
			if !strings.Contains(out, h) {
				t.Errorf("%v: output lacks %q:\n%s", s.args, h, out)
			}
		}
	}
}

func TestStoriesCommand(t *testing.T) {
	env := testEnv(t)
	out, _, err := runCLI(t, env, nil, "stories")
	if err != nil || !strings.Contains(out, "No stories yet") {
		t.Fatalf("stories on an empty database: %v\n%s", err, out)
	}
	dir := t.TempDir()
	writeArticle(t, dir, "a.txt", 1, "2025-03-10")
	writeArticle(t, dir, "b.txt", 1+len(genCountries), "2025-05-02") // the same two countries, later
	writeArticle(t, dir, "c.txt", 2, "2025-03-11")
	if _, _, err := runCLI(t, env, nil, "ingest", dir); err != nil {
		t.Fatal(err)
	}
	out, _, err = runCLI(t, env, nil, "stories")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "TITLE") || !strings.Contains(out, "10 Mar – 2 May 2025") || !strings.Contains(out, "11 Mar 2025") {
		t.Fatalf("stories: want a header and two stories, the first spanning two articles:\n%s", out)
	}
	if _, _, err := runCLI(t, env, nil, "stories", "--limit", "0"); err == nil {
		t.Error("--limit 0 accepted")
	}
}

// TestChatPollsFeeds: `briefbot chat` starts the feed poller; a followed
// feed's items are ingested while the console waits for input.
func TestChatPollsFeeds(t *testing.T) {
	env := testEnv(t)
	srv := newPageServer(t, 2, time.Date(2025, 3, 12, 8, 0, 0, 0, time.UTC))
	if _, _, err := runCLI(t, env, nil, "feeds", "add", srv.URL+"/feed.rss"); err != nil {
		t.Fatal(err)
	}
	in, w := io.Pipe()
	var wg sync.WaitGroup
	wg.Add(1)
	var chatErr error
	go func() {
		defer wg.Done()
		_, _, chatErr = runCLI(t, env, in, "chat")
	}()
	st, err := sqlite.Open(context.Background(), env["DATABASE_URL"], nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var feeds []briefings.Feed
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if feeds, err = st.Feeds(context.Background(), 10); err == nil && len(feeds) == 1 && feeds[0].Items == 2 && !feeds[0].LastPolled.IsZero() {
			break
		}
	}
	w.Close()
	wg.Wait()
	if chatErr != nil {
		t.Fatalf("chat: %v", chatErr)
	}
	if err != nil || len(feeds) != 1 || feeds[0].Items != 2 || feeds[0].LastPolled.IsZero() {
		t.Fatalf("feed while chat ran: %+v, %v; want 2 articles added and the poll recorded", feeds, err)
	}
	stats, err := st.Stats(context.Background())
	if err != nil || stats.Articles != 2 {
		t.Fatalf("stats %+v, %v; want the feed's 2 articles", stats, err)
	}
}

// pageServer serves invented articles at /a/N.html and an RSS feed of the
// first n at /feed.rss; other paths are 404.
type pageServer struct {
	*httptest.Server
	mu    sync.Mutex
	count int
	pages int
}

func newPageServer(t testing.TB, n int, day time.Time) *pageServer {
	ps := &pageServer{}
	ps.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ps.mu.Lock()
		ps.count++
		if strings.HasPrefix(r.URL.Path, "/a/") {
			ps.pages++
		}
		ps.mu.Unlock()
		var i int
		switch {
		case r.URL.Path == "/feed.rss":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Invented Wire</title><link>`+ps.URL+`/</link><description>d</description>`)
			for k := 1; k <= n; k++ {
				title, _ := genArticle(k)
				fmt.Fprintf(w, "<item><title>%s</title><link>%s/a/%d.html</link><guid>a-%d</guid></item>", title, ps.URL, k, k)
			}
			fmt.Fprint(w, "</channel></rss>")
		case sscan(r.URL.Path, "/a/%d.html", &i):
			title, text := genArticle(i)
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, genPage(title, text, day.Add(time.Duration(i)*time.Hour)))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(ps.Close)
	return ps
}

func (ps *pageServer) hits() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.count
}

func (ps *pageServer) pageHits() int {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.pages
}

func sscan(s, format string, i *int) bool {
	n, err := fmt.Sscanf(s, format, i)
	return err == nil && n == 1
}
