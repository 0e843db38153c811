package console_test

import (
	"flag"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/bot/console/consoletest"
	"github.com/briefbot/briefbot/commands"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current renderer")

// checkGolden compares the plain and coloured renderings of r with
// testdata/<name>.golden and testdata/<name>.color.golden.
func checkGolden(t *testing.T, name string, r commands.Response) {
	t.Helper()
	consoletest.Golden(t, "testdata", name, r, *update)
}

func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name string
		resp commands.Response
	}{
		{"meetings", meetingsResponse()},
		{"status", statusResponse()},
		{"timeline", timelineResponse()},
		{"help", helpResponse()},
		{"error", errorResponse()},
		{"digest_thread", digestResponse()},
		{"hostile", hostileResponse()},
		{"text_only", commands.Response{Kind: commands.KindInfo, Text: "Subscribed: this channel gets a digest at 08:00 Europe/Berlin on weekdays."}},
		{"empty", commands.Response{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { checkGolden(t, tc.name, tc.resp) })
	}
}

func TestRenderNeutralizesControlCharacters(t *testing.T) {
	for _, color := range []bool{false, true} {
		out := console.Render(hostileResponse(), console.RenderOptions{Color: color, Width: 80})
		plain := consoletest.StripANSI(out)
		for _, bad := range []string{"\x1b", "\x07", "\x08", "\x00", "\x7f", "\r", "\u009b", "\u202e", "\u202c", "\t"} {
			if strings.Contains(plain, bad) {
				t.Errorf("color=%v: output keeps %q:\n%q", color, bad, out)
			}
		}
		if color {
			// Only the renderer's own SGR sequences remain.
			rest := strings.NewReplacer("\x1b[0m", "", "\x1b[1m", "", "\x1b[2m", "", "\x1b[31m", "").Replace(out)
			if strings.Contains(rest, "\x1b") {
				t.Errorf("foreign escape sequence in coloured output: %q", out)
			}
		}
		for _, want := range []string{"what did Niger want?", "invalid \uFFFD byte", "— Titlelink (2024-04-19): “Quote with bold and a newline.”", "Clear screen, bell"} {
			if !strings.Contains(strings.Join(strings.Fields(plain), " "), want) {
				t.Errorf("color=%v: output lacks %q:\n%s", color, want, plain)
			}
		}
	}
}

func TestRenderKeepsQuotesExact(t *testing.T) {
	c := citeNiger()
	for _, width := range []int{20, 40, 80, 200} {
		out := console.Render(meetingsResponse(), console.RenderOptions{Width: width})
		// Unwrap: join the words back and find the sentence whole.
		joined := strings.Join(strings.Fields(out), " ")
		if !strings.Contains(joined, "“"+c.Quote+"”") {
			t.Errorf("width %d: the quote is not kept word for word:\n%s", width, out)
		}
		if !strings.Contains(joined, "— US agrees to withdraw troops from Niger (2024-04-20): “") {
			t.Errorf("width %d: citation not in the form “— Title (date): quote”:\n%s", width, out)
		}
	}
}

func TestRenderWraps(t *testing.T) {
	tests := []struct {
		name  string
		width int
		resp  commands.Response
	}{
		{"narrow", 20, statusResponse()},
		{"default", 0, digestResponse()},
		{"tiny is raised to MinWidth", 5, meetingsResponse()},
		{"wide", 300, helpResponse()},
		{"huge is lowered to MaxWidth", 1 << 30, helpResponse()},
		{"cjk", 30, commands.Response{Blocks: []commands.Block{{Type: commands.BlockSection, Text: strings.Repeat("尼日尔总理 ", 20)}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := tc.width
			if w == 0 {
				w = console.DefaultWidth
			}
			w = min(max(w, console.MinWidth), console.MaxWidth)
			plain := console.Render(tc.resp, console.RenderOptions{Width: tc.width})
			color := console.Render(tc.resp, console.RenderOptions{Width: tc.width, Color: true})
			consoletest.CheckInvariants(t, plain, color, w)
			for _, line := range strings.Split(plain, "\n") {
				if cols := columns(line); cols > w && len(strings.Fields(strings.Trim(line, " │•—"))) > 1 {
					t.Errorf("line takes %d columns, more than %d: %q", cols, w, line)
				}
			}
		})
	}
}

// columns counts terminal columns, with CJK ideographs as two.
func columns(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x4e00 && r <= 0x9fff {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func TestRenderVisibilityMakesNoDifference(t *testing.T) {
	a := meetingsResponse()
	b := meetingsResponse()
	b.Visibility = commands.Ephemeral
	if console.Render(a, console.RenderOptions{}) != console.Render(b, console.RenderOptions{}) {
		t.Error("an ephemeral response renders differently from an in-channel one")
	}
}

func TestRenderThreadInOrder(t *testing.T) {
	out := console.Render(digestResponse(), console.RenderOptions{Width: 80})
	i1 := strings.Index(out, "Status board")
	i2 := strings.Index(out, "Earlier items (2/3)")
	i3 := strings.Index(out, "Sources (3/3)")
	if i1 < 0 || i2 < i1 || i3 < i2 {
		t.Fatalf("thread entries missing or out of order (%d, %d, %d):\n%s", i1, i2, i3, out)
	}
	for _, line := range strings.Split(out[strings.LastIndex(out[:i2], "\n")+1:], "\n") {
		if line != "" && !strings.HasPrefix(line, "  │") {
			t.Errorf("thread line not indented under a bar: %q", line)
		}
	}
}
