package discord

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/commands"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// renderGolden is the content of a render golden file: the single-message
// form, the interaction form and, when it differs from the single message,
// the posted form.
type renderGolden struct {
	Message     *discordgo.MessageSend         `json:"message"`
	Interaction *discordgo.InteractionResponse `json:"interaction"`
	FollowUps   []*discordgo.WebhookParams     `json:"followups,omitempty"`
	Posted      []*discordgo.MessageSend       `json:"posted,omitempty"`
}

// goldenRender renders r in every form, checks every message against
// Discord's limits, and compares the JSON with testdata/<name>.golden.json
// (rewritten with -update). Add a golden for a new response with one call.
func goldenRender(t *testing.T, name string, r commands.Response) {
	t.Helper()
	msg := Render(r)
	posted := RenderMessages(r)
	ir, follow := RenderInteraction(r)
	all := append([]*discordgo.MessageSend{msg}, posted...)
	all = append(all, &discordgo.MessageSend{Embeds: ir.Data.Embeds})
	for _, f := range follow {
		all = append(all, &discordgo.MessageSend{Embeds: f.Embeds})
	}
	for i, m := range all {
		if err := checkLimits(m); err != nil {
			t.Errorf("%s: message %d breaks Discord's limits: %v", name, i, err)
		}
	}
	g := renderGolden{Message: msg, Interaction: ir, FollowUps: follow}
	if len(posted) != 1 || !sameJSON(t, posted[0], msg) {
		g.Posted = posted
	}
	compareGolden(t, name, g)
}

func sameJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ja, jb)
}

// compareGolden compares v's indented JSON with testdata/<name>.golden.json.
func compareGolden(t *testing.T, name string, v any) {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
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
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the golden file; run with -update if the change is intended.\ngot:\n%s", path, buf.String())
	}
}

// checkLimits reports the first way m breaks one of Discord's limits.
func checkLimits(m *discordgo.MessageSend) error {
	if textLen(m.Content) > MaxContent {
		return fmt.Errorf("content has %d characters", textLen(m.Content))
	}
	if len(m.Embeds) > MaxEmbeds {
		return fmt.Errorf("%d embeds", len(m.Embeds))
	}
	if m.Content == "" && len(m.Embeds) == 0 {
		return fmt.Errorf("empty message")
	}
	total := 0
	for i, e := range m.Embeds {
		if textLen(e.Title) > MaxTitle {
			return fmt.Errorf("embed %d: title has %d characters", i, textLen(e.Title))
		}
		if textLen(e.Description) > MaxDescription {
			return fmt.Errorf("embed %d: description has %d characters", i, textLen(e.Description))
		}
		if len(e.Fields) > MaxFields {
			return fmt.Errorf("embed %d: %d fields", i, len(e.Fields))
		}
		if e.Title == "" && e.Description == "" && len(e.Fields) == 0 {
			return fmt.Errorf("embed %d is empty", i)
		}
		total += textLen(e.Title) + textLen(e.Description)
		for j, f := range e.Fields {
			if n := textLen(f.Name); n < 1 || n > MaxFieldName {
				return fmt.Errorf("embed %d field %d: name has %d characters", i, j, n)
			}
			if n := textLen(f.Value); n < 1 || n > MaxFieldValue {
				return fmt.Errorf("embed %d field %d: value has %d characters", i, j, n)
			}
			total += textLen(f.Name) + textLen(f.Value)
		}
		if e.Footer != nil {
			if textLen(e.Footer.Text) > MaxFooter {
				return fmt.Errorf("embed %d: footer has %d characters", i, textLen(e.Footer.Text))
			}
			total += textLen(e.Footer.Text)
		}
	}
	if total > MaxMessageChars {
		return fmt.Errorf("embeds total %d characters", total)
	}
	return nil
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		r    commands.Response
	}{
		{"meetings", meetingsResponse()},
		{"status", statusResponse()},
		{"timeline", timelineResponse()},
		{"help", helpResponse()},
		{"error", errorResponse()},
		{"digest_thread", digestResponse()},
		{"summary", summaryResponse()},
		{"situation", situationResponse()},
		{"who", whoResponse()},
		{"ask", askResponse()},
		{"sources", sourcesResponse()},
		{"subscription", subscriptionResponse()},
		{"ingest", ingestResponse()},
		{"info", infoResponse()},
		{"escaping", hostileResponse()},
		{"split", longResponse()},
	} {
		t.Run(tc.name, func(t *testing.T) { goldenRender(t, "render_"+tc.name, tc.r) })
	}
}

func TestRenderSplitsAndTruncatesVisibly(t *testing.T) {
	r := longResponse()
	parts := RenderMessages(r)
	if len(parts) < 2 {
		t.Fatalf("a response of %d items was not split: %d message(s)", len(r.Blocks[1].Items), len(parts))
	}
	// Every item appears exactly once across the parts.
	seen := map[string]int{}
	for _, m := range parts {
		for _, e := range m.Embeds {
			for _, f := range e.Fields {
				seen[f.Name]++
			}
		}
	}
	for i := 1; i <= 60; i++ {
		if n := seen[fmt.Sprintf("Fact %d", i)]; n != 1 {
			t.Errorf("Fact %d appears %d times across the parts", i, n)
		}
	}
	// The sources footer is on the last part only.
	last := parts[len(parts)-1]
	if f := last.Embeds[len(last.Embeds)-1].Footer; f == nil || !strings.HasPrefix(f.Text, "Sources: ") {
		t.Errorf("the last part has no sources footer: %+v", f)
	}
	// One message: cut, and the cut is said.
	one := Render(r)
	foot := one.Embeds[len(one.Embeds)-1].Footer
	if foot == nil || !strings.Contains(foot.Text, "more not shown") {
		t.Errorf("the single message does not say what was cut: %+v", foot)
	}
}

func TestRenderEphemeral(t *testing.T) {
	for _, tc := range []struct {
		r    commands.Response
		want discordgo.MessageFlags
	}{
		{helpResponse(), EphemeralFlag},
		{errorResponse(), EphemeralFlag},
		{meetingsResponse(), 0},
	} {
		ir, _ := RenderInteraction(tc.r)
		if ir.Type != discordgo.InteractionResponseChannelMessageWithSource || ir.Data.Flags != tc.want {
			t.Errorf("%s: type %d flags %d, want type 4 flags %d", tc.r.Kind, ir.Type, ir.Data.Flags, tc.want)
		}
	}
}

func TestEscapeMarkdown(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain words", "plain words"},
		{"*bold* _it_ ~~s~~ `c` ||sp||", `\*bold\* \_it\_ \~\~s\~\~ \` + "`" + `c\` + "`" + ` \|\|sp\|\|`},
		{"[x](https://e.com)", `\[x\](https://e.com)`},
		{"> quote", `\> quote`},
		{"a > b", "a > b"},
		{"# head\n## two", "\\# head\n\\## two"},
		{"- item\n  + item", "\\- item\n  \\+ item"},
		{"1. one\n10) ten\n2024-04-19 is a date", "1\\. one\n10\\) ten\n2024-04-19 is a date"},
		{"<@123> <t:1>", `\<@123> \<t:1>`},
		{`back\slash`, `back\\slash`},
		{"see https://example.com/a_b*c_d now", "see https://example.com/a_b\\*c\\_d now"},
		{"https://example.com/a_b_c", "https://example.com/a_b_c"},
		{"mid-sentence - dash", "mid-sentence - dash"},
	} {
		if got := EscapeMarkdown(tc.in); got != tc.want {
			t.Errorf("EscapeMarkdown(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFitEscapedNeverBreaksEscapes(t *testing.T) {
	in := strings.Repeat("a*b_", 100)
	for max := 2; max < 60; max++ {
		got := fitEscaped(in, max)
		if textLen(got) > max {
			t.Fatalf("fitEscaped(…, %d) has %d units", max, textLen(got))
		}
		body := strings.TrimSuffix(got, "…")
		// An odd run of backslashes at the end would escape the ellipsis.
		n := len(body) - len(strings.TrimRight(body, `\`))
		if n%2 == 1 {
			t.Fatalf("fitEscaped(…, %d) = %q ends inside an escape", max, got)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Title", "text *with* markup", "label", "quote", 3, 2)
	f.Add("", strings.Repeat("x", 5000), "", "", 40, 30)
	f.Add("🙂", strings.Repeat("🙂", 3000), "1.", "> q", 1, 0)
	f.Fuzz(func(t *testing.T, title, text, label, quote string, items, sources int) {
		items, sources = min(max(items, 0), 120), min(max(sources, 0), 60)
		r := commands.Response{Kind: commands.KindSummary, Title: title,
			Blocks: []commands.Block{{Type: commands.BlockSection, Text: text}}}
		var its []commands.Item
		for i := 0; i < items; i++ {
			its = append(its, commands.Item{Label: label, Text: text, Notes: []string{quote},
				Citations: []commands.Citation{{Title: title, Quote: quote, URL: "https://e.com/" + label}}})
		}
		r.Blocks = append(r.Blocks, commands.Block{Type: commands.BlockFacts, Items: its, More: label})
		for i := 0; i < sources; i++ {
			r.Sources = append(r.Sources, commands.Source{Title: title + text})
		}
		r.Thread = []commands.Response{{Title: label, Text: text}}
		// The lengths the renderer carries match a fresh count.
		for _, it := range its[:min(len(its), 1)] {
			checkCarriedLengths(t, it)
		}
		if out, n := fitEscapedN(text, 100); n != textLen(out) {
			t.Fatalf("fitEscapedN carries %d for %q (%d)", n, out, textLen(out))
		}
		for _, m := range append(RenderMessages(r), Render(r)) {
			if err := checkLimits(m); err != nil {
				t.Fatalf("limits broken: %v", err)
			}
		}
		if n := len(RenderMessages(r)); n > MaxPostMessages {
			t.Fatalf("%d messages", n)
		}
	})
}

func TestAppendDayMatchesTimeFormat(t *testing.T) {
	for _, d := range []time.Time{apr19, may03, time.Date(999, 12, 31, 23, 0, 0, 0, time.UTC), time.Date(2024, 1, 1, 0, 30, 0, 0, time.FixedZone("x", 3600)), time.Date(10000, 2, 29, 0, 0, 0, 0, time.UTC)} {
		if got, want := string(appendDay(nil, d)), d.UTC().Format("2 Jan 2006"); got != want {
			t.Errorf("appendDay(%v) = %q, want %q", d, got, want)
		}
	}
}

// checkCarriedLengths checks the UTF-16 lengths itemField and citationLine
// compute along the way against a fresh count.
func checkCarriedLengths(t *testing.T, it commands.Item) {
	t.Helper()
	p := itemField(it)
	if want := textLen(p.name) + textLen(p.value); p.n != want {
		t.Fatalf("itemField carries %d, the field has %d: %q / %q", p.n, want, p.name, p.value)
	}
	for _, c := range it.Citations {
		if l, n := citationLine(c); n != textLen(l) {
			t.Fatalf("citationLine carries %d, the line has %d: %q", n, textLen(l), l)
		}
	}
}

func TestCarriedLengths(t *testing.T) {
	for _, r := range []commands.Response{meetingsResponse(), statusResponse(), digestResponse(), hostileResponse(), longResponse(), situationResponse()} {
		for _, b := range r.Blocks {
			for _, it := range b.Items {
				checkCarriedLengths(t, it)
			}
		}
	}
	checkCarriedLengths(t, commands.Item{Label: "🙂 emoji label", Text: strings.Repeat("🙂", 600), Notes: []string{"\xff bad"},
		Citations: []commands.Citation{{Title: "T🙂", URL: "https://e.com/ü(x)", Quote: "“q”", Published: apr19}}})
}
