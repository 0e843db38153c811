package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// checkLoopback refuses any address that is not on this machine's
// loopback: the load test sends traffic nowhere else.
func checkLoopback(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q is not host:port such as 127.0.0.1:0", addr)
	}
	if _, err := strconv.Atoi(port); err != nil {
		return fmt.Errorf("-addr %q: the port must be a number", addr)
	}
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q is not a loopback address: the load test only targets 127.0.0.0/8 or [::1] on this machine", addr)
	}
	return nil
}

// fakes are loopback stand-ins for the Slack Web API and the Discord REST
// API, so that serve's start-up (command registration) and any deferred
// answer stay on this machine. They count what they receive.
type fakes struct {
	slack, discord *httptest.Server
	// followUps counts Discord follow-ups and edits (deferred answers),
	// slackPosts Slack Web API calls.
	followUps, slackPosts atomic.Int64
}

func newFakes() *fakes {
	f := &fakes{}
	f.slack = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		f.slackPosts.Add(1)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true,"channel":"C1","ts":"1700000000.000100"}`)
	}))
	f.discord = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.Contains(r.URL.Path, "/commands"):
			io.WriteString(w, "[]")
		case strings.Contains(r.URL.Path, "/webhooks/"):
			f.followUps.Add(1)
			io.WriteString(w, `{"id":"2000001","channel_id":"8"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Unknown","code":0}`)
		}
	}))
	return f
}

func (f *fakes) Close() {
	f.slack.Close()
	f.discord.Close()
}

// credentials are the secrets one run gives serve; they are made fresh
// for each run and never printed.
type credentials struct {
	signingSecret string
	discordPub    ed25519.PublicKey
	discordPriv   ed25519.PrivateKey
}

func newCredentials() (credentials, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return credentials{}, err
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return credentials{}, err
	}
	return credentials{signingSecret: hex.EncodeToString(b), discordPub: pub, discordPriv: priv}, nil
}

// server is a `briefbot serve` process.
type server struct {
	cmd     *exec.Cmd
	base    string
	logPath string
	// exited is closed when the process has exited, with waitErr set.
	exited  chan struct{}
	waitErr error
}

// buildBinary builds cmd/briefbot from the module at repo into dir.
func buildBinary(ctx context.Context, repo, dir string) (string, error) {
	out := filepath.Join(dir, "briefbot")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, "./cmd/briefbot")
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build briefbot: %w\n%s", err, b)
	}
	return out, nil
}

// freeLoopbackAddr returns addr with port 0 replaced by a free port.
func freeLoopbackAddr(addr string) (string, error) {
	host, port, _ := net.SplitHostPort(addr)
	if port != "0" {
		return addr, nil
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// startServer starts `bin serve` on addr over db, with Slack over HTTP and
// Discord HTTP interactions pointed at the fakes, and waits for /readyz.
func startServer(ctx context.Context, bin, addr, db, logDir string, f *fakes, cr credentials, shutdown time.Duration) (*server, error) {
	logPath := filepath.Join(logDir, "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + logDir,
		"DATABASE_URL=" + db,
		"BRIEFBOT_HTTP_ADDR=" + addr,
		"BRIEFBOT_LOG_FORMAT=json",
		"BRIEFBOT_LOG_LEVEL=warn",
		"BRIEFBOT_LOAD_SAMPLE=false",
		"BRIEFBOT_SHUTDOWN_TIMEOUT=" + shutdown.String(),
		"SLACK_BOT_TOKEN=xoxb-loadtest",
		"SLACK_SIGNING_SECRET=" + cr.signingSecret,
		"SLACK_API_URL=" + f.slack.URL + "/api/",
		"DISCORD_BOT_TOKEN=loadtest",
		"DISCORD_PUBLIC_KEY=" + hex.EncodeToString(cr.discordPub),
		"DISCORD_APPLICATION_ID=123456789012345678",
		"DISCORD_API_URL=" + f.discord.URL,
	}
	if gc := os.Getenv("GOGC"); gc != "" {
		env = append(env, "GOGC="+gc)
	}
	if ml := os.Getenv("GOMEMLIMIT"); ml != "" {
		env = append(env, "GOMEMLIMIT="+ml)
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = env
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("start %s serve: %w", bin, err)
	}
	s := &server{cmd: cmd, base: "http://" + addr, logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logFile.Close()
		close(s.exited)
	}()
	deadline := time.Now().Add(2 * time.Minute)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("serve exited before it was ready (%v); its log:\n%s", s.waitErr, tail(logPath, 20))
		case <-ctx.Done():
			s.kill()
			return nil, ctx.Err()
		default:
		}
		if resp, err := client.Get(s.base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("serve was not ready within 2 minutes; its log:\n%s", tail(logPath, 20))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// kill ends the process unless it has exited, and waits for it.
func (s *server) kill() {
	select {
	case <-s.exited:
	default:
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// stop sends SIGTERM and waits for the exit, at most limit; then kills.
// It returns how long the stop took and the exit error.
func (s *server) stop(limit time.Duration) (time.Duration, error) {
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return 0, fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-s.exited:
		return time.Since(start), s.waitErr
	case <-time.After(limit):
		s.cmd.Process.Kill()
		<-s.exited
		return time.Since(start), fmt.Errorf("serve did not exit within %s of SIGTERM; killed", limit)
	}
}

// tail returns the last n lines of a file.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logCounts counts a JSON log's lines by level, and its warnings and
// errors by message.
func logCounts(path string) (levels, messages map[string]int) {
	levels, messages = map[string]int{}, map[string]int{}
	f, err := os.Open(path)
	if err != nil {
		return levels, messages
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil || line.Level == "" {
			levels["other"]++
			continue
		}
		levels[line.Level]++
		if line.Level == "WARN" || line.Level == "ERROR" {
			messages[line.Level+" "+line.Msg]++
		}
	}
	return levels, messages
}

// procSample is one reading of a process's memory and CPU.
type procSample struct {
	at         time.Time
	rss, hwm   int64 // bytes
	cpuSeconds float64
}

// readProc reads /proc/<pid>/status (VmRSS, VmHWM) and /proc/<pid>/stat
// (utime + stime).
func readProc(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		var dst *int64
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			dst = &s.rss
		case strings.HasPrefix(line, "VmHWM:"):
			dst = &s.hwm
		default:
			continue
		}
		fields := strings.Fields(line)
		if len(fields) >= 2 {
			kb, _ := strconv.ParseInt(fields[1], 10, 64)
			*dst = kb << 10
		}
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return s, err
	}
	// The command name may hold spaces: fields count from after ')'.
	if i := bytes.LastIndexByte(stat, ')'); i > 0 {
		f := strings.Fields(string(stat[i+1:]))
		if len(f) > 13 {
			ut, _ := strconv.ParseFloat(f[11], 64)
			st, _ := strconv.ParseFloat(f[12], 64)
			s.cpuSeconds = (ut + st) / 100 // USER_HZ
		}
	}
	return s, nil
}

// machineCPU returns the jiffies the machine's CPUs spent busy and in
// all, from /proc/stat.
func machineCPU() (busy, total float64) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 5 || f[0] != "cpu" {
		return 0, 0
	}
	for i, v := range f[1:] {
		x, _ := strconv.ParseFloat(v, 64)
		total += x
		if i != 3 && i != 4 { // idle, iowait
			busy += x
		}
	}
	return busy, total
}

// sampler reads a process every interval until stopped.
type sampler struct {
	mu      sync.Mutex
	samples []procSample
	stop    chan struct{}
	done    chan struct{}
}

func startSampler(pid int, every time.Duration) *sampler {
	s := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	take := func() {
		if p, err := readProc(pid); err == nil {
			s.mu.Lock()
			s.samples = append(s.samples, p)
			s.mu.Unlock()
		}
	}
	take()
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				take()
			case <-s.stop:
				take()
				return
			}
		}
	}()
	return s
}

// finish stops the sampler and returns its samples.
func (s *sampler) finish() []procSample {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]procSample(nil), s.samples...)
}
