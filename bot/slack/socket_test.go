package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/commands"
)

// fakeSocketSlack is Slack's Socket Mode on loopback: apps.connections.open
// on a fake Web API returns a ws:// URL served by the same server.
type fakeSocketSlack struct {
	srv       *httptest.Server
	opens     atomic.Int32
	openReply string // JSON body of apps.connections.open; "" means ok with the ws URL
	onConnect func(c *websocket.Conn)
}

func newFakeSocketSlack(t *testing.T, onConnect func(c *websocket.Conn)) *fakeSocketSlack {
	f := &fakeSocketSlack{onConnect: onConnect}
	up := websocket.Upgrader{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		f.opens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Bearer "+testAppToken {
			_, _ = io.WriteString(w, `{"ok":false,"error":"not_authed"}`)
			return
		}
		if f.openReply != "" {
			_, _ = io.WriteString(w, f.openReply)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(f.srv.URL, "http") + "/link/?ticket=SECRETTICKET"})
	})
	mux.HandleFunc("GET /link/", func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		f.onConnect(c)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func socketPlatform(t *testing.T, f *fakeSocketSlack, cfg Config) (*Platform, *logBuffer) {
	cfg.AppToken = testAppToken
	cfg.APIURL = f.srv.URL + "/"
	return newTestPlatform(t, cfg)
}

// readAck reads the next message from the client and decodes it.
func readAck(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Errorf("reading ack: %v", err)
		return nil
	}
	return m
}

func slashEnvelope(id, text, responseURL string) map[string]any {
	return map[string]any{
		"envelope_id": id, "type": "slash_commands", "accepts_response_payload": true,
		"payload": map[string]any{
			"token": "x", "team_id": "T0001", "team_domain": "example", "channel_id": "C2147483705", "channel_name": "news",
			"user_id": "U2147483697", "user_name": "steve", "command": "/brief", "text": text, "api_app_id": "A1",
			"is_enterprise_install": "false", "response_url": responseURL, "trigger_id": "1.2.3",
		},
	}
}

func TestSocketModeAcksEveryEnvelopeAndStopsOnLinkDisabled(t *testing.T) {
	acks := make(chan map[string]any, 8)
	f := newFakeSocketSlack(t, func(c *websocket.Conn) {
		_ = c.WriteJSON(map[string]any{"type": "hello", "num_connections": 1})
		_ = c.WriteJSON(slashEnvelope("env-1", "meetings campbell", "https://hooks.slack.com/commands/T0001/1/x"))
		acks <- readAck(t, c)
		_ = c.WriteJSON(map[string]any{"envelope_id": "env-2", "type": "events_api", "payload": map[string]any{"event": map[string]any{"type": "app_mention"}}})
		acks <- readAck(t, c)
		_ = c.WriteJSON(map[string]any{"envelope_id": "env-3", "type": "interactive", "payload": map[string]any{"type": "block_actions"}})
		acks <- readAck(t, c)
		_ = c.WriteJSON(map[string]any{"type": "disconnect", "reason": "link_disabled", "debug_info": map[string]any{"host": "applink-1"}})
		_, _, _ = c.ReadMessage() // until the client closes
	})
	p, logs := socketPlatform(t, f, Config{})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return meetingsResponse(), nil
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := p.Serve(ctx, h)
	var fatal *fatalSocketError
	if !errors.As(err, &fatal) || fatal.reason != "link_disabled" {
		t.Fatalf("Serve = %v, want the fatal link_disabled error", err)
	}
	if ctx.Err() != nil {
		t.Fatal("Serve only returned at the test timeout")
	}
	close(acks)
	var got []map[string]any
	for a := range acks {
		got = append(got, a)
	}
	if len(got) != 3 {
		t.Fatalf("%d acks, want 3", len(got))
	}
	if got[0]["envelope_id"] != "env-1" {
		t.Fatalf("first ack %v", got[0])
	}
	payload, _ := got[0]["payload"].(map[string]any)
	if payload["response_type"] != "in_channel" || len(blocksOf(payload)) == 0 {
		t.Fatalf("slash command ack payload %v, want the in-channel answer", payload)
	}
	for i, id := range []string{"env-2", "env-3"} {
		if got[i+1]["envelope_id"] != id || got[i+1]["payload"] != nil {
			t.Fatalf("ack %d = %v, want a bare ack of %s", i+2, got[i+1], id)
		}
	}
	if req := h.last(); req.Command != "meetings" || req.Option("name") != "campbell" || req.Workspace != "T0001" {
		t.Fatalf("request %+v", req)
	}
	if n := f.opens.Load(); n != 1 {
		t.Fatalf("%d connections, want 1 (no reconnect after link_disabled)", n)
	}
	l := logs.String()
	if !strings.Contains(l, "link_disabled") || !strings.Contains(l, "not reconnecting") || !strings.Contains(l, "Socket Mode") {
		t.Fatalf("no clear log line for link_disabled:\n%s", l)
	}
	if strings.Contains(l, testAppToken) || strings.Contains(l, testBotToken) || strings.Contains(l, "SECRETTICKET") {
		t.Fatalf("secret in log:\n%s", l)
	}
}

func TestSocketModeSlowAnswerGoesToResponseURL(t *testing.T) {
	ru := newFakeResponseURL(t)
	release := make(chan struct{})
	ack := make(chan map[string]any, 1)
	f := newFakeSocketSlack(t, func(c *websocket.Conn) {
		_ = c.WriteJSON(map[string]any{"type": "hello"})
		_ = c.WriteJSON(slashEnvelope("env-slow", "timeline", ru.url()))
		ack <- readAck(t, c)
		close(release)
		_, _, _ = c.ReadMessage()
	})
	p, _ := socketPlatform(t, f, Config{AnswerBudget: 50 * time.Millisecond, ResponseURLAllow: []string{ru.srv.URL + "/"}})
	h := &countingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return timelineResponse(), nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, h) }()
	a := <-ack
	payload, _ := a["payload"].(map[string]any)
	if a["envelope_id"] != "env-slow" || payload["response_type"] != "ephemeral" || !strings.Contains(payload["text"].(string), "Working on it") {
		t.Fatalf("ack %v, want the envelope acked with working-on-it", a)
	}
	select {
	case <-ru.got:
	case <-time.After(10 * time.Second):
		t.Fatal("answer not delivered to response_url")
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel = %v", err)
	}
	if posts := ru.all(); len(posts) != 1 || posts[0]["response_type"] != "in_channel" {
		t.Fatalf("response_url posts %v, want one in-channel answer", posts)
	}
}

func TestSocketModeLargeAnswerGoesToResponseURL(t *testing.T) {
	ru := newFakeResponseURL(t)
	ack := make(chan map[string]any, 1)
	f := newFakeSocketSlack(t, func(c *websocket.Conn) {
		_ = c.WriteJSON(slashEnvelope("env-big", "timeline", ru.url()))
		ack <- readAck(t, c)
		_, _, _ = c.ReadMessage()
	})
	p, _ := socketPlatform(t, f, Config{ResponseURLAllow: []string{ru.srv.URL + "/"}})
	big := manyFactsResponse(40)
	for i := range big.Blocks[0].Items {
		big.Blocks[0].Items[i].Text = strings.Repeat("A long line about the withdrawal. ", 20)
	}
	h := commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) { return big, nil })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, h) }()
	a := <-ack
	if a["envelope_id"] != "env-big" || a["payload"] != nil {
		t.Fatalf("ack %v, want a bare ack (the answer is over Slack's 20 KB ack limit)", a)
	}
	want := len(renderWithThread(big, MaxAnswerMessages))
	for range want {
		select {
		case <-ru.got:
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d of %d response_url posts", len(ru.all()), want)
		}
	}
	cancel()
	<-done
	if n := len(ru.all()); n != want {
		t.Fatalf("%d posts, want %d", n, want)
	}
}

func TestSocketModeReconnectRateIsBounded(t *testing.T) {
	f := newFakeSocketSlack(t, func(c *websocket.Conn) {
		// Disconnect at once, as a broken or overloaded endpoint would.
	})
	p, logs := socketPlatform(t, f, Config{ReconnectMinDelay: 100 * time.Millisecond, ReconnectMaxDelay: 400 * time.Millisecond, StableConnection: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := p.Serve(ctx, commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return commands.Response{}, nil
	})); err != nil {
		t.Fatalf("Serve = %v", err)
	}
	// Pauses are jittered within the upper half of 100, 200, 400, 400, …
	// ms, so 2 s hold at most 12 connections; reconnecting at once would
	// make hundreds.
	n := f.opens.Load()
	t.Logf("%d connections in 2 s", n)
	if n < 3 || n > 12 {
		t.Fatalf("%d connections in 2 s, want between 3 and 12", n)
	}
	if !strings.Contains(logs.String(), "reconnecting") {
		t.Fatal("reconnects not logged")
	}
}

func TestSocketModeFatalTokenError(t *testing.T) {
	f := newFakeSocketSlack(t, func(c *websocket.Conn) {})
	f.openReply = `{"ok":false,"error":"invalid_auth"}`
	p, logs := socketPlatform(t, f, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.Serve(ctx, commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return commands.Response{}, nil
	}))
	var fatal *fatalSocketError
	if !errors.As(err, &fatal) || fatal.reason != "invalid_auth" {
		t.Fatalf("Serve = %v, want a fatal invalid_auth", err)
	}
	if f.opens.Load() != 1 {
		t.Fatalf("%d attempts, want 1", f.opens.Load())
	}
	if l := logs.String(); !strings.Contains(l, "SLACK_APP_TOKEN") || strings.Contains(l, testAppToken) || strings.Contains(err.Error(), testAppToken) {
		t.Fatalf("log should name the variable, never the token:\n%s", l)
	}
}

func TestReconnectGuard(t *testing.T) {
	g := reconnectGuard{min: time.Second, max: 8 * time.Second, stable: time.Minute}
	wantMax := []time.Duration{1, 2, 4, 8, 8, 8}
	for i, w := range wantMax {
		d := g.next(time.Millisecond, 0)
		if d < w*time.Second/2 || d > w*time.Second {
			t.Fatalf("pause %d = %v, want within [%v, %v]", i+1, d, w*time.Second/2, w*time.Second)
		}
	}
	if d := g.next(2*time.Minute, 0); d > 250*time.Millisecond {
		t.Fatalf("after a stable connection the pause is %v, want at most min/4", d)
	}
	if d := g.next(time.Millisecond, 0); d > time.Second {
		t.Fatalf("the count did not start over: %v", d)
	}
	if d := g.next(time.Millisecond, 30*time.Second); d != 30*time.Second {
		t.Fatalf("Retry-After floor ignored: %v", d)
	}
}
