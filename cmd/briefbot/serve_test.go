package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
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

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func envFunc(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func waitHTTP(t *testing.T, u string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s did not come up", u)
}

// TestServeSlackHTTP runs `briefbot serve` in-process with Slack over HTTP
// on loopback: health and readiness answer, a signed slash command gets an
// in-channel Block Kit answer from the seed corpus, a bad signature gets
// 401, and SIGTERM (context cancel) stops everything gracefully. The tokens
// never appear in the logs.
func TestServeSlackHTTP(t *testing.T) {
	addr := freeAddr(t)
	secret := "test-signing-secret-0123456789abcdef"
	token := "xoxb-test-token-never-logged"
	env := map[string]string{
		"DATABASE_URL":         filepath.Join(t.TempDir(), "b.db"),
		"BRIEFBOT_HTTP_ADDR":   addr,
		"SLACK_BOT_TOKEN":      token,
		"SLACK_SIGNING_SECRET": secret,
		"BRIEFBOT_LOG_LEVEL":   "debug",
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envFunc(env), strings.NewReader(""), &stdout, &stderr) }()
	base := "http://" + addr
	waitHTTP(t, base+"/healthz")
	waitHTTP(t, base+"/readyz")

	form := url.Values{"token": {"x"}, "team_id": {"T1"}, "channel_id": {"C1"}, "user_id": {"U1"}, "command": {"/brief"},
		"text": {"meetings"}, "response_url": {"https://hooks.slack.com/commands/T1/1/x"}, "trigger_id": {"1.2.3"}}
	body := form.Encode()
	post := func(sign bool) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		mac := hmac.New(sha256.New, []byte(secret))
		fmt.Fprintf(mac, "v0:%s:%s", ts, body)
		sig := "v0=" + hex.EncodeToString(mac.Sum(nil))
		if !sign {
			sig = "v0=" + strings.Repeat("0", 64)
		}
		req.Header.Set("X-Slack-Request-Timestamp", ts)
		req.Header.Set("X-Slack-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, text := post(true)
	if resp.StatusCode != http.StatusOK || !strings.Contains(text, `"response_type":"in_channel"`) || !strings.Contains(text, "Kurt Campbell") {
		t.Fatalf("signed command: %d %s", resp.StatusCode, text)
	}
	if resp, _ := post(false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("bad signature: %d, want 401", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := stderr.String() + stdout.String()
	for _, secretValue := range []string{token, secret} {
		if strings.Contains(logs, secretValue) {
			t.Errorf("a secret appears in the logs")
		}
	}
	if !strings.Contains(logs, "briefbot stopped") {
		t.Errorf("no clean stop in logs:\n%s", logs)
	}
}

// TestServeDiscordHTTP runs `briefbot serve` with Discord over HTTP
// interactions: /brief is registered against a loopback fake of the REST
// API, a signed PING gets PONG, a signed /brief meetings gets a type 4
// embed, and an altered body gets 401.
func TestServeDiscordHTTP(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var registered int
	rest := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/commands") {
			mu.Lock()
			registered++
			mu.Unlock()
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "[]")
			return
		}
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/commands") {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, "[]")
			return
		}
		w.WriteHeader(http.StatusNotFound)
	}))
	defer rest.Close()
	addr := freeAddr(t)
	token := "discord-test-token-never-logged"
	env := map[string]string{
		"DATABASE_URL":           filepath.Join(t.TempDir(), "d.db"),
		"BRIEFBOT_HTTP_ADDR":     addr,
		"DISCORD_BOT_TOKEN":      token,
		"DISCORD_PUBLIC_KEY":     hex.EncodeToString(pub),
		"DISCORD_APPLICATION_ID": "123456789012345678",
		"DISCORD_API_URL":        rest.URL,
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"serve"}, envFunc(env), strings.NewReader(""), &stdout, &stderr) }()
	base := "http://" + addr
	waitHTTP(t, base+"/readyz")
	send := func(body string, alter bool) (int, string) {
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		sig := ed25519.Sign(priv, []byte(ts+body))
		if alter {
			body += " "
		}
		req, _ := http.NewRequest(http.MethodPost, base+"/discord/interactions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
		req.Header.Set("X-Signature-Timestamp", ts)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp.StatusCode, string(b)
	}
	if code, body := send(`{"type":1,"id":"1","application_id":"123456789012345678","token":"t","version":1}`, false); code != 200 || !strings.Contains(body, `"type":1`) {
		t.Fatalf("PING: %d %s", code, body)
	}
	cmd := `{"type":2,"id":"2","application_id":"123456789012345678","token":"interaction-token","version":1,"guild_id":"9","channel_id":"8",` +
		`"member":{"user":{"id":"7","username":"u"},"permissions":"0"},"data":{"id":"3","name":"brief","type":1,"options":[{"name":"meetings","type":1}]}}`
	code, body := send(cmd, false)
	if code != 200 || !strings.Contains(body, `"type":4`) || !strings.Contains(body, "Kurt Campbell") {
		t.Fatalf("/brief meetings: %d %s", code, body)
	}
	if code, _ := send(cmd, true); code != http.StatusUnauthorized {
		t.Errorf("altered body: %d, want 401", code)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	mu.Lock()
	if registered != 1 {
		t.Errorf("/brief registered %d times, want once at start", registered)
	}
	mu.Unlock()
	if strings.Contains(stderr.String()+stdout.String(), token) {
		t.Error("the bot token appears in the logs")
	}
}
