package slack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"
)

// MaxClockSkew is how far a request's timestamp may be from our clock, in
// either direction; older requests are refused as possible replays.
const MaxClockSkew = 5 * time.Minute

// The headers of a signed Slack request.
const (
	headerSignature = "X-Slack-Signature"
	headerTimestamp = "X-Slack-Request-Timestamp"
)

// signatureError says why a request was refused. It is logged; it never
// contains the secret or the signature.
type signatureError string

func (e signatureError) Error() string { return "slack request refused: " + string(e) }

// The reasons a signature check fails.
const (
	errMissingTimestamp  signatureError = "missing X-Slack-Request-Timestamp"
	errBadTimestamp      signatureError = "malformed timestamp"
	errStaleTimestamp    signatureError = "timestamp more than 5 minutes from now"
	errMissingSignature  signatureError = "missing X-Slack-Signature"
	errBadSignature      signatureError = "malformed signature (want v0= and 64 hex digits)"
	errSignatureMismatch signatureError = "signature does not match"
	errNoSecret          signatureError = "no signing secret configured"
)

// verifySignature checks Slack's v0 signature over the raw body: HMAC-SHA256
// of "v0:<timestamp>:<body>" keyed with the signing secret, compared in
// constant time, with the timestamp within MaxClockSkew of now.
func verifySignature(h http.Header, body []byte, secret string, now time.Time) error {
	if secret == "" {
		return errNoSecret
	}
	ts := h.Get(headerTimestamp)
	if ts == "" {
		return errMissingTimestamp
	}
	if len(ts) > 12 {
		return errBadTimestamp
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sec <= 0 {
		return errBadTimestamp
	}
	if d := now.Sub(time.Unix(sec, 0)); d > MaxClockSkew || d < -MaxClockSkew {
		return errStaleTimestamp
	}
	sig := h.Get(headerSignature)
	if sig == "" {
		return errMissingSignature
	}
	if len(sig) != 3+2*sha256.Size || sig[:3] != "v0=" {
		return errBadSignature
	}
	var got [sha256.Size]byte
	if _, err := hex.Decode(got[:], []byte(sig[3:])); err != nil {
		return errBadSignature
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:"))
	mac.Write([]byte(ts))
	mac.Write([]byte{':'})
	mac.Write(body)
	var want [sha256.Size]byte
	if !hmac.Equal(mac.Sum(want[:0]), got[:]) {
		return errSignatureMismatch
	}
	return nil
}
