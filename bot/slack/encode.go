package slack

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// encodeReply returns the JSON of a reply. The renderer only makes headers,
// sections, context blocks of text and dividers; those are written directly,
// which is several times cheaper than encoding/json through slack-go's
// interfaces and custom marshalers. Any other block falls back to
// encoding/json, so the output is always complete.
func encodeReply(rep *reply) ([]byte, error) {
	return appendReply(make([]byte, 0, replySize(rep)), rep)
}

// encodeEnvelopeAck returns the JSON of a Socket Mode acknowledgement with
// rep as its payload.
func encodeEnvelopeAck(envelopeID string, rep *reply) ([]byte, error) {
	dst := make([]byte, 0, replySize(rep)+len(envelopeID)+32)
	dst = append(dst, `{"envelope_id":`...)
	dst = appendString(dst, envelopeID)
	dst = append(dst, `,"payload":`...)
	dst, err := appendReply(dst, rep)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
}

// replySize estimates the encoded size, to allocate once.
func replySize(rep *reply) int {
	n := 64 + len(rep.Text)
	for _, b := range rep.Blocks {
		n += 64
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.Text != nil {
				n += len(b.Text.Text) + len(b.Text.Text)/16
			}
		case *slack.ContextBlock:
			for _, e := range b.ContextElements.Elements {
				if t, ok := e.(*slack.TextBlockObject); ok {
					n += 48 + len(t.Text) + len(t.Text)/16
				}
			}
		case *slack.HeaderBlock:
			if b.Text != nil {
				n += 48 + len(b.Text.Text)
			}
		}
	}
	return n
}

func appendReply(dst []byte, rep *reply) ([]byte, error) {
	dst = append(dst, '{')
	if rep.ResponseType != "" {
		dst = append(dst, `"response_type":`...)
		dst = appendString(dst, rep.ResponseType)
		dst = append(dst, ',')
	}
	dst = append(dst, `"text":`...)
	dst = appendString(dst, rep.Text)
	if len(rep.Blocks) > 0 {
		dst = append(dst, `,"blocks":[`...)
		for i, b := range rep.Blocks {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendBlock(dst, b); err != nil {
				return nil, err
			}
		}
		dst = append(dst, ']')
	}
	return append(dst, '}'), nil
}

func appendBlock(dst []byte, b slack.Block) ([]byte, error) {
	switch b := b.(type) {
	case *slack.HeaderBlock:
		if b.Text != nil && b.BlockID == "" && b.Level == 0 {
			dst = append(dst, `{"type":"header","text":`...)
			return append(appendText(dst, b.Text), '}'), nil
		}
	case *slack.SectionBlock:
		if b.Text != nil && b.BlockID == "" && b.Fields == nil && b.Accessory == nil && !b.Expand {
			dst = append(dst, `{"type":"section","text":`...)
			return append(appendText(dst, b.Text), '}'), nil
		}
	case *slack.ContextBlock:
		if b.BlockID == "" && allText(b.ContextElements.Elements) {
			dst = append(dst, `{"type":"context","elements":[`...)
			for i, e := range b.ContextElements.Elements {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendText(dst, e.(*slack.TextBlockObject))
			}
			return append(dst, "]}"...), nil
		}
	case *slack.DividerBlock:
		if b.BlockID == "" {
			return append(dst, `{"type":"divider"}`...), nil
		}
	}
	raw, err := json.Marshal(b)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", b, err)
	}
	return append(dst, raw...), nil
}

func allText(es []slack.MixedElement) bool {
	for _, e := range es {
		if t, ok := e.(*slack.TextBlockObject); !ok || t == nil {
			return false
		}
	}
	return true
}

func appendText(dst []byte, t *slack.TextBlockObject) []byte {
	dst = append(dst, `{"type":`...)
	dst = appendString(dst, t.Type)
	dst = append(dst, `,"text":`...)
	dst = appendString(dst, t.Text)
	if t.Emoji != nil {
		if *t.Emoji {
			dst = append(dst, `,"emoji":true`...)
		} else {
			dst = append(dst, `,"emoji":false`...)
		}
	}
	if t.Verbatim {
		dst = append(dst, `,"verbatim":true`...)
	}
	return append(dst, '}')
}

const hexDigits = "0123456789abcdef"

// appendASCIIEscape appends the JSON escape of a quote, a backslash or a
// control character.
func appendASCIIEscape(dst []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(dst, '\\', c)
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	default:
		return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
	}
}

// appendString appends s as a JSON string, as encoding/json does without
// HTML escaping: quotes, backslashes and control characters escaped, invalid
// UTF-8 replaced by U+FFFD, U+2028 and U+2029 escaped.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	if utf8.ValidString(s) && !strings.Contains(s, "\u2028") && !strings.Contains(s, "\u2029") {
		// Only ASCII needs escaping.
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c >= 0x20 && c != '"' && c != '\\' {
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendASCIIEscape(dst, c)
			start = i + 1
		}
		dst = append(dst, s[start:]...)
		return append(dst, '"')
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendASCIIEscape(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
