package slack

import (
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Lookalikes replace mrkdwn control characters that could open or close a
// formatting span, so that text from articles is shown as written instead of
// turning bold, italic, struck or code.
const (
	asteriskLookalike   = '∗' // U+2217 ASTERISK OPERATOR
	underscoreLookalike = 'ˍ' // U+02CD MODIFIER LETTER LOW MACRON
	tildeLookalike      = '∼' // U+223C TILDE OPERATOR
	backtickLookalike   = 'ˋ' // U+02CB MODIFIER LETTER GRAVE ACCENT
)

// escapeMrkdwn makes plain text safe inside a mrkdwn text object:
//
//   - &, < and > become &amp;, &lt; and &gt;, as Slack requires, which also
//     makes <!channel>, <@U…> and <url|label> impossible to inject;
//   - *, _ and ~ that could open or close a formatting span are replaced by
//     lookalikes; those inside a word (snake_case) or between spaces (2 * 3)
//     are inert in Slack and kept;
//   - a pair of backticks on one line is kept as a code span (the commands
//     layer writes commands such as `/brief help` that way); a lone backtick
//     is replaced;
//   - web addresses are kept intact so that Slack still links them.
func escapeMrkdwn(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	rs := []rune(s)
	inURL := false
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if inURL && unicode.IsSpace(r) {
			inURL = false
		}
		if !inURL && (r == 'h' || r == 'H') && atWordStart(rs, i) && hasURLPrefix(rs[i:]) {
			inURL = true
		}
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '`':
			if inURL {
				b.WriteRune(backtickLookalike)
				continue
			}
			if j := closingBacktick(rs, i); j > 0 {
				b.WriteRune('`')
				for _, c := range rs[i+1 : j] {
					switch c {
					case '&':
						b.WriteString("&amp;")
					case '<':
						b.WriteString("&lt;")
					case '>':
						b.WriteString("&gt;")
					default:
						b.WriteRune(c)
					}
				}
				b.WriteRune('`')
				i = j
				continue
			}
			b.WriteRune(backtickLookalike)
		case '*', '_', '~':
			if inURL || !activeMarker(rs, i) {
				b.WriteRune(r)
				continue
			}
			switch r {
			case '*':
				b.WriteRune(asteriskLookalike)
			case '_':
				b.WriteRune(underscoreLookalike)
			default:
				b.WriteRune(tildeLookalike)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// needsEscape reports whether s contains any character escapeMrkdwn changes.
func needsEscape(s string) bool {
	return strings.ContainsAny(s, "&<>`*_~")
}

func atWordStart(rs []rune, i int) bool {
	return i == 0 || unicode.IsSpace(rs[i-1]) || strings.ContainsRune("([\"'“", rs[i-1])
}

func hasURLPrefix(rs []rune) bool {
	const maxPrefix = len("https://")
	n := min(len(rs), maxPrefix)
	p := strings.ToLower(string(rs[:n]))
	return strings.HasPrefix(p, "https://") || strings.HasPrefix(p, "http://")
}

// closingBacktick returns the index of the backtick closing the code span
// opened at i, or -1 when there is none on the same line or the span would
// be empty.
func closingBacktick(rs []rune, i int) int {
	for j := i + 1; j < len(rs); j++ {
		switch rs[j] {
		case '\n':
			return -1
		case '`':
			if j == i+1 {
				return -1
			}
			return j
		}
	}
	return -1
}

// activeMarker reports whether the formatting character at i could open or
// close a span: it opens when it follows the start, a space or punctuation
// and precedes a non-space; it closes when it follows a non-space and
// precedes the end, a space or punctuation.
func activeMarker(rs []rune, i int) bool {
	start, end := i == 0, i == len(rs)-1
	var prev, next rune
	if !start {
		prev = rs[i-1]
	}
	if !end {
		next = rs[i+1]
	}
	canOpen := (start || unicode.IsSpace(prev) || isPunct(prev)) && !end && !unicode.IsSpace(next)
	canClose := (end || unicode.IsSpace(next) || isPunct(next)) && !start && !unicode.IsSpace(prev)
	return canOpen || canClose
}

func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// escapeLinkURL returns u ready for <url|label> markup, or "" when u is not
// an http(s) address (no javascript: or slack:// links from article data).
func escapeLinkURL(u string) string {
	u = strings.TrimSpace(u)
	lu := strings.ToLower(u)
	if !strings.HasPrefix(lu, "https://") && !strings.HasPrefix(lu, "http://") {
		return ""
	}
	if len(u) > maxLinkURL {
		return ""
	}
	var b strings.Builder
	for i := 0; i < len(u); i++ {
		switch c := u[i]; c {
		case '|':
			b.WriteString("%7C")
		case '<':
			b.WriteString("%3C")
		case '>':
			b.WriteString("%3E")
		case ' ':
			b.WriteString("%20")
		case '&':
			b.WriteString("&amp;")
		default:
			if c < 0x20 || c == 0x7f {
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// link returns mrkdwn for a link with an escaped label, or the escaped label
// alone when the address is unusable.
func link(url, label string) string {
	label = escapeMrkdwn(label)
	u := escapeLinkURL(url)
	if u == "" {
		return label
	}
	// A label must not contain the | that ends the address part.
	label = strings.ReplaceAll(label, "|", "¦")
	return "<" + u + "|" + label + ">"
}

// textLen is the length Slack counts: UTF-16 code units, which is never less
// than the number of characters.
func textLen(s string) int {
	n := 0
	for _, r := range s {
		if utf16.RuneLen(r) == 2 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncateText shortens s to at most limit UTF-16 units, ending in "…" when
// it cut something. It never cuts inside an &entity; it cuts after a space
// when one is near.
func truncateText(s string, limit int) string {
	if textLen(s) <= limit {
		return s
	}
	cut := cutPoint(s, limit-1, false)
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}

// splitText splits s into pieces of at most limit UTF-16 units, preferring
// line breaks, then spaces; it never splits an &entity or a character.
func splitText(s string, limit int) []string {
	var out []string
	for textLen(s) > limit {
		cut := cutPoint(s, limit, true)
		piece := strings.TrimRightFunc(s[:cut], unicode.IsSpace)
		if piece != "" {
			out = append(out, piece)
		}
		s = strings.TrimLeftFunc(s[cut:], unicode.IsSpace)
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

// cutPoint returns a byte offset in s such that s[:offset] has at most limit
// UTF-16 units, does not end inside an entity, and (when preferBreak or a
// space is within the last fifth) ends at a line break or space.
func cutPoint(s string, limit int, preferBreak bool) int {
	n, end := 0, 0
	for i, r := range s {
		w := 1
		if utf16.RuneLen(r) == 2 {
			w = 2
		}
		if n+w > limit {
			break
		}
		n += w
		end = i + utf8.RuneLen(r)
	}
	// Do not end inside "&amp;", "&lt;" or "&gt;".
	if amp := strings.LastIndexByte(s[:end], '&'); amp >= 0 && amp >= end-4 && !strings.Contains(s[amp:end], ";") {
		end = amp
	}
	window := end / 5
	if nl := strings.LastIndexByte(s[:end], '\n'); nl > 0 && (preferBreak || nl >= end-window) && nl >= end-window*4 {
		return nl + 1
	}
	if sp := strings.LastIndexByte(s[:end], ' '); sp > 0 && sp >= end-window {
		return sp + 1
	}
	if end == 0 {
		// A single character wider than the limit cannot happen with Slack's
		// limits; take one character so that splitting always progresses.
		_, w := utf8.DecodeRuneInString(s)
		return w
	}
	return end
}
