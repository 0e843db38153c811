package commands

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// NewRef returns a short random reference that ties a user-visible error
// to its log line.
func NewRef() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "NOREF0"
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// ErrorResponse turns an error into the text the user sees. It is the one
// place where that happens: coded errors show their message, anything else
// is "something went wrong" with a reference, and the details go only to
// the log.
func ErrorResponse(ctx context.Context, logger *slog.Logger, err error) Response {
	var be *briefings.Error
	if errors.As(err, &be) && be.Code != briefings.CodeInternal {
		msg := be.Msg
		switch be.Code {
		case briefings.CodeUnavailable:
			msg += " Please try again in a minute."
		case briefings.CodeInvalid:
			if !strings.Contains(msg, "/brief help") {
				msg += " (`/brief help` lists the commands.)"
			}
		}
		return Response{Kind: KindError, Text: msg, Blocks: []Block{{Type: BlockSection, Text: msg}}, Visibility: Ephemeral}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg := "That took too long to answer. Please try again, or ask for less (a name or a country)."
		return Response{Kind: KindError, Text: msg, Blocks: []Block{{Type: BlockSection, Text: msg}}, Visibility: Ephemeral}
	}
	ref := NewRef()
	if logger != nil {
		logger.ErrorContext(ctx, "command failed", "ref", ref, "err", err)
	}
	msg := "Something went wrong (ref " + ref + "). It has been logged; please try again."
	return Response{Kind: KindError, Text: msg, Blocks: []Block{{Type: BlockSection, Text: msg}}, Visibility: Ephemeral}
}
