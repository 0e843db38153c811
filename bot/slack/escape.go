package slack

import (
	"net/url"
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
	b.Grow(len(s) + len(s)/8 + 8)
	inURL := false
	last := 0 // start of the run not yet copied
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRuneInString(s[i:])
			if inURL && unicode.IsSpace(r) {
				inURL = false
			}
			i += w
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r', '\v', '\f':
			inURL = false
		case 'h', 'H':
			if !inURL && atWordStart(s, i) && hasURLPrefix(s[i:]) {
				inURL = true
			}
		case '&', '<', '>':
			b.WriteString(s[last:i])
			b.WriteString(entity(c))
			last = i + 1
		case '`':
			b.WriteString(s[last:i])
			if !inURL {
				if j := closingBacktick(s, i); j > 0 {
					b.WriteByte('`')
					for k := i + 1; k < j; k++ {
						if e := entity(s[k]); e != "" {
							b.WriteString(e)
						} else {
							b.WriteByte(s[k])
						}
					}
					b.WriteByte('`')
					i = j + 1
					last = i
					continue
				}
			}
			b.WriteRune(backtickLookalike)
			last = i + 1
		case '*', '_', '~':
			if !inURL && activeMarker(s, i) {
				b.WriteString(s[last:i])
				b.WriteRune(lookalike(c))
				last = i + 1
			}
		}
		i++
	}
	b.WriteString(s[last:])
	return b.String()
}

// entity returns the escape of &, < and >, or "".
func entity(c byte) string {
	switch c {
	case '&':
		return "&amp;"
	case '<':
		return "&lt;"
	case '>':
		return "&gt;"
	}
	return ""
}

func lookalike(c byte) rune {
	switch c {
	case '*':
		return asteriskLookalike
	case '_':
		return underscoreLookalike
	default:
		return tildeLookalike
	}
}

// needsEscape reports whether s contains any character escapeMrkdwn changes.
func needsEscape(s string) bool {
	return strings.ContainsAny(s, "&<>`*_~")
}

func atWordStart(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return unicode.IsSpace(r) || strings.ContainsRune("([\"'“", r)
}

func hasURLPrefix(s string) bool {
	return len(s) >= 8 && strings.EqualFold(s[:8], "https://") || len(s) >= 7 && strings.EqualFold(s[:7], "http://")
}

// closingBacktick returns the index of the backtick closing the code span
// opened at i, or -1 when there is none on the same line or the span would
// be empty.
func closingBacktick(s string, i int) int {
	j := strings.IndexAny(s[i+1:], "`\n")
	if j <= 0 || s[i+1+j] == '\n' {
		return -1
	}
	return i + 1 + j
}

// activeMarker reports whether the formatting character at i could open or
// close a span: it opens when it follows the start, a space or punctuation
// and precedes a non-space; it closes when it follows a non-space and
// precedes the end, a space or punctuation.
func activeMarker(s string, i int) bool {
	start, end := i == 0, i == len(s)-1
	var prev, next rune
	if !start {
		prev, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if !end {
		next, _ = utf8.DecodeRuneInString(s[i+1:])
	}
	canOpen := (start || unicode.IsSpace(prev) || isPunct(prev)) && !end && !unicode.IsSpace(next)
	canClose := (end || unicode.IsSpace(next) || isPunct(next)) && !start && !unicode.IsSpace(prev)
	return canOpen || canClose
}

func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

// escapeLinkURL returns u ready for <url|label> markup, or "" when u is not
// an http(s) address (no javascript: or slack:// links from article data).
func escapeLinkURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxLinkURL {
		return ""
	}
	u, ok := simpleURL(raw)
	if !ok {
		pu, err := url.Parse(raw)
		if err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
			return ""
		}
		u = pu.String()
	}
	if !strings.ContainsAny(u, "|<> &") && strings.IndexFunc(u, func(r rune) bool { return r < 0x20 || r == 0x7f }) < 0 {
		return u
	}
	var b strings.Builder
	b.Grow(len(u) + 16)
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

// simpleURL accepts the common address without a full parse: a lowercase
// http(s) scheme, a host of letters, digits, dots and hyphens with an
// optional port, then printable ASCII without spaces.
func simpleURL(s string) (string, bool) {
	var rest string
	switch {
	case strings.HasPrefix(s, "https://"):
		rest = s[len("https://"):]
	case strings.HasPrefix(s, "http://"):
		rest = s[len("http://"):]
	default:
		return "", false
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	if hostEnd == 0 {
		return "", false
	}
	for i := 0; i < hostEnd; i++ {
		c := rest[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':') {
			return "", false
		}
	}
	for i := hostEnd; i < len(rest); i++ {
		if c := rest[i]; c <= ' ' || c >= 0x7f {
			return "", false
		}
	}
	return s, true
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
	if isASCII(s) {
		return len(s)
	}
	for _, r := range s {
		if utf16.RuneLen(r) == 2 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fits reports whether s is at most limit UTF-16 units long; a string of at
// most limit bytes always is.
func fits(s string, limit int) bool {
	return len(s) <= limit || textLen(s) <= limit
}

// truncateText shortens s to at most limit UTF-16 units, ending in "…" when
// it cut something. It never cuts inside an &entity; it cuts after a space
// when one is near.
func truncateText(s string, limit int) string {
	if fits(s, limit) {
		return s
	}
	cut := cutPoint(s, limit-1, false)
	return strings.TrimRightFunc(s[:cut], unicode.IsSpace) + "…"
}

// splitText splits s into pieces of at most limit UTF-16 units, preferring
// line breaks, then spaces; it never splits an &entity or a character.
func splitText(s string, limit int) []string {
	var out []string
	for !fits(s, limit) {
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
