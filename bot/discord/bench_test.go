package discord

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/commands"
)

// benchInteraction is a signed /brief meetings request and the platform
// that verifies it.
type benchInteraction struct {
	p       *Platform
	h       commands.Handler
	body    []byte
	ts, sig string
	pub     ed25519.PublicKey
	sigRaw  []byte
}

func newBenchInteraction(b *testing.B) benchInteraction {
	return newBenchInteractionWith(b, commandPayload(2, []opt{sub("meetings", str("name", "campbell"))}, nil))
}

func newBenchInteractionWith(b *testing.B, body []byte) benchInteraction {
	s := newSigner(b)
	p, err := New(Config{PublicKey: s.publicHex(), ApplicationID: testAppID, Clock: fixedClock()},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(p.stop)
	ts := strconv.FormatInt(fixedNow.Unix(), 10)
	sig := s.sign(ts, body)
	raw, _ := hex.DecodeString(sig)
	resp := meetingsResponse()
	h := commands.HandlerFunc(func(context.Context, commands.Request) (commands.Response, error) { return resp, nil })
	return benchInteraction{p: p, h: h, body: body, ts: ts, sig: sig, pub: s.pub, sigRaw: raw}
}

// BenchmarkInteractionHTTP measures the whole HTTP interactions path for
// a signed /brief meetings: verify, decode, convert, answer (an in-memory
// handler), render and encode the type 4 response.
func BenchmarkInteractionHTTP(b *testing.B) {
	bi := newBenchInteraction(b)
	handler := bi.p.InteractionsHandler(bi.h)
	header := http.Header{}
	header.Set(headerSignature, bi.sig)
	header.Set(headerTimestamp, bi.ts)
	header.Set("Content-Type", "application/json")
	rd := bytes.NewReader(bi.body)
	req := &http.Request{Method: "POST", Header: header, Body: io.NopCloser(rd), ContentLength: int64(len(bi.body))}
	w := &responseRecorder{header: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rd.Reset(bi.body)
		w.body, w.status = w.body[:0], 0
		handler.ServeHTTP(w, req)
	}
	b.StopTimer()
	if w.status != 0 && w.status != 200 || !bytes.Contains(w.body, []byte(`"type":4`)) {
		b.Fatalf("status %d body %s", w.status, w.body)
	}
}

// BenchmarkVerifyOnly is the floor: Ed25519 verification of the same
// request alone.
func BenchmarkVerifyOnly(b *testing.B) {
	bi := newBenchInteraction(b)
	msg := append([]byte(bi.ts), bi.body...)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if !ed25519.Verify(bi.pub, msg, bi.sigRaw) {
			b.Fatal("verification failed")
		}
	}
}

// BenchmarkRender measures Render alone for the meetings answer.
func BenchmarkRender(b *testing.B) {
	r := meetingsResponse()
	b.ReportAllocs()
	for b.Loop() {
		Render(r)
	}
}

// BenchmarkDecodeInteraction measures the decoder and conversion alone.
func BenchmarkDecodeInteraction(b *testing.B) {
	bi := newBenchInteraction(b)
	b.ReportAllocs()
	for b.Loop() {
		i, err := DecodeInteraction(bi.body)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := bi.p.Request(i); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPathOverVerify runs the HTTP path and verification alone in
// alternation, so that a noisy machine slows both alike, and reports their
// ratio (the goal is at most 1.3), for a minimal payload and for one shaped
// like what Discord sends (about 1.8 KB).
func BenchmarkPathOverVerify(b *testing.B) {
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"minimal", commandPayload(2, []opt{sub("meetings", str("name", "campbell"))}, nil)},
		{"realistic", realisticPayload()},
	} {
		b.Run(tc.name, func(b *testing.B) {
			bi := newBenchInteractionWith(b, tc.body)
			handler := bi.p.InteractionsHandler(bi.h)
			header := http.Header{}
			header.Set(headerSignature, bi.sig)
			header.Set(headerTimestamp, bi.ts)
			rd := bytes.NewReader(bi.body)
			req := &http.Request{Method: "POST", Header: header, Body: io.NopCloser(rd), ContentLength: int64(len(bi.body))}
			w := &responseRecorder{header: http.Header{}}
			msg := append([]byte(bi.ts), bi.body...)
			var path, verify time.Duration
			b.ReportAllocs()
			for b.Loop() {
				t0 := time.Now()
				if !ed25519.Verify(bi.pub, msg, bi.sigRaw) {
					b.Fatal("verification failed")
				}
				t1 := time.Now()
				rd.Reset(bi.body)
				w.body = w.body[:0]
				handler.ServeHTTP(w, req)
				t2 := time.Now()
				verify += t1.Sub(t0)
				path += t2.Sub(t1)
			}
			if !bytes.Contains(w.body, []byte(`"type":4`)) {
				b.Fatalf("unexpected answer %s", w.body)
			}
			b.ReportMetric(float64(path.Nanoseconds())/float64(b.N), "path-ns/op")
			b.ReportMetric(float64(verify.Nanoseconds())/float64(b.N), "verify-ns/op")
			b.ReportMetric(float64(path)/float64(verify), "ratio")
		})
	}
}

// realisticPayload is a /brief meetings interaction shaped like what
// Discord sends today: a full member, channel and guild, entitlements and
// integration owners (about 2 KB).
func realisticPayload() []byte {
	p := map[string]any{
		"id": "1234567890123456789", "application_id": testAppID, "type": 2, "version": 1,
		"token": testInteractionToken + strings.Repeat("x", 100), "locale": "en-GB", "guild_locale": "en-US",
		"guild_id": testGuildID, "channel_id": testChannel, "app_permissions": "562949953421311", "context": 0,
		"entitlements": []any{}, "authorizing_integration_owners": map[string]any{"0": testGuildID},
		"guild": map[string]any{"id": testGuildID, "locale": "en-US", "features": []string{"COMMUNITY", "NEWS", "THREADS_ENABLED"}},
		"channel": map[string]any{"id": testChannel, "type": 0, "guild_id": testGuildID, "name": "world-news", "position": 3,
			"parent_id": "999999999999999999", "topic": "Daily briefings and discussion of world news", "nsfw": false,
			"rate_limit_per_user": 0, "last_message_id": "1234567890123456700", "flags": 0, "permissions": "562949953421311",
			"permission_overwrites": []any{}, "icon_emoji": map[string]any{"id": nil, "name": "🌍"}, "theme_color": nil},
		"member": map[string]any{
			"user": map[string]any{"id": testUser, "username": "analyst", "global_name": "The Analyst", "avatar": "a_1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e",
				"discriminator": "0", "public_flags": 64, "flags": 64, "banner": nil, "accent_color": nil,
				"avatar_decoration_data": nil, "clan": nil, "primary_guild": nil},
			"roles": []string{"777777777777777001", "777777777777777002", "777777777777777003"}, "premium_since": nil,
			"permissions": "2248473465835073", "pending": false, "nick": "Analyst", "mute": false, "deaf": false,
			"joined_at": "2023-01-05T10:15:00.123000+00:00", "flags": 0, "avatar": nil, "banner": nil,
			"communication_disabled_until": nil, "unusual_dm_activity_until": nil},
		"data": map[string]any{"id": "666666666666666666", "name": "brief", "type": 1, "guild_id": testGuildID,
			"options": []any{map[string]any{"type": 1, "name": "meetings", "options": []any{map[string]any{"type": 3, "name": "name", "value": "campbell"}}}}},
	}
	b, err := json.Marshal(p)
	if err != nil {
		panic(err)
	}
	return b
}

// BenchmarkDecodeOverVerify compares decoding a realistic interaction with
// verifying its signature, alternating the two.
func BenchmarkDecodeOverVerify(b *testing.B) {
	s := newSigner(b)
	body := realisticPayload()
	ts := strconv.FormatInt(fixedNow.Unix(), 10)
	msg := append([]byte(ts), body...)
	sig, _ := hex.DecodeString(s.sign(ts, body))
	var dec, ver time.Duration
	for b.Loop() {
		t0 := time.Now()
		ed25519.Verify(s.pub, msg, sig)
		t1 := time.Now()
		if _, err := DecodeInteraction(body); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		ver += t1.Sub(t0)
		dec += t2.Sub(t1)
	}
	b.ReportMetric(float64(len(body)), "bytes")
	b.ReportMetric(float64(dec)/float64(ver), "ratio")
}
