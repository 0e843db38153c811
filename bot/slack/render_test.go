package slack

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/commands"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the current renderer")

// goldenMessage is one rendered message as the golden files record it.
type goldenMessage struct {
	Text   string        `json:"text"`
	Blocks []slack.Block `json:"blocks"`
}

// goldenDoc is the content of a golden file: how a response is shown.
type goldenDoc struct {
	ResponseType string          `json:"response_type"`
	Messages     []goldenMessage `json:"messages"`
}

// checkGolden renders resp as a slash command answer (thread included, at
// most MaxAnswerMessages messages), checks every message against Block Kit's
// limits, and compares the JSON with testdata/<name>.golden.json; -update
// rewrites the file. Add a case for every new kind of answer.
func checkGolden(t *testing.T, name string, resp commands.Response) {
	t.Helper()
	checkGoldenMessages(t, name, responseType(resp.Visibility), renderWithThread(resp, MaxAnswerMessages))
}

func checkGoldenMessages(t *testing.T, name, rt string, msgs []Message) {
	t.Helper()
	checkLimits(t, msgs)
	doc := goldenDoc{ResponseType: rt}
	for _, m := range msgs {
		doc.Messages = append(doc.Messages, goldenMessage{Text: m.Text, Blocks: m.Blocks})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatalf("encode: %v", err)
	}
	path := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the renderer's output (go test -update rewrites it after review):\n%s", path, firstDiff(string(want), buf.String()))
	}
}

// firstDiff shows the first differing line.
func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + "\nwant: " + w + "\n got: " + g
		}
	}
	return "(no line differs)"
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestRenderGolden(t *testing.T) {
	escapes := commands.Response{
		Kind:  commands.KindAsk,
		Title: "What did <Niger> want? & why",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "Quotes keep *stars*, _underscores_, ~tildes~ and `code` as written; <!channel> & <@U123> stay text; snake_case and 2 * 3 stay; see https://example.com/a_b_c?x=1&y=2."},
			{Type: commands.BlockFacts, Items: []commands.Item{{Label: "*Demand*", Text: "Niger wanted the US troops to leave > soon",
				Citations: []commands.Citation{{Title: "A | B <title>", URL: "javascript:alert(1)", Quote: "They said: \"leave\" & <go>."}}}}},
		},
	}
	tests := []struct {
		name string
		resp commands.Response
	}{
		{"meetings", meetingsResponse()},
		{"status", statusResponse()},
		{"timeline", timelineResponse()},
		{"help", helpResponse()},
		{"error", errorResponse()},
		{"digest_thread", digestResponse()},
		{"split_120_facts", manyFactsResponse(120)},
		{"escaping", escapes},
		{"text_only", commands.Response{Kind: commands.KindInfo, Text: "Subscribed: this channel gets a digest at 08:00 Europe/Berlin on weekdays.", Visibility: commands.Ephemeral}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkGolden(t, tt.name, tt.resp) })
	}
}

func TestRenderSplitsAndTruncatesVisibly(t *testing.T) {
	r := manyFactsResponse(120)
	all := RenderMessages(r, 100)
	checkLimits(t, all)
	// A header and 120 facts of two blocks each, 48 content blocks per
	// message: 241 blocks, 6 messages.
	if len(all) != 6 {
		t.Fatalf("120 facts took %d messages, want 6", len(all))
	}
	facts := 0
	for i, m := range all {
		for _, b := range m.Blocks {
			if _, ok := b.(*slack.SectionBlock); ok {
				facts++
			}
		}
		if i > 0 && !strings.Contains(m.Text, "continued") {
			t.Errorf("message %d text %q does not say it continues", i+1, m.Text)
		}
	}
	if facts != 120 {
		t.Fatalf("split messages show %d facts, want all 120", facts)
	}

	one := Render(r)
	checkLimits(t, []Message{{Text: FallbackText(r), Blocks: one}})
	last := one[len(one)-1].(*slack.ContextBlock).ContextElements.Elements[0].(*slack.TextBlockObject).Text
	if !strings.Contains(last, "97 more items not shown") || !strings.Contains(last, "/brief timeline") {
		t.Fatalf("truncated message ends with %q, want the number left out and how to ask for less", last)
	}

	three := RenderMessages(r, 3)
	if len(three) != 3 {
		t.Fatalf("got %d messages, want 3", len(three))
	}
}

func TestRenderLongTextIsSplitNotCut(t *testing.T) {
	long := strings.Repeat("The withdrawal was agreed in Washington & announced later. ", 200) // ~12,000 characters
	r := commands.Response{Kind: commands.KindAsk, Title: strings.Repeat("Very long title ", 20),
		Blocks: []commands.Block{{Type: commands.BlockSection, Text: long}}}
	msgs := RenderMessages(r, 0)
	checkLimits(t, msgs)
	var got strings.Builder
	for _, b := range msgs[0].Blocks {
		if s, ok := b.(*slack.SectionBlock); ok {
			got.WriteString(s.Text.Text + " ")
		}
	}
	if n := strings.Count(got.String(), "&amp;"); n != 200 {
		t.Fatalf("split sections hold %d of 200 sentences", n)
	}
	h := msgs[0].Blocks[0].(*slack.HeaderBlock)
	if textLen(h.Text.Text) > MaxHeaderText || !strings.HasSuffix(h.Text.Text, "…") {
		t.Fatalf("header %q not shortened visibly", h.Text.Text)
	}
}

func TestRenderCitationLimits(t *testing.T) {
	var cs []commands.Citation
	for i := range 25 {
		cs = append(cs, commands.Citation{Title: "Article " + itoa(i), URL: "https://example.com/" + itoa(i), Quote: strings.Repeat("q", 1000)})
	}
	var srcs []commands.Source
	for i := range 14 {
		srcs = append(srcs, commands.Source{Title: "Source " + itoa(i)})
	}
	r := commands.Response{Kind: commands.KindAsk, Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{{Text: "x", Citations: cs}}}}, Sources: srcs}
	msgs := RenderMessages(r, 1)
	checkLimits(t, msgs)
	ctx := msgs[0].Blocks[1].(*slack.ContextBlock).ContextElements.Elements
	if len(ctx) != MaxContextElements {
		t.Fatalf("%d citation elements, want %d", len(ctx), MaxContextElements)
	}
	if last := ctx[len(ctx)-1].(*slack.TextBlockObject).Text; last != "+16 more sources" {
		t.Fatalf("last citation element %q", last)
	}
	q := ctx[0].(*slack.TextBlockObject).Text
	if !strings.Contains(q, "…") || textLen(q) > MaxQuote+200 {
		t.Fatalf("long quote not shortened: %d characters", textLen(q))
	}
}

func TestEscapeMrkdwn(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"a & b < c > d", "a &amp; b &lt; c &gt; d"},
		{"<!channel> <@U123>", "&lt;!channel&gt; &lt;@U123&gt;"},
		{"*bold* _it_ ~st~", "∗bold∗ ˍitˍ ∼st∼"},
		{"snake_case_name", "snake_case_name"},
		{"2 * 3 = 6", "2 * 3 = 6"},
		{"use `/brief help` now", "use `/brief help` now"},
		{"a ` alone", "a ˋ alone"},
		{"code `<b>`", "code `&lt;b&gt;`"},
		{"see https://example.com/a_b_*c*?x=1&y=2 now", "see https://example.com/a_b_*c*?x=1&amp;y=2 now"},
		{"(*note*)", "(∗note∗)"},
	}
	for _, tt := range tests {
		if got := escapeMrkdwn(tt.in); got != tt.want {
			t.Errorf("escapeMrkdwn(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitTextKeepsEntitiesWhole(t *testing.T) {
	s := escapeMrkdwn(strings.Repeat("&", 2000))
	for _, piece := range splitText(s, 3000) {
		if textLen(piece) > 3000 {
			t.Fatalf("piece of %d units", textLen(piece))
		}
		if err := markupError(piece); err != nil {
			t.Fatal(err)
		}
	}
}

// equalJSON reports whether two JSON documents hold the same value.
func equalJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("invalid JSON %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

// checkEncoding fails when the fast encoder disagrees with encoding/json.
func checkEncoding(t testing.TB, msgs []Message) {
	t.Helper()
	for _, m := range msgs {
		rep := replyOf(m, "in_channel")
		fast, err := encodeReply(rep)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := json.Marshal(rep)
		if err != nil {
			t.Fatal(err)
		}
		if !equalJSON(t, fast, slow) {
			t.Fatalf("fast encoding differs:\nfast %s\nslow %s", fast, slow)
		}
		ack, err := encodeEnvelopeAck("env-1", rep)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(map[string]any{"envelope_id": "env-1", "payload": rep})
		if !equalJSON(t, ack, want) {
			t.Fatalf("ack encoding differs:\nfast %s\nslow %s", ack, want)
		}
	}
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	for _, r := range []commands.Response{meetingsResponse(), statusResponse(), timelineResponse(), helpResponse(), errorResponse(), digestResponse(), manyFactsResponse(120)} {
		checkEncoding(t, renderWithThread(r, MaxAnswerMessages))
	}
	weird := Message{Text: "a\"b\\c\n\t\x01\u2028\u2029\xff<&>", Blocks: []slack.Block{
		slack.NewSectionBlock(nil, []*slack.TextBlockObject{mrkdwn("field")}, nil), // falls back to encoding/json
		slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, "é😀\x7f", true, true)),
	}}
	checkEncoding(t, []Message{weird})
}
