package slack

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestVerifySlackPublishedExample(t *testing.T) {
	at := time.Unix(docTimestamp, 0)
	header := func(ts, sig string) http.Header {
		h := http.Header{}
		if ts != "" {
			h.Set(headerTimestamp, ts)
		}
		if sig != "" {
			h.Set(headerSignature, sig)
		}
		return h
	}
	ts := strconv.Itoa(docTimestamp)
	changed := []byte(docBody)
	changed[len(changed)/2] ^= 1
	tests := []struct {
		name   string
		h      http.Header
		body   []byte
		secret string
		now    time.Time
		want   error
	}{
		{"slack's example", header(ts, docSignature), []byte(docBody), docSecret, at, nil},
		{"4 minutes later", header(ts, docSignature), []byte(docBody), docSecret, at.Add(4 * time.Minute), nil},
		{"clock 4 minutes behind", header(ts, docSignature), []byte(docBody), docSecret, at.Add(-4 * time.Minute), nil},
		{"6 minutes later", header(ts, docSignature), []byte(docBody), docSecret, at.Add(6 * time.Minute), errStaleTimestamp},
		{"6 minutes early", header(ts, docSignature), []byte(docBody), docSecret, at.Add(-6 * time.Minute), errStaleTimestamp},
		{"one byte changed", header(ts, docSignature), changed, docSecret, at, errSignatureMismatch},
		{"wrong secret", header(ts, docSignature), []byte(docBody), docSecret + "x", at, errSignatureMismatch},
		{"missing signature", header(ts, ""), []byte(docBody), docSecret, at, errMissingSignature},
		{"missing timestamp", header("", docSignature), []byte(docBody), docSecret, at, errMissingTimestamp},
		{"timestamp changed", header(strconv.Itoa(docTimestamp+1), docSignature), []byte(docBody), docSecret, at, errSignatureMismatch},
		{"malformed timestamp", header("15314206l8", docSignature), []byte(docBody), docSecret, at, errBadTimestamp},
		{"v1 signature", header(ts, "v1="+docSignature[3:]), []byte(docBody), docSecret, at, errBadSignature},
		{"short signature", header(ts, docSignature[:40]), []byte(docBody), docSecret, at, errBadSignature},
		{"non-hex signature", header(ts, docSignature[:len(docSignature)-1]+"z"), []byte(docBody), docSecret, at, errBadSignature},
		{"no secret configured", header(ts, docSignature), []byte(docBody), "", at, errNoSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifySignature(tt.h, tt.body, tt.secret, tt.now); got != tt.want {
				t.Fatalf("verifySignature = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSignMatchesSlackExample(t *testing.T) {
	if got := sign(docSecret, docTimestamp, []byte(docBody)); got != docSignature {
		t.Fatalf("sign = %s, want Slack's %s", got, docSignature)
	}
}
