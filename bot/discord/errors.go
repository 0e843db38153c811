package discord

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/commands"
)

// APIError is an error answer from Discord's REST API. Unlike discordgo's
// RESTError it holds no request, so it cannot leak a token.
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Code is Discord's JSON error code (50001 Missing Access, ...), or 0.
	Code int
	// Message is Discord's message, shortened.
	Message string
	// RetryAfter is the wait Discord asked for on a 429.
	RetryAfter time.Duration
}

// Error implements error.
func (e *APIError) Error() string {
	if e.Status == 429 {
		return fmt.Sprintf("discord API: rate limited, retry after %s", e.RetryAfter)
	}
	if e.Code != 0 {
		return fmt.Sprintf("discord API: HTTP %d, code %d: %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("discord API: HTTP %d: %s", e.Status, e.Message)
}

// scrub converts an error from a discordgo call into one that is safe to
// log or return: REST errors lose their request (which carries the
// authorization header), URL errors lose the path (which carries
// interaction tokens), and any secret left in the text is replaced.
func (p *Platform) scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	secrets = append(secrets, p.cfg.BotToken)
	var re *discordgo.RESTError
	if errors.As(err, &re) {
		out := &APIError{}
		if re.Response != nil {
			out.Status = re.Response.StatusCode
		}
		if re.Message != nil {
			out.Code = re.Message.Code
			out.Message = redact(clip(re.Message.Message, 200), secrets)
		} else {
			out.Message = redact(clip(strings.TrimSpace(string(re.ResponseBody)), 200), secrets)
		}
		return out
	}
	var rl *discordgo.RateLimitError
	if errors.As(err, &rl) {
		out := &APIError{Status: 429, Message: "rate limited"}
		if rl.RateLimit != nil && rl.TooManyRequests != nil {
			out.RetryAfter = rl.RetryAfter
			out.Message = redact(clip(rl.Message, 200), secrets)
		}
		return out
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		u := ue.URL
		if pu, perr := url.Parse(u); perr == nil {
			pu.Path, pu.RawPath, pu.RawQuery = "/…", "", ""
			u = pu.String()
		} else {
			u = "(address withheld)"
		}
		return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
	}
	msg := err.Error()
	if r := redact(msg, secrets); r != msg {
		return errors.New(r)
	}
	return err
}

// redact replaces every non-empty secret in s.
func redact(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= 8 && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// errorResponse turns a handler or conversion error into what the caller
// sees, through commands.ErrorResponse, the one place where errors become
// user text: coded errors show their message; internal errors show a
// reference and are logged with their details.
func (p *Platform) errorResponse(err error, i *discordgo.Interaction) commands.Response {
	return commands.ErrorResponse(p.life, p.log.With("platform", "discord", "command", commandName(i)), err)
}

// busyResponse is an ephemeral notice that nothing was done.
func busyResponse(msg string) commands.Response {
	return commands.Response{
		Kind:       commands.KindError,
		Text:       msg,
		Blocks:     []commands.Block{{Type: commands.BlockSection, Text: msg}},
		Visibility: commands.Ephemeral,
	}
}
