package slack

import (
	"errors"
	"io"
	"mime"
	"net/http"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// CommandsPath is where Slack posts slash commands in HTTP mode.
const CommandsPath = "/slack/commands"

// Routes returns the slash command endpoint, POST /slack/commands, when a
// signing secret is configured (HTTP mode), and no routes otherwise.
func (p *Platform) Routes(h commands.Handler) map[string]http.Handler {
	if p.cfg.SigningSecret == "" {
		return map[string]http.Handler{}
	}
	return map[string]http.Handler{"POST " + CommandsPath: p.CommandHandler(h)}
}

// CommandHandler returns the HTTP handler for slash commands answered by h.
// Every request is verified before anything in it is read: a bad or missing
// signature, a stale timestamp or a body over MaxBodyBytes is refused with
// nothing processed, and only the reason is logged.
func (p *Platform) CommandHandler(h commands.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := p.cfg.MaxBodyBytes
		if r.ContentLength > limit {
			p.log.Warn("slack: request refused", "reason", "body too large", "bytes", r.ContentLength, "remote", r.RemoteAddr)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				p.log.Warn("slack: request refused", "reason", "body too large", "limit", limit, "remote", r.RemoteAddr)
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "could not read the request body", http.StatusBadRequest)
			return
		}
		now := p.now()
		if err := verifySignature(r.Header, body, p.cfg.SigningSecret, now); err != nil {
			p.log.Warn("slack: request refused", "reason", string(err.(signatureError)), "remote", r.RemoteAddr)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		if !isForm(r.Header.Get("Content-Type")) {
			http.Error(w, "slash commands must be application/x-www-form-urlencoded", http.StatusUnsupportedMediaType)
			return
		}
		sc, err := parseSlashForm(body)
		if err != nil {
			var be *briefings.Error
			msg := "malformed slash command"
			if errors.As(err, &be) {
				msg = be.Msg
			}
			p.log.Warn("slack: malformed slash command", "err", msg, "remote", r.RemoteAddr)
			http.Error(w, msg, http.StatusBadRequest)
			return
		}
		p.handle(r.Context(), h, invocation{cmd: sc, received: now}, func(rep *reply) error {
			return writeReply(w, rep)
		})
	})
}

// isForm reports whether a Content-Type is a URL-encoded form.
func isForm(ct string) bool {
	if ct == "application/x-www-form-urlencoded" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// writeReply writes an inline answer (or an empty 200 acknowledgement).
func writeReply(w http.ResponseWriter, rep *reply) error {
	if rep == nil {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	b, err := encodeReply(rep)
	if err != nil {
		// Nothing in a rendered message can fail to encode; acknowledge so
		// that Slack does not show a timeout, and report it.
		w.WriteHeader(http.StatusOK)
		return errors.Join(errDeliverLater, err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, err = w.Write(b)
	return err
}
