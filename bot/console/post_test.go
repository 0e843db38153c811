package console_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/commands"
)

// chunkWriter records each Write and fails the test if two overlap.
type chunkWriter struct {
	t      *testing.T
	active atomic.Int32
	mu     sync.Mutex
	chunks []string
}

func (w *chunkWriter) Write(p []byte) (int, error) {
	if w.active.Add(1) != 1 {
		w.t.Error("two writes to Out overlapped")
	}
	defer w.active.Add(-1)
	w.mu.Lock()
	w.chunks = append(w.chunks, string(p))
	w.mu.Unlock()
	return len(p), nil
}

func TestPostOutput(t *testing.T) {
	var out syncBuffer
	c := console.New(console.Config{Out: &out, Clock: fixedClock(), Width: 80}, nil)
	ref, err := c.Post(t.Context(), "console", digestResponse())
	if err != nil {
		t.Fatal(err)
	}
	if ref.Platform != "console" || ref.Channel != "console" || ref.ID != "1" {
		t.Errorf("ref = %+v", ref)
	}
	want := "\n── console · Mon 2 Nov 08:00 ──\n" + console.Render(digestResponse(), console.RenderOptions{Width: 80}) + "\n"
	if out.String() != want {
		t.Errorf("Post printed\n%q\nwant\n%q", out.String(), want)
	}
	ref, _ = c.Post(t.Context(), "other\x1b[2J", commands.Response{Text: "x"})
	if ref.ID != "2" || !strings.Contains(out.String(), "── other · Mon") {
		t.Errorf("second post: ref %+v, output %q", ref, out.String())
	}
}

func TestPostErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	c := console.New(console.Config{Out: &syncBuffer{}}, nil)
	var pe *bot.PostError
	if _, err := c.Post(ctx, "console", digestResponse()); !errors.As(err, &pe) || pe.Permanent || !errors.Is(err, context.Canceled) {
		t.Errorf("Post on an ended context = %v", err)
	}
	c = console.New(console.Config{Out: failingWriter{}}, nil)
	if _, err := c.Post(t.Context(), "console", digestResponse()); !errors.As(err, &pe) || pe.Reason != "write_failed" || pe.Permanent {
		t.Errorf("Post on a broken Out = %v", err)
	}
}

// TestPostWhileServing posts digests from several goroutines while a
// session answers commands: every write is one whole answer or one whole
// digest (run with -race).
func TestPostWhileServing(t *testing.T) {
	const commandsN, posters, postsEach = 40, 4, 10
	inR, inW := io.Pipe()
	w := &chunkWriter{t: t}
	c := console.New(console.Config{In: inR, Out: w, Clock: fixedClock(), Width: 80}, nil)
	h := &fakeHandler{}
	done := make(chan error, 1)
	go func() { done <- c.Serve(t.Context(), h) }()
	go func() {
		for i := 0; i < commandsN; i++ {
			_, _ = io.WriteString(inW, "meetings\n")
		}
		inW.Close()
	}()
	var wg sync.WaitGroup
	ids := make(chan string, posters*postsEach)
	for p := 0; p < posters; p++ {
		wg.Go(func() {
			for i := 0; i < postsEach; i++ {
				ref, err := c.Post(t.Context(), "console", digestResponse())
				if err != nil {
					t.Error(err)
					return
				}
				ids <- ref.ID
			}
		})
	}
	wg.Wait()
	close(ids)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("message id %s given twice", id)
		}
		seen[id] = true
	}
	answer := console.Render(meetingsResponse(), console.RenderOptions{Width: 80}) + "\n"
	digest := "\n── console · Mon 2 Nov 08:00 ──\n" + console.Render(digestResponse(), console.RenderOptions{Width: 80}) + "\n"
	var answers, digests int
	for _, ch := range w.chunks {
		switch ch {
		case answer:
			answers++
		case digest:
			digests++
		default:
			t.Errorf("a write is neither a whole answer nor a whole digest:\n%q", ch)
		}
	}
	if answers != commandsN || digests != posters*postsEach {
		t.Errorf("%d answers and %d digests; want %d and %d", answers, digests, commandsN, posters*postsEach)
	}
}

// waitFor polls until cond holds; the deadline only guards against a hang.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestPostInteractive drives line editing through pipes: a digest posted
// while a line is half typed appears, and the prompt with the half-typed
// line is drawn again under it; the line then completes normally.
func TestPostInteractive(t *testing.T) {
	inR, inW := io.Pipe()
	defer inW.Close()
	var out, errOut syncBuffer
	c := console.New(console.Config{In: inR, Out: &out, Err: &errOut, Clock: fixedClock(), Width: 80, Interactive: console.Always, Prompt: "brief> "}, nil)
	if !c.Interactive() {
		t.Fatal("Interactive: Always did not turn line editing on")
	}
	h := &fakeHandler{}
	done := make(chan error, 1)
	go func() { done <- c.Serve(t.Context(), h) }()

	waitFor(t, "the banner and prompt", func() bool {
		return strings.Contains(out.String(), "briefbot console") && strings.Contains(out.String(), "brief> ")
	})
	_, _ = io.WriteString(inW, "meet")
	waitFor(t, "the typed text to echo", func() bool { return strings.Contains(out.String(), "brief> meet") })

	if _, err := c.Post(t.Context(), "console", digestResponse()); err != nil {
		t.Fatal(err)
	}
	after := func() string {
		s := out.String()
		i := strings.Index(s, "── console · Mon 2 Nov 08:00 ──")
		if i < 0 {
			return ""
		}
		return s[i:]
	}
	waitFor(t, "the prompt redrawn under the digest", func() bool {
		a := after()
		return strings.Contains(a, "Status board") && strings.Contains(a[strings.Index(a, "Status board"):], "brief> meet")
	})

	// A log line through Stderr goes to Err and leaves the prompt under it.
	prompts := strings.Count(out.String(), "brief> meet")
	if _, err := io.WriteString(c.Stderr(), "level=WARN msg=\"tick late\"\n"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "tick late") {
		t.Errorf("Err got %q", errOut.String())
	}
	waitFor(t, "the prompt redrawn after a log line", func() bool { return strings.Count(out.String(), "brief> meet") > prompts })

	_, _ = io.WriteString(inW, "ings campbell\r")
	waitFor(t, "the answer", func() bool { return len(h.requests()) == 1 && strings.Contains(after(), "1 meeting recorded.") })
	if got := h.requests()[0].Text; got != "meetings campbell" {
		t.Errorf("the edited line reached the handler as %q", got)
	}

	_, _ = io.WriteString(inW, "\x04") // Ctrl-D on an empty line
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not end on Ctrl-D")
	}
	// After Serve, Post writes straight to Out again.
	if _, err := c.Post(t.Context(), "console", commands.Response{Text: "after the session"}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "after the session\n\n") {
		t.Errorf("output ends %q", tail(out.String(), 60))
	}
}

func TestInteractiveKeys(t *testing.T) {
	tests := []struct {
		name    string
		keys    string
		handled []string
	}{
		{"ctrl-c discards a line, then ctrl-c on empty ends", "stat\x03help\r\x03", []string{"help"}},
		{"exit", "status\rexit\rmeetings\r", []string{"status"}},
		{"history recall with up arrow", "status\r\x1b[A\r\x04", []string{"status", "status"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inR, inW := io.Pipe()
			defer inW.Close()
			h := &fakeHandler{}
			c := console.New(console.Config{In: inR, Out: &syncBuffer{}, Interactive: console.Always}, nil)
			done := make(chan error, 1)
			go func() { done <- c.Serve(t.Context(), h) }()
			go func() {
				// One key at a time, as a person types.
				for _, k := range splitKeys(tc.keys) {
					if _, err := io.WriteString(inW, k); err != nil {
						return
					}
				}
			}()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Serve did not end")
			}
			var got []string
			for _, r := range h.requests() {
				got = append(got, r.Text)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.handled) {
				t.Errorf("handled %q; want %q", got, tc.handled)
			}
		})
	}
}

// splitKeys splits typed input into keys, keeping escape sequences whole.
func splitKeys(s string) []string {
	var out []string
	for len(s) > 0 {
		n := 1
		if strings.HasPrefix(s, "\x1b[") && len(s) >= 3 {
			n = 3
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}

func TestInteractiveLongPasteRefused(t *testing.T) {
	inR, inW := io.Pipe()
	defer inW.Close()
	var out syncBuffer
	h := &fakeHandler{}
	history := t.TempDir() + "/history"
	c := console.New(console.Config{In: inR, Out: &out, Interactive: console.Always, History: history}, nil)
	done := make(chan error, 1)
	go func() { done <- c.Serve(t.Context(), h) }()
	go func() {
		_, _ = io.WriteString(inW, "ask "+strings.Repeat("w", commands.MaxCommandText+100)+"\rstatus\r\x04")
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not end")
	}
	if reqs := h.requests(); len(reqs) != 1 || reqs[0].Command != "status" {
		t.Errorf("handled %d requests (%v); want only status", len(reqs), reqs)
	}
	if !strings.Contains(out.String(), "That line is too long: the limit is 2000 characters.") {
		t.Errorf("no refusal in the output (%d bytes): …%q", len(out.String()), tail(out.String(), 300))
	}
	if data, err := os.ReadFile(history); err != nil || strings.TrimSpace(string(data)) != "status" {
		t.Errorf("history holds %q (%v); want only the command that ran", data, err)
	}
}

func TestInteractiveHistoryFile(t *testing.T) {
	path := t.TempDir() + "/sub/history"
	run := func(keys string) []string {
		inR, inW := io.Pipe()
		defer inW.Close()
		h := &fakeHandler{}
		c := console.New(console.Config{In: inR, Out: &syncBuffer{}, Interactive: console.Always, History: path}, nil)
		done := make(chan error, 1)
		go func() { done <- c.Serve(t.Context(), h) }()
		go func() { _, _ = io.WriteString(inW, keys) }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Serve did not end")
		}
		var got []string
		for _, r := range h.requests() {
			got = append(got, r.Text)
		}
		return got
	}
	run("status withdrawal\r\rhel\x03meetings campbell\rexit\r")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("history file: %v", err)
	}
	if got := strings.Fields(strings.TrimSpace(string(data))); strings.Join(got, " ") != "status withdrawal meetings campbell" {
		t.Errorf("history file holds %q; want the two commands that ran", data)
	}
	// A new session recalls the last command with the up arrow.
	if got := run("\x1b[A\r\x04"); len(got) != 1 || got[0] != "meetings campbell" {
		t.Errorf("the recalled line ran as %q", got)
	}
}
