package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Slack's published signing example
// (https://api.slack.com/authentication/verifying-requests-from-slack).
const (
	docSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	docTimestamp = 1531420618
	docSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	docBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

// Test credentials: distinctive so that a leak is easy to find.
const (
	testBotToken = "xoxb-1111-2222-SECRETBOTTOKEN"
	testAppToken = "xapp-1-A111-3333-SECRETAPPTOKEN"
	testSecret   = "test-signing-secret-0123456789abcdef"
)

// logBuffer collects log output from several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newLogger returns a logger writing everything (debug included) to a
// buffer.
func newLogger() (*slog.Logger, *logBuffer) {
	lb := &logBuffer{}
	return slog.New(slog.NewTextHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug})), lb
}

// fixedClock returns a clock stopped at t.
func fixedClock(t time.Time) briefings.Clock {
	return briefings.ClockFunc(func() time.Time { return t })
}

// newTestPlatform builds a platform from cfg with test credentials filled
// in where cfg leaves them empty.
func newTestPlatform(t testing.TB, cfg Config) (*Platform, *logBuffer) {
	t.Helper()
	if cfg.BotToken == "" {
		cfg.BotToken = testBotToken
	}
	if cfg.SigningSecret == "" && cfg.AppToken == "" {
		cfg.SigningSecret = testSecret
	}
	log, lb := newLogger()
	p, err := New(cfg, log)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return p, lb
}

// sign returns the v0 signature of body at ts, as Slack computes it.
func sign(secret string, ts int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + strconv.FormatInt(ts, 10) + ":"))
	mac.Write(body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// slashForm encodes a slash command in the field order Slack uses.
func slashForm(text, responseURL string) []byte {
	fields := [][2]string{
		{"token", "gIkuvaNzQIHg97ATvDxqgjtO"},
		{"team_id", "T0001"},
		{"team_domain", "example"},
		{"channel_id", "C2147483705"},
		{"channel_name", "news"},
		{"user_id", "U2147483697"},
		{"user_name", "steve"},
		{"command", "/brief"},
		{"text", text},
		{"api_app_id", "A123456"},
		{"is_enterprise_install", "false"},
		{"response_url", responseURL},
		{"trigger_id", "13345224609.738474920.8088930838d88f008e0"},
	}
	var b strings.Builder
	for i, f := range fields {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(f[0]))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(f[1]))
	}
	return []byte(b.String())
}

// signedRequest returns a POST exactly as Slack sends it.
func signedRequest(t testing.TB, target, secret string, ts int64, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "Slackbot 1.0 (+https://api.slack.com/robots)")
	req.Header.Set(headerTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(headerSignature, sign(secret, ts, body))
	return req
}

// day is a date in the seed corpus's time frame.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// Representative responses, built by hand the way the commands layer
// builds them.

func meetingsResponse() commands.Response {
	cite := commands.Citation{
		ArticleID: "a1",
		Title:     "US agrees to withdraw troops from Niger",
		URL:       "https://example.com/news/us-niger-withdrawal",
		Published: day(2024, time.April, 20),
		Quote:     "Deputy Secretary of State Kurt Campbell met Niger's Prime Minister Ali Lamine Zeine in Washington on Friday, their second encounter that week.",
	}
	return commands.Response{
		Kind:  commands.KindMeetings,
		Title: "Meetings",
		Text:  "1 meeting: Kurt Campbell and Ali Lamine Zeine, 19 Apr 2024, Washington, DC",
		Blocks: []commands.Block{
			{Type: commands.BlockFacts, Items: []commands.Item{{
				Label:     "19 Apr 2024",
				Text:      "Kurt Campbell (Deputy Secretary of State, United States) met Ali Lamine Zeine (Prime Minister, Niger) in Washington, DC",
				Notes:     []string{"Their second encounter that week", "Outcome: the US agreed to withdraw its troops from Niger"},
				Citations: []commands.Citation{cite},
			}}},
			{Type: commands.BlockContext, Text: "Dates resolved against each article's publication date."},
		},
		Visibility: commands.InChannel,
		Sources:    []commands.Source{{ArticleID: "a1", Title: cite.Title, URL: cite.URL, Published: cite.Published}},
	}
}

func statusResponse() commands.Response {
	c1 := commands.Citation{ArticleID: "a1", Title: "US agrees to withdraw troops from Niger", URL: "https://example.com/news/us-niger-withdrawal",
		Published: day(2024, time.April, 20), Quote: "The United States agreed on Friday to withdraw its troops from Niger, a senior State Department official said."}
	c2 := commands.Citation{ArticleID: "a2", Title: "France to leave Sahel bases", Published: day(2024, time.April, 22),
		Quote: "France is expected to leave within a year, officials said."}
	return commands.Response{
		Kind:  commands.KindStatus,
		Title: "Status: withdrawal",
		Blocks: []commands.Block{
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "Agreed", Text: "US military withdrawal from Niger (since 19 Apr 2024)",
					Notes:     []string{"Timeline under discussion with the Department of Defense", "Diplomatic presence kept", "History: demanded (16 Mar 2024) → agreed (19 Apr 2024)"},
					Citations: []commands.Citation{c1}},
				{Label: "Planned", Text: "French withdrawal: expected to leave within a year", Citations: []commands.Citation{c2}},
			}},
		},
		Visibility: commands.InChannel,
	}
}

func timelineResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindTimeline,
		Title: "Timeline",
		Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{
			{Label: "16 Mar 2024", Text: "Niger's junta revokes its military agreement with the United States"},
			{Label: "week of 15 Apr 2024", Text: "Chad threatens to annul the SOFA with the United States"},
			{Label: "19 Apr 2024", Text: "Kurt Campbell and Ali Lamine Zeine meet in Washington, DC; the US agrees to withdraw"},
		}, More: "4 more: /brief timeline niger"}},
		Visibility: commands.InChannel,
	}
}

func helpResponse() commands.Response {
	var items []commands.Item
	for _, s := range commands.Table() {
		if s.Group() != "" || s.Admin {
			continue
		}
		items = append(items, commands.Item{Label: s.Usage(), Text: s.Summary})
	}
	return commands.Response{
		Kind:  commands.KindHelp,
		Title: "/brief: cited briefings from the news",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "Ask about the stored articles. Every answer cites the sentence it comes from."},
			{Type: commands.BlockFacts, Items: items},
			{Type: commands.BlockContext, Text: "Add --private to see an answer alone. `/brief help status` explains one command."},
		},
		Visibility: commands.Ephemeral,
	}
}

func errorResponse() commands.Response {
	msg := "I don't know the command `meetngs`. Did you mean `meetings`? Type `/brief help` for the list."
	return commands.Response{Kind: commands.KindError, Text: msg, Visibility: commands.Ephemeral,
		Blocks: []commands.Block{{Type: commands.BlockSection, Text: msg}}}
}

func digestResponse() commands.Response {
	c := commands.Citation{ArticleID: "a3", Title: "Chad threatens to end US troop agreement", URL: "https://example.com/news/chad-sofa",
		Published: day(2024, time.April, 25), Quote: "Chad's air force chief threatened to annul the SOFA, but did not directly order the US military to leave Chad."}
	return commands.Response{
		Kind:  commands.KindDigest,
		Title: "Daily briefing, 26 Apr 2024",
		Text:  "Daily briefing: 2 new facts, 1 status changed",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "New since yesterday:"},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "Chad", Text: "Threat to annul the SOFA with the US (not a direct order to leave Chad)", Citations: []commands.Citation{c}},
				{Label: "Chad", Text: "Implied vacating the French base in N'Djamena", Citations: []commands.Citation{c}},
			}},
			{Type: commands.BlockDivider},
			{Type: commands.BlockHeader, Text: "Status board"},
			{Type: commands.BlockFacts, Items: []commands.Item{{Label: "Agreed", Text: "US military withdrawal from Niger (19 Apr 2024)"}}},
		},
		Visibility: commands.InChannel,
		Thread: []commands.Response{{
			Kind:   commands.KindDigest,
			Title:  "Earlier items",
			Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{{Label: "16 Mar 2024", Text: "Niger revokes its military agreement with the US"}}}},
		}},
	}
}

// manyFactsResponse has n dated facts, each cited: more than one message
// holds.
func manyFactsResponse(n int) commands.Response {
	items := make([]commands.Item, n)
	for i := range items {
		d := day(2024, time.January, 1).AddDate(0, 0, i)
		items[i] = commands.Item{
			Label: d.Format("2 Jan 2006"),
			Text:  fmt.Sprintf("Event %d: a delegation met officials in Niamey to discuss the withdrawal timeline", i+1),
			Citations: []commands.Citation{{ArticleID: fmt.Sprintf("a%d", i), Title: fmt.Sprintf("Report %d", i+1),
				URL: fmt.Sprintf("https://example.com/news/%d", i+1), Published: d, Quote: "Officials met in Niamey on Tuesday."}},
		}
	}
	return commands.Response{Kind: commands.KindTimeline, Title: "Timeline", Blocks: []commands.Block{{Type: commands.BlockFacts, Items: items}},
		Visibility: commands.InChannel}
}

// handlerFor answers every request with resp, counting calls.
type countingHandler struct {
	mu    sync.Mutex
	calls []commands.Request
	fn    func(ctx context.Context, req commands.Request) (commands.Response, error)
}

func (h *countingHandler) Handle(ctx context.Context, req commands.Request) (commands.Response, error) {
	h.mu.Lock()
	h.calls = append(h.calls, req)
	h.mu.Unlock()
	return h.fn(ctx, req)
}

func (h *countingHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.calls)
}

func (h *countingHandler) last() commands.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.calls[len(h.calls)-1]
}

// checkLimits fails when a message breaks a Block Kit limit.
func checkLimits(t testing.TB, msgs []Message) {
	t.Helper()
	if len(msgs) == 0 {
		t.Fatal("no messages")
	}
	for i, m := range msgs {
		if err := limitsError(m); err != nil {
			t.Fatalf("message %d: %v", i+1, err)
		}
	}
}

// limitsError reports the first Block Kit limit m breaks.
func limitsError(m Message) error {
	if strings.TrimSpace(m.Text) == "" || textLen(m.Text) > MaxFallbackText {
		return fmt.Errorf("fallback text length %d", textLen(m.Text))
	}
	if len(m.Blocks) == 0 || len(m.Blocks) > MaxBlocks {
		return fmt.Errorf("%d blocks", len(m.Blocks))
	}
	for j, b := range m.Blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			if b.Text == nil || b.Text.Type != slack.PlainTextType || b.Text.Text == "" || textLen(b.Text.Text) > MaxHeaderText {
				return fmt.Errorf("block %d: bad header", j)
			}
		case *slack.SectionBlock:
			if b.Text == nil || strings.TrimSpace(b.Text.Text) == "" || textLen(b.Text.Text) > MaxSectionText {
				return fmt.Errorf("block %d: section text length %d", j, textLen(b.Text.Text))
			}
			if err := markupError(b.Text.Text); err != nil {
				return fmt.Errorf("block %d: %v", j, err)
			}
		case *slack.ContextBlock:
			els := b.ContextElements.Elements
			if len(els) == 0 || len(els) > MaxContextElements {
				return fmt.Errorf("block %d: %d context elements", j, len(els))
			}
			for _, e := range els {
				tb, ok := e.(*slack.TextBlockObject)
				if !ok || strings.TrimSpace(tb.Text) == "" || textLen(tb.Text) > MaxTextObject {
					return fmt.Errorf("block %d: bad context element", j)
				}
				if err := markupError(tb.Text); err != nil {
					return fmt.Errorf("block %d: %v", j, err)
				}
			}
		case *slack.DividerBlock:
		default:
			return fmt.Errorf("block %d: unexpected type %T", j, b)
		}
	}
	return nil
}

// markupError checks that every < opens a well-formed link we made: no
// injected mentions or broken markup.
func markupError(s string) error {
	for rest := s; ; {
		i := strings.IndexByte(rest, '&')
		if i < 0 {
			break
		}
		rest = rest[i:]
		if !strings.HasPrefix(rest, "&amp;") && !strings.HasPrefix(rest, "&lt;") && !strings.HasPrefix(rest, "&gt;") {
			return fmt.Errorf("raw & in %q", shorten(rest, 60))
		}
		rest = rest[1:]
	}
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return fmt.Errorf("unclosed < in %q", shorten(s[i:], 60))
		}
		inner := s[i+1 : i+j]
		if !strings.HasPrefix(inner, "http://") && !strings.HasPrefix(inner, "https://") || !strings.Contains(inner, "|") {
			return fmt.Errorf("markup <%s> is not one of our links", shorten(inner, 60))
		}
		s = s[i+j+1:]
	}
	if strings.Contains(s, ">") {
		return fmt.Errorf("stray > in %q", shorten(s, 60))
	}
	return nil
}
