package console_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

var _ bot.Platform = (*console.Console)(nil)

var now = time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)

func fixedClock() briefings.Clock { return briefings.ClockFunc(func() time.Time { return now }) }

// fakeHandler answers from fixtures and records the requests.
type fakeHandler struct {
	mu   sync.Mutex
	reqs []commands.Request
}

func (h *fakeHandler) Handle(ctx context.Context, req commands.Request) (commands.Response, error) {
	h.mu.Lock()
	h.reqs = append(h.reqs, req)
	h.mu.Unlock()
	switch req.Command {
	case "meetings":
		return meetingsResponse(), nil
	case "status":
		return statusResponse(), nil
	case "help":
		return helpResponse(), nil
	case "who":
		switch req.Option("name") {
		case "fail":
			return commands.Response{}, errors.New("database file is locked by /var/db/secret")
		case "forbidden":
			return commands.Response{}, briefings.Errorf(briefings.CodeForbidden, "only admins may look up %s", "forbidden")
		case "panic":
			panic("handler bug")
		case "slow":
			<-ctx.Done()
			return commands.Response{}, ctx.Err()
		case "refused":
			return commands.ErrorResponse(ctx, nil, briefings.Errorf(briefings.CodeNotFound, "No one called refused is known.")), nil
		}
	}
	return commands.Response{Kind: commands.KindInfo, Text: "ok: " + req.Command}, nil
}

func (h *fakeHandler) requests() []commands.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]commands.Request(nil), h.reqs...)
}

// syncBuffer is a bytes.Buffer safe for concurrent use.
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

var refRe = regexp.MustCompile(`ref [A-Z0-9]{6}`)

func TestServeScriptedSession(t *testing.T) {
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer inR.Close()
	script := strings.Join([]string{
		"/brief meetings campbell",
		"status",
		"",
		"   ",
		"meetngs",
		"ask " + strings.Repeat("why ", commands.MaxCommandText/4+1),
		strings.Repeat("z", console.MaxLineBytes+500),
		"who fail",
		"who forbidden",
		"who panic",
		"/brief help",
		"exit",
		"meetings never-read",
	}, "\n") + "\n"
	go func() {
		_, _ = io.WriteString(inW, script)
		inW.Close()
	}()
	var out bytes.Buffer
	var logs syncBuffer
	h := &fakeHandler{}
	c := console.New(console.Config{In: inR, Out: &out, Clock: fixedClock(), Width: 80}, slog.New(slog.NewTextHandler(&logs, nil)))
	if c.Interactive() || c.Color() {
		t.Fatalf("a pipe got line editing (%v) or colour (%v)", c.Interactive(), c.Color())
	}
	if err := c.Serve(t.Context(), h); err != nil {
		t.Fatalf("Serve = %v", err)
	}

	reqs := h.requests()
	var cmds []string
	for _, r := range reqs {
		cmds = append(cmds, r.Command+" "+r.Text)
	}
	want := []string{"meetings meetings campbell", "status status", "who who fail", "who who forbidden", "who who panic", "help help"}
	if strings.Join(cmds, "|") != strings.Join(want, "|") {
		t.Fatalf("handled %q; want %q", cmds, want)
	}
	r := reqs[0]
	if r.Platform != "console" || r.Workspace != "local" || r.Channel != "console" || r.User != "local" || !r.Admin ||
		!r.Now.Equal(now) || r.Option("name") != "campbell" || len(r.Args) != 1 || r.Args[0] != "campbell" {
		t.Errorf("request = %+v", r)
	}

	got := refRe.ReplaceAllString(out.String(), "ref XXXXXX")
	checkTranscript(t, "session", got)
	for _, want := range []string{
		"Did you mean `meetings`?",
		"That line is 2007 characters long; the limit is 2000. Nothing was run",
		"That line is too long: the limit is 2000 characters. Nothing was run",
		"Something went wrong (ref XXXXXX)",
		"only admins may look up forbidden",
	} {
		if !strings.Contains(strings.Join(strings.Fields(got), " "), want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	if strings.Contains(got, "secret") || strings.Contains(got, "handler bug") {
		t.Errorf("internal details reached the user:\n%s", got)
	}
	// Every internal error's ref is in the log with the details.
	for _, ref := range refRe.FindAllString(out.String(), -1) {
		if !strings.Contains(logs.String(), strings.TrimPrefix(ref, "ref ")) {
			t.Errorf("%s is not in the log:\n%s", ref, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "database file is locked") || !strings.Contains(logs.String(), "handler bug") {
		t.Errorf("the log lacks the details:\n%s", logs.String())
	}
}

// checkTranscript compares a session's output with testdata/<name>.transcript.golden.
func checkTranscript(t *testing.T, name, got string) {
	t.Helper()
	path := "testdata/" + name + ".transcript.golden"
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -update rewrites it after review); got:\n%s", path, got)
	}
}

func TestServeEndsWithInput(t *testing.T) {
	tests := []struct {
		name, in string
		answers  int
	}{
		{"end of file", "meetings\nstatus", 2},
		{"exit", "meetings\nexit\nstatus\n", 1},
		{"quit", "quit\nmeetings\n", 0},
		{"empty input", "", 0},
		{"only blank lines", "\n\n\r\n", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeHandler{}
			c := console.New(console.Config{In: strings.NewReader(tc.in)}, nil)
			if err := c.Serve(t.Context(), h); err != nil {
				t.Fatalf("Serve = %v", err)
			}
			if n := len(h.requests()); n != tc.answers {
				t.Errorf("answered %d commands; want %d", n, tc.answers)
			}
		})
	}
}

func TestServeStopsWhenContextEnds(t *testing.T) {
	for _, interactive := range []console.Mode{console.Never, console.Always} {
		t.Run(interactive.String(), func(t *testing.T) {
			inR, inW := io.Pipe()
			defer inW.Close()
			ctx, cancel := context.WithCancel(t.Context())
			c := console.New(console.Config{In: inR, Out: &syncBuffer{}, Interactive: interactive}, nil)
			done := make(chan error, 1)
			go func() { done <- c.Serve(ctx, &fakeHandler{}) }()
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("Serve = %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("Serve did not return after the context ended")
			}
		})
	}
}

func TestServeHandlerTimeout(t *testing.T) {
	var out bytes.Buffer
	c := console.New(console.Config{In: strings.NewReader("who slow\n"), Out: &out, HandlerTimeout: 20 * time.Millisecond}, nil)
	if err := c.Serve(t.Context(), &fakeHandler{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "That took too long") {
		t.Errorf("a timed-out answer shows %q", out.String())
	}
}

func TestServeOnce(t *testing.T) {
	c := console.New(console.Config{}, nil)
	if err := c.Serve(t.Context(), &fakeHandler{}); err != nil {
		t.Fatal(err)
	}
	if err := c.Serve(t.Context(), &fakeHandler{}); err == nil {
		t.Error("a second Serve was accepted")
	}
	if err := console.New(console.Config{}, nil).Serve(t.Context(), nil); err == nil {
		t.Error("Serve accepted a nil handler")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestServeReportsWriteFailure(t *testing.T) {
	c := console.New(console.Config{In: strings.NewReader("meetings\n"), Out: failingWriter{}}, nil)
	if err := c.Serve(t.Context(), &fakeHandler{}); err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Errorf("Serve = %v; want the write error", err)
	}
}

func TestAsk(t *testing.T) {
	tests := []struct {
		name, line string
		ok         bool
		out, err   string
		code       briefings.Code
	}{
		{"answer", "meetings", true, "Kurt Campbell (Deputy Secretary of State,", "", ""},
		{"prefix", "/brief status withdrawal", true, "Status: withdrawal", "", ""},
		{"empty is the summary", "", true, "ok: summary", "", ""},
		{"unknown command", "meetngs", false, "", "Did you mean `meetings`?", briefings.CodeInvalid},
		{"handler error", "who forbidden", false, "", "only admins may look up forbidden", briefings.CodeForbidden},
		{"internal error", "who fail", false, "", "Something went wrong (ref ", briefings.CodeInternal},
		{"error response", "who refused", false, "", "No one called refused is known.", ""},
		{"too long", strings.Repeat("y", commands.MaxCommandText+1), false, "", "the limit is 2000", briefings.CodeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			c := console.New(console.Config{Out: &out, Err: &errOut, Clock: fixedClock()}, nil)
			err := c.Ask(t.Context(), &fakeHandler{}, tc.line)
			if tc.ok {
				if err != nil || !strings.Contains(out.String(), tc.out) || errOut.Len() != 0 {
					t.Fatalf("Ask = %v; out %q; err %q", err, out.String(), errOut.String())
				}
				return
			}
			var ae *console.AnswerError
			if !errors.As(err, &ae) {
				t.Fatalf("Ask = %v; want an *AnswerError", err)
			}
			if out.Len() != 0 {
				t.Errorf("a failed answer wrote to Out: %q", out.String())
			}
			if !strings.Contains(errOut.String(), tc.err) || !strings.Contains(ae.Error(), tc.err) || ae.Code != tc.code {
				t.Errorf("failure %q (code %q), Err got %q; want %q (code %q)", ae.Error(), ae.Code, errOut.String(), tc.err, tc.code)
			}
			if strings.Contains(errOut.String(), "secret") {
				t.Errorf("internal details reached the user: %q", errOut.String())
			}
		})
	}
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		in   string
		want console.Mode
		ok   bool
	}{
		{"", console.Auto, true}, {"auto", console.Auto, true}, {"always", console.Always, true},
		{"ON", console.Always, true}, {"never", console.Never, true}, {"no", console.Never, true},
		{"sometimes", console.Auto, false},
	}
	for _, tc := range tests {
		got, err := console.ParseMode(tc.in)
		if got != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseMode(%q) = %v, %v", tc.in, got, err)
		}
	}
}
