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
	// maxNameLen bounds names (team domain, channel and user names).
	maxNameLen = 256
	// maxURLLen bounds response_url.
	maxURLLen = 1024
	// maxTextBytes bounds the command text: commands.MaxCommandText
	// characters of at most 4 bytes each.
	maxTextBytes = 4 * commands.MaxCommandText
)

// parseSlashForm reads a verified application/x-www-form-urlencoded slash
// command body. It is strict: malformed escapes, duplicate or oversized
// fields, too many fields, ids with unexpected characters and invalid UTF-8
// are refused with an error that says which field is wrong.
func parseSlashForm(body []byte) (slack.SlashCommand, error) {
	var sc slack.SlashCommand
	seen := make(map[string]bool, 16)
	fields := 0
	flag := ""
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
		key, err := unescape(k)
		if err != nil {
			return sc, invalidForm("malformed field name")
		}
		var dst *string
		limit := maxIDLen
		id := true
		switch key {
		case "token":
			dst, limit, id = &sc.Token, maxNameLen, false
		case "team_id":
			dst = &sc.TeamID
		case "team_domain":
			dst, limit, id = &sc.TeamDomain, maxNameLen, false
		case "enterprise_id":
			dst = &sc.EnterpriseID
		case "enterprise_name":
			dst, limit, id = &sc.EnterpriseName, maxNameLen, false
		case "channel_id":
			dst = &sc.ChannelID
		case "channel_name":
			dst, limit, id = &sc.ChannelName, maxNameLen, false
		case "user_id":
			dst = &sc.UserID
		case "user_name":
			dst, limit, id = &sc.UserName, maxNameLen, false
		case "command":
			dst, limit, id = &sc.Command, maxIDLen, false
		case "text":
			dst, limit, id = &sc.Text, maxTextBytes, false
		case "response_url":
			dst, limit, id = &sc.ResponseURL, maxURLLen, false
		case "trigger_id":
			dst, limit, id = &sc.TriggerID, maxNameLen, false
		case "api_app_id":
			dst = &sc.APIAppID
		case "is_enterprise_install":
			dst, limit, id = &flag, 8, false
		default:
			if len(key) > maxIDLen {
				return sc, invalidForm("field name too long")
			}
			continue
		}
		if seen[key] {
			return sc, invalidForm("field %s appears twice", key)
		}
		seen[key] = true
		// An escaped value is at most three times longer than the value.
		if len(v) > 3*limit {
			return sc, invalidForm("field %s is too long", key)
		}
		val, err := unescape(v)
		if err != nil {
			return sc, invalidForm("field %s is not properly escaped", key)
		}
		if len(val) > limit {
			return sc, invalidForm("field %s is too long", key)
		}
		if !utf8.ValidString(val) {
			return sc, invalidForm("field %s is not valid UTF-8", key)
		}
		if id && !isID(val) {
			return sc, invalidForm("field %s is not a Slack id", key)
		}
		*dst = val
	}
	sc.IsEnterpriseInstall = flag == "true"
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
