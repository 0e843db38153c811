package slack

import (
	"bytes"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Bounds of a slash command form.
const (
	// maxFormFields bounds the number of fields; Slack sends about fifteen.
	maxFormFields = 48
	// maxIDLen bounds team, channel, user and similar ids.
	maxIDLen = 64
	// maxURLLen bounds response_url.
	maxURLLen = 1024
	// maxTextBytes bounds the command text: commands.MaxCommandText
	// characters of at most 4 bytes each.
	maxTextBytes = 4 * commands.MaxCommandText
)

// formField describes a slash command field the adapter reads: its name,
// its longest value, and whether it is a Slack id.
func formField(idx int) (name string, limit int, id bool) {
	switch idx {
	case 0:
		return "team_id", maxIDLen, true
	case 1:
		return "channel_id", maxIDLen, true
	case 2:
		return "user_id", maxIDLen, true
	case 3:
		return "command", maxIDLen, false
	case 4:
		return "text", maxTextBytes, false
	case 5:
		return "response_url", maxURLLen, false
	case 6:
		return "enterprise_id", maxIDLen, true
	default:
		return "api_app_id", maxIDLen, true
	}
}

// setField stores a decoded field.
func setField(sc *slack.SlashCommand, idx int, v string) {
	switch idx {
	case 0:
		sc.TeamID = v
	case 1:
		sc.ChannelID = v
	case 2:
		sc.UserID = v
	case 3:
		sc.Command = v
	case 4:
		sc.Text = v
	case 5:
		sc.ResponseURL = v
	case 6:
		sc.EnterpriseID = v
	default:
		sc.APIAppID = v
	}
}

// fieldIndex returns the index of a used field (see formField), or -1; the
// fields Slack sends that the adapter does not use (token, names,
// trigger_id, …) are only bounded, not decoded.
func fieldIndex(key []byte) int {
	switch string(key) {
	case "team_id":
		return 0
	case "channel_id":
		return 1
	case "user_id":
		return 2
	case "command":
		return 3
	case "text":
		return 4
	case "response_url":
		return 5
	case "enterprise_id":
		return 6
	case "api_app_id":
		return 7
	}
	return -1
}

// parseSlashForm reads a verified application/x-www-form-urlencoded slash
// command body. It is strict: malformed escapes, duplicate or oversized
// fields, too many fields, ids with unexpected characters and invalid UTF-8
// are refused with an error that says which field is wrong. Fields the
// adapter does not use (the deprecated verification token among them) are
// bounded but not decoded.
func parseSlashForm(body []byte) (slack.SlashCommand, error) {
	var sc slack.SlashCommand
	var seen uint32
	fields := 0
	for len(body) > 0 {
		var pair []byte
		if i := bytes.IndexByte(body, '&'); i >= 0 {
			pair, body = body[:i], body[i+1:]
		} else {
			pair, body = body, nil
		}
		if len(pair) == 0 {
			continue
		}
		fields++
		if fields > maxFormFields {
			return sc, invalidForm("too many fields (more than %d)", maxFormFields)
		}
		k, v, _ := bytes.Cut(pair, []byte{'='})
		if len(k) > 3*maxIDLen || len(v) > 3*maxTextBytes {
			return sc, invalidForm("field too long")
		}
		idx := fieldIndex(k)
		if idx < 0 {
			if bytes.IndexByte(k, '%') >= 0 || bytes.IndexByte(k, '+') >= 0 {
				key, err := unescape(k)
				if err != nil {
					return sc, invalidForm("malformed field name")
				}
				idx = fieldIndex([]byte(key))
			}
			if idx < 0 {
				continue
			}
		}
		name, limit, isIDField := formField(idx)
		if seen&(1<<idx) != 0 {
			return sc, invalidForm("field %s appears twice", name)
		}
		seen |= 1 << idx
		// An escaped value is at most three times longer than the value.
		if len(v) > 3*limit {
			return sc, invalidForm("field %s is too long", name)
		}
		val, err := unescape(v)
		if err != nil {
			return sc, invalidForm("field %s is not properly escaped", name)
		}
		if len(val) > limit {
			return sc, invalidForm("field %s is too long", name)
		}
		if !utf8.ValidString(val) {
			return sc, invalidForm("field %s is not valid UTF-8", name)
		}
		if isIDField && !isID(val) {
			return sc, invalidForm("field %s is not a Slack id", name)
		}
		setField(&sc, idx, val)
	}
	for _, req := range []struct{ name, val string }{
		{"team_id", sc.TeamID}, {"channel_id", sc.ChannelID}, {"user_id", sc.UserID}, {"command", sc.Command},
	} {
		if req.val == "" {
			return sc, invalidForm("field %s is missing", req.name)
		}
	}
	return sc, nil
}

func invalidForm(format string, args ...any) error {
	return briefings.Errorf(briefings.CodeInvalid, "slash command form: "+format, args...)
}

// unescape decodes one form component (+ is a space).
func unescape(b []byte) (string, error) {
	if bytes.IndexByte(b, '%') < 0 && bytes.IndexByte(b, '+') < 0 {
		return string(b), nil
	}
	s, err := url.QueryUnescape(string(b))
	if err != nil {
		return "", fmt.Errorf("unescape: %w", err)
	}
	return s, nil
}

// isID reports whether s looks like a Slack id: letters, digits, '_' and '-'.
func isID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
