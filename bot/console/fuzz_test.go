package console

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/briefbot/briefbot/commands"
)

// FuzzInputLines feeds arbitrary bytes through everything a typed or piped
// line goes through: the bounded reader, sanitizing, classification,
// parsing and the rendering of the answer or refusal. Nothing may panic,
// no line may exceed the buffer, the reader must reach the end, and what
// is rendered must carry no control characters.
func FuzzInputLines(f *testing.F) {
	f.Add([]byte("meetings campbell\n/brief status withdrawal\r\nexit\n"))
	f.Add([]byte("meetngs\n\n\n" + strings.Repeat("x", 300) + "\nhelp"))
	f.Add([]byte("ask \"what did Niger want?\n\x1b[2J\x00\xff\xfe\n"))
	f.Add([]byte("subscribe 07:30 Europe/Berlin mon,wed --private\n"))
	f.Add([]byte("/brief\n/briefing\n/brief exit\n\u202e\u2028\n"))
	table := commands.Table()
	const size = 128
	f.Fuzz(func(t *testing.T, data []byte) {
		src := newPlainSource(bytes.NewReader(data), size)
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("the reader did not reach the end after %d lines", i)
			}
			line, err := src.ReadLine()
			if errors.Is(err, io.EOF) {
				break
			}
			if errors.Is(err, errLineTooLong) {
				continue
			}
			if err != nil {
				t.Fatalf("ReadLine: %v", err)
			}
			if len(line) >= size || strings.ContainsRune(line, '\n') {
				t.Fatalf("line of %d bytes (buffer %d) or with a newline: %q", len(line), size, line)
			}
			in := classify(sanitizeInput(line))
			if !utf8.ValidString(in.text) || strings.IndexFunc(in.text, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
				t.Fatalf("command text keeps control characters or bad UTF-8: %q", in.text)
			}
			var resp commands.Response
			switch in.kind {
			case lineTooLong:
				resp = commands.Response{Kind: commands.KindError, Text: tooLongMessage(in.runes)}
			case lineCommand:
				p, err := commands.Parse(table, in.text)
				if err != nil {
					resp = commands.ErrorResponse(t.Context(), nil, err)
				} else {
					resp = commands.Response{Title: p.Spec.Name, Blocks: []commands.Block{{Type: commands.BlockSection, Text: strings.Join(p.Args, " ")}}}
				}
			default:
				continue
			}
			out := Render(resp, RenderOptions{Width: 40, Color: true})
			if strings.Count(out, "\x1b") != 2*strings.Count(out, sgrReset) {
				t.Fatalf("rendered answer has foreign escapes: %q", out)
			}
			plain := Render(resp, RenderOptions{Width: 40})
			if strings.IndexFunc(plain, func(r rune) bool { return (r < 0x20 && r != '\n') || (r >= 0x7f && r <= 0x9f) }) >= 0 {
				t.Fatalf("rendered answer keeps control characters: %q", plain)
			}
		}
	})
}

// FuzzRender renders arbitrary text in every kind of block: no panic, no
// foreign escape sequence, styles closed on every line, and the plain
// rendering equal to the coloured one without its styles.
func FuzzRender(f *testing.F) {
	f.Add("Meetings", "19 Apr 2024", "Kurt Campbell met Ali Lamine Zeine", "“quoted” sentence", 80)
	f.Add("\x1b]0;x\x07t", "\x1b[31m", "a\tb\r\nc", "\u009b2J\u202e", 20)
	f.Add("", "", "", "", 0)
	f.Add("尼日尔", "ラベル", strings.Repeat("word ", 50), strings.Repeat("x", 300), 25)
	f.Fuzz(func(t *testing.T, title, label, text, quote string, width int) {
		if width > 1000 || width < -1000 {
			width %= 1000
		}
		r := commands.Response{
			Title: title,
			Blocks: []commands.Block{
				{Type: commands.BlockHeader, Text: label},
				{Type: commands.BlockSection, Text: text},
				{Type: commands.BlockFacts, Items: []commands.Item{{Label: label, Text: text, Notes: []string{quote}, Citations: []commands.Citation{{Title: title, Quote: quote}}}}, More: label},
				{Type: commands.BlockContext, Text: quote},
				{Type: commands.BlockDivider},
			},
			Sources: []commands.Source{{Title: title, URL: text}},
			Thread:  []commands.Response{{Title: label, Text: text}},
		}
		color := Render(r, RenderOptions{Color: true, Width: width})
		plain := Render(r, RenderOptions{Width: width})
		stripped := strings.NewReplacer(sgrReset, "", styleBold.sgr(), "", styleDim.sgr(), "", styleError.sgr(), "").Replace(color)
		if stripped != plain {
			t.Fatalf("coloured without styles differs from plain:\n%q\n%q", stripped, plain)
		}
		if strings.ContainsRune(plain, 0x1b) || !utf8.ValidString(plain) {
			t.Fatalf("plain rendering keeps ESC or bad UTF-8: %q", plain)
		}
		for _, line := range strings.Split(color, "\n") {
			if strings.Count(line, "\x1b")%2 != 0 {
				t.Fatalf("style runs past the line: %q", line)
			}
		}
	})
}
