package slack

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/briefbot/briefbot/commands"
)

// realisticMeetings is a /brief meetings answer of the size the seed corpus
// gives: three meetings with roles, notes and a citation each, and sources.
func realisticMeetings() commands.Response {
	r := meetingsResponse()
	item := r.Blocks[0].Items[0]
	second, third := item, item
	second.Label, second.Text = "15 Apr 2024", "Kurt Campbell (Deputy Secretary of State, United States) met Ali Lamine Zeine (Prime Minister, Niger) in Washington, DC"
	second.Notes = []string{"First of two meetings that week"}
	third.Label, third.Text = "12 Mar 2024", "Molly Phee (Assistant Secretary of State for African Affairs, United States) met Niger's junta in Niamey"
	third.Notes = []string{"Outcome: Niger revoked its military agreement with the United States days later"}
	r.Blocks[0].Items = append(r.Blocks[0].Items, second, third)
	r.Sources = append(r.Sources, r.Sources[0], r.Sources[0])
	return r
}

// benchRequest returns a fresh signed /brief request each call.
func benchRequest(body []byte, ts int64, sig string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, CommandsPath, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(headerTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(headerSignature, sig)
	return req
}

// BenchmarkHTTPMeetings is the whole HTTP path of /brief meetings: verify,
// parse the form and the command text, answer, render Block Kit, encode.
func BenchmarkHTTPMeetings(b *testing.B) {
	now := time.Unix(1714000000, 0)
	log, _ := newLogger()
	p, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, Clock: fixedClock(now)}, log)
	if err != nil {
		b.Fatal(err)
	}
	answer := realisticMeetings()
	h := p.CommandHandler(commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return answer, nil
	}))
	body := slashForm("meetings campbell", "https://hooks.slack.com/commands/T0001/1/x")
	sig := sign(testSecret, now.Unix(), body)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, benchRequest(body, now.Unix(), sig))
	if w.Code != http.StatusOK || !bytes.Contains(w.Body.Bytes(), []byte(`"in_channel"`)) {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	b.SetBytes(int64(w.Body.Len()))
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(body, now.Unix(), sig))
	}
}

// BenchmarkHTTPBareVerified is the baseline: read the body, verify the
// signature, answer a tiny JSON.
func BenchmarkHTTPBareVerified(b *testing.B) {
	now := time.Unix(1714000000, 0)
	h := bareVerified(now)
	body := slashForm("meetings campbell", "https://hooks.slack.com/commands/T0001/1/x")
	sig := sign(testSecret, now.Unix(), body)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, benchRequest(body, now.Unix(), sig))
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}

// bareVerified is the baseline handler: read the body, verify the
// signature, answer a tiny JSON.
func bareVerified(now time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, DefaultMaxBodyBytes))
		if err != nil {
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		if err := verifySignature(r.Header, body, testSecret, now); err != nil {
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		}
		out, _ := json.Marshal(reply{ResponseType: "ephemeral", Text: "ok"})
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(out)
	})
}

// BenchmarkRenderMeetings is Render and encoding alone.
func BenchmarkRenderMeetings(b *testing.B) {
	r := realisticMeetings()
	b.ReportAllocs()
	for b.Loop() {
		msgs := renderWithThread(r, MaxAnswerMessages)
		if _, err := encodeReply(replyOf(msgs[0], "in_channel")); err != nil {
			b.Fatal(err)
		}
	}
}

// benchLoopback sends the signed /brief meetings request to h over a real
// loopback socket served by net/http, so that each iteration includes what
// the request costs the server's HTTP stack. The client is a minimal
// keep-alive HTTP/1.1 writer and response reader, to keep its share of the
// CPU small and equal for every handler.
func benchLoopback(b *testing.B, h http.Handler, now time.Time) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	body := slashForm("meetings campbell", "https://hooks.slack.com/commands/T0001/1/x")
	raw := []byte(fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
		"Content-Length: %d\r\n%s: %d\r\n%s: %s\r\n\r\n%s",
		CommandsPath, srv.Listener.Addr(), len(body), headerTimestamp, now.Unix(), headerSignature, sign(testSecret, now.Unix(), body), body))
	br := bufio.NewReaderSize(conn, 16<<10)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := conn.Write(raw); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.StatusCode)
		}
	}
}

func BenchmarkLoopbackMeetings(b *testing.B) {
	now := time.Unix(1714000000, 0)
	log, _ := newLogger()
	p, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret, Clock: fixedClock(now)}, log)
	if err != nil {
		b.Fatal(err)
	}
	answer := realisticMeetings()
	benchLoopback(b, p.CommandHandler(commands.HandlerFunc(func(ctx context.Context, req commands.Request) (commands.Response, error) {
		return answer, nil
	})), now)
}

func BenchmarkLoopbackBareVerified(b *testing.B) {
	now := time.Unix(1714000000, 0)
	benchLoopback(b, bareVerified(now), now)
}
