package slack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// fakeResponseURL records the posts Slack would receive on a response_url.
type fakeResponseURL struct {
	srv   *httptest.Server
	mu    sync.Mutex
	posts []map[string]any
	got   chan struct{}
}

func newFakeResponseURL(t *testing.T) *fakeResponseURL {
	f := &fakeResponseURL{got: make(chan struct{}, 16)}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json; charset=utf-8" || json.NewDecoder(r.Body).Decode(&m) != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.posts = append(f.posts, m)
		f.mu.Unlock()
		f.got <- struct{}{}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeResponseURL) url() string { return f.srv.URL + "/commands/T0001/123/abc" }

func (f *fakeResponseURL) all() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.posts...)
}

// commandServer serves the platform's routes on loopback.
func commandServer(t *testing.T, p *Platform, h commands.Handler) *httptest.Server {
	mux := http.NewServeMux()
	for pattern, hh := range p.Routes(h) {
		mux.Handle(pattern, hh)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func decodeReply(t *testing.T, resp *http.Response) map[string]any {
	t.Helper()
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	var m map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func blocksOf(m map[string]any) []map[string]any {
	raw, _ := m["blocks"].([]any)
	out := make([]map[string]any, len(raw))
	for i, b := range raw {
		out[i], _ = b.(map[string]any)
	}
	return out
}

func TestHTTPSignedCommandGetsInChannelBlocks(t *testing.T) {
	now := time.Unix(1714000000, 0)
	ru := newFakeResponseURL(t)
	p, logs := newTestPlatform(t, Config{Clock: fixedClock(now), ResponseURLAllow: []string{ru.srv.URL + "/"}, Admins: []string{"UADMIN"}})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return meetingsResponse(), nil
	}}
	srv := commandServer(t, p, h)

	resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), slashForm("meetings campbell", ru.url())))
	if err != nil {
		t.Fatal(err)
	}
	m := decodeReply(t, resp)
	if m["response_type"] != "in_channel" {
		t.Fatalf("response_type %v, want in_channel", m["response_type"])
	}
	if m["text"] == "" {
		t.Fatal("fallback text missing")
	}
	bs := blocksOf(m)
	if len(bs) < 3 || bs[0]["type"] != "header" || bs[1]["type"] != "section" || bs[2]["type"] != "context" {
		t.Fatalf("blocks %v", bs)
	}
	req := h.last()
	want := commands.Request{Platform: "slack", Workspace: "T0001", Channel: "C2147483705", User: "U2147483697",
		Command: "meetings", Args: []string{"campbell"}, Text: "meetings campbell", Now: now}
	if req.Platform != want.Platform || req.Workspace != want.Workspace || req.Channel != want.Channel || req.User != want.User ||
		req.Command != want.Command || strings.Join(req.Args, ",") != "campbell" || req.Option("name") != "campbell" ||
		req.Text != want.Text || !req.Now.Equal(now) || req.Admin {
		t.Fatalf("request %+v", req)
	}
	p.bg.Wait()
	if n := len(ru.all()); n != 0 {
		t.Fatalf("%d response_url posts for an inline answer", n)
	}
	if strings.Contains(logs.String(), testBotToken) || strings.Contains(logs.String(), testSecret) {
		t.Fatal("secret in logs")
	}
}

func TestHTTPSlowAnswerAcksThenPostsOnceToResponseURL(t *testing.T) {
	now := time.Now()
	ru := newFakeResponseURL(t)
	p, _ := newTestPlatform(t, Config{Clock: fixedClock(now), AnswerBudget: 50 * time.Millisecond, ResponseURLAllow: []string{ru.srv.URL + "/"}})
	release := make(chan struct{})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return statusResponse(), nil
	}}
	srv := commandServer(t, p, h)

	resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), slashForm("status withdrawal", ru.url())))
	if err != nil {
		t.Fatal(err)
	}
	m := decodeReply(t, resp)
	if m["response_type"] != "ephemeral" || !strings.Contains(m["text"].(string), "Working on it") {
		t.Fatalf("ack %v, want an ephemeral working-on-it", m)
	}
	if n := len(ru.all()); n != 0 {
		t.Fatalf("answer posted before the handler finished (%d posts)", n)
	}
	close(release)
	select {
	case <-ru.got:
	case <-time.After(10 * time.Second):
		t.Fatal("no post to response_url")
	}
	p.bg.Wait()
	posts := ru.all()
	if len(posts) != 1 {
		t.Fatalf("%d posts to response_url, want exactly 1", len(posts))
	}
	if posts[0]["response_type"] != "in_channel" || len(blocksOf(posts[0])) == 0 {
		t.Fatalf("response_url post %v", posts[0])
	}
}

func TestHTTPRefusesBadRequests(t *testing.T) {
	now := time.Unix(1714000000, 0)
	p, logs := newTestPlatform(t, Config{Clock: fixedClock(now)})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return meetingsResponse(), nil
	}}
	srv := commandServer(t, p, h)
	body := slashForm("meetings", "https://hooks.slack.com/commands/T0001/1/x")
	changed := bytes.Clone(body)
	changed[40] ^= 1

	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		reason string
	}{
		{"six minutes late", func() *http.Request {
			return signedRequest(t, srv.URL+CommandsPath, testSecret, now.Add(-6*time.Minute).Unix(), body)
		}, 401, string(errStaleTimestamp)},
		{"one byte changed", func() *http.Request {
			r := signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), body)
			r.Body = io.NopCloser(bytes.NewReader(changed))
			return r
		}, 401, string(errSignatureMismatch)},
		{"missing signature", func() *http.Request {
			r := signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), body)
			r.Header.Del(headerSignature)
			return r
		}, 401, string(errMissingSignature)},
		{"missing timestamp", func() *http.Request {
			r := signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), body)
			r.Header.Del(headerTimestamp)
			return r
		}, 401, string(errMissingTimestamp)},
		{"wrong secret", func() *http.Request {
			return signedRequest(t, srv.URL+CommandsPath, "another-secret", now.Unix(), body)
		}, 401, string(errSignatureMismatch)},
		{"body too large", func() *http.Request {
			big := append(bytes.Clone(body), []byte("&pad="+strings.Repeat("x", DefaultMaxBodyBytes))...)
			return signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), big)
		}, 413, "body too large"},
		{"body too large without length", func() *http.Request {
			big := append(bytes.Clone(body), []byte("&pad="+strings.Repeat("x", DefaultMaxBodyBytes))...)
			r := signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), big)
			r.ContentLength = -1
			r.Body = io.NopCloser(bytes.NewReader(big))
			return r
		}, 413, "body too large"},
		{"signed but malformed", func() *http.Request {
			return signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), []byte("team_id=T1&team_id=T2&channel_id=C1&user_id=U1&command=%2Fbrief"))
		}, 400, "appears twice"},
		{"signed but not a form", func() *http.Request {
			r := signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), body)
			r.Header.Set("Content-Type", "application/json")
			return r
		}, 415, ""},
		{"GET", func() *http.Request {
			r := signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), body)
			r.Method = http.MethodGet
			return r
		}, 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if !strings.Contains(logs.String(), tt.reason) {
				t.Fatalf("log does not give the reason %q:\n%s", tt.reason, logs.String())
			}
		})
	}
	if n := h.count(); n != 0 {
		t.Fatalf("handler called %d times for refused requests", n)
	}
	if l := logs.String(); strings.Contains(l, testSecret) || strings.Contains(l, "gIkuvaNzQIHg97ATvDxqgjtO") || strings.Contains(l, "v0=") {
		t.Fatalf("log contains a secret or signature:\n%s", l)
	}
}

func TestHTTPAnswersAndVisibility(t *testing.T) {
	now := time.Unix(1714000000, 0)
	p, logs := newTestPlatform(t, Config{Clock: fixedClock(now), Admins: []string{"UADMIN"}})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		switch req.Command {
		case "who":
			return commands.Response{}, briefings.Errorf(briefings.CodeNotFound, "I know nobody called %q.", req.Option("name"))
		case "timeline":
			return commands.Response{}, fmt.Errorf("database is locked: %w", errors.New("SQLITE_BUSY "+testBotToken))
		case "ask":
			return commands.Response{}, briefings.Errorf(briefings.CodeUnavailable, "The article store is not reachable.")
		case "sources":
			panic("boom")
		}
		return meetingsResponse(), nil
	}}
	srv := commandServer(t, p, h)
	post := func(text, user string) map[string]any {
		body := []byte(strings.Replace(string(slashForm(text, "https://hooks.slack.com/commands/T0001/1/x")), "U2147483697", user, 1))
		resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), body))
		if err != nil {
			t.Fatal(err)
		}
		return decodeReply(t, resp)
	}
	tests := []struct {
		text, user, rt, contains string
		called                   bool
	}{
		{"meetings", "U1", "in_channel", "Meetings", true},
		{"meetings --private", "U1", "ephemeral", "Meetings", true},
		{"meetngs", "U1", "ephemeral", "Did you mean `meetings`?", false},
		{"meetings --loud", "U1", "ephemeral", "unknown flag --loud", false},
		{"help", "U1", "ephemeral", "Meetings", true}, // ephemeral by the table, whatever the handler says
		{"ingest https://example.com/a", "U1", "ephemeral", "is for admins", false},
		{"ingest https://example.com/a", "UADMIN", "ephemeral", "Meetings", true},
		{"who zorro", "U1", "ephemeral", "I know nobody called", true},
		{"ask why?", "U1", "ephemeral", "try again in a few minutes", true},
		{"timeline", "U1", "ephemeral", "Something went wrong (ref ", true},
		{"sources", "U1", "ephemeral", "Something went wrong (ref ", true},
	}
	for _, tt := range tests {
		t.Run(tt.text+"/"+tt.user, func(t *testing.T) {
			before := h.count()
			m := post(tt.text, tt.user)
			if m["response_type"] != tt.rt {
				t.Fatalf("response_type %v, want %s", m["response_type"], tt.rt)
			}
			raw, _ := json.Marshal(m)
			if !strings.Contains(string(raw), tt.contains) {
				t.Fatalf("answer does not contain %q: %s", tt.contains, raw)
			}
			if called := h.count() > before; called != tt.called {
				t.Fatalf("handler called = %v, want %v", called, tt.called)
			}
			if tt.user == "UADMIN" && !h.last().Admin {
				t.Fatal("admin not marked as admin")
			}
		})
	}
	l := logs.String()
	if !strings.Contains(l, "database is locked") || !strings.Contains(l, "handler panic: boom") {
		t.Fatalf("internal errors not logged with details:\n%s", l)
	}
	if strings.Contains(l, testBotToken) {
		t.Fatal("token in log")
	}
	// The reference shown to the user is the one in the log.
	m := post("timeline", "U1")
	raw, _ := json.Marshal(m)
	i := strings.Index(string(raw), "(ref ")
	ref := string(raw)[i+5 : i+13]
	if !strings.Contains(logs.String(), "ref="+ref) {
		t.Fatalf("ref %s not in log", ref)
	}
}

func TestHTTPBusyWhenFull(t *testing.T) {
	now := time.Now()
	ru := newFakeResponseURL(t)
	p, _ := newTestPlatform(t, Config{Clock: fixedClock(now), MaxConcurrent: 1, AnswerBudget: 20 * time.Millisecond, ResponseURLAllow: []string{ru.srv.URL + "/"}})
	release := make(chan struct{})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return timelineResponse(), nil
	}}
	srv := commandServer(t, p, h)
	send := func() map[string]any {
		resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), slashForm("timeline", ru.url())))
		if err != nil {
			t.Fatal(err)
		}
		return decodeReply(t, resp)
	}
	if m := send(); !strings.Contains(m["text"].(string), "Working on it") {
		t.Fatalf("first: %v", m)
	}
	if m := send(); !strings.Contains(m["text"].(string), "busy") {
		t.Fatalf("second: %v", m)
	}
	close(release)
	p.bg.Wait()
	if n := len(ru.all()); n != 1 {
		t.Fatalf("%d response_url posts, want 1", n)
	}
}

func TestResponseURLBounds(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	hits := 0
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		s := status
		mu.Unlock()
		w.WriteHeader(s)
	}))
	defer srv.Close()
	var slept []time.Duration
	p, logs := newTestPlatform(t, Config{Clock: fixedClock(now), ResponseURLAllow: []string{srv.URL + "/hooks/"},
		Sleep: func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	msgs := RenderMessages(manyFactsResponse(300), 10)
	if len(msgs) != 10 {
		t.Fatalf("%d messages", len(msgs))
	}
	inv := func(u string, at time.Time) invocation {
		return invocation{cmd: slackCommand(u), received: at}
	}
	reset := func(s int) { mu.Lock(); hits, status = 0, s; mu.Unlock() }

	reset(http.StatusOK)
	p.respondAll(context.Background(), inv(srv.URL+"/hooks/1", now), msgs, "in_channel")
	if hits != ResponseURLUses {
		t.Fatalf("%d posts for 10 messages, want the limit %d", hits, ResponseURLUses)
	}

	reset(http.StatusServiceUnavailable)
	p.respondAll(context.Background(), inv(srv.URL+"/hooks/1", now), msgs[:1], "in_channel")
	if hits != 1+maxResponseURLRetries || len(slept) != maxResponseURLRetries {
		t.Fatalf("5xx: %d posts, %d waits; want %d and %d", hits, len(slept), 1+maxResponseURLRetries, maxResponseURLRetries)
	}

	reset(http.StatusNotFound)
	p.respondAll(context.Background(), inv(srv.URL+"/hooks/1", now), msgs, "in_channel")
	if hits != 1 {
		t.Fatalf("404 (expired_url): %d posts, want 1", hits)
	}

	reset(http.StatusOK)
	p.respondAll(context.Background(), inv(srv.URL+"/hooks/1", now.Add(-31*time.Minute)), msgs[:1], "in_channel")
	if hits != 0 {
		t.Fatal("posted to a response_url older than 30 minutes")
	}

	for _, bad := range []string{srv.URL + "/other/1", "https://hooks.slack.com.evil.example/x", "http://hooks.slack.com/x", "https://user@" + strings.TrimPrefix(srv.URL, "http://") + "/hooks/1", ""} {
		p.respondAll(context.Background(), inv(bad, now), msgs[:1], "in_channel")
	}
	if hits != 0 {
		t.Fatal("posted to a response_url outside the allow list")
	}
	if !strings.Contains(logs.String(), "response_url refused") {
		t.Fatal("refusal not logged")
	}
}

func slackCommand(responseURL string) (c slack.SlashCommand) {
	c.TeamID, c.ChannelID, c.UserID, c.Command, c.ResponseURL = "T1", "C1", "U1", "/brief", responseURL
	return c
}

func TestHTTPBodyLimitConfigurable(t *testing.T) {
	now := time.Unix(1714000000, 0)
	p, _ := newTestPlatform(t, Config{Clock: fixedClock(now), MaxBodyBytes: 100})
	srv := commandServer(t, p, commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return meetingsResponse(), nil
	}))
	resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), slashForm("meetings", "")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestHTTPThreadPartsFollowThroughResponseURL(t *testing.T) {
	now := time.Unix(1714000000, 0)
	ru := newFakeResponseURL(t)
	p, _ := newTestPlatform(t, Config{Clock: fixedClock(now), ResponseURLAllow: []string{ru.srv.URL + "/"}})
	srv := commandServer(t, p, commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return digestResponse(), nil
	}))
	resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), slashForm("digest preview", ru.url())))
	if err != nil {
		t.Fatal(err)
	}
	m := decodeReply(t, resp)
	if m["response_type"] != "ephemeral" { // digest preview is ephemeral in the table
		t.Fatalf("response_type %v", m["response_type"])
	}
	p.bg.Wait()
	posts := ru.all()
	if len(posts) != 1 || posts[0]["response_type"] != "ephemeral" || !strings.Contains(fmt.Sprint(posts[0]), "Earlier items") {
		t.Fatalf("thread part posts %v", posts)
	}
}

func TestServeWaitsForSlowAnswers(t *testing.T) {
	now := time.Now()
	ru := newFakeResponseURL(t)
	p, _ := newTestPlatform(t, Config{Clock: fixedClock(now), AnswerBudget: 20 * time.Millisecond, ResponseURLAllow: []string{ru.srv.URL + "/"}})
	release := make(chan struct{})
	h := commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return timelineResponse(), nil
	})
	srv := commandServer(t, p, h)
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, h) }()
	resp, err := http.DefaultClient.Do(signedRequest(t, srv.URL+CommandsPath, testSecret, now.Unix(), slashForm("timeline", ru.url())))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while an answer was still being computed", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if n := len(ru.all()); n != 1 {
		t.Fatalf("%d posts after Serve returned, want 1", n)
	}
}
