package slack

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/commands"
)

// FuzzParseSlashForm feeds arbitrary (already verified) bodies to the form
// parser: it must never panic, and whatever it accepts must be within its
// bounds.
func FuzzParseSlashForm(f *testing.F) {
	f.Add([]byte(docBody))
	f.Add(slashForm("meetings campbell", "https://hooks.slack.com/commands/T1/2/x"))
	f.Add(slashForm("ask \"what did Niger want?\" --private", ""))
	f.Add([]byte("team_id=T1&channel_id=C1&user_id=U1&command=%2Fbrief&text=%E2%80%9Cquoted%E2%80%9D+words"))
	f.Add([]byte("team_id=T1&team_id=T2"))
	f.Add([]byte("text=%zz&team_id=T1"))
	f.Add([]byte("a=1;b=2&&&=&team_id=%00"))
	f.Add([]byte(strings.Repeat("x=1&", 60)))
	f.Fuzz(func(t *testing.T, body []byte) {
		sc, err := parseSlashForm(body)
		if err != nil {
			return
		}
		for _, id := range []string{sc.TeamID, sc.ChannelID, sc.UserID} {
			if !isID(id) {
				t.Fatalf("accepted id %q", id)
			}
		}
		if sc.Command == "" || len(sc.Text) > maxTextBytes || len(sc.ResponseURL) > maxURLLen || !utf8.ValidString(sc.Text) {
			t.Fatalf("accepted out-of-bounds form %+v", sc)
		}
	})
}

// FuzzCommandText runs arbitrary /brief text through the adapter's request
// path: it either becomes a request for a known command or an answer that
// Slack accepts, never a panic.
func FuzzCommandText(f *testing.F) {
	for _, s := range []string{"", "meetings", "meetings campbell --private", "meetngs", "help status", "subscribe 07:30 Europe/Berlin daily",
		"ingest https://example.com/a", "situation \"Côte d'Ivoire\"", "ask what did <!channel> & *Niger* want?", "--", "\"unbalanced", "digest", strings.Repeat("who ", 100),
		"feed add ftp://x", "who `", "\x00\xff"} {
		f.Add(s)
	}
	log, _ := newLogger()
	p, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret}, log)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		inv := invocation{cmd: slackCommand("https://hooks.slack.com/x"), received: time.Unix(1714000000, 0)}
		inv.cmd.Text = text
		req, early := p.request(inv)
		if early != nil {
			if early.Visibility != commands.Ephemeral || early.Kind != commands.KindError {
				t.Fatalf("error answer %+v is not an ephemeral error", early)
			}
			checkLimits(t, renderWithThread(*early, MaxAnswerMessages))
			return
		}
		if _, ok := commands.Lookup(p.table, req.Command); !ok {
			t.Fatalf("request for unknown command %q", req.Command)
		}
		if req.Platform != "slack" || req.Text != text {
			t.Fatalf("request %+v", req)
		}
	})
}

// FuzzRender renders arbitrary text in every block type: the messages must
// stay within Block Kit's limits and contain no markup but our own links.
func FuzzRender(f *testing.F) {
	f.Add("Meetings", "Kurt Campbell met Ali Lamine Zeine", "19 Apr 2024", "“quote” & <b>", "https://example.com/a|b>c", 3)
	f.Add("", "", "", "", "", 0)
	f.Add(strings.Repeat("<", 200), strings.Repeat("*_~`&", 800), strings.Repeat("é", 300), strings.Repeat("😀", 2000), "javascript:x", 60)
	f.Fuzz(func(t *testing.T, title, text, label, quote, link string, n int) {
		n = min(max(n, 0), 200)
		items := make([]commands.Item, n)
		for i := range items {
			items[i] = commands.Item{Label: label, Text: text, Notes: []string{quote},
				Citations: []commands.Citation{{Title: title, URL: link, Quote: quote}, {Title: label, URL: link}}}
		}
		r := commands.Response{Kind: commands.KindTimeline, Title: title, Text: text,
			Blocks: []commands.Block{
				{Type: commands.BlockHeader, Text: label},
				{Type: commands.BlockSection, Text: text},
				{Type: commands.BlockFacts, Items: items, More: quote},
				{Type: commands.BlockDivider},
				{Type: commands.BlockContext, Text: quote},
			},
			Sources: []commands.Source{{Title: title, URL: link}, {Label: label}},
			Thread:  []commands.Response{{Title: text, Blocks: []commands.Block{{Type: commands.BlockSection, Text: title}}}},
		}
		msgs := renderWithThread(r, MaxAnswerMessages)
		checkLimits(t, msgs)
		checkEncoding(t, msgs)
		checkLimits(t, renderWithThread(r, MaxPostMessages))
	})
}
