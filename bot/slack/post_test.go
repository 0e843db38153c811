package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/commands"
)

// fakeWebAPI is chat.postMessage on loopback. Each call takes the next
// scripted reply; when the script runs out, posts succeed.
type fakeWebAPI struct {
	srv    *httptest.Server
	mu     sync.Mutex
	script []func(w http.ResponseWriter)
	posts  []url.Values
}

func newFakeWebAPI(t *testing.T, script ...func(w http.ResponseWriter)) *fakeWebAPI {
	f := &fakeWebAPI{script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/chat.postMessage" {
			http.NotFound(w, r)
			return
		}
		_ = r.ParseForm()
		f.mu.Lock()
		f.posts = append(f.posts, r.PostForm)
		n := len(f.posts)
		var step func(w http.ResponseWriter)
		if len(f.script) > 0 {
			step, f.script = f.script[0], f.script[1:]
		}
		f.mu.Unlock()
		if step != nil {
			step(w)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1714000000.%06d"}`, r.PostForm.Get("channel"), n)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWebAPI) calls() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.posts...)
}

func slackError(code string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"ok":false,"error":%q}`, code)
	}
}

func status(code int, header ...string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, "<html>error</html>")
	}
}

// sleeps records the waits Post asks for without spending them.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d > 0 {
		s.d = append(s.d, d)
	}
	return ctx.Err()
}

func postPlatform(t *testing.T, f *fakeWebAPI, cfg Config) (*Platform, *logBuffer, *sleeps) {
	s := &sleeps{}
	cfg.APIURL = f.srv.URL + "/"
	cfg.Sleep = s.sleep
	p, logs := newTestPlatform(t, cfg)
	return p, logs, s
}

func TestPostHonoursRetryAfter(t *testing.T) {
	f := newFakeWebAPI(t, status(http.StatusTooManyRequests, "Retry-After", "3"))
	p, _, s := postPlatform(t, f, Config{})
	ref, err := p.Post(context.Background(), "C123", digestResponse())
	if err != nil {
		t.Fatalf("Post: %v", err)
	}
	if ref.Platform != "slack" || ref.Channel != "C123" || ref.ID == "" {
		t.Fatalf("ref %+v", ref)
	}
	calls := f.calls()
	if len(calls) != 3 { // 429, the digest, its thread reply
		t.Fatalf("%d calls, want 3", len(calls))
	}
	found := false
	for _, d := range s.d {
		if d == 3*time.Second {
			found = true
		}
	}
	if !found {
		t.Fatalf("waits %v do not include the 3 s Retry-After", s.d)
	}
	if calls[2].Get("thread_ts") != ref.ID {
		t.Fatalf("thread reply thread_ts %q, want %q", calls[2].Get("thread_ts"), ref.ID)
	}
	var blocks []map[string]any
	if err := json.Unmarshal([]byte(calls[1].Get("blocks")), &blocks); err != nil || len(blocks) == 0 {
		t.Fatalf("blocks %q: %v", calls[1].Get("blocks"), err)
	}
	if calls[1].Get("text") == "" || calls[1].Get("unfurl_links") != "false" {
		t.Fatalf("post fields %v", calls[1])
	}
}

func TestPostClassifiesFailures(t *testing.T) {
	tests := []struct {
		name       string
		script     []func(http.ResponseWriter)
		wantReason string
		permanent  bool
		wantCalls  int
		ok         bool
	}{
		{"not_in_channel", []func(http.ResponseWriter){slackError("not_in_channel")}, "not_in_channel", true, 1, false},
		{"channel_not_found", []func(http.ResponseWriter){slackError("channel_not_found")}, "channel_not_found", true, 1, false},
		{"is_archived", []func(http.ResponseWriter){slackError("is_archived")}, "is_archived", true, 1, false},
		{"token_revoked", []func(http.ResponseWriter){slackError("token_revoked")}, "token_revoked", true, 1, false},
		{"invalid_auth", []func(http.ResponseWriter){slackError("invalid_auth")}, "invalid_auth", true, 1, false},
		{"account_inactive", []func(http.ResponseWriter){slackError("account_inactive")}, "account_inactive", true, 1, false},
		{"unknown error", []func(http.ResponseWriter){slackError("something_new")}, "unknown", false, 1, false},
		{"5xx then ok", []func(http.ResponseWriter){status(503), status(500)}, "", false, 3, true},
		{"5xx forever", []func(http.ResponseWriter){status(502), status(502), status(502), status(502), status(502)}, "server_error", false, 1 + DefaultPostRetries, false},
		{"ratelimited in body", []func(http.ResponseWriter){slackError("ratelimited")}, "", false, 2, true},
		{"429 longer than MaxRetryAfter", []func(http.ResponseWriter){status(429, "Retry-After", "600")}, "rate_limited", false, 1, false},
		{"400", []func(http.ResponseWriter){status(400)}, "http_400", true, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeWebAPI(t, tt.script...)
			p, _, _ := postPlatform(t, f, Config{})
			_, err := p.Post(context.Background(), "C123", meetingsResponse())
			if n := len(f.calls()); n != tt.wantCalls {
				t.Fatalf("%d calls, want %d", n, tt.wantCalls)
			}
			if tt.ok {
				if err != nil {
					t.Fatalf("Post: %v", err)
				}
				return
			}
			var pe *bot.PostError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v (%T), want *bot.PostError", err, err)
			}
			if pe.Reason != tt.wantReason || pe.Permanent != tt.permanent || bot.IsPermanent(err) != tt.permanent {
				t.Fatalf("PostError %+v, want reason %s permanent %v", pe, tt.wantReason, tt.permanent)
			}
			if tt.wantReason == "rate_limited" && pe.RetryAfter != 600*time.Second {
				t.Fatalf("RetryAfter %v, want 600s", pe.RetryAfter)
			}
		})
	}
}

func TestPostBacksOffOn5xx(t *testing.T) {
	f := newFakeWebAPI(t, status(500), status(500), status(500))
	p, _, s := postPlatform(t, f, Config{RetryBackoff: time.Second, MaxRetryBackoff: 3 * time.Second, PostInterval: time.Millisecond})
	if _, err := p.Post(context.Background(), "C1", timelineResponse()); err != nil {
		t.Fatalf("Post: %v", err)
	}
	var backoffs []time.Duration
	for _, d := range s.d {
		if d >= time.Second { // pacing waits are shorter than the interval
			backoffs = append(backoffs, d)
		}
	}
	if fmt.Sprint(backoffs) != "[1s 2s 3s]" {
		t.Fatalf("backoffs %v, want [1s 2s 3s]", backoffs)
	}
}

func TestPostPacesPerChannel(t *testing.T) {
	f := newFakeWebAPI(t)
	p, _, s := postPlatform(t, f, Config{PostInterval: 10 * time.Second})
	for _, ch := range []string{"C1", "C2", "C1"} {
		if _, err := p.Post(context.Background(), ch, timelineResponse()); err != nil {
			t.Fatal(err)
		}
	}
	// C1 then C2 go at once; the second post to C1 waits for its slot.
	if len(s.d) != 1 || s.d[0] < 9*time.Second || s.d[0] > 10*time.Second {
		t.Fatalf("waits %v, want one of about 10 s", s.d)
	}
}

func TestPostNeverLeaksTokens(t *testing.T) {
	f := newFakeWebAPI(t, slackError("invalid_auth"))
	p, logs, _ := postPlatform(t, f, Config{})
	_, err1 := p.Post(context.Background(), "C1", meetingsResponse())
	f.srv.Close() // network error: the client's error names the URL
	_, err2 := p.Post(context.Background(), "C1", meetingsResponse())
	_, err3 := p.Post(context.Background(), "not a channel", meetingsResponse())
	for _, err := range []error{err1, err2, err3} {
		if err == nil {
			t.Fatal("want errors")
		}
		for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if strings.Contains(s, testBotToken) || strings.Contains(s, "SECRETBOTTOKEN") {
				t.Fatalf("token in error: %s", s)
			}
		}
	}
	for _, s := range []string{logs.String(), p.String(), fmt.Sprintf("%v %+v", p, p.cfg), fmt.Sprintf("%#v", p.cfg)} {
		if strings.Contains(s, "SECRETBOTTOKEN") || strings.Contains(s, testSecret) {
			t.Fatalf("token leaked: %s", s)
		}
	}
	if f := f.calls(); len(f) == 0 || f[0].Get("token") != testBotToken {
		t.Fatal("the fake did not receive the token, so the test proves nothing")
	}
}

func TestPostCancelled(t *testing.T) {
	f := newFakeWebAPI(t, status(500))
	p, _, _ := postPlatform(t, f, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Post(ctx, "C1", meetingsResponse())
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Permanent || !errors.Is(err, context.Canceled) {
		t.Fatalf("Post on a cancelled context = %v", err)
	}
}

func TestPostLongDigestContinuesInThread(t *testing.T) {
	f := newFakeWebAPI(t)
	p, _, _ := postPlatform(t, f, Config{})
	r := manyFactsResponse(60)
	r.Thread = []commands.Response{timelineResponse()}
	ref, err := p.Post(context.Background(), "C9", r)
	if err != nil {
		t.Fatal(err)
	}
	calls := f.calls()
	if len(calls) != 4 { // 60 facts take 3 messages, then the thread entry
		t.Fatalf("%d posts, want 4", len(calls))
	}
	for i, c := range calls[1:] {
		if c.Get("thread_ts") != ref.ID {
			t.Fatalf("post %d not in the thread of %s: %v", i+2, ref.ID, c.Get("thread_ts"))
		}
	}
}
