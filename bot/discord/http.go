package discord

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/briefbot/briefbot/commands"
)

// Signature headers of an HTTP interaction.
const (
	headerSignature = "X-Signature-Ed25519"
	headerTimestamp = "X-Signature-Timestamp"
)

// errBadSignature is any failure of interaction verification.
var errBadSignature = errors.New("invalid request signature")

// InteractionsHandler returns the HTTP handler for POST
// /discord/interactions. It verifies the Ed25519 signature over the
// timestamp and the raw body before reading anything else (401 on any
// failure, as Discord requires), answers PING with PONG, and answers
// commands within the answer budget or with a deferral. The response is
// flushed as soon as it is written; the handler itself returns once the
// answer is delivered (a deferred answer edits the original response), so
// the server must not cut handlers short (no http.TimeoutHandler, and a
// WriteTimeout, if any, above the answer budget).
func (p *Platform) InteractionsHandler(h commands.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, status, err := p.verify(r)
		if err != nil {
			p.log.Debug("discord: rejected an interaction request", "status", status, "reason", err.Error())
			http.Error(w, http.StatusText(status), status)
			return
		}
		i, err := DecodeInteraction(body)
		if err != nil {
			p.log.Warn("discord: undecodable interaction", "err", err)
			http.Error(w, "bad interaction", http.StatusBadRequest)
			return
		}
		// The handler answers on this goroutine; a late answer's deferral
		// is written by the timer's goroutine while this one still waits
		// for the handler, so the writer is never used by both at once.
		p.answer(r.Context(), i, h, func(initial any, more bool) error {
			out, err := encodeJSON(initial)
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return fmt.Errorf("encoding an interaction response: %w", err)
			}
			hdr := w.Header()
			hdr["Content-Type"] = []string{"application/json"}
			hdr["Content-Length"] = []string{strconv.Itoa(len(out))}
			if more {
				// This handler goes on after the response: the client must
				// not queue its next request behind it on this connection.
				hdr["Connection"] = []string{"close"}
			}
			if _, err := w.Write(out); err != nil {
				return fmt.Errorf("writing an interaction response: %w", err)
			}
			// Send it now: follow-ups and edits that come next need
			// Discord to have the response.
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			return nil
		})
	})
}

// verify checks an interaction's signature and returns its body. The
// status is 401 for every signature failure and 413 for an oversized body.
func (p *Platform) verify(r *http.Request) ([]byte, int, error) {
	// The names are in canonical form: index the map directly.
	sigHex := firstValue(r.Header[headerSignature])
	ts := firstValue(r.Header[headerTimestamp])
	if sigHex == "" || ts == "" {
		return nil, http.StatusUnauthorized, errors.New("missing signature headers")
	}
	if len(sigHex) != 2*ed25519.SignatureSize || len(ts) > 20 {
		return nil, http.StatusUnauthorized, errBadSignature
	}
	var sig [ed25519.SignatureSize]byte
	if _, err := hex.Decode(sig[:], []byte(sigHex)); err != nil {
		return nil, http.StatusUnauthorized, errBadSignature
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, http.StatusUnauthorized, errBadSignature
	}
	if r.ContentLength > MaxInteractionBody {
		return nil, http.StatusRequestEntityTooLarge, errors.New("body too large")
	}
	// The timestamp and the body are read into one buffer: the signed
	// message is their concatenation.
	msg := make([]byte, len(ts), len(ts)+max(int(r.ContentLength), 0)+1)
	copy(msg, ts)
	msg, err = readAllInto(msg, io.LimitReader(r.Body, MaxInteractionBody+1))
	if err != nil {
		return nil, http.StatusBadRequest, errors.New("reading the body failed")
	}
	if len(msg)-len(ts) > MaxInteractionBody {
		return nil, http.StatusRequestEntityTooLarge, errors.New("body too large")
	}
	if !ed25519.Verify(p.pub, msg, sig[:]) {
		return nil, http.StatusUnauthorized, errBadSignature
	}
	// A correctly signed but old request is a replay, or this server's
	// clock is wrong: say so where an operator looks.
	if skew := p.cfg.MaxClockSkew; skew > 0 {
		d := p.cfg.Clock.Now().Sub(time.Unix(sec, 0))
		if d > skew || d < -skew {
			p.log.Warn("discord: refused a signed interaction with an old or future timestamp (a replay, or this server's clock is off)", "offset", d.Round(time.Second))
			return nil, http.StatusUnauthorized, errors.New("signature timestamp outside the accepted window")
		}
	}
	return msg[len(ts):], http.StatusOK, nil
}

// readAllInto appends everything from r to b.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

func firstValue(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
