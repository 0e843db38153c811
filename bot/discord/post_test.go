package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/commands"
)

// sentMessage is the part of a create-message payload the tests check.
type sentMessage struct {
	Nonce        string `json:"nonce"`
	EnforceNonce bool   `json:"enforce_nonce"`
	Reference    *struct {
		MessageID string `json:"message_id"`
	} `json:"message_reference"`
	Embeds []struct {
		Title string `json:"title"`
	} `json:"embeds"`
}

func sent(t *testing.T, f *fakeDiscord) []sentMessage {
	t.Helper()
	var out []sentMessage
	for _, r := range f.requests("POST", "/channels/"+testChannel+"/messages") {
		var m sentMessage
		if err := json.Unmarshal(r.Body, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func deliveryCtx(nonce string) context.Context {
	return bot.WithPostOptions(context.Background(), bot.PostOptions{Nonce: nonce})
}

func TestPostDigestWithThread(t *testing.T) {
	f := newFakeDiscord(t)
	p, _ := newTestPlatform(t, f, nil)
	ref, err := p.Post(deliveryCtx("sub-7/2024-04-22T08:00"), testChannel, digestResponse())
	if err != nil {
		t.Fatal(err)
	}
	msgs := sent(t, f)
	if len(msgs) != 2 {
		t.Fatalf("%d messages, want the digest and one thread reply", len(msgs))
	}
	first := "800000000000000000"
	if ref.ID != first || ref.Channel != testChannel || ref.Platform != "discord" {
		t.Errorf("ref %+v", ref)
	}
	if want := "https://discord.com/channels/" + testGuildID + "/" + testChannel + "/" + first; ref.Link != want {
		t.Errorf("link %q, want %q", ref.Link, want)
	}
	for i, m := range msgs {
		if m.Nonce != PartNonce("sub-7/2024-04-22T08:00", i) || len(m.Nonce) > 25 || !m.EnforceNonce {
			t.Errorf("message %d: nonce %q enforce %v", i, m.Nonce, m.EnforceNonce)
		}
	}
	if msgs[0].Reference != nil {
		t.Error("the first message replies to something")
	}
	if msgs[1].Reference == nil || msgs[1].Reference.MessageID != first || msgs[1].Embeds[0].Title != "More from today" {
		t.Errorf("the thread is not a reply to the digest: %+v", msgs[1])
	}
	// The link lookup is cached.
	if _, err := p.Post(deliveryCtx("x"), testChannel, infoResponse()); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests("GET", "/channels/"+testChannel)); n != 1 {
		t.Errorf("%d channel lookups, want 1", n)
	}
}

func TestPostSplitsALongAnswer(t *testing.T) {
	f := newFakeDiscord(t)
	p, _ := newTestPlatform(t, f, nil)
	if _, err := p.Post(deliveryCtx("d"), testChannel, longResponse()); err != nil {
		t.Fatal(err)
	}
	msgs := sent(t, f)
	if len(msgs) != len(RenderMessages(longResponse())) || len(msgs) < 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	seen := map[string]bool{}
	for i, m := range msgs[1:] {
		if m.Reference == nil || m.Reference.MessageID != "800000000000000000" {
			t.Errorf("part %d is not a reply to the first", i+2)
		}
		if seen[m.Nonce] {
			t.Errorf("part %d reuses a nonce", i+2)
		}
		seen[m.Nonce] = true
	}
}

func TestPost429HonoursRetryAfterWithTheSameNonce(t *testing.T) {
	f := newFakeDiscord(t)
	f.onMessage = func(n int, body []byte) (int, string) {
		if n == 0 {
			return http.StatusTooManyRequests, `{"message":"You are being rate limited.","retry_after":1.5,"global":false}`
		}
		return 200, ""
	}
	p, _ := newTestPlatform(t, f, nil)
	var mu sync.Mutex
	var waits []time.Duration
	p.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return nil
	}
	if _, err := p.Post(deliveryCtx("delivery-1"), testChannel, meetingsResponse()); err != nil {
		t.Fatal(err)
	}
	if len(waits) != 1 || waits[0] != 1500*time.Millisecond {
		t.Errorf("waits %v, want [1.5s] from retry_after", waits)
	}
	msgs := sent(t, f)
	if len(msgs) != 2 || msgs[0].Nonce != msgs[1].Nonce || msgs[0].Nonce == "" {
		t.Fatalf("the retry must carry the same nonce: %+v", msgs)
	}
}

func TestPostRetriedDeliveryReusesNonces(t *testing.T) {
	f := newFakeDiscord(t)
	p, _ := newTestPlatform(t, f, nil)
	for i := 0; i < 2; i++ {
		if _, err := p.Post(deliveryCtx("sub-9/2024-04-23T07:30"), testChannel, digestResponse()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.Post(deliveryCtx("sub-9/2024-04-24T07:30"), testChannel, digestResponse()); err != nil {
		t.Fatal(err)
	}
	m := sent(t, f)
	if m[0].Nonce != m[2].Nonce || m[1].Nonce != m[3].Nonce {
		t.Error("a retried delivery carries different nonces")
	}
	if m[0].Nonce == m[4].Nonce {
		t.Error("another delivery carries the same nonce")
	}
	// Without a delivery nonce, each Post still gets one.
	if _, err := p.Post(context.Background(), testChannel, infoResponse()); err != nil {
		t.Fatal(err)
	}
	if last := sent(t, f); last[len(last)-1].Nonce == "" {
		t.Error("a post without a delivery nonce has none")
	}
}

func TestPostClassifiesFailures(t *testing.T) {
	for _, tc := range []struct {
		name      string
		status    int
		body      string
		reason    string
		permanent bool
		attempts  int
	}{
		{"missing access", 403, `{"message":"Missing Access","code":50001}`, "missing_access", true, 1},
		{"missing permissions", 403, `{"message":"Missing Permissions","code":50013}`, "missing_permissions", true, 1},
		{"unknown channel", 404, `{"message":"Unknown Channel","code":10003}`, "unknown_channel", true, 1},
		{"revoked token", 401, `{"message":"401: Unauthorized","code":0}`, "unauthorized", true, 1},
		{"server error", 500, `{"message":"internal","code":0}`, "server_error", false, 3},
		{"bad request", 400, `{"message":"Invalid Form Body","code":50035}`, "rejected", false, 1},
		{"rate limited forever", 429, `{"message":"slow down","retry_after":0.2,"global":false}`, "rate_limited", false, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDiscord(t)
			f.onMessage = func(int, []byte) (int, string) { return tc.status, tc.body }
			p, _ := newTestPlatform(t, f, func(c *Config) { c.PostRetries = 2 })
			_, err := p.Post(deliveryCtx("d"), testChannel, meetingsResponse())
			var pe *bot.PostError
			if !errors.As(err, &pe) {
				t.Fatalf("want a *bot.PostError, got %v", err)
			}
			if pe.Reason != tc.reason || pe.Permanent != tc.permanent || bot.IsPermanent(err) != tc.permanent {
				t.Errorf("got %s permanent=%v, want %s permanent=%v (%v)", pe.Reason, pe.Permanent, tc.reason, tc.permanent, err)
			}
			if n := len(f.requests("POST", "/messages")); n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
		})
	}
}

func TestPostTotalWaitIsBounded(t *testing.T) {
	f := newFakeDiscord(t)
	f.onMessage = func(int, []byte) (int, string) {
		return 429, `{"message":"slow down","retry_after":4,"global":false}`
	}
	p, _ := newTestPlatform(t, f, func(c *Config) { c.PostRetries = 10; c.PostMaxWait = 9 * time.Second })
	var total time.Duration
	p.sleep = func(ctx context.Context, d time.Duration) error { total += d; return nil }
	_, err := p.Post(deliveryCtx("d"), testChannel, meetingsResponse())
	var pe *bot.PostError
	if !errors.As(err, &pe) || pe.Reason != "rate_limited" || pe.RetryAfter != 4*time.Second {
		t.Fatalf("want rate_limited with RetryAfter 4s, got %v", err)
	}
	if total != 8*time.Second || len(f.requests("POST", "/messages")) != 3 {
		t.Errorf("waited %v over %d attempts; want 8s over 3 (the bound is 9s)", total, len(f.requests("POST", "/messages")))
	}
}

func TestPostRefusesBadInput(t *testing.T) {
	f := newFakeDiscord(t)
	p, _ := newTestPlatform(t, f, nil)
	if _, err := p.Post(context.Background(), "general", meetingsResponse()); !bot.IsPermanent(err) {
		t.Errorf("a channel name instead of an id: %v", err)
	}
	noToken, _ := newTestPlatform(t, f, func(c *Config) { c.BotToken = ""; c.PublicKey = newSigner(t).publicHex() })
	if _, err := noToken.Post(context.Background(), testChannel, meetingsResponse()); !bot.IsPermanent(err) || !strings.Contains(err.Error(), "bot token") {
		t.Errorf("posting without a token: %v", err)
	}
	if len(f.requests("POST", "")) != 0 {
		t.Error("bad input reached Discord")
	}
}

// TestTokensNeverLeak provokes failures whose raw errors carry the bot
// token (a server echoing the Authorization header) or an interaction
// token (in webhook URLs), and checks errors and logs.
func TestTokensNeverLeak(t *testing.T) {
	f := newFakeDiscord(t)
	f.onMessage = func(int, []byte) (int, string) {
		return 401, fmt.Sprintf(`{"message":"invalid authorization Bot %s","code":0}`, testToken)
	}
	p, logs := newTestPlatform(t, f, nil)
	_, err := p.Post(deliveryCtx("d"), testChannel, meetingsResponse())
	if err == nil {
		t.Fatal("want an error")
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", errors.Unwrap(err))} {
		if strings.Contains(s, testToken) {
			t.Errorf("the bot token is in the error: %s", s)
		}
	}

	// A deferred answer whose webhook calls fail on the network: the
	// error names a URL holding the interaction token.
	s := newSigner(t)
	dead, deadLogs := newTestPlatform(t, f, func(c *Config) {
		c.PublicKey = s.publicHex()
		c.RESTBaseURL = "http://127.0.0.1:1"
		c.AnswerBudget = time.Millisecond
	})
	release := make(chan struct{})
	h := &recordingHandler{fn: func(context.Context, commands.Request) (commands.Response, error) {
		<-release
		return meetingsResponse(), nil
	}}
	i, err := DecodeInteraction(commandPayload(2, []opt{sub("meetings")}, nil))
	if err != nil {
		t.Fatal(err)
	}
	var initial []byte
	go func() { time.Sleep(5 * time.Millisecond); close(release) }()
	dead.answer(context.Background(), i, h, func(v any, _ bool) error {
		initial, _ = encodeJSON(v)
		return nil
	})
	if !strings.HasPrefix(string(initial), `{"type":5`) {
		t.Fatalf("want a deferral, got %s", initial)
	}
	for name, l := range map[string]string{"post": logs.String(), "deferred": deadLogs.String()} {
		if strings.Contains(l, testToken) || strings.Contains(l, testInteractionToken) {
			t.Errorf("%s log holds a token:\n%s", name, l)
		}
	}
	if !strings.Contains(deadLogs.String(), "editing the deferred response") {
		t.Errorf("the failed edit was not logged:\n%s", deadLogs.String())
	}
}

// responseRecorder is a minimal http.ResponseWriter for in-process calls.
type responseRecorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *responseRecorder) Header() http.Header { return r.header }

func (r *responseRecorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}

func (r *responseRecorder) WriteHeader(s int) { r.status = s }
