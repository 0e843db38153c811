package console

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/commands"
)

func TestClassify(t *testing.T) {
	long := strings.Repeat("x", commands.MaxCommandText)
	tests := []struct {
		line string
		kind lineKind
		text string
	}{
		{"meetings campbell", lineCommand, "meetings campbell"},
		{"/brief meetings campbell", lineCommand, "meetings campbell"},
		{"  /BRIEF   status withdrawal  ", lineCommand, "status withdrawal"},
		{"/brief", lineCommand, ""},
		{"/briefing", lineCommand, "/briefing"},
		{"", lineEmpty, ""},
		{"   ", lineEmpty, ""},
		{"exit", lineExit, "exit"},
		{"QUIT", lineExit, "QUIT"},
		{"/brief exit", lineExit, "exit"},
		{"exit now", lineCommand, "exit now"},
		{"/brief " + long, lineCommand, long},
		{long + "y", lineTooLong, long + "y"},
		{"ask " + strings.Repeat("é", commands.MaxCommandText), lineTooLong, "ask " + strings.Repeat("é", commands.MaxCommandText)},
	}
	for _, tc := range tests {
		got := classify(tc.line)
		if got.kind != tc.kind || got.text != tc.text {
			t.Errorf("classify(%.40q) = kind %d text %.40q; want kind %d text %.40q", tc.line, got.kind, got.text, tc.kind, tc.text)
		}
		if got.runes != utf8.RuneCountInString(got.text) {
			t.Errorf("classify(%.40q): runes %d for a text of %d", tc.line, got.runes, utf8.RuneCountInString(got.text))
		}
	}
}

func TestSanitizeInput(t *testing.T) {
	tests := []struct{ in, want string }{
		{"meetings\tcampbell", "meetings campbell"},
		{"status\x1b[A", "status"},
		{"who\x00 zeine", "who zeine"},
		{"ask \xffwhat", "ask \uFFFDwhat"},
		{"situation \u202echad", "situation chad"},
	}
	for _, tc := range tests {
		if got := sanitizeInput(tc.in); got != tc.want {
			t.Errorf("sanitizeInput(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

// readAll drains a plain source, recording too-long lines as "<too long>".
func readAll(t *testing.T, src *plainSource) []string {
	t.Helper()
	var out []string
	for i := 0; i < 1000; i++ {
		line, err := src.ReadLine()
		switch {
		case errors.Is(err, io.EOF):
			return out
		case errors.Is(err, errLineTooLong):
			out = append(out, "<too long>")
		case err != nil:
			t.Fatalf("ReadLine: %v", err)
		default:
			out = append(out, line)
		}
	}
	t.Fatal("ReadLine never reached the end")
	return nil
}

func TestPlainSource(t *testing.T) {
	tests := []struct {
		name string
		in   string
		size int
		want []string
	}{
		{"lines", "meetings\nstatus\n", 64, []string{"meetings", "status"}},
		{"crlf and no final newline", "meetings\r\nstatus", 64, []string{"meetings", "status"}},
		{"empty lines kept", "\n\nhelp\n", 64, []string{"", "", "help"}},
		{"empty input", "", 64, nil},
		{"over-long line skipped, reading goes on", "help\n" + strings.Repeat("a", 200) + "\nstatus\n", 32, []string{"help", "<too long>", "status"}},
		{"over-long last line", "help\n" + strings.Repeat("a", 200), 32, []string{"help", "<too long>"}},
		{"line exactly at the buffer", strings.Repeat("b", 31) + "\nx\n", 32, []string{strings.Repeat("b", 31), "x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := readAll(t, newPlainSource(strings.NewReader(tc.in), tc.size))
			if strings.Join(got, "|") != strings.Join(tc.want, "|") || len(got) != len(tc.want) {
				t.Errorf("lines = %q; want %q", got, tc.want)
			}
		})
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("device gone") }

func TestPlainSourceReadError(t *testing.T) {
	src := newPlainSource(failingReader{}, 64)
	if _, err := src.ReadLine(); err == nil || errors.Is(err, io.EOF) {
		t.Fatalf("ReadLine = %v; want the read error", err)
	}
	if _, err := src.ReadLine(); !errors.Is(err, io.EOF) {
		t.Fatalf("second ReadLine = %v; want io.EOF", err)
	}
}

func TestCompleter(t *testing.T) {
	cp := completer{names: completionNames(commands.Table())}
	tests := []struct {
		typed string
		want  []string
		n     int
	}{
		{"mee", []string{"tings "}, 3},
		{"/brief mee", []string{"tings "}, 3},
		{"digest ", []string{"now ", "preview "}, 7},
		{"ex", []string{"it "}, 2},
		{"/brief", nil, 0},
		{"zzz", nil, 3},
	}
	for _, tc := range tests {
		got, n := cp.Do([]rune(tc.typed), len([]rune(tc.typed)))
		var gs []string
		for _, g := range got {
			gs = append(gs, string(g))
		}
		if strings.Join(gs, ",") != strings.Join(tc.want, ",") || n != tc.n {
			t.Errorf("complete %q = %q, %d; want %q, %d", tc.typed, gs, n, tc.want, tc.n)
		}
	}
}
