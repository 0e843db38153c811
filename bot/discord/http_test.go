package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// httpSetup starts the interactions endpoint on loopback, signed with a
// generated key, its REST calls going to a fake Discord.
func httpSetup(t *testing.T, h commands.Handler, mod func(*Config)) (*Platform, signer, string, *fakeDiscord, *syncBuffer) {
	t.Helper()
	s := newSigner(t)
	f := newFakeDiscord(t)
	p, logs := newTestPlatform(t, f, func(c *Config) {
		c.PublicKey = s.publicHex()
		if mod != nil {
			mod(c)
		}
	})
	mux := http.NewServeMux()
	for pattern, handler := range p.Routes(h) {
		mux.Handle(pattern, handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return p, s, srv.URL + InteractionsPath, f, logs
}

func do(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func answer(r commands.Response) *recordingHandler {
	return &recordingHandler{fn: func(context.Context, commands.Request) (commands.Response, error) { return r, nil }}
}

func TestHTTPPing(t *testing.T) {
	h := answer(meetingsResponse())
	_, s, url, _, _ := httpSetup(t, h, nil)
	status, body := do(t, s.signedRequest(url, []byte(`{"id":"1","application_id":"`+testAppID+`","type":1,"token":"x","version":1}`)))
	if status != 200 || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Fatalf("PING answered %d %s, want 200 {\"type\":1}", status, body)
	}
	if h.calls() != 0 {
		t.Error("PING reached the handler")
	}
}

func TestHTTPMeetingsAnswersWithEmbed(t *testing.T) {
	h := answer(meetingsResponse())
	_, s, url, f, _ := httpSetup(t, h, nil)
	status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings", str("name", "campbell"))}, nil)))
	if status != 200 {
		t.Fatalf("status %d: %s", status, body)
	}
	var got struct {
		Type int `json:"type"`
		Data struct {
			Flags  int                       `json:"flags"`
			Embeds []*discordgo.MessageEmbed `json:"embeds"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != 4 || len(got.Data.Embeds) == 0 || got.Data.Embeds[0].Title != "Meetings" || got.Data.Flags != 0 {
		t.Fatalf("want a public type 4 answer with the Meetings embed, got %s", body)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	compareGolden(t, "http_meetings", json.RawMessage(pretty.Bytes()))

	req := h.last(t)
	want := commands.Request{
		Platform: "discord", Workspace: testGuildID, Channel: testChannel, User: testUser,
		Command: "meetings", Args: []string{"campbell"}, Options: map[string]string{"name": "campbell"},
		Text: "meetings campbell", Locale: "en-GB", Now: fixedNow,
	}
	if fmt.Sprint(req) != fmt.Sprint(want) {
		t.Errorf("request\n got %+v\nwant %+v", req, want)
	}
	if n := len(f.requests("PATCH", "")) + len(f.requests("POST", "/webhooks/")); n != 0 {
		t.Errorf("an in-time answer made %d webhook calls", n)
	}
}

func TestHTTPRejectsUnverified(t *testing.T) {
	h := answer(meetingsResponse())
	_, s, url, _, _ := httpSetup(t, h, nil)
	body := commandPayload(2, []opt{sub("meetings")}, nil)
	ts := strconv.FormatInt(fixedNow.Unix(), 10)
	other := newSigner(t)
	for _, tc := range []struct {
		name   string
		mutate func(r *http.Request)
		body   []byte
		want   int
	}{
		{"no signature", func(r *http.Request) { r.Header.Del(headerSignature) }, body, 401},
		{"no timestamp", func(r *http.Request) { r.Header.Del(headerTimestamp) }, body, 401},
		{"no headers", func(r *http.Request) { r.Header.Del(headerSignature); r.Header.Del(headerTimestamp) }, body, 401},
		{"another key", func(r *http.Request) { r.Header.Set(headerSignature, other.sign(ts, body)) }, body, 401},
		{"not hex", func(r *http.Request) { r.Header.Set(headerSignature, strings.Repeat("zz", 64)) }, body, 401},
		{"short signature", func(r *http.Request) { r.Header.Set(headerSignature, "abcd") }, body, 401},
		{"altered body", nil, append(append([]byte{}, body[:len(body)-1]...), ' ', '}'), 401},
		{"altered timestamp", func(r *http.Request) { r.Header.Set(headerTimestamp, strconv.FormatInt(fixedNow.Unix()+1, 10)) }, body, 401},
		{"stale timestamp", func(r *http.Request) {
			old := strconv.FormatInt(fixedNow.Add(-time.Hour).Unix(), 10)
			r.Header.Set(headerTimestamp, old)
			r.Header.Set(headerSignature, s.sign(old, body))
		}, body, 401},
		{"oversized", nil, bytes.Repeat([]byte("x"), MaxInteractionBody+10), 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := s.signedRequest(url, body)
			// The signature is over the original body; a test body replaces it.
			req.Body = io.NopCloser(bytes.NewReader(tc.body))
			req.ContentLength = int64(len(tc.body))
			if tc.mutate != nil {
				tc.mutate(req)
			}
			status, b := do(t, req)
			if status != tc.want {
				t.Errorf("status %d (%s), want %d", status, b, tc.want)
			}
		})
	}
	if h.calls() != 0 {
		t.Errorf("unverified requests reached the handler %d times", h.calls())
	}
}

func TestHTTPSlowAnswerIsDeferredThenPatched(t *testing.T) {
	release := make(chan struct{})
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return statusResponse(), nil
	}}
	_, s, url, f, _ := httpSetup(t, h, func(c *Config) { c.AnswerBudget = 20 * time.Millisecond })
	status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("status", str("topic", "withdrawal"))}, nil)))
	if status != 200 || strings.TrimSpace(string(body)) != `{"type":5}` {
		t.Fatalf("want a public deferral {\"type\":5}, got %d %s", status, body)
	}
	close(release)
	patch := f.waitFor("PATCH", "/webhooks/"+testAppID+"/"+testInteractionToken+"/messages/@original")
	var edit struct {
		Embeds []*discordgo.MessageEmbed `json:"embeds"`
	}
	if err := json.Unmarshal(patch.Body, &edit); err != nil {
		t.Fatal(err)
	}
	if len(edit.Embeds) == 0 || edit.Embeds[0].Title != "Status: withdrawal" {
		t.Fatalf("the PATCH does not carry the answer: %s", patch.Body)
	}
	if patch.Auth != "Bot "+testToken {
		t.Errorf("webhook call authorization %q", patch.Auth)
	}
}

func TestHTTPSlowPrivateAnswerIsDeferredEphemeral(t *testing.T) {
	release := make(chan struct{})
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return helpResponse(), nil
	}}
	_, s, url, f, _ := httpSetup(t, h, func(c *Config) { c.AnswerBudget = 10 * time.Millisecond })
	status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("help")}, nil)))
	if status != 200 || strings.TrimSpace(string(body)) != `{"type":5,"data":{"tts":false,"content":"","components":null,"embeds":null,"flags":64}}` {
		t.Fatalf("want an ephemeral deferral, got %d %s", status, body)
	}
	close(release)
	f.waitFor("PATCH", "/messages/@original")
}

func TestHTTPSlowErrorAfterPublicDeferralBecomesEphemeral(t *testing.T) {
	release := make(chan struct{})
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return commands.Response{}, briefings.Errorf(briefings.CodeNotFound, "No meetings recorded for Chad; 3 facts mention Chad: /brief situation chad")
	}}
	_, s, url, f, _ := httpSetup(t, h, func(c *Config) { c.AnswerBudget = 10 * time.Millisecond })
	status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings", str("name", "chad"))}, nil)))
	if status != 200 || strings.TrimSpace(string(body)) != `{"type":5}` {
		t.Fatalf("want a public deferral, got %d %s", status, body)
	}
	close(release)
	f.waitFor("DELETE", "/messages/@original")
	post := f.waitFor("POST", "/webhooks/"+testAppID+"/")
	var fu discordgo.WebhookParams
	if err := json.Unmarshal(post.Body, &fu); err != nil {
		t.Fatal(err)
	}
	if fu.Flags != EphemeralFlag || len(fu.Embeds) == 0 || !strings.Contains(fu.Embeds[0].Description, "No meetings recorded for Chad") {
		t.Fatalf("want an ephemeral follow-up with the error, got %s", post.Body)
	}
}

func TestHTTPErrorsBecomeUserText(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		want    string
		logWant string
		hidden  string
	}{
		{"coded", briefings.Errorf(briefings.CodeInvalid, "`who` needs a name"), "`who` needs a name", "", ""},
		{"too slow", fmt.Errorf("query: %w", context.DeadlineExceeded), "That took too long", "", ""},
		{"internal", fmt.Errorf("query: %w", errors.New("disk I/O error at page 42")), "Something went wrong (ref ", "disk I/O error at page 42", "disk I/O"},
		{"panic", nil, "Something went wrong (ref ", "handler panic", "boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &recordingHandler{fn: func(context.Context, commands.Request) (commands.Response, error) {
				if tc.err == nil {
					panic("boom")
				}
				return commands.Response{}, tc.err
			}}
			_, s, url, _, logs := httpSetup(t, h, nil)
			status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("who", str("name", "x"))}, nil)))
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			var got discordgo.InteractionResponse
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatal(err)
			}
			d := got.Data
			if d == nil || d.Flags != EphemeralFlag || len(d.Embeds) != 1 {
				t.Fatalf("want one ephemeral embed, got %s", body)
			}
			text := strings.ReplaceAll(d.Embeds[0].Description, `\`, "")
			if !strings.Contains(text, tc.want) {
				t.Errorf("user text %q lacks %q", text, tc.want)
			}
			if tc.hidden != "" && strings.Contains(string(body), tc.hidden) {
				t.Errorf("internal details shown to the user: %s", body)
			}
			if tc.logWant != "" && !strings.Contains(logs.String(), tc.logWant) {
				t.Errorf("log lacks %q:\n%s", tc.logWant, logs.String())
			}
			if strings.HasPrefix(tc.want, "Something") {
				ref := text[strings.Index(text, "ref ")+4:][:6]
				if !strings.Contains(logs.String(), "ref="+ref) {
					t.Errorf("the log does not carry the ref %s shown to the user:\n%s", ref, logs.String())
				}
			}
		})
	}
}

func TestRequestConversion(t *testing.T) {
	f := newFakeDiscord(t)
	p, _ := newTestPlatform(t, f, func(c *Config) { c.AdminRoleIDs = []string{"777777777777777777"} })
	plain := opt{"user": opt{"id": testUser}, "roles": []string{"1"}, "permissions": "0"}
	for _, tc := range []struct {
		name    string
		options []opt
		member  opt
		command string
		opts    map[string]string
		admin   bool
		errPart string
	}{
		{name: "subcommand with option", options: []opt{sub("situation", str("country", "Chad"))}, command: "situation", opts: map[string]string{"country": "Chad"}},
		{name: "group", options: []opt{group("digest", sub("preview"))}, command: "digest preview", opts: map[string]string{}},
		{name: "group with options", options: []opt{group("feed", sub("add", str("url", "https://example.com/a.rss"), str("every", "1h")))}, command: "feed add", opts: map[string]string{"url": "https://example.com/a.rss", "every": "1h"}},
		{name: "flag on", options: []opt{sub("summary", boolean("private", true))}, command: "summary", opts: map[string]string{"private": "true"}},
		{name: "flag off", options: []opt{sub("summary", boolean("private", false))}, command: "summary", opts: map[string]string{}},
		{name: "typed subscribe", options: []opt{sub("subscribe", str("time", "07:30"), str("timezone", "Europe/Berlin"), str("days", "mon,wed"))}, command: "subscribe", opts: map[string]string{"time": "07:30", "timezone": "Europe/Berlin", "days": "mon,wed"}},
		{name: "manage server is admin", options: []opt{sub("ingest", str("url", "https://example.com/x"))}, member: opt{"user": opt{"id": testUser}, "permissions": "32"}, command: "ingest", opts: map[string]string{"url": "https://example.com/x"}, admin: true},
		{name: "administrator is admin", options: []opt{sub("pause")}, member: opt{"user": opt{"id": testUser}, "permissions": "8"}, command: "pause", opts: map[string]string{}, admin: true},
		{name: "admin role", options: []opt{sub("pause")}, member: opt{"user": opt{"id": testUser}, "roles": []string{"777777777777777777"}, "permissions": "0"}, command: "pause", opts: map[string]string{}, admin: true},
		{name: "other role", options: []opt{sub("pause")}, member: plain, command: "pause", opts: map[string]string{}},
		{name: "unknown subcommand", options: []opt{sub("teleport")}, errPart: "briefbot discord register"},
		{name: "unknown option", options: []opt{sub("meetings", str("colour", "red"))}, errPart: "has no option `colour`"},
		{name: "missing required", options: []opt{sub("who")}, errPart: "needs the option `name`"},
		{name: "group without subcommand", options: []opt{{"type": 2, "name": "digest", "options": []opt{}}}, errPart: "needs a subcommand"},
		{name: "no subcommand", options: nil, errPart: "pick a subcommand"},
		{name: "too long", options: []opt{sub("ask", str("question", strings.Repeat("why ", 600)))}, errPart: "the limit is 2000"},
		{name: "wrong type", options: []opt{sub("ask", opt{"type": 3, "name": "question", "value": opt{"x": 1}})}, errPart: "unsupported value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			i, err := DecodeInteraction(commandPayload(2, tc.options, tc.member))
			if err != nil {
				t.Fatal(err)
			}
			req, _, err := p.Request(i)
			if tc.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errPart) || briefings.ErrorCode(err) != briefings.CodeInvalid {
					t.Fatalf("want an invalid-input error containing %q, got %v", tc.errPart, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if req.Command != tc.command || fmt.Sprint(req.Options) != fmt.Sprint(tc.opts) || req.Admin != tc.admin {
				t.Errorf("got command %q options %v admin %v, want %q %v %v", req.Command, req.Options, req.Admin, tc.command, tc.opts, tc.admin)
			}
			// The text form parses back to the same options.
			parsed, err := commands.Parse(commands.Table(), req.Text)
			if err != nil {
				t.Fatalf("Text %q does not parse: %v", req.Text, err)
			}
			if parsed.Spec.Name != req.Command || fmt.Sprint(parsed.Options) != fmt.Sprint(req.Options) {
				t.Errorf("Text %q parses to %q %v", req.Text, parsed.Spec.Name, parsed.Options)
			}
		})
	}
}

// fakeCompleter records lookups and returns canned values.
type fakeCompleter struct {
	kind   commands.Completion
	prefix string
	limit  int
	values []string
	err    error
}

func (c *fakeCompleter) Complete(ctx context.Context, kind commands.Completion, prefix string, limit int) ([]string, error) {
	c.kind, c.prefix, c.limit = kind, prefix, limit
	return c.values, c.err
}

func TestHTTPAutocomplete(t *testing.T) {
	var values []string
	values = append(values, "Kurt Campbell", "Kurt Campbell", "", strings.Repeat("x", 101))
	for i := 0; i < 40; i++ {
		values = append(values, fmt.Sprintf("Campbell %02d", i))
	}
	comp := &fakeCompleter{values: values}
	h := answer(meetingsResponse())
	_, s, url, _, _ := httpSetup(t, h, func(c *Config) { c.Completer = comp })
	focused := opt{"type": 3, "name": "name", "value": "camp", "focused": true}
	status, body := do(t, s.signedRequest(url, commandPayload(4, []opt{sub("meetings", focused)}, nil)))
	if status != 200 {
		t.Fatalf("status %d", status)
	}
	var got autocompleteResponse
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.Type != 8 || len(got.Data.Choices) != 25 || got.Data.Choices[0].Name != "Kurt Campbell" || got.Data.Choices[1].Name != "Campbell 00" {
		t.Fatalf("want 25 deduplicated choices, got %s", body)
	}
	if comp.kind != commands.CompleteEntity || comp.prefix != "camp" || comp.limit != 25 {
		t.Errorf("completer asked for %q %q %d", comp.kind, comp.prefix, comp.limit)
	}
	if h.calls() != 0 {
		t.Error("autocomplete reached the handler")
	}

	// Time zones inside a subcommand with several options.
	focused = opt{"type": 3, "name": "timezone", "value": "Europe/B", "focused": true}
	comp.values = []string{"Europe/Berlin", "Europe/Brussels"}
	_, body = do(t, s.signedRequest(url, commandPayload(4, []opt{sub("subscribe", str("time", "07:30"), focused)}, nil)))
	if comp.kind != commands.CompleteZone || !strings.Contains(string(body), "Europe/Brussels") {
		t.Errorf("zone completion: kind %q body %s", comp.kind, body)
	}

	// No completion for a free question: an empty list, not an error.
	focused = opt{"type": 3, "name": "question", "value": "wh", "focused": true}
	_, body = do(t, s.signedRequest(url, commandPayload(4, []opt{sub("ask", focused)}, nil)))
	if strings.TrimSpace(string(body)) != `{"type":8,"data":{"choices":[]}}` {
		t.Errorf("want an empty choice list, got %s", body)
	}

	// A failing completer gives an empty list too.
	comp.err = errors.New("store down")
	focused = opt{"type": 3, "name": "country", "value": "ch", "focused": true}
	_, body = do(t, s.signedRequest(url, commandPayload(4, []opt{sub("situation", focused)}, nil)))
	if strings.TrimSpace(string(body)) != `{"type":8,"data":{"choices":[]}}` {
		t.Errorf("want an empty choice list, got %s", body)
	}
}

func TestHTTPLongAnswerSendsFollowUps(t *testing.T) {
	h := answer(longResponse())
	_, s, url, f, _ := httpSetup(t, h, nil)
	status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("timeline")}, nil)))
	if status != 200 || !strings.Contains(string(body), `"type":4`) {
		t.Fatalf("status %d %s", status, body)
	}
	_, follow := RenderInteraction(longResponse())
	f.waitN("POST", "/webhooks/"+testAppID+"/"+testInteractionToken, len(follow))
	time.Sleep(20 * time.Millisecond) // let an excess follow-up show up
	if got := len(f.requests("POST", "/webhooks/")); got != len(follow) || got == 0 {
		t.Errorf("%d follow-ups sent, want %d", got, len(follow))
	}
}

func TestHTTPBusyWhenSaturated(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return meetingsResponse(), nil
	}}
	_, s, url, _, _ := httpSetup(t, h, func(c *Config) { c.MaxConcurrent = 1; c.AnswerBudget = 5 * time.Millisecond })
	if status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings")}, nil))); status != 200 || !strings.Contains(string(body), `"type":5`) {
		t.Fatalf("first request: %d %s", status, body)
	}
	_, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings")}, nil)))
	if !strings.Contains(string(body), "try again in a moment") || !strings.Contains(string(body), `"flags":64`) {
		t.Errorf("a saturated adapter should say so privately, got %s", body)
	}
}

func TestHTTPDeferredAnswerDoesNotHoldTheConnection(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		if req.Command == "timeline" {
			<-release
			return timelineResponse(), nil
		}
		return meetingsResponse(), nil
	}}
	_, s, url, _, _ := httpSetup(t, h, func(c *Config) { c.AnswerBudget = 10 * time.Millisecond })
	resp, err := http.DefaultClient.Do(s.signedRequest(url, commandPayload(2, []opt{sub("timeline")}, nil)))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), `"type":5`) || !resp.Close {
		t.Fatalf("a deferral must close its connection: close=%v body %s", resp.Close, body)
	}
	// The slow answer is still being computed; the next interaction is
	// answered at once.
	status, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings")}, nil)))
	if status != 200 || !strings.Contains(string(body), `"type":4`) {
		t.Fatalf("second interaction: %d %s", status, body)
	}
}

func TestHTTPPrivateFlagMakesTheAnswerEphemeral(t *testing.T) {
	h := answer(meetingsResponse()) // the handler leaves it in-channel
	_, s, url, _, _ := httpSetup(t, h, nil)
	_, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings", boolean("private", true))}, nil)))
	if !strings.Contains(string(body), `"flags":64`) {
		t.Errorf("a private request was answered publicly: %s", body)
	}
}

func TestServeDrainsDeferredAnswersThenRefuses(t *testing.T) {
	release := make(chan struct{})
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		if req.Command == "timeline" {
			<-release
		}
		return timelineResponse(), nil
	}}
	p, s, url, f, _ := httpSetup(t, h, func(c *Config) { c.AnswerBudget = 5 * time.Millisecond; c.BotToken = "" })
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Serve(ctx, h) }()
	if _, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("timeline")}, nil))); !strings.Contains(string(body), `"type":5`) {
		t.Fatalf("want a deferral, got %s", body)
	}
	cancel()
	select {
	case <-served:
		t.Fatal("Serve returned while an answer was under way")
	case <-time.After(20 * time.Millisecond):
	}
	close(release)
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if len(f.requests("PATCH", "/messages/@original")) != 1 {
		t.Error("the deferred answer was not delivered before Serve returned")
	}
	_, body := do(t, s.signedRequest(url, commandPayload(2, []opt{sub("meetings")}, nil)))
	if !strings.Contains(string(body), "restarting") {
		t.Errorf("after Serve, want a restarting notice, got %s", body)
	}
}
