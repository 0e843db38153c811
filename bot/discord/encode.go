package discord

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// encodeJSON marshals an interaction response. Responses made only of the
// parts the renderer sets take a direct path that writes exactly what
// encoding/json would (without HTML escaping); anything else goes through
// encoding/json. The direct path keeps the answer's cost close to the cost
// of the signature check that must precede it.
func encodeJSON(v any) ([]byte, error) {
	if r, ok := v.(*discordgo.InteractionResponse); ok && plainResponse(r) {
		return appendResponse(make([]byte, 0, 1024), r), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// plainResponse reports whether r uses only the fields appendResponse
// writes.
func plainResponse(r *discordgo.InteractionResponse) bool {
	d := r.Data
	if d == nil {
		return true
	}
	if d.TTS || d.Components != nil || d.Files != nil || d.Attachments != nil || d.Poll != nil ||
		d.Choices != nil || d.CustomID != "" || d.Title != "" {
		return false
	}
	if m := d.AllowedMentions; m != nil && (len(m.Parse) != 0 || m.Roles != nil || m.Users != nil || m.RepliedUser || m.Parse == nil) {
		return false
	}
	for _, e := range d.Embeds {
		if e == nil || e.URL != "" || e.Type != "" || e.Timestamp != "" || e.Image != nil || e.Thumbnail != nil ||
			e.Video != nil || e.Provider != nil || e.Author != nil || (e.Footer != nil && (e.Footer.IconURL != "" || e.Footer.ProxyIconURL != "")) {
			return false
		}
		for _, f := range e.Fields {
			if f == nil {
				return false
			}
		}
	}
	return true
}

// appendResponse writes r as encoding/json would, followed by a newline
// (like json.Encoder).
func appendResponse(b []byte, r *discordgo.InteractionResponse) []byte {
	b = append(b, '{')
	if r.Type != 0 {
		b = append(b, `"type":`...)
		b = strconv.AppendUint(b, uint64(r.Type), 10)
	}
	if d := r.Data; d != nil {
		if r.Type != 0 {
			b = append(b, ',')
		}
		b = append(b, `"data":{"tts":false,"content":`...)
		b = appendString(b, d.Content)
		b = append(b, `,"components":null,"embeds":`...)
		if d.Embeds == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i, e := range d.Embeds {
				if i > 0 {
					b = append(b, ',')
				}
				b = appendEmbed(b, e)
			}
			b = append(b, ']')
		}
		if d.AllowedMentions != nil {
			b = append(b, `,"allowed_mentions":{"parse":[],"replied_user":false}`...)
		}
		if d.Flags != 0 {
			b = append(b, `,"flags":`...)
			b = strconv.AppendUint(b, uint64(d.Flags), 10)
		}
		b = append(b, '}')
	}
	return append(b, '}', '\n')
}

func appendEmbed(b []byte, e *discordgo.MessageEmbed) []byte {
	b = append(b, '{')
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = append(b, '"')
		b = append(b, name...)
		b = append(b, '"', ':')
	}
	if e.Title != "" {
		field("title")
		b = appendString(b, e.Title)
	}
	if e.Description != "" {
		field("description")
		b = appendString(b, e.Description)
	}
	if e.Color != 0 {
		field("color")
		b = strconv.AppendInt(b, int64(e.Color), 10)
	}
	if e.Footer != nil {
		field("footer")
		b = append(b, '{')
		if e.Footer.Text != "" {
			b = append(b, `"text":`...)
			b = appendString(b, e.Footer.Text)
		}
		b = append(b, '}')
	}
	if len(e.Fields) > 0 {
		field("fields")
		b = append(b, '[')
		for i, f := range e.Fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = appendString(b, f.Name)
			b = append(b, `,"value":`...)
			b = appendString(b, f.Value)
			if f.Inline {
				b = append(b, `,"inline":true`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendString writes s as a JSON string the way encoding/json does with
// HTML escaping off: quotes, backslashes and control characters escaped,
// U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
