package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

const (
	testAppID   = "111111111111111111"
	testGuildID = "222222222222222222"
	testChannel = "333333333333333333"
	testUser    = "444444444444444444"
	testToken   = "TEST-BOT-TOKEN.abcdefghijklmnop.qrstuvwxyz0123456789"
	// testInteractionToken is long and unique so that a leak is found by
	// a plain substring search.
	testInteractionToken = "aW50ZXJhY3Rpb246SECRET-INTERACTION-TOKEN-0123456789abcdef"
)

// recorded is one request the fake Discord received.
type recorded struct {
	Method, Path string
	Body         []byte
	Auth         string
}

// fakeDiscord is a loopback stand-in for Discord's REST API (and, when a
// test asks, its Gateway). Platforms reach it through Config.RESTBaseURL,
// that is through Session.Client.
type fakeDiscord struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	reqs     []recorded
	commands map[string][]byte // registered commands by scope path
	// onMessage answers POST /channels/{id}/messages; n counts from 0.
	onMessage func(n int, body []byte) (int, string)
	messages  int
	// gateway scripts the websocket when set.
	gateway func(c *websocket.Conn)
	// override answers any request first when it returns ok.
	override func(method, path string) (status int, body string, ok bool)

	events chan recorded
}

func newFakeDiscord(t *testing.T) *fakeDiscord {
	t.Helper()
	f := &fakeDiscord{t: t, commands: map[string][]byte{}, events: make(chan recorded, 256)}
	mux := http.NewServeMux()
	mux.HandleFunc("/", f.serve)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeDiscord) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gw" || r.URL.Path == "/gw/" {
		f.serveGateway(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	rec := recorded{Method: r.Method, Path: r.URL.Path, Body: body, Auth: r.Header.Get("Authorization")}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	f.mu.Unlock()
	defer func() {
		select {
		case f.events <- rec:
		default: // waitN also polls the record
		}
	}()

	path := strings.TrimPrefix(r.URL.Path, "/api/v9")
	w.Header().Set("Content-Type", "application/json")
	f.mu.Lock()
	override := f.override
	f.mu.Unlock()
	if override != nil {
		if status, resp, ok := override(r.Method, path); ok {
			w.WriteHeader(status)
			io.WriteString(w, resp)
			return
		}
	}
	switch {
	case r.Method == "GET" && path == "/gateway":
		fmt.Fprintf(w, `{"url":"ws://%s/gw"}`, f.srv.Listener.Addr())
	case strings.HasPrefix(path, "/applications/") && strings.HasSuffix(path, "/commands"):
		f.mu.Lock()
		defer f.mu.Unlock()
		switch r.Method {
		case "GET":
			if b, ok := f.commands[path]; ok {
				w.Write(b)
			} else {
				w.Write([]byte("[]"))
			}
		case "PUT":
			f.commands[path] = body
			w.Write(body)
		}
	case r.Method == "POST" && strings.HasPrefix(path, "/interactions/") && strings.HasSuffix(path, "/callback"):
		w.WriteHeader(http.StatusNoContent)
	case strings.HasPrefix(path, "/webhooks/"):
		switch r.Method {
		case "DELETE":
			w.WriteHeader(http.StatusNoContent)
		default:
			fmt.Fprintf(w, `{"id":"900000000000000001","channel_id":%q}`, testChannel)
		}
	case r.Method == "POST" && strings.HasPrefix(path, "/channels/") && strings.HasSuffix(path, "/messages"):
		f.mu.Lock()
		n := f.messages
		f.messages++
		hook := f.onMessage
		f.mu.Unlock()
		status, resp := 200, ""
		if hook != nil {
			status, resp = hook(n, body)
		}
		if resp == "" {
			ch := strings.Split(path, "/")[2]
			resp = fmt.Sprintf(`{"id":"%d","channel_id":%q}`, 800000000000000000+n, ch)
		}
		w.WriteHeader(status)
		io.WriteString(w, resp)
	case r.Method == "GET" && strings.HasPrefix(path, "/channels/"):
		ch := strings.TrimPrefix(path, "/channels/")
		fmt.Fprintf(w, `{"id":%q,"guild_id":%q}`, ch, testGuildID)
	default:
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, `{"message":"404: Not Found","code":0}`)
	}
}

func (f *fakeDiscord) serveGateway(w http.ResponseWriter, r *http.Request) {
	up := websocket.Upgrader{}
	c, err := up.Upgrade(w, r, nil)
	if err != nil {
		f.t.Errorf("gateway upgrade: %v", err)
		return
	}
	defer c.Close()
	if f.gateway != nil {
		f.gateway(c)
	}
}

// requests returns the recorded requests matching method and a path
// substring.
func (f *fakeDiscord) requests(method, pathPart string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.reqs {
		if r.Method == method && strings.Contains(r.Path, pathPart) {
			out = append(out, r)
		}
	}
	return out
}

// waitFor blocks until a request with method and path substring arrives.
func (f *fakeDiscord) waitFor(method, pathPart string) recorded {
	f.t.Helper()
	return f.waitN(method, pathPart, 1)[0]
}

// waitN blocks until n requests with method and path substring arrived.
func (f *fakeDiscord) waitN(method, pathPart string, n int) []recorded {
	f.t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		if rs := f.requests(method, pathPart); len(rs) >= n {
			return rs
		}
		select {
		case <-f.events:
		case <-timeout:
			f.t.Fatalf("%d %s %s request(s) did not reach the fake Discord", n, method, pathPart)
		}
	}
}

// syncBuffer is a log sink safe for concurrent writers and readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixedClock is the time of every test request.
var fixedNow = time.Date(2024, 4, 22, 9, 0, 0, 0, time.UTC)

func fixedClock() briefings.Clock { return briefings.ClockFunc(func() time.Time { return fixedNow }) }

// newTestPlatform returns a platform whose REST calls go to f, with its log
// captured.
func newTestPlatform(t *testing.T, f *fakeDiscord, mod func(*Config)) (*Platform, *syncBuffer) {
	t.Helper()
	cfg := Config{
		BotToken:      testToken,
		ApplicationID: testAppID,
		GuildID:       testGuildID,
		RESTBaseURL:   f.srv.URL,
		Clock:         fixedClock(),
	}
	if mod != nil {
		mod(&cfg)
	}
	logs := &syncBuffer{}
	p, err := New(cfg, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	if err != nil {
		t.Fatal(err)
	}
	p.sleep = func(ctx context.Context, d time.Duration) error { return nil }
	t.Cleanup(p.stop)
	return p, logs
}

// signer signs interactions with a generated key.
type signer struct {
	pub  ed25519.PublicKey
	priv ed25519.PrivateKey
}

func newSigner(t testing.TB) signer {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer{pub: pub, priv: priv}
}

func (s signer) publicHex() string { return hex.EncodeToString(s.pub) }

func (s signer) sign(ts string, body []byte) string {
	return hex.EncodeToString(ed25519.Sign(s.priv, append([]byte(ts), body...)))
}

// signedRequest builds a signed POST to the interactions endpoint.
func (s signer) signedRequest(url string, body []byte) *http.Request {
	ts := strconv.FormatInt(fixedNow.Unix(), 10)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(headerTimestamp, ts)
	req.Header.Set(headerSignature, s.sign(ts, body))
	return req
}

// interaction payloads.

type opt = map[string]any

func commandPayload(typ int, options []opt, member opt) []byte {
	p := map[string]any{
		"id": "555555555555555555", "application_id": testAppID, "type": typ,
		"token": testInteractionToken, "version": 1,
		"guild_id": testGuildID, "channel_id": testChannel, "locale": "en-GB",
		"data": map[string]any{"id": "666666666666666666", "name": "brief", "type": 1, "options": options},
	}
	if member == nil {
		member = opt{"user": opt{"id": testUser, "username": "reader"}, "roles": []string{}, "permissions": "0"}
	}
	p["member"] = member
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return b
}

func sub(name string, options ...opt) opt {
	return opt{"type": 1, "name": name, "options": options}
}

func group(name string, s opt) opt {
	return opt{"type": 2, "name": name, "options": []opt{s}}
}

func str(name, value string) opt { return opt{"type": 3, "name": name, "value": value} }

func boolean(name string, v bool) opt { return opt{"type": 5, "name": name, "value": v} }

// recordingHandler answers with fixed responses and records requests.
type recordingHandler struct {
	mu   sync.Mutex
	reqs []commands.Request
	fn   func(ctx context.Context, req commands.Request) (commands.Response, error)
}

func (h *recordingHandler) Handle(ctx context.Context, req commands.Request) (commands.Response, error) {
	h.mu.Lock()
	h.reqs = append(h.reqs, req)
	h.mu.Unlock()
	return h.fn(ctx, req)
}

func (h *recordingHandler) last(t *testing.T) commands.Request {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.reqs) == 0 {
		t.Fatal("the handler was not called")
	}
	return h.reqs[len(h.reqs)-1]
}

func (h *recordingHandler) calls() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.reqs)
}
