package slack

import (
	"fmt"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/commands"
)

// Block Kit and messaging limits. Slack rejects a message that breaks any of
// them (invalid_blocks), so the renderer splits or truncates visibly first.
const (
	// MaxBlocks is the number of blocks one message may carry.
	MaxBlocks = 50
	// MaxSectionText is the longest text of a section block.
	MaxSectionText = 3000
	// MaxHeaderText is the longest (plain) text of a header block.
	MaxHeaderText = 150
	// MaxContextElements is the number of elements one context block may
	// carry.
	MaxContextElements = 10
	// MaxTextObject is the longest text of any text object, including the
	// elements of a context block.
	MaxTextObject = 3000
	// MaxFallbackText bounds a message's top-level text. Slack truncates it
	// at 40,000 characters and advises staying under 4,000.
	MaxFallbackText = 4000
	// MaxAnswerMessages is the number of messages one slash command answer
	// may take: response_url accepts five posts.
	MaxAnswerMessages = 5
	// MaxPostMessages is the number of messages one Post may take (the
	// message and its thread replies).
	MaxPostMessages = 10
	// MaxQuote is the longest citation quote shown, in characters; longer
	// quotes end in "…".
	MaxQuote = 280
	// maxTitle bounds article titles in citations and source lists.
	maxTitle = 200
	// maxLinkURL bounds a linked address; longer ones are shown as text.
	maxLinkURL = 1000
	// reservedBlocks are kept free in every message for the continuation
	// marker and the truncation notice.
	reservedBlocks = 2
)

// Message is one Slack message: the fallback text, always set, and its
// blocks, always within Block Kit's limits.
type Message struct {
	Text   string
	Blocks []slack.Block
}

// Render returns the blocks of r as one message. When r does not fit in one
// message its tail is cut and the last block says how much is missing and
// how to ask for less. Use RenderMessages to split instead. Render is pure.
func Render(r commands.Response) []slack.Block {
	return RenderMessages(r, 1)[0].Blocks
}

// FallbackText returns the top-level text of r's first message: the plain
// fallback Slack shows in notifications and to screen readers. It is never
// empty.
func FallbackText(r commands.Response) string {
	return RenderMessages(r, 1)[0].Text
}

// RenderMessages renders r into at most max messages (max < 1 means
// MaxAnswerMessages), splitting at block boundaries. Continuation messages
// start with a "(continued, 2/3)" line; when even max messages are not
// enough, the last one ends with a notice of what was left out. Thread
// entries of r are not included (see renderWithThread). RenderMessages is
// pure.
func RenderMessages(r commands.Response, max int) []Message {
	if max < 1 {
		max = MaxAnswerMessages
	}
	ps := parts(r)
	budget := MaxBlocks - reservedBlocks
	var groups [][]part
	var cur []part
	curBlocks := 0
	var rest []part
	for i, p := range ps {
		if curBlocks+p.size() > budget && curBlocks > 0 {
			if len(groups)+1 == max {
				rest = ps[i:]
				break
			}
			groups = append(groups, cur)
			cur, curBlocks = nil, 0
		}
		cur = append(cur, p)
		curBlocks += p.size()
	}
	groups = append(groups, cur)

	title := strings.TrimSpace(r.Title)
	out := make([]Message, 0, len(groups))
	for gi, g := range groups {
		var blocks []slack.Block
		if gi > 0 {
			blocks = append(blocks, contextBlock(continuedLine(title, gi+1, len(groups))))
		}
		for _, p := range g {
			blocks = append(blocks, p.render()...)
		}
		if gi == len(groups)-1 && len(rest) > 0 {
			blocks = append(blocks, contextBlock(escapeMrkdwn(omittedNotice(r.Kind, rest))))
		}
		blocks = trimDividers(blocks)
		text := fallback(r)
		if gi > 0 {
			text = escapeMrkdwn(plainContinued(title, gi+1, len(groups)))
		}
		if len(blocks) == 0 {
			blocks = []slack.Block{sectionBlock(text)}
		}
		out = append(out, Message{Text: text, Blocks: blocks})
	}
	return out
}

// renderWithThread renders r and then its thread entries, max messages in
// all. When the thread does not fit, the last message says how many parts
// were left out. The first message is r's; the rest belong in its thread.
func renderWithThread(r commands.Response, max int) []Message {
	if max < 1 {
		max = MaxAnswerMessages
	}
	budget := max - min(len(r.Thread), max-1)
	msgs := RenderMessages(r, budget)
	for i, t := range r.Thread {
		left := max - len(msgs)
		if left <= 0 {
			notice := fmt.Sprintf("… %d more %s not shown here (Slack's limit of %d messages per answer).",
				len(r.Thread)-i, plural(len(r.Thread)-i, "part", "parts"), max)
			msgs[len(msgs)-1] = withNotice(msgs[len(msgs)-1], notice)
			break
		}
		msgs = append(msgs, RenderMessages(t, left)...)
	}
	return msgs
}

// withNotice adds a notice line at the end of m, replacing its last block
// when m is full.
func withNotice(m Message, notice string) Message {
	blocks := append([]slack.Block(nil), m.Blocks...)
	if len(blocks) >= MaxBlocks {
		blocks = blocks[:MaxBlocks-1]
	}
	m.Blocks = append(blocks, contextBlock(escapeMrkdwn(notice)))
	return m
}

// part is a run of blocks that must stay in one message: a fact line and
// its citations, a section, a divider. Fact lines are rendered only when
// they are shown, so that a long answer costs only what fits.
type part struct {
	blocks []slack.Block
	// item, when set, is rendered on demand into n blocks.
	item *commands.Item
	n    int
	// items is the number of facts the part shows, for the omitted notice.
	items int
}

func (p part) size() int {
	if p.item != nil {
		return p.n
	}
	return len(p.blocks)
}

func (p part) render() []slack.Block {
	if p.item != nil {
		return itemBlocks(*p.item)
	}
	return p.blocks
}

// parts turns a response into its blocks, in order.
func parts(r commands.Response) []part {
	var ps []part
	title := strings.TrimSpace(r.Title)
	if title != "" && (len(r.Blocks) == 0 || r.Blocks[0].Type != commands.BlockHeader) {
		ps = append(ps, part{blocks: []slack.Block{headerBlock(title)}})
	}
	firstSection := true
	for _, b := range r.Blocks {
		switch b.Type {
		case commands.BlockHeader:
			if t := strings.TrimSpace(b.Text); t != "" {
				ps = append(ps, part{blocks: []slack.Block{headerBlock(t)}})
			}
		case commands.BlockSection:
			text := strings.TrimSpace(b.Text)
			if text == "" {
				continue
			}
			text = escapeMrkdwn(text)
			if r.Kind == commands.KindError && firstSection {
				text = ":warning: " + text
			}
			firstSection = false
			for _, chunk := range splitText(text, MaxSectionText) {
				ps = append(ps, part{blocks: []slack.Block{sectionBlock(chunk)}})
			}
		case commands.BlockFacts:
			for _, it := range b.Items {
				if p, ok := itemPart(it); ok {
					ps = append(ps, p)
				}
			}
			if more := strings.TrimSpace(b.More); more != "" {
				ps = append(ps, part{blocks: []slack.Block{contextBlock(truncateText(escapeMrkdwn(clip(more, MaxTextObject)), MaxTextObject))}})
			}
		case commands.BlockContext:
			if t := strings.TrimSpace(b.Text); t != "" {
				ps = append(ps, part{blocks: []slack.Block{contextBlock(truncateText(escapeMrkdwn(clip(t, MaxTextObject)), MaxTextObject))}})
			}
		case commands.BlockDivider:
			ps = append(ps, part{blocks: []slack.Block{slack.NewDividerBlock()}})
		}
	}
	if len(r.Blocks) == 0 {
		// A response with only text still needs a visible body.
		if t := strings.TrimSpace(r.Text); t != "" {
			for _, chunk := range splitText(escapeMrkdwn(t), MaxSectionText) {
				ps = append(ps, part{blocks: []slack.Block{sectionBlock(chunk)}})
			}
		}
	}
	if src := sourcesBlock(r.Sources); src != nil {
		ps = append(ps, part{blocks: []slack.Block{slack.NewDividerBlock(), src}})
	}
	return ps
}

// itemPart plans one fact: a section, and a context block when it has
// citations to show.
func itemPart(it commands.Item) (part, bool) {
	if strings.TrimSpace(it.Label) == "" && strings.TrimSpace(it.Text) == "" {
		return part{}, false
	}
	n := 1
	for _, c := range it.Citations {
		if strings.TrimSpace(c.Title) != "" || strings.TrimSpace(c.ArticleID) != "" || strings.TrimSpace(c.Quote) != "" {
			n = 2
			break
		}
	}
	return part{item: &it, n: n, items: 1}, true
}

// itemBlocks renders one fact: a section with the bold label, the line and
// its notes, then a context block with its citations.
func itemBlocks(it commands.Item) []slack.Block {
	// Escaping never shortens text, so anything past the section limit will
	// be cut anyway: clip before escaping.
	label, text := clip(strings.TrimSpace(it.Label), MaxSectionText), clip(strings.TrimSpace(it.Text), MaxSectionText)
	var b strings.Builder
	if label != "" {
		b.WriteString("*")
		b.WriteString(escapeMrkdwn(label))
		b.WriteString("*")
		if text != "" {
			b.WriteString("  ")
		}
	}
	b.WriteString(escapeMrkdwn(text))
	for _, n := range it.Notes {
		if b.Len() > 4*MaxSectionText {
			break
		}
		if n = strings.TrimSpace(n); n != "" {
			b.WriteString("\n      ◦ ")
			b.WriteString(escapeMrkdwn(clip(n, MaxSectionText)))
		}
	}
	blocks := []slack.Block{sectionBlock(truncateText(b.String(), MaxSectionText))}
	if c := citationsBlock(it.Citations); c != nil {
		blocks = append(blocks, c)
	}
	return blocks
}

// citationsBlock returns a context block with one element per citation, or
// nil when there are none.
func citationsBlock(cs []commands.Citation) slack.Block {
	var elems []slack.MixedElement
	var seen []string
	dup := func(t string) bool {
		for _, s := range seen {
			if s == t {
				return true
			}
		}
		return false
	}
	for i, c := range cs {
		text := citationText(c)
		if text == "" || dup(text) {
			continue
		}
		if len(elems) == MaxContextElements-1 && len(cs)-i > 1 {
			rest := 0
			for _, c2 := range cs[i:] {
				if t := citationText(c2); t != "" && !dup(t) {
					rest++
				}
			}
			elems = append(elems, mrkdwn(fmt.Sprintf("+%d more %s", rest, plural(rest, "source", "sources"))))
			break
		}
		seen = append(seen, text)
		elems = append(elems, mrkdwn(text))
	}
	if len(elems) == 0 {
		return nil
	}
	return slack.NewContextBlock("", elems...)
}

// citationText is one citation: the quote, then the linked article title and
// its date.
func citationText(c commands.Citation) string {
	title := strings.TrimSpace(c.Title)
	if title == "" {
		title = strings.TrimSpace(c.ArticleID)
	}
	quote := strings.TrimSpace(c.Quote)
	if title == "" && quote == "" {
		return ""
	}
	title = shorten(title, maxTitle)
	quote = escapeMrkdwn(shorten(quote, MaxQuote))
	var dateBuf [16]byte
	var date []byte
	if !c.Published.IsZero() {
		date = c.Published.UTC().AppendFormat(dateBuf[:0], "2 Jan 2006")
	}
	u := ""
	if title != "" {
		u = escapeLinkURL(c.URL)
	}
	label := escapeMrkdwn(title)
	write := func(withLink bool) string {
		var b strings.Builder
		b.Grow(len(quote) + len(u) + len(label) + len(date) + 24)
		if quote != "" {
			b.WriteString("“")
			b.WriteString(quote)
			b.WriteString("”")
			if title != "" {
				b.WriteString(" — ")
			}
		}
		if title != "" {
			if withLink && u != "" {
				b.WriteString("<")
				b.WriteString(u)
				b.WriteString("|")
				b.WriteString(strings.ReplaceAll(label, "|", "¦"))
				b.WriteString(">")
			} else {
				b.WriteString(label)
			}
			if date != nil {
				b.WriteString(", ")
				b.Write(date)
			}
		}
		return b.String()
	}
	if t := write(true); fits(t, MaxTextObject) {
		return t
	}
	// Too long with the link: drop the link markup, which cannot be cut.
	return truncateText(write(false), MaxTextObject)
}

// sourcesBlock lists the articles behind an answer, or returns nil.
func sourcesBlock(ss []commands.Source) slack.Block {
	if len(ss) == 0 {
		return nil
	}
	elems := []slack.MixedElement{mrkdwn("*Sources*")}
	for i, s := range ss {
		if len(elems) == MaxContextElements-1 && len(ss)-i > 1 {
			elems = append(elems, mrkdwn(fmt.Sprintf("+%d more: `/brief sources`", len(ss)-i)))
			break
		}
		name := strings.TrimSpace(s.Title)
		if name == "" {
			name = strings.TrimSpace(s.Label)
		}
		if name == "" {
			name = strings.TrimSpace(s.ArticleID)
		}
		if name == "" {
			continue
		}
		text := link(s.URL, shorten(name, maxTitle))
		if !s.Published.IsZero() {
			text += ", " + formatDate(s.Published)
		}
		if !fits(text, MaxTextObject) {
			text = truncateText(escapeMrkdwn(name), MaxTextObject)
		}
		elems = append(elems, mrkdwn(text))
	}
	if len(elems) == 1 {
		return nil
	}
	return slack.NewContextBlock("", elems...)
}

// fallback is the top-level text of a response's first message.
func fallback(r commands.Response) string {
	t := strings.TrimSpace(r.Text)
	if t == "" {
		t = strings.TrimSpace(r.Title)
	}
	if t == "" {
		for _, b := range r.Blocks {
			if b.Type == commands.BlockSection || b.Type == commands.BlockHeader {
				if t = strings.TrimSpace(b.Text); t != "" {
					break
				}
			}
		}
	}
	if t == "" {
		t = "briefbot has no answer to show."
	}
	return truncateText(escapeMrkdwn(clip(t, MaxFallbackText)), MaxFallbackText)
}

// clip returns at most the first n+1 characters of s: enough for a later
// truncateText to n to cut visibly, without escaping text that cannot be
// shown.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	count := 0
	for i := range s {
		if count == n+1 {
			return s[:i]
		}
		count++
	}
	return s
}

func continuedLine(title string, n, of int) string {
	return "_" + escapeMrkdwn(plainContinued(title, n, of)) + "_"
}

func plainContinued(title string, n, of int) string {
	if title == "" {
		return fmt.Sprintf("(continued, %d/%d)", n, of)
	}
	return fmt.Sprintf("%s (continued, %d/%d)", shorten(title, MaxHeaderText), n, of)
}

// omittedNotice says how much was cut and how to ask for less.
func omittedNotice(kind commands.Kind, rest []part) string {
	items := 0
	for _, p := range rest {
		items += p.items
	}
	what := "more not shown"
	if items > 0 {
		what = fmt.Sprintf("%d more %s not shown", items, plural(items, "item", "items"))
	}
	if spec, ok := commands.Lookup(commands.Table(), string(kind)); ok && len(spec.Args) > 0 {
		return fmt.Sprintf("… %s. Ask for less: %s", what, spec.Usage())
	}
	return "… " + what + " (Slack's message limit)."
}

// trimDividers drops leading, trailing and doubled dividers.
func trimDividers(bs []slack.Block) []slack.Block {
	out := bs[:0:0]
	for _, b := range bs {
		if _, ok := b.(*slack.DividerBlock); ok {
			if len(out) == 0 {
				continue
			}
			if _, prev := out[len(out)-1].(*slack.DividerBlock); prev {
				continue
			}
		}
		out = append(out, b)
	}
	for len(out) > 0 {
		if _, ok := out[len(out)-1].(*slack.DividerBlock); !ok {
			break
		}
		out = out[:len(out)-1]
	}
	return out
}

func headerBlock(text string) slack.Block {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, shorten(text, MaxHeaderText), false, false))
}

// sectionBlock wraps already escaped mrkdwn. The block and its text object
// share one allocation.
func sectionBlock(text string) slack.Block {
	sb := &struct {
		b slack.SectionBlock
		t slack.TextBlockObject
	}{}
	sb.t = slack.TextBlockObject{Type: slack.MarkdownType, Text: text}
	sb.b = slack.SectionBlock{Type: slack.MBTSection, Text: &sb.t}
	return &sb.b
}

// contextBlock wraps one already escaped mrkdwn line, in one allocation.
func contextBlock(text string) slack.Block {
	cb := &struct {
		b slack.ContextBlock
		t slack.TextBlockObject
		e [1]slack.MixedElement
	}{}
	cb.t = slack.TextBlockObject{Type: slack.MarkdownType, Text: text}
	cb.e[0] = &cb.t
	cb.b = slack.ContextBlock{Type: slack.MBTContext, ContextElements: slack.ContextElements{Elements: cb.e[:]}}
	return &cb.b
}

func mrkdwn(text string) *slack.TextBlockObject {
	return &slack.TextBlockObject{Type: slack.MarkdownType, Text: text}
}

// shorten cuts s to at most n UTF-16 units, ending in "…" when it cut.
func shorten(s string, n int) string {
	if fits(s, n) {
		return s
	}
	units := 0
	for i, r := range s {
		w := 1
		if r > 0xFFFF {
			w = 2
		}
		if units+w > n-1 {
			return strings.TrimRight(s[:i], " ") + "…"
		}
		units += w
	}
	return s
}

// formatDate writes a date as "19 Apr 2024".
func formatDate(t time.Time) string {
	var buf [16]byte
	return string(t.UTC().AppendFormat(buf[:0], "2 Jan 2006"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// responseType is the response_type for a visibility.
func responseType(v commands.Visibility) string {
	if v == commands.Ephemeral {
		return slack.ResponseTypeEphemeral
	}
	return slack.ResponseTypeInChannel
}
