package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/briefbot/briefbot/briefings"
)

// chatFakes are loopback fakes of the Slack Web API and the Discord REST
// API. They record the credentials they are sent, so that a test can tell
// the configured tokens were really used.
type chatFakes struct {
	slack, discord *httptest.Server

	mu           sync.Mutex
	slackPosts   []url.Values
	discordPosts []string
	slackAuth    map[string]bool
	discordAuth  map[string]bool
	socketOpens  int
}

func newChatFakes(t *testing.T) *chatFakes {
	t.Helper()
	f := &chatFakes{slackAuth: map[string]bool{}, discordAuth: map[string]bool{}}
	f.slack = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		f.mu.Lock()
		f.slackAuth[r.Header.Get("Authorization")] = true
		if tok := r.PostForm.Get("token"); tok != "" {
			f.slackAuth["Bearer "+tok] = true // chat.postMessage sends it in the form
		}
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/chat.postMessage"):
			f.mu.Lock()
			f.slackPosts = append(f.slackPosts, r.PostForm)
			n := len(f.slackPosts)
			f.mu.Unlock()
			fmt.Fprintf(w, `{"ok":true,"channel":%q,"ts":"1700000000.%06d"}`, r.PostForm.Get("channel"), n)
		case strings.HasSuffix(r.URL.Path, "/apps.connections.open"):
			// Socket Mode never connects: the platform retries and logs.
			f.mu.Lock()
			f.socketOpens++
			f.mu.Unlock()
			w.WriteHeader(http.StatusInternalServerError)
		default:
			io.WriteString(w, `{"ok":false,"error":"unknown_method"}`)
		}
	}))
	t.Cleanup(f.slack.Close)
	f.discord = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.discordAuth[r.Header.Get("Authorization")] = true
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(r.URL.Path, "/commands"):
			io.WriteString(w, "[]")
		case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/messages"):
			f.mu.Lock()
			f.discordPosts = append(f.discordPosts, string(body))
			n := len(f.discordPosts)
			f.mu.Unlock()
			parts := strings.Split(r.URL.Path, "/")
			fmt.Fprintf(w, `{"id":"%d","channel_id":%q,"guild_id":"9","content":""}`, 1000000+n, parts[len(parts)-2])
		case strings.Contains(r.URL.Path, "/webhooks/"):
			fmt.Fprint(w, `{"id":"2000001","channel_id":"8"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Unknown","code":0}`)
		}
	}))
	t.Cleanup(f.discord.Close)
	return f
}

// counts returns the digests posted: top-level messages (not thread
// replies or message references, which continue a long digest).
func (f *chatFakes) counts() (slackPosts, discordPosts int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.slackPosts {
		if p.Get("thread_ts") == "" {
			slackPosts++
		}
	}
	for _, p := range f.discordPosts {
		if !strings.Contains(p, `"message_reference"`) {
			discordPosts++
		}
	}
	return slackPosts, discordPosts
}

// session is `briefbot serve` running in-process.
type session struct {
	base           string
	cancel         context.CancelFunc
	done           chan error
	stdout, stderr *syncBuffer
}

// startServe runs `briefbot serve args...` with env until stop, and waits
// for /readyz.
func startServe(t *testing.T, env map[string]string, args ...string) *session {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{cancel: cancel, done: make(chan error, 1), stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), envFunc(env), strings.NewReader(""), s.stdout, s.stderr)
	}()
	addr := env["BRIEFBOT_HTTP_ADDR"]
	for i, a := range args {
		if a == "--addr" && i+1 < len(args) {
			addr = args[i+1]
		}
	}
	s.base = "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case err := <-s.done:
			t.Fatalf("serve ended before it was ready: %v\n%s", err, s.stderr.String())
		default:
		}
		if resp, err := http.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve did not get ready:\n%s", s.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(30 * time.Second):
		}
	})
	return s
}

// stop ends the session as SIGTERM does and returns serve's error.
func (s *session) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	select {
	case err := <-s.done:
		s.done <- err // for the cleanup
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s")
		return nil
	}
}

// slackForm is a slash command's form.
func slackForm(team, channel, user, text string) string {
	return url.Values{"token": {"deprecated"}, "team_id": {team}, "channel_id": {channel}, "user_id": {user},
		"command": {"/brief"}, "text": {text}, "response_url": {"http://127.0.0.1:9/commands/T1/1/x"}, "trigger_id": {"1.2.3"}}.Encode()
}

// slackSign returns the signature headers of body.
func slackSign(secret, body string, at time.Time) (ts, sig string) {
	ts = strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", ts, body)
	return ts, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// slackCommand posts a signed /brief text and returns the status and body.
func slackCommand(t *testing.T, base, secret, channel, text string) (int, string) {
	t.Helper()
	body := slackForm("T1", channel, "U1", text)
	req, _ := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts, sig := slackSign(secret, body, time.Now())
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// discordInteraction posts a signed interaction and returns the status
// and body.
func discordInteraction(t *testing.T, base string, priv ed25519.PrivateKey, body string) (int, string) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	sig := ed25519.Sign(priv, []byte(ts+body))
	req, _ := http.NewRequest(http.MethodPost, base+"/discord/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	req.Header.Set("X-Signature-Timestamp", ts)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// discordCommand is a /brief interaction with the given options JSON.
func discordCommand(id, options string) string {
	return `{"type":2,"id":"` + id + `","application_id":"123456789012345678","token":"interaction-token-` + id + `","version":1,"guild_id":"9","channel_id":"8",` +
		`"member":{"user":{"id":"7","username":"u"},"permissions":"0"},"data":{"id":"3","name":"brief","type":1,"options":` + options + `}}`
}

// scrape returns /metrics.
func scrape(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, b)
	}
	return string(b)
}

// seriesValue returns the value of one series (name and labels exactly as
// exposed) in a scrape, 0 when absent.
func seriesValue(t *testing.T, scrape, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(scrape, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// serveEnv is a Slack-over-HTTP and Discord-HTTP-interactions
// configuration on loopback fakes.
func serveEnv(t *testing.T, f *chatFakes, pub ed25519.PublicKey) map[string]string {
	return map[string]string{
		"DATABASE_URL":           filepath.Join(t.TempDir(), "b.db"),
		"BRIEFBOT_HTTP_ADDR":     freeAddr(t),
		"SLACK_BOT_TOKEN":        "xoxb-ops-test-token",
		"SLACK_SIGNING_SECRET":   "ops-test-signing-secret",
		"SLACK_API_URL":          f.slack.URL + "/api/",
		"DISCORD_BOT_TOKEN":      "ops-test-discord-token",
		"DISCORD_PUBLIC_KEY":     hex.EncodeToString(pub),
		"DISCORD_APPLICATION_ID": "123456789012345678",
		"DISCORD_API_URL":        f.discord.URL,
		"BRIEFBOT_LOG_FORMAT":    "json",
	}
}

// /metrics, scraped from a running serve, shows the counters moving: a
// signed command adds one to its name and outcome (on either platform),
// a digest posted adds one to digests{state="sent"}, and the histogram
// counts the commands.
func TestServeMetricsMove(t *testing.T) {
	f := newChatFakes(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	env := serveEnv(t, f, pub)
	s := startServe(t, env)
	secret := env["SLACK_SIGNING_SECRET"]

	const (
		meetingsOK = `briefbot_commands_total{command="meetings",outcome="ok"}`
		whoMissing = `briefbot_commands_total{command="who",outcome="user_error"}`
		subscribed = `briefbot_commands_total{command="subscribe",outcome="ok"}`
		sent       = `briefbot_digests_total{state="sent"}`
		latency    = `briefbot_command_duration_seconds_count{command="meetings"}`
	)
	before := scrape(t, s.base)
	for _, series := range []string{sent, `briefbot_digests_total{state="missed"}`, `briefbot_articles_ingested_total{outcome="added"}`} {
		if !strings.Contains(before, series+" 0") {
			t.Errorf("%s does not start at 0", series)
		}
	}
	if !strings.Contains(before, "go_goroutines ") || !strings.Contains(before, "process_resident_memory_bytes ") {
		t.Error("the Go and process collectors are missing")
	}
	if code, body := slackCommand(t, s.base, secret, "C1", "meetings"); code != 200 || !strings.Contains(body, "Kurt Campbell") {
		t.Fatalf("slack meetings: %d %s", code, body)
	}
	mid := scrape(t, s.base)
	if d := seriesValue(t, mid, meetingsOK) - seriesValue(t, before, meetingsOK); d != 1 {
		t.Errorf("one signed meetings command moved %s by %v, want 1", meetingsOK, d)
	}
	if d := seriesValue(t, mid, latency) - seriesValue(t, before, latency); d != 1 {
		t.Errorf("%s moved by %v, want 1", latency, d)
	}
	code, body := discordInteraction(t, s.base, priv, discordCommand("21", `[{"name":"meetings","type":1}]`))
	if code != 200 || !strings.Contains(body, "Kurt Campbell") {
		t.Fatalf("discord meetings: %d %s", code, body)
	}
	if code, body := slackCommand(t, s.base, secret, "C1", "who Nobody Atall"); code != 200 || !strings.Contains(body, "ephemeral") {
		t.Fatalf("slack who: %d %s", code, body)
	}
	if code, body := slackCommand(t, s.base, secret, "C1", "subscribe 08:00 UTC daily"); code != 200 || !strings.Contains(body, "Subscribed") {
		t.Fatalf("slack subscribe: %d %s", code, body)
	}
	if code, body := slackCommand(t, s.base, secret, "C1", "digest now"); code != 200 || !strings.Contains(body, "Digest posted") {
		t.Fatalf("slack digest now: %d %s", code, body)
	}
	after := scrape(t, s.base)
	checks := []struct {
		series string
		want   float64
	}{
		{meetingsOK, 2},
		{whoMissing, 1},
		{subscribed, 1},
		{`briefbot_commands_total{command="digest now",outcome="ok"}`, 1},
		{sent, 1},
	}
	for _, c := range checks {
		if d := seriesValue(t, after, c.series) - seriesValue(t, before, c.series); d != c.want {
			t.Errorf("%s moved by %v, want %v", c.series, d, c.want)
		}
	}
	if n, _ := f.counts(); n != 1 {
		t.Errorf("the Slack fake got %d posts, want the one digest", n)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}
}

// flakyPingStore is a store whose database can be taken down and brought
// back: while down, Ping fails as an unreachable database's would.
type flakyPingStore struct {
	briefings.Store
	down atomic.Bool
}

func (s *flakyPingStore) Ping(ctx context.Context) error {
	if s.down.Load() {
		return errors.New("dial tcp 10.0.0.5:5432: connect: connection refused")
	}
	return s.Store.Ping(ctx)
}

func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// /readyz answers 503 while the database is down, says so without its
// details, logs the cause once, and answers 200 again when it is back;
// /healthz stays 200 throughout (the process is alive).
func TestServeReadyzFollowsDatabase(t *testing.T) {
	f := newChatFakes(t)
	pub, _, _ := ed25519.GenerateKey(nil)
	env := serveEnv(t, f, pub)
	var stdout, stderr syncBuffer
	a := &app{ctx: context.Background(), getenv: envFunc(env), stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt, err := a.openRuntime(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	flaky := &flakyPingStore{Store: rt.store}
	rt.store = flaky
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, rt) }()
	base := "http://" + env["BRIEFBOT_HTTP_ADDR"]
	waitHTTP(t, base+"/readyz")

	flaky.down.Store(true)
	for range 3 {
		code, body := readyz(t, base)
		if code != http.StatusServiceUnavailable || !strings.Contains(body, "the database does not answer") {
			t.Fatalf("database down: /readyz %d %q, want 503", code, body)
		}
		if strings.Contains(body, "10.0.0.5") {
			t.Errorf("/readyz shows the error's details: %q", body)
		}
	}
	if resp, err := http.Get(base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/healthz while the database is down: %v %v", resp, err)
	}
	flaky.down.Store(false)
	if code, body := readyz(t, base); code != http.StatusOK {
		t.Fatalf("database back: /readyz %d %q, want 200", code, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	logs := stderr.String()
	if n := strings.Count(logs, `"msg":"not ready"`); n != 1 {
		t.Errorf("%d 'not ready' log lines for one outage, want 1:\n%s", n, logs)
	}
	if !strings.Contains(logs, "connection refused") || !strings.Contains(logs, `"msg":"ready again"`) {
		t.Errorf("the log lacks the cause or the recovery:\n%s", logs)
	}
}

// trickle starts a signed slash command whose body is sent in two parts:
// the request is in flight until finish sends the rest. The response is
// read into the returned channel.
func trickle(t *testing.T, addr, secret, text string) (finish func(), result <-chan string) {
	t.Helper()
	body := slackForm("T1", "C1", "U1", text)
	ts, sig := slackSign(secret, body, time.Now())
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "POST /slack/commands HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"X-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: %s\r\nContent-Length: %d\r\n\r\n%s", addr, ts, sig, len(body), body[:len(body)/2])
	out := make(chan string, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out <- resp.Status + " " + string(b)
	}()
	return func() { io.WriteString(conn, body[len(body)/2:]) }, out
}

// SIGTERM (the context ending) with a request in flight: the request
// completes with its answer, then serve returns cleanly, within
// BRIEFBOT_SHUTDOWN_TIMEOUT.
func TestServeShutdownFinishesInFlight(t *testing.T) {
	f := newChatFakes(t)
	pub, _, _ := ed25519.GenerateKey(nil)
	env := serveEnv(t, f, pub)
	env["BRIEFBOT_SHUTDOWN_TIMEOUT"] = "10s"
	s := startServe(t, env)
	finish, result := trickle(t, env["BRIEFBOT_HTTP_ADDR"], env["SLACK_SIGNING_SECRET"], "meetings")
	time.Sleep(200 * time.Millisecond) // the server has the headers
	s.cancel()
	time.Sleep(300 * time.Millisecond) // shutdown has begun
	select {
	case err := <-s.done:
		t.Fatalf("serve returned with a request in flight: %v", err)
	default:
	}
	finish()
	select {
	case got := <-result:
		if !strings.HasPrefix(got, "200 OK") || !strings.Contains(got, "Kurt Campbell") {
			t.Fatalf("the in-flight request got %q", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight request got no answer")
	}
	select {
	case err := <-s.done:
		s.done <- err
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return after the in-flight request finished")
	}
	if !strings.Contains(s.stderr.String(), "briefbot stopped") {
		t.Errorf("no clean stop in the log:\n%s", s.stderr.String())
	}
}

// A request that never finishes does not hold the shutdown past
// BRIEFBOT_SHUTDOWN_TIMEOUT: serve returns an error naming the deadline
// well before the server's 15 s read timeout would have freed it.
func TestServeShutdownDeadline(t *testing.T) {
	f := newChatFakes(t)
	pub, _, _ := ed25519.GenerateKey(nil)
	env := serveEnv(t, f, pub)
	env["BRIEFBOT_SHUTDOWN_TIMEOUT"] = "1s"
	s := startServe(t, env)
	_, _ = trickle(t, env["BRIEFBOT_HTTP_ADDR"], env["SLACK_SIGNING_SECRET"], "meetings")
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	err := s.stop(t)
	took := time.Since(start)
	if err == nil || !strings.Contains(err.Error(), "BRIEFBOT_SHUTDOWN_TIMEOUT") {
		t.Fatalf("serve returned %v, want the shutdown deadline error", err)
	}
	if took > 10*time.Second {
		t.Errorf("serve took %s to give up; the deadline is 1s", took)
	}
}

// Flags override the environment, which overrides the file.
func TestServeFlagsOverEnvAndFile(t *testing.T) {
	f := newChatFakes(t)
	pub, _, _ := ed25519.GenerateKey(nil)
	env := serveEnv(t, f, pub)
	fileAddr, envAddr, flagAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	cfgFile := filepath.Join(t.TempDir(), "briefbot.yaml")
	if err := os.WriteFile(cfgFile, []byte("http_addr: "+fileAddr+"\nlog_level: debug\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env["BRIEFBOT_HTTP_ADDR"] = envAddr
	s := startServe(t, env, "--config", cfgFile, "--addr", flagAddr, "--log-level", "warn")
	if s.base != "http://"+flagAddr {
		t.Fatalf("base %s", s.base)
	}
	for _, other := range []string{envAddr, fileAddr} {
		if c, err := net.DialTimeout("tcp", other, time.Second); err == nil {
			c.Close()
			t.Errorf("something listens on %s, the address the flag overrides", other)
		}
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.stderr.String(), `"level":"INFO"`) {
		t.Error("--log-level warn did not override the file's debug")
	}

	// config check reads the same way.
	var out, errOut strings.Builder
	err := run(context.Background(), []string{"config", "check", "--config", cfgFile, "--time-zone", "Europe/Berlin"}, envFunc(env), strings.NewReader(""), &out, &errOut)
	if err != nil {
		t.Fatalf("config check: %v %s", err, errOut.String())
	}
	var got map[string]any
	if err := yaml.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("config check output is not YAML: %v\n%s", err, out.String())
	}
	if got["http_addr"] != envAddr || got["log_level"] != "debug" || got["time_zone"] != "Europe/Berlin" {
		t.Errorf("config check: http_addr %v (env), log_level %v (file), time_zone %v (flag)", got["http_addr"], got["log_level"], got["time_zone"])
	}
}

// config check prints the effective configuration as YAML with secrets
// masked and says which modes run; an invalid one exits 1 with every
// problem named, and a flag's variable explained.
func TestConfigCheck(t *testing.T) {
	env := map[string]string{
		"DATABASE_URL":         "postgres://bot:pg-pass-ABC@db.internal:5432/briefbot",
		"SLACK_BOT_TOKEN":      "xoxb-check-TOKEN1",
		"SLACK_APP_TOKEN":      "xapp-check-TOKEN2",
		"SLACK_SIGNING_SECRET": "check-SECRET3",
		"DISCORD_BOT_TOKEN":    "check.TOKEN4.discord",
	}
	var out, errOut strings.Builder
	if err := run(context.Background(), []string{"config", "check"}, envFunc(env), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("config check: %v\n%s", err, errOut.String())
	}
	text := out.String()
	for _, s := range []string{"pg-pass-ABC", "TOKEN1", "TOKEN2", "SECRET3", "TOKEN4"} {
		if strings.Contains(text+errOut.String(), s) {
			t.Errorf("config check shows %s:\n%s", s, text)
		}
	}
	for _, want := range []string{"# store: postgres (postgres://bot:****@db.internal:5432/briefbot)", "# slack: Socket Mode, and HTTP slash commands",
		"# discord: Gateway", "bot_token: xoxb-****", "http_addr: :8080"} {
		if !strings.Contains(text, want) {
			t.Errorf("config check lacks %q:\n%s", want, text)
		}
	}
	if !strings.Contains(errOut.String(), "the configuration is valid") {
		t.Errorf("stderr: %q", errOut.String())
	}

	env["BRIEFBOT_LOG_LEVEL"] = "loud"
	env["DISCORD_GUILD_ID"] = "my-guild"
	out.Reset()
	errOut.Reset()
	err := run(context.Background(), []string{"config", "check", "--addr", "nowhere"}, envFunc(env), strings.NewReader(""), &out, &errOut)
	if !errors.Is(err, errSilent) {
		t.Fatalf("invalid config check returned %v", err)
	}
	for _, want := range []string{"BRIEFBOT_LOG_LEVEL=\"loud\"", "DISCORD_GUILD_ID=\"my-guild\"", "BRIEFBOT_HTTP_ADDR=\"nowhere\"", "--addr sets BRIEFBOT_HTTP_ADDR"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("the errors lack %q:\n%s", want, errOut.String())
		}
	}
}

// healthcheck exits 0 on 200 and 1 (errSilent, with the reason) on
// anything else, a timeout included; by default it checks the port of
// the configured address on 127.0.0.1.
func TestHealthcheck(t *testing.T) {
	var status atomic.Int32
	status.Store(200)
	hang := make(chan struct{})
	defer close(hang)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
			return
		}
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(status.Load()))
		io.WriteString(w, "body\nsecond line")
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	check := func(env map[string]string, args ...string) (error, string) {
		var out, errOut strings.Builder
		err := run(context.Background(), append([]string{"healthcheck"}, args...), envFunc(env), strings.NewReader(""), &out, &errOut)
		return err, out.String() + errOut.String()
	}
	if err, out := check(map[string]string{"BRIEFBOT_HTTP_ADDR": ":" + port}); err != nil || !strings.Contains(out, "healthy") {
		t.Errorf("healthy via BRIEFBOT_HTTP_ADDR: %v %s", err, out)
	}
	if err, out := check(map[string]string{"PORT": port}); err != nil {
		t.Errorf("healthy via PORT: %v %s", err, out)
	}
	status.Store(503)
	if err, out := check(nil, "--url", srv.URL+"/healthz"); !errors.Is(err, errSilent) || !strings.Contains(out, "503") || strings.Contains(out, "second line") {
		t.Errorf("503: %v %q", err, out)
	}
	if err, out := check(nil, "--url", srv.URL+"/slow", "--timeout", "200ms"); !errors.Is(err, errSilent) || !strings.Contains(out, "did not answer in time") {
		t.Errorf("slow: %v %q", err, out)
	}
	if err, out := check(nil, "--url", "http://"+freeAddr(t)+"/healthz"); !errors.Is(err, errSilent) || !strings.Contains(out, "unhealthy") {
		t.Errorf("nothing listening: %v %q", err, out)
	}
	if err, _ := check(nil, "--url", "file:///etc/passwd"); err == nil {
		t.Error("a file URL was accepted")
	}
}

// The secrets of a full serve session never appear in anything it
// prints: Slack (HTTP commands, and Socket Mode failing to connect) and
// Discord (HTTP interactions) with distinctive tokens, debug logs, signed
// and forged requests, digests posted to the fakes, shutdown, and config
// check (valid and invalid) with a Postgres password.
func TestSecretsNeverPrinted(t *testing.T) {
	f := newChatFakes(t)
	pub, priv, _ := ed25519.GenerateKey(nil)
	secrets := map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-4242-SEKRET-slack-bot-token",
		"SLACK_APP_TOKEN":      "xapp-1-SEKRET-slack-app-token",
		"SLACK_SIGNING_SECRET": "SEKRET-slack-signing-secret-8f3a",
		"DISCORD_BOT_TOKEN":    "SEKRET.discord-bot-token.Zq9",
	}
	const dbPassword = "SEKRET-pg-password"
	env := serveEnv(t, f, pub)
	for k, v := range secrets {
		env[k] = v
	}
	env["BRIEFBOT_LOG_LEVEL"] = "debug"
	var logs strings.Builder

	s := startServe(t, env)
	for _, text := range []string{"meetings", "who Campbell", "status", "subscribe 07:30 Europe/Berlin daily", "digest now", "ingest https://example.org/x", "frobnicate"} {
		if code, body := slackCommand(t, s.base, secrets["SLACK_SIGNING_SECRET"], "C2", text); code != 200 {
			t.Errorf("slack %q: %d %s", text, code, body)
		}
	}
	// A forged request (wrong secret) is refused.
	if code, _ := slackCommand(t, s.base, "not-the-secret", "C2", "meetings"); code != http.StatusUnauthorized {
		t.Errorf("forged slack request: %d", code)
	}
	for i, opts := range []string{`[{"name":"meetings","type":1}]`, `[{"name":"subscribe","type":1,"options":[]}]`,
		`[{"name":"digest","type":2,"options":[{"name":"now","type":1}]}]`} {
		if code, body := discordInteraction(t, s.base, priv, discordCommand(strconv.Itoa(30+i), opts)); code != 200 {
			t.Errorf("discord %s: %d %s", opts, code, body)
		}
	}
	_, otherPriv, _ := ed25519.GenerateKey(nil)
	if code, _ := discordInteraction(t, s.base, otherPriv, discordCommand("40", `[{"name":"meetings","type":1}]`)); code != http.StatusUnauthorized {
		t.Errorf("forged discord request: %d", code)
	}
	// Socket Mode has tried (and failed) to connect at least once.
	deadline := time.Now().Add(10 * time.Second)
	for {
		f.mu.Lock()
		opens := f.socketOpens
		f.mu.Unlock()
		if opens > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	metrics := scrape(t, s.base)
	if err := s.stop(t); err != nil {
		t.Fatalf("serve: %v", err)
	}
	logs.WriteString(s.stdout.String() + s.stderr.String() + metrics)

	// The session really used every credential.
	slackPosts, discordPosts := f.counts()
	if slackPosts < 1 || discordPosts < 1 {
		t.Errorf("digests posted: slack %d, discord %d; want at least one each", slackPosts, discordPosts)
	}
	f.mu.Lock()
	if !f.slackAuth["Bearer "+secrets["SLACK_BOT_TOKEN"]] || !f.slackAuth["Bearer "+secrets["SLACK_APP_TOKEN"]] || !f.discordAuth["Bot "+secrets["DISCORD_BOT_TOKEN"]] {
		t.Errorf("the fakes did not see every token in use: slack %d headers, discord %d", len(f.slackAuth), len(f.discordAuth))
	}
	f.mu.Unlock()

	for _, args := range [][]string{{"config", "check"}, {"config", "check", "--log-level", "loud"}} {
		checkEnv := map[string]string{}
		for k, v := range env {
			checkEnv[k] = v
		}
		checkEnv["DATABASE_URL"] = "postgres://briefbot:" + dbPassword + "@db.internal/briefbot"
		var out, errOut strings.Builder
		run(context.Background(), args, envFunc(checkEnv), strings.NewReader(""), &out, &errOut)
		logs.WriteString(out.String() + errOut.String())
	}
	all := logs.String()
	if !strings.Contains(all, "digest") || !strings.Contains(all, "briefbot stopped") || !strings.Contains(all, "apps.connections.open") {
		t.Fatalf("the captured output is not a full session:\n%s", all)
	}
	for name, v := range secrets {
		for _, part := range []string{v, strings.TrimPrefix(strings.TrimPrefix(v, "xoxb-"), "xapp-")} {
			if strings.Contains(all, part) {
				t.Errorf("%s appears in the output", name)
			}
		}
	}
	if strings.Contains(all, dbPassword) {
		t.Error("the database password appears in the output")
	}
	if n := strings.Count(all, "SEKRET"); n > 0 {
		t.Errorf("%d fragments of secrets appear in the output", n)
	}
}

// dockerfileBuild is the build command of the Dockerfile's build stage.
var dockerfileBuild = regexp.MustCompile(`RUN (CGO_ENABLED=0 go build [^\n]*)`)

// The Dockerfile builds a static binary, runs it as non-root on a
// distroless base with a volume for the SQLite file and a HEALTHCHECK
// through `briefbot healthcheck`; its exact build command, run here,
// gives a binary without an interpreter or shared libraries.
func TestDockerfileStaticBinary(t *testing.T) {
	df, err := os.ReadFile(filepath.Join("..", "..", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(df)
	for _, want := range []string{"FROM golang:1.26", "gcr.io/distroless/static", "USER nonroot", "VOLUME [\"/data\"]", "WORKDIR /data",
		"HEALTHCHECK", `"/briefbot", "healthcheck"`, "DATABASE_URL=/data/briefbot.db", "EXPOSE 8080", `ENTRYPOINT ["/briefbot"]`, `CMD ["serve"]`} {
		if !strings.Contains(text, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	m := dockerfileBuild.FindStringSubmatch(text)
	if m == nil {
		t.Fatal("no CGO_ENABLED=0 go build command in the Dockerfile")
	}
	if testing.Short() {
		t.Skip("building the binary: skipped in -short mode")
	}
	out := filepath.Join(t.TempDir(), "briefbot")
	// The Dockerfile's command, with its output redirected here.
	fields := shellWords(m[1])
	var args []string
	for i := 2; i < len(fields); i++ { // after CGO_ENABLED=0 go
		if fields[i] == "-o" {
			i++
			continue
		}
		args = append(args, fields[i])
	}
	args = append(args[:len(args)-1], "-o", out, args[len(args)-1])
	cmd := exec.Command("go", args...)
	cmd.Dir = filepath.Join("..", "..")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	bin, err := elf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer bin.Close()
	for _, p := range bin.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a dynamic loader (PT_INTERP): it is not static")
		}
	}
	if libs, err := bin.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (%v)", libs, err)
	}
	if syms, err := bin.Symbols(); err == nil && len(syms) > 0 {
		t.Errorf("the binary keeps %d symbols; -s -w strips them", len(syms))
	}
	// The image's HEALTHCHECK command runs: it reports a dead server.
	hc := exec.Command(out, "healthcheck", "--url", "http://"+freeAddr(t)+"/healthz", "--timeout", "1s")
	if b, err := hc.CombinedOutput(); err == nil || !strings.Contains(string(b), "unhealthy") {
		t.Errorf("healthcheck against nothing: %v %s", err, b)
	}
}

// shellWords splits a command line as a shell would for plain words and
// double-quoted parts (enough for the Dockerfile's build command).
func shellWords(s string) []string {
	var (
		out    []string
		cur    strings.Builder
		quoted bool
		inWord bool
	)
	for _, r := range s {
		switch {
		case r == '"':
			quoted = !quoted
			inWord = true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// compose.yaml parses and describes Postgres with two briefbot replicas
// sharing it over HTTP-only platforms, each health-checked.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Build       any               `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   map[string]any    `yaml:"depends_on"`
			Healthcheck struct {
				Test []string `yaml:"test"`
			} `yaml:"healthcheck"`
			Ports   []string `yaml:"ports"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	pg, ok := doc.Services["postgres"]
	if !ok || !strings.HasPrefix(pg.Image, "postgres:") || len(pg.Healthcheck.Test) == 0 {
		t.Fatalf("no health-checked postgres service: %+v", pg)
	}
	replicas := 0
	for name, svc := range doc.Services {
		if !strings.HasPrefix(name, "briefbot") {
			continue
		}
		replicas++
		env := svc.Environment
		if !strings.HasPrefix(env["DATABASE_URL"], "postgres://") || !strings.Contains(env["DATABASE_URL"], "@postgres:5432/") {
			t.Errorf("%s: DATABASE_URL %q does not point at the postgres service", name, env["DATABASE_URL"])
		}
		for _, k := range []string{"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN", "DISCORD_PUBLIC_KEY", "DISCORD_APPLICATION_ID"} {
			if _, ok := env[k]; !ok {
				t.Errorf("%s: no %s placeholder", name, k)
			}
		}
		if _, ok := env["SLACK_APP_TOKEN"]; ok {
			t.Errorf("%s: replicas take Slack over HTTP; SLACK_APP_TOKEN would open Socket Mode on each", name)
		}
		if strings.Join(svc.Healthcheck.Test, " ") != "CMD /briefbot healthcheck" {
			t.Errorf("%s: healthcheck %v", name, svc.Healthcheck.Test)
		}
		if _, ok := svc.DependsOn["postgres"]; !ok {
			t.Errorf("%s does not wait for postgres", name)
		}
	}
	if replicas != 2 {
		t.Errorf("%d briefbot replicas, want 2", replicas)
	}
	di, err := os.ReadFile(filepath.Join("..", "..", ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "*.db", "*.test"} {
		if !strings.Contains(string(di), want) {
			t.Errorf(".dockerignore lacks %s", want)
		}
	}
}
