package console

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/briefbot/briefbot/commands"
)

// MaxLineBytes bounds one input line in bytes: room for MaxCommandText
// characters of up to four bytes, the /brief prefix and some spacing.
// Longer lines are read to their end, discarded and refused; memory stays
// bounded whatever comes in.
const MaxLineBytes = 4*commands.MaxCommandText + 64

// lineKind is what an input line asks for.
type lineKind int

const (
	// lineCommand is a /brief command (the prefix is optional).
	lineCommand lineKind = iota
	// lineEmpty is a blank line: ignored.
	lineEmpty
	// lineExit ends the session: exit, quit.
	lineExit
	// lineTooLong is refused with a message.
	lineTooLong
)

// inputLine is a classified line.
type inputLine struct {
	kind lineKind
	// text is the command text after the optional /brief prefix, trimmed.
	text string
	// runes is the length of text in characters.
	runes int
}

// classify reads one line (already free of control characters).
func classify(line string) inputLine {
	text := strings.TrimSpace(line)
	if rest, ok := cutCommandPrefix(text); ok {
		text = rest
	}
	in := inputLine{text: text, runes: utf8.RuneCountInString(text)}
	switch {
	case in.runes > commands.MaxCommandText:
		in.kind = lineTooLong
	case strings.TrimSpace(line) == "":
		in.kind = lineEmpty
	default:
		switch strings.ToLower(text) {
		case "exit", "quit", "/exit", "/quit", ":q":
			in.kind = lineExit
		}
	}
	return in
}

// cutCommandPrefix removes a leading "/brief" that stands alone as a word.
func cutCommandPrefix(s string) (string, bool) {
	const p = "/brief"
	if len(s) < len(p) || !strings.EqualFold(s[:len(p)], p) {
		return s, false
	}
	rest := s[len(p):]
	if rest != "" && rest[0] != ' ' {
		return s, false
	}
	return strings.TrimSpace(rest), true
}

// tooLongMessage refuses a line of n characters (n < 0: longer than could
// be counted).
func tooLongMessage(n int) string {
	if n < 0 {
		return fmt.Sprintf("That line is too long: the limit is %d characters. Nothing was run; type a shorter command.", commands.MaxCommandText)
	}
	return fmt.Sprintf("That line is %d characters long; the limit is %d. Nothing was run; type a shorter command.", n, commands.MaxCommandText)
}

// sanitizeInput makes a typed or piped line safe to parse and to echo in a
// message: tabs become spaces, other control characters (stray escape
// sequences from arrow keys on a plain terminal, NUL bytes) are removed,
// and invalid UTF-8 becomes U+FFFD.
func sanitizeInput(s string) string {
	s = clean(s, false)
	return s
}

// errLineTooLong reports a line longer than MaxLineBytes; it was discarded.
var errLineTooLong = errors.New("console: line too long")

// errInterrupted reports Ctrl-C: the line typed so far is discarded.
var errInterrupted = errors.New("console: interrupted")

// lineSource yields input lines without their line ending. ReadLine
// returns errLineTooLong for a discarded over-long line (reading can go
// on), errInterrupted for a Ctrl-C (with the discarded text), and io.EOF at
// the end.
type lineSource interface {
	ReadLine() (string, error)
	// Accepted tells the source that a line was run (for history).
	Accepted(line string)
	// Interrupt makes a pending ReadLine return soon, if the source can;
	// it reports whether it can (then the caller waits for that read to
	// end before Close).
	Interrupt() bool
	Close() error
}

// plainSource reads lines with a bounded buffer.
type plainSource struct {
	r   *bufio.Reader
	eof bool
}

func newPlainSource(r io.Reader, size int) *plainSource {
	return &plainSource{r: bufio.NewReaderSize(r, size)}
}

// ReadLine returns the next line. A line that does not fit the buffer is
// read to its end and discarded.
func (p *plainSource) ReadLine() (string, error) {
	if p.eof {
		return "", io.EOF
	}
	data, err := p.r.ReadSlice('\n')
	switch {
	case err == nil:
		return string(trimEOL(data)), nil
	case errors.Is(err, bufio.ErrBufferFull):
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = p.r.ReadSlice('\n')
		}
		if err != nil {
			p.eof = true
			if !errors.Is(err, io.EOF) {
				return "", err
			}
		}
		return "", errLineTooLong
	case errors.Is(err, io.EOF):
		p.eof = true
		if len(data) == 0 {
			return "", io.EOF
		}
		return string(trimEOL(data)), nil
	default:
		p.eof = true
		return "", err
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}

// Accepted does nothing: plain input keeps no history.
func (p *plainSource) Accepted(string) {}

// Interrupt cannot stop a blocked read of a plain reader.
func (p *plainSource) Interrupt() bool { return false }

// Close does nothing: the reader belongs to the caller.
func (p *plainSource) Close() error { return nil }
