package console

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/briefbot/briefbot/commands"
)

// Rendering limits.
const (
	// DefaultWidth is the wrapping width when the terminal's is unknown.
	DefaultWidth = 100
	// MinWidth is the narrowest width text is wrapped to; narrower requests
	// are raised to it so that indented citations keep a readable column.
	MinWidth = 20
	// MaxWidth is the widest; wider requests are lowered to it.
	MaxWidth = 1000
	// MaxThreadDepth bounds how deeply nested thread entries are indented;
	// deeper entries are printed at this depth.
	MaxThreadDepth = 4
)

// RenderOptions say how a response is drawn.
type RenderOptions struct {
	// Color turns on ANSI styles (bold titles and labels, dim citations).
	// Without it the output contains no escape codes at all.
	Color bool
	// Width is the column at which text is wrapped; zero means DefaultWidth,
	// and it is kept between MinWidth and MaxWidth.
	// Words longer than a line are never cut (a URL stays clickable).
	Width int
}

// style is the look of a run of text.
type style uint8

const (
	stylePlain style = iota
	styleBold
	styleDim
	styleError
)

// sgr returns the ANSI "select graphic rendition" sequence for st.
func (st style) sgr() string {
	switch st {
	case styleBold:
		return "\x1b[1m"
	case styleDim:
		return "\x1b[2m"
	case styleError:
		return "\x1b[31m"
	}
	return ""
}

const sgrReset = "\x1b[0m"

// span is a piece of text in one style.
type span struct {
	text string
	st   style
}

// Render draws r as terminal text: the title in bold, sections wrapped to
// the width, facts as indented lines (bold label, the text, notes indented
// further, citations dim with the quoted sentence kept word for word),
// context dim, dividers as a line, then the sources and the thread entries
// in order, each indented under a bar. Control characters in the response
// (an article could carry ESC sequences) are removed, so only the renderer's
// own styles reach the terminal. Visibility makes no difference on a
// terminal. The result ends with a newline. Render is pure.
func Render(r commands.Response, opts RenderOptions) string {
	w := opts.Width
	if w <= 0 {
		w = DefaultWidth
	}
	w = min(max(w, MinWidth), MaxWidth)
	rr := renderer{color: opts.Color, width: w}
	rr.b.Grow(estimateSize(r))
	rr.response(r, 0)
	return rr.b.String()
}

// estimateSize guesses the output size so the builder grows once or twice.
func estimateSize(r commands.Response) int {
	n := 64 + len(r.Title) + len(r.Text)
	for _, b := range r.Blocks {
		n += len(b.Text) + 8
		for _, it := range b.Items {
			n += len(it.Label) + len(it.Text) + 16
			for _, note := range it.Notes {
				n += len(note) + 8
			}
			for _, c := range it.Citations {
				n += len(c.Title) + len(c.Quote) + 32
			}
		}
	}
	for _, s := range r.Sources {
		n += len(s.Title) + len(s.URL) + 24
	}
	return n + n/8
}

// renderer accumulates lines. prefix is drawn before every line (the bars
// of thread entries); avail is the width left after it.
type renderer struct {
	b      strings.Builder
	color  bool
	width  int
	prefix string
	avail  int
	// blank is set once something was drawn in the current response, so
	// that the next part is separated by an empty line.
	blank bool
	// Buffers reused from line to line.
	pieces []piece
	words  []word
}

// response draws one response at a thread depth.
func (rr *renderer) response(r commands.Response, depth int) {
	bars := min(depth, MaxThreadDepth)
	rr.prefix = strings.Repeat("  │ ", bars)
	rr.avail = max(rr.width-4*bars, MinWidth)
	rr.blank = false
	drawn := rr.b.Len()

	title := oneLine(r.Title)
	if title != "" && (len(r.Blocks) == 0 || r.Blocks[0].Type != commands.BlockHeader) {
		rr.part()
		rr.wrap([]span{{title, styleBold}}, "", "")
	}
	firstSection := true
	for _, b := range r.Blocks {
		switch b.Type {
		case commands.BlockHeader:
			if t := oneLine(b.Text); t != "" {
				rr.part()
				rr.wrap([]span{{t, styleBold}}, "", "")
			}
		case commands.BlockSection:
			t := strings.TrimSpace(clean(b.Text, true))
			if t == "" {
				continue
			}
			st := stylePlain
			if r.Kind == commands.KindError && firstSection {
				st = styleError
			}
			firstSection = false
			rr.part()
			rr.paragraphs(t, st)
		case commands.BlockFacts:
			rr.facts(b)
		case commands.BlockContext:
			if t := strings.TrimSpace(clean(b.Text, true)); t != "" {
				rr.part()
				rr.paragraphs(t, styleDim)
			}
		case commands.BlockDivider:
			rr.part()
			rr.line(strings.Repeat("─", rr.avail), styleDim)
		}
	}
	if len(r.Blocks) == 0 {
		// A text-only response still needs a visible body.
		if t := strings.TrimSpace(clean(r.Text, true)); t != "" {
			st := stylePlain
			if r.Kind == commands.KindError {
				st = styleError
			}
			rr.part()
			rr.paragraphs(t, st)
		}
	}
	rr.sources(r.Sources)
	if rr.b.Len() == drawn {
		rr.line("(empty answer)", styleDim)
	}
	for _, t := range r.Thread {
		// One empty line (with the parent's bars) between parts.
		rr.line("", stylePlain)
		rr.response(t, depth+1)
		rr.prefix = strings.Repeat("  │ ", bars)
		rr.avail = max(rr.width-4*bars, MinWidth)
	}
}

// part starts a new part of the response, after an empty line when
// something came before it.
func (rr *renderer) part() {
	if rr.blank {
		rr.line("", stylePlain)
	}
	rr.blank = true
}

// facts draws a facts block: one bulleted line per item with a hanging
// indent, its notes and citations under it, and the "more" notice.
func (rr *renderer) facts(b commands.Block) {
	started := false
	for _, it := range b.Items {
		label, text := oneLine(it.Label), oneLine(it.Text)
		if label == "" && text == "" {
			continue
		}
		if !started {
			rr.part()
			started = true
		}
		var sp []span
		switch {
		case label != "" && text != "":
			sp = []span{{label + ":", styleBold}, {" " + text, stylePlain}}
		case label != "":
			sp = []span{{label, styleBold}}
		default:
			sp = []span{{text, stylePlain}}
		}
		rr.wrap(sp, "  • ", "    ")
		for _, n := range it.Notes {
			if n = oneLine(n); n != "" {
				rr.wrap([]span{{n, stylePlain}}, "      ", "      ")
			}
		}
		for _, c := range it.Citations {
			if t := citationText(c); t != "" {
				rr.wrap([]span{{t, styleDim}}, "      ", "        ")
			}
		}
	}
	if more := oneLine(b.More); more != "" {
		if !started {
			rr.part()
		}
		if !strings.HasPrefix(more, "…") {
			more = "… " + more
		}
		rr.wrap([]span{{more, styleDim}}, "  ", "    ")
	}
}

// citationText is one citation: "— Title (2024-04-20): “sentence”". The
// sentence is kept whole; only its spacing may change where it is wrapped.
func citationText(c commands.Citation) string {
	name := oneLine(c.Title)
	if name == "" {
		name = oneLine(c.URL)
	}
	if name == "" && oneLine(c.ArticleID) != "" {
		name = "article " + oneLine(c.ArticleID)
	}
	quote := oneLine(c.Quote)
	if name == "" && quote == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("— ")
	b.WriteString(name)
	if !c.Published.IsZero() {
		if name != "" {
			b.WriteByte(' ')
		}
		b.WriteString("(" + formatDate(c.Published) + ")")
	}
	if quote != "" {
		if name != "" || !c.Published.IsZero() {
			b.WriteString(": ")
		}
		b.WriteString("“" + quote + "”")
	}
	return b.String()
}

// sources lists the articles behind the answer, dim.
func (rr *renderer) sources(ss []commands.Source) {
	started := false
	for _, s := range ss {
		name := oneLine(s.Title)
		label := oneLine(s.Label)
		if name == "" {
			name, label = label, ""
		}
		url := oneLine(s.URL)
		if name == "" {
			name, url = url, ""
		}
		if name == "" {
			name = oneLine(s.ArticleID)
		}
		if name == "" {
			continue
		}
		var meta []string
		if label != "" && label != name {
			meta = append(meta, label)
		}
		if !s.Published.IsZero() {
			meta = append(meta, formatDate(s.Published))
		}
		if len(meta) > 0 {
			name += " (" + strings.Join(meta, ", ") + ")"
		}
		if url != "" {
			name += " " + url
		}
		if !started {
			rr.part()
			rr.line("Sources:", styleDim)
			started = true
		}
		rr.wrap([]span{{name, styleDim}}, "  • ", "    ")
	}
}

// paragraphs wraps text paragraph by paragraph, keeping its line breaks.
func (rr *renderer) paragraphs(text string, st style) {
	for p := range strings.SplitSeq(text, "\n") {
		if strings.TrimSpace(p) == "" {
			rr.line("", stylePlain)
			continue
		}
		rr.wrap([]span{{p, st}}, "", "")
	}
}

func formatDate(t time.Time) string {
	var buf [10]byte
	return string(t.UTC().AppendFormat(buf[:0], "2006-01-02"))
}

// piece is part of a word: bytes [from, to) of span si of the text being
// wrapped. It holds no pointers, so filling the buffer is cheap.
type piece struct {
	si, from, to int32
}

// word is a run of non-space characters: pieces[from:to] of the
// renderer's piece buffer, possibly in several styles, and its width in
// columns.
type word struct {
	from, to, width int32
}

// isSpace reports white space, with an ASCII fast path.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == '\v' || r == '\f'
	}
	return unicode.IsSpace(r)
}

// split cuts styled text into words at white space, into the renderer's
// reusable buffers. A word that crosses a style boundary keeps both
// styles.
func (rr *renderer) split(sp []span) {
	rr.pieces = rr.pieces[:0]
	rr.words = rr.words[:0]
	inWord := false
	var cur word
	for si, s := range sp {
		start := 0
		for i, r := range s.text {
			if isSpace(r) {
				if inWord {
					if i > start {
						rr.pieces = append(rr.pieces, piece{int32(si), int32(start), int32(i)})
					}
					cur.to = int32(len(rr.pieces))
					rr.words = append(rr.words, cur)
					inWord = false
				}
				continue
			}
			if !inWord {
				start = i
				inWord = true
				cur = word{from: int32(len(rr.pieces))}
			}
			if r < 0x300 {
				cur.width++
			} else {
				cur.width += int32(runeWidth(r))
			}
		}
		// A word still open at the end of a span continues in the next.
		if inWord && len(s.text) > start {
			rr.pieces = append(rr.pieces, piece{int32(si), int32(start), int32(len(s.text))})
		}
	}
	if inWord {
		cur.to = int32(len(rr.pieces))
		rr.words = append(rr.words, cur)
	}
}

// wrap draws styled text as lines no wider than the available width, the
// first after first and the rest after rest (both plain indents). A word
// wider than a line gets a line of its own and is not cut.
func (rr *renderer) wrap(sp []span, first, rest string) {
	rr.split(sp)
	if len(rr.words) == 0 {
		return
	}
	indent := first
	limit := int32(rr.avail - textWidth(first))
	lineStart, used := 0, int32(0)
	for i, w := range rr.words {
		if used > 0 && used+1+w.width > limit {
			rr.emit(sp, indent, rr.words[lineStart:i])
			indent = rest
			limit = int32(rr.avail - textWidth(rest))
			lineStart, used = i, 0
		}
		if used > 0 {
			used++
		}
		used += w.width
	}
	rr.emit(sp, indent, rr.words[lineStart:])
}

// emit writes one line of words: the thread bars, the indent, then the
// words separated by single spaces. With colour, a style opens where it
// starts and closes before the end of the line, so none leaks into the
// prompt or the next line; the space between two words of one style stays
// inside the style.
func (rr *renderer) emit(sp []span, indent string, ws []word) {
	if rr.prefix != "" {
		rr.styled(rr.prefix, styleDim)
	}
	rr.b.WriteString(indent)
	open := stylePlain
	for wi, w := range ws {
		if wi > 0 {
			if open != stylePlain && sp[rr.pieces[w.from].si].st != open {
				rr.b.WriteString(sgrReset)
				open = stylePlain
			}
			rr.b.WriteByte(' ')
		}
		for _, p := range rr.pieces[w.from:w.to] {
			s := sp[p.si]
			if rr.color && s.st != open {
				if open != stylePlain {
					rr.b.WriteString(sgrReset)
				}
				rr.b.WriteString(s.st.sgr())
				open = s.st
			}
			rr.b.WriteString(s.text[p.from:p.to])
		}
	}
	if open != stylePlain {
		rr.b.WriteString(sgrReset)
	}
	rr.b.WriteByte('\n')
}

// line writes one line of a single style that is never wrapped (a label,
// the divider); an empty text writes an empty line (with the thread bars).
func (rr *renderer) line(text string, st style) {
	if text == "" {
		if p := strings.TrimRight(rr.prefix, " "); p != "" {
			rr.styled(p, styleDim)
		}
		rr.b.WriteByte('\n')
		return
	}
	if rr.prefix != "" {
		rr.styled(rr.prefix, styleDim)
	}
	rr.styled(text, st)
	rr.b.WriteByte('\n')
}

// styled writes text in a style; leading spaces stay outside the style so
// an indent is never dimmed.
func (rr *renderer) styled(text string, st style) {
	if !rr.color || st == stylePlain {
		rr.b.WriteString(text)
		return
	}
	trimmed := strings.TrimLeft(text, " ")
	rr.b.WriteString(text[:len(text)-len(trimmed)])
	if trimmed == "" {
		return
	}
	rr.b.WriteString(st.sgr())
	rr.b.WriteString(trimmed)
	rr.b.WriteString(sgrReset)
}

// oneLine cleans s and folds it to a single line with single spaces.
func oneLine(s string) string {
	s = clean(s, false)
	if !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// clean neutralizes terminal control characters: escape sequences (CSI
// such as colours and cursor moves, OSC such as titles and hyperlinks, and
// the other string controls) are removed whole, as are the remaining C0
// controls (BEL, backspace, NUL …), DEL, the C1 controls (including the
// 8-bit CSI) and the Unicode bidirectional overrides and isolates that
// could make text display differently from what it is. Tabs and other
// spacing controls become spaces; a newline (or a lone carriage return)
// is kept when keepNewlines is set and becomes a space otherwise; invalid
// UTF-8 becomes U+FFFD.
func clean(s string, keepNewlines bool) string {
	if !needsClean(s, keepNewlines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	newline := byte(' ')
	if keepNewlines {
		newline = '\n'
	}
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0x1b || r == 0x9b || r == 0x9d || r == 0x90 || r == 0x98 || r == 0x9e || r == 0x9f:
			i += escapeLen(s[i:])
			continue
		case r == '\n' || r == '\u2028' || r == '\u2029':
			b.WriteByte(newline)
		case r == '\r':
			if i+1 >= len(s) || s[i+1] != '\n' {
				b.WriteByte(newline)
			}
		case r == '\t' || r == '\v' || r == '\f':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			// Dropped: BEL, BS, NUL and the other controls.
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			// Dropped: bidi embeddings, overrides and isolates.
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// needsClean reports whether clean would change s.
func needsClean(s string, keepNewlines bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && !(c == '\n' && keepNewlines) || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1, r <= 0x9f,
			r == '\u2028' || r == '\u2029',
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return true
		}
		i += size
	}
	return false
}

// escapeLen is the length of the escape sequence at the start of s (which
// starts with ESC or a C1 introducer). A well-formed CSI sequence or a
// terminated string control (OSC, DCS, SOS, PM, APC) is measured whole; an
// unterminated or malformed one only by its introducer, so that a stray
// ESC cannot swallow the text after it.
func escapeLen(s string) int {
	r, size := utf8.DecodeRuneInString(s)
	var kind byte // '[' for CSI, ']' for a string control
	n := size
	switch r {
	case 0x1b:
		if len(s) < 2 {
			return 1
		}
		switch c := s[1]; {
		case c == '[':
			kind, n = '[', 2
		case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
			kind, n = ']', 2
		case c >= 0x20 && c < 0x7f:
			return 2 // a two-character sequence such as ESC c or ESC 7
		default:
			return 1
		}
	case 0x9b:
		kind = '['
	default:
		kind = ']'
	}
	if kind == '[' {
		// Parameter bytes, intermediate bytes, then one final byte.
		j := n
		for j < len(s) && s[j] >= 0x30 && s[j] <= 0x3f {
			j++
		}
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			return j + 1
		}
		return n
	}
	// A string control ends at BEL, ESC \ or ST (U+009C).
	for j := n; j < len(s); j++ {
		switch {
		case s[j] == 0x07:
			return j + 1
		case s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\':
			return j + 2
		case s[j] == 0xc2 && j+1 < len(s) && s[j+1] == 0x9c:
			return j + 2
		}
	}
	return n
}

// runeWidth is the number of terminal columns r takes: 0 for combining and
// format characters, 2 for East Asian wide and full-width characters, 1
// otherwise.
func runeWidth(r rune) int {
	if r < 0x300 {
		return 1
	}
	if unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf) {
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// textWidth is the number of columns s takes.
func textWidth(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			n = 0
			for _, r := range s {
				n += runeWidth(r)
			}
			return n
		}
		n++
	}
	return n
}
