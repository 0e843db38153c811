// Package consoletest checks rendered console answers against golden files.
// The console's own tests use it for hand-built responses; tests elsewhere
// (the seed corpus answers) use it for real ones.
package consoletest

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/commands"
)

// Width is the width golden files are rendered at.
const Width = 80

var sgr = regexp.MustCompile("\x1b\\[[0-9;]*m")

// StripANSI removes the console's style sequences from s.
func StripANSI(s string) string { return sgr.ReplaceAllString(s, "") }

// Golden renders r plain and coloured at Width and compares the results
// with dir/name.golden and dir/name.color.golden (escape characters written
// as \e so the file can be read). With update it rewrites both files
// instead. It also checks what must hold for any response: the plain text
// has no control characters but newlines, the coloured text is the plain
// text plus styles, and no line is wider than Width unless it is a single
// word that cannot be wrapped.
func Golden(t testing.TB, dir, name string, r commands.Response, update bool) {
	t.Helper()
	plain := console.Render(r, console.RenderOptions{Width: Width})
	color := console.Render(r, console.RenderOptions{Width: Width, Color: true})
	CheckInvariants(t, plain, color, Width)
	compare(t, filepath.Join(dir, name+".golden"), plain, update)
	compare(t, filepath.Join(dir, name+".color.golden"), strings.ReplaceAll(color, "\x1b", `\e`), update)
}

// CheckInvariants checks a plain and a coloured rendering of one response.
func CheckInvariants(t testing.TB, plain, color string, width int) {
	t.Helper()
	if !strings.HasSuffix(plain, "\n") {
		t.Errorf("rendering does not end with a newline: %q", plain)
	}
	for i, r := range plain {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("plain rendering has control character %U at byte %d: %q", r, i, plain)
			break
		}
	}
	if !utf8.ValidString(plain) {
		t.Errorf("plain rendering is not valid UTF-8: %q", plain)
	}
	if got := StripANSI(color); got != plain {
		t.Errorf("coloured rendering without its styles differs from the plain one:\ncoloured: %q\nplain:    %q", got, plain)
	}
	if strings.Count(color, "\x1b") != 2*strings.Count(color, "\x1b[0m") {
		t.Errorf("coloured rendering opens styles it does not close: %q", color)
	}
	for _, line := range strings.Split(strings.TrimSuffix(color, "\n"), "\n") {
		if strings.Count(line, "\x1b")%2 != 0 {
			t.Errorf("a style runs past the end of a line: %q", line)
		}
	}
	for _, line := range strings.Split(strings.TrimSuffix(plain, "\n"), "\n") {
		if strings.HasSuffix(line, " ") {
			t.Errorf("line ends in a space: %q", line)
		}
		if n := utf8.RuneCountInString(line); n > width && len(strings.Fields(strings.Trim(line, " │•"))) > 1 {
			// Only a single overlong word may pass the width. Runes
			// approximate columns here; the renderer counts wide characters
			// as two.
			t.Errorf("line is %d characters, wider than %d: %q", n, width, line)
		}
	}
}

func compare(t testing.TB, path, got string, update bool) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs from the renderer's output (go test -update rewrites it after review):\n%s", path, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(no line differs; line endings?)"
}
