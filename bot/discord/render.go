package discord

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/commands"
)

// Discord's limits for one message. Lengths are counted in UTF-16 code
// units, which is never less than Discord's own count in code points, so a
// message within these limits is always accepted.
const (
	// MaxContent is the length limit of a message's plain content.
	MaxContent = 2000
	// MaxEmbeds is the number of embeds one message may carry.
	MaxEmbeds = 10
	// MaxTitle is the length limit of an embed title.
	MaxTitle = 256
	// MaxDescription is the length limit of an embed description.
	MaxDescription = 4096
	// MaxFields is the number of fields one embed may carry.
	MaxFields = 25
	// MaxFieldName is the length limit of a field name.
	MaxFieldName = 256
	// MaxFieldValue is the length limit of a field value.
	MaxFieldValue = 1024
	// MaxFooter is the length limit of an embed footer.
	MaxFooter = 2048
	// MaxMessageChars is the limit on the sum of all titles, descriptions,
	// field names and values and footers of the embeds of one message.
	MaxMessageChars = 6000
)

// Our own bounds on what one answer may become.
const (
	// MaxPostMessages is the number of messages one Post may send (a digest
	// split into parts plus its thread replies).
	MaxPostMessages = 10
	// MaxInteractionMessages is the number of messages one interaction
	// answer may use: the response and its follow-ups.
	MaxInteractionMessages = 5
	// maxFooterUsed bounds the sources footer well below MaxFooter so that
	// any single block of text always fits one embed beside it.
	maxFooterUsed = 1024
	// noteReserve is the room kept in every message for a truncation note.
	noteReserve = 120
	// maxQuote bounds a quoted evidence sentence inside a field.
	maxQuote = 300
	// maxSourceTitle bounds one article title in the sources footer.
	maxSourceTitle = 120
	// blank is a zero-width space: the name of a field without a label
	// (Discord rejects empty field names).
	blank = "\u200b"
)

// EphemeralFlag is the message flag (64) that shows an interaction answer
// only to its caller.
const EphemeralFlag = discordgo.MessageFlagsEphemeral

// Colors are the embed colours per answer kind.
func kindColor(k commands.Kind) int {
	switch k {
	case commands.KindSummary:
		return 0x5865F2
	case commands.KindMeetings:
		return 0x3BA55C
	case commands.KindStatus:
		return 0xFAA61A
	case commands.KindSituation:
		return 0x1ABC9C
	case commands.KindTimeline:
		return 0x9B59B6
	case commands.KindWho:
		return 0x3498DB
	case commands.KindAsk:
		return 0x11806A
	case commands.KindSources:
		return 0x95A5A6
	case commands.KindHelp:
		return 0x99AAB5
	case commands.KindError:
		return 0xED4245
	case commands.KindDigest:
		return 0xE67E22
	case commands.KindSubscription:
		return 0x2ECC71
	case commands.KindIngest:
		return 0x206694
	default:
		return 0x7289DA
	}
}

// Render returns r as one Discord message that Discord accepts: embeds with
// a title, a description, a field per fact and a footer naming the sources,
// in a colour per answer kind. What does not fit one message is cut and the
// footer says how much ("… 12 more not shown"). Render is a pure function.
func Render(r commands.Response) *discordgo.MessageSend {
	return renderParts(r, 1)[0]
}

// RenderMessages returns r as one or more messages, each within Discord's
// limits: the answer split into parts, followed by its Thread responses.
// The first message is the one the others reply to. At most
// MaxPostMessages are returned; a cut is noted in the last footer.
func RenderMessages(r commands.Response) []*discordgo.MessageSend {
	return renderParts(r, MaxPostMessages)
}

// RenderInteraction returns r as an interaction answer: the type 4 response
// carrying the first message, and follow-up messages for the rest of a long
// answer (at most MaxInteractionMessages in all). Ephemeral responses carry
// flag 64 on every message.
func RenderInteraction(r commands.Response) (*discordgo.InteractionResponse, []*discordgo.WebhookParams) {
	parts := renderParts(r, MaxInteractionMessages)
	var flags discordgo.MessageFlags
	if r.Visibility == commands.Ephemeral {
		flags = EphemeralFlag
	}
	first := parts[0]
	resp := &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         first.Content,
			Embeds:          first.Embeds,
			AllowedMentions: first.AllowedMentions,
			Flags:           flags,
		},
	}
	var follow []*discordgo.WebhookParams
	for _, m := range parts[1:] {
		follow = append(follow, &discordgo.WebhookParams{
			Content:         m.Content,
			Embeds:          m.Embeds,
			AllowedMentions: m.AllowedMentions,
			Flags:           flags,
		})
	}
	return resp, follow
}

// noMentions allows no mention at all: an article quoting "@everyone" must
// not ping a channel.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

// renderedResponse is one response laid out into messages.
type renderedResponse struct {
	msgs   []*discordgo.MessageSend
	units  []int // content units (paragraphs, items) per message
	footer string
}

// renderParts renders r and its thread into at most max messages.
func renderParts(r commands.Response, max int) []*discordgo.MessageSend {
	var all []renderedResponse
	all = append(all, layoutResponse(r))
	for _, t := range r.Thread {
		// Threads are one level deep: a thread reply's own thread is
		// appended after it.
		all = append(all, layoutResponse(t))
		for _, tt := range t.Thread {
			all = append(all, layoutResponse(tt))
		}
	}
	var out []*discordgo.MessageSend
	dropped := 0
	lastKeptResp, lastKeptMsg := -1, -1
	for ri, rr := range all {
		for mi, m := range rr.msgs {
			if len(out) < max {
				out = append(out, m)
				lastKeptResp, lastKeptMsg = ri, mi
				continue
			}
			dropped += rr.units[mi]
		}
	}
	// Footers: each response's sources go on its last message, or on its
	// last kept message when it was cut; the cut is noted on the last
	// message sent.
	for ri, rr := range all {
		last := len(rr.msgs) - 1
		if ri == lastKeptResp {
			last = lastKeptMsg
		}
		if ri > lastKeptResp {
			break
		}
		note := ""
		if ri == lastKeptResp && dropped > 0 {
			note = fmt.Sprintf("… %d more not shown: the answer is too long for Discord", dropped)
		}
		setFooter(rr.msgs[last], joinFooter(note, rr.footer))
	}
	return out
}

func joinFooter(note, sources string) string {
	switch {
	case note == "":
		return sources
	case sources == "":
		return note
	}
	return note + "\n" + sources
}

func setFooter(m *discordgo.MessageSend, text string) {
	if text == "" || len(m.Embeds) == 0 {
		return
	}
	m.Embeds[len(m.Embeds)-1].Footer = &discordgo.MessageEmbedFooter{Text: text}
}

// layoutResponse renders one response (without its thread) into messages
// whose footers are not yet set. Every message keeps room for the footer
// and a truncation note.
func layoutResponse(r commands.Response) renderedResponse {
	// Trailing small print joins the sources in the footer, where Discord
	// shows small print; it is plain text there, so it is not escaped.
	blocks := r.Blocks
	var small []string
	for len(blocks) > 0 && blocks[len(blocks)-1].Type == commands.BlockContext {
		if t := oneLine(blocks[len(blocks)-1].Text); t != "" {
			small = append([]string{truncatePlain(t, maxFooterUsed/4)}, small...)
		}
		blocks = blocks[:len(blocks)-1]
	}
	r.Blocks = blocks
	footer := truncatePlain(joinFooter(strings.Join(small, "\n"), sourcesFooter(r.Sources)), maxFooterUsed)
	budget := MaxMessageChars - noteReserve
	if len(footer) > 0 {
		budget -= textLen(footer)
	}
	pieces := layoutPieces(r, budget)
	embeds := buildEmbeds(pieces, kindColor(r.Kind), budget)
	if len(embeds) == 0 {
		embeds = []*embedOut{{e: &discordgo.MessageEmbed{Description: "No answer.", Color: kindColor(r.Kind)}, chars: 10, units: 1}}
	}
	rr := renderedResponse{footer: footer}
	var cur []*discordgo.MessageEmbed
	curChars, curUnits := 0, 0
	flush := func() {
		if len(cur) == 0 {
			return
		}
		rr.msgs = append(rr.msgs, &discordgo.MessageSend{Embeds: cur, AllowedMentions: noMentions()})
		rr.units = append(rr.units, curUnits)
		cur, curChars, curUnits = nil, 0, 0
	}
	for _, e := range embeds {
		if len(cur) == MaxEmbeds || curChars+e.chars > budget {
			flush()
		}
		cur = append(cur, e.e)
		curChars += e.chars
		curUnits += e.units
	}
	flush()
	return rr
}

type pieceKind int

const (
	pieceTitle pieceKind = iota
	pieceText
	pieceField
	pieceBreak
)

// piece is one laid-out part of a response, already escaped and within
// its own limit.
type piece struct {
	kind        pieceKind
	text        string // title or description text
	name, value string // field
	n           int    // the field's length when known, else 0
}

// layoutPieces turns a response into pieces. maxText bounds one text piece
// so that it always fits an embed.
func layoutPieces(r commands.Response, maxText int) []piece {
	maxText = min(maxText, MaxDescription)
	var ps []piece
	blocks := r.Blocks
	title := strings.TrimSpace(r.Title)
	if title == "" && len(blocks) > 0 && blocks[0].Type == commands.BlockHeader {
		title = strings.TrimSpace(blocks[0].Text)
		blocks = blocks[1:]
	}
	if title != "" {
		ps = append(ps, piece{kind: pieceTitle, text: fitEscaped(title, MaxTitle)})
	}
	if len(blocks) == 0 {
		ps = appendText(ps, r.Text, false, maxText)
	}
	for _, b := range blocks {
		switch b.Type {
		case commands.BlockHeader:
			if t := strings.TrimSpace(b.Text); t != "" {
				ps = append(ps, piece{kind: pieceTitle, text: fitEscaped(t, MaxTitle)})
			}
		case commands.BlockSection:
			ps = appendText(ps, b.Text, false, maxText)
		case commands.BlockContext:
			ps = appendText(ps, b.Text, true, maxText)
		case commands.BlockDivider:
			ps = append(ps, piece{kind: pieceBreak})
		case commands.BlockFacts:
			for _, it := range b.Items {
				ps = append(ps, itemField(it))
			}
			if m := strings.TrimSpace(b.More); m != "" {
				ps = append(ps, piece{kind: pieceField, name: blank, value: "*" + fitEscaped(m, MaxFieldValue-2) + "*"})
			}
		}
	}
	return ps
}

// appendText adds raw text as description pieces, split at paragraph, line
// or word boundaries when it is longer than max. Small print is set in
// italics.
func appendText(ps []piece, raw string, small bool, max int) []piece {
	raw = strings.TrimSpace(strings.ReplaceAll(raw, "\r", ""))
	if small {
		max -= 2
	}
	for raw != "" {
		chunk, rest := splitEscaped(raw, max)
		if rest == raw {
			break // cannot happen for max >= 2; never loop forever
		}
		raw = strings.TrimSpace(rest)
		if chunk == "" {
			continue
		}
		if small {
			chunk = "*" + chunk + "*"
		}
		ps = append(ps, piece{kind: pieceText, text: chunk})
	}
	return ps
}

// itemField renders one fact as an embed field: the label as its name, then
// the line, its notes and its citations (quote, linked title, date).
func itemField(it commands.Item) piece {
	name, nameLen := blank, 1
	if l := strings.TrimSpace(it.Label); l != "" {
		name, nameLen = fitEscapedN(l, MaxFieldName)
	}
	var lines []string
	var lens []int // UTF-16 lengths of lines
	if t := strings.TrimSpace(it.Text); t != "" {
		l, n := fitEscapedN(t, MaxFieldValue/2)
		lines, lens = append(lines, l), append(lens, n)
	}
	for _, note := range it.Notes {
		if note = strings.TrimSpace(note); note != "" {
			l, n := fitEscapedN(note, 300)
			lines, lens = append(lines, "◦ "+l), append(lens, 2+n)
		}
	}
	nText := len(lines)
	for _, c := range it.Citations {
		l, n := citationLine(c)
		lines, lens = append(lines, l), append(lens, n)
	}
	// Keep whole lines while they fit; say how many were left out.
	var b strings.Builder
	size := 0
	for _, l := range lines {
		size += len(l) + 1
	}
	b.Grow(min(size, MaxFieldValue*4))
	used := 0
	for i, l := range lines {
		sep := 0
		if i > 0 {
			sep = 1
		}
		left := len(lines) - i
		reserve := 0
		if left > 1 {
			reserve = 24 // "\n… 99 more sources"
		}
		if used+sep+lens[i]+reserve > MaxFieldValue {
			what := "more"
			if i >= nText {
				what = "more sources"
			}
			more := fmt.Sprintf("… %d %s", left, what)
			if used+sep+textLen(more) <= MaxFieldValue {
				if i > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(more)
			}
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		used += sep + lens[i]
	}
	value := b.String()
	if value == "" {
		value, used = blank, 1
	}
	return piece{kind: pieceField, name: name, value: value, n: nameLen + used}
}

// citationLine renders a citation as a quote line: > “quote” — [title](url),
// 19 Apr 2024. It also returns the line's length in UTF-16 units.
func citationLine(c commands.Citation) (string, int) {
	var b strings.Builder
	b.Grow(len(c.Quote) + len(c.Title) + len(c.URL) + 48)
	b.WriteString("> ")
	units := 2
	if q := strings.TrimSpace(c.Quote); q != "" {
		eq, n := fitEscapedN(oneLine(q), maxQuote)
		b.WriteString("“")
		b.WriteString(eq)
		b.WriteString("” — ")
		units += 1 + n + 4
	}
	title := strings.TrimSpace(c.Title)
	if title == "" {
		title = c.ArticleID
	}
	if title == "" {
		title = "source"
	}
	title, tn := fitEscapedN(oneLine(title), maxSourceTitle)
	if u := linkURL(c.URL); u != "" {
		b.WriteString("[")
		b.WriteString(title)
		b.WriteString("](")
		b.WriteString(u)
		b.WriteString(")")
		units += 1 + tn + 2 + textLen(u) + 1
	} else {
		b.WriteString(title)
		units += tn
	}
	if !c.Published.IsZero() {
		var day [16]byte
		d := appendDay(day[:0], c.Published)
		b.WriteString(", ")
		b.Write(d)
		units += 2 + len(d)
	}
	return b.String(), units
}

// linkURL returns u when it is a plain http(s) address safe inside a masked
// link, with the characters that would end the link percent-encoded, or "".
func linkURL(u string) string {
	u = strings.TrimSpace(u)
	if !hasURLPrefix(u) {
		return ""
	}
	if len(u) > 512 {
		return ""
	}
	for i := 0; i < len(u); i++ {
		switch c := u[i]; {
		case c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == '"' || c == '\\':
			return ""
		case c >= utf8.RuneSelf:
			if r, _ := utf8.DecodeRuneInString(u[i:]); r == utf8.RuneError || unicode.IsSpace(r) {
				return ""
			}
		}
	}
	if !strings.ContainsAny(u, "()") {
		return u
	}
	return strings.ReplaceAll(strings.ReplaceAll(u, "(", "%28"), ")", "%29")
}

// oneLine collapses runs of white space, newlines included, into one space.
func oneLine(s string) string {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				return strings.Join(strings.Fields(s), " ")
			}
			i += size
			continue
		}
		if c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' ||
			(c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ')) {
			return strings.Join(strings.Fields(s), " ")
		}
		i++
	}
	return s
}

// sourcesFooter lists the cited articles: "Sources: A (19 Apr 2024) · B".
func sourcesFooter(srcs []commands.Source) string {
	if len(srcs) == 0 {
		return ""
	}
	var b strings.Builder
	b.Grow(min(maxFooterUsed*2, 16+len(srcs)*64))
	b.WriteString("Sources: ")
	used := textLen("Sources: ")
	for i, s := range srcs {
		name := strings.TrimSpace(s.Title)
		if name == "" {
			name = strings.TrimSpace(s.Label)
		}
		if name == "" {
			name = strings.TrimSpace(s.URL)
		}
		if name == "" {
			name = s.ArticleID
		}
		name = truncatePlain(oneLine(name), maxSourceTitle)
		if !s.Published.IsZero() {
			var day [16]byte
			name += " (" + string(appendDay(day[:0], s.Published)) + ")"
		}
		sep := ""
		if i > 0 {
			sep = " · "
		}
		left := len(srcs) - i
		reserve := 0
		if left > 1 {
			reserve = 20 // " · … and 999 more"
		}
		n := textLen(sep) + textLen(name)
		if used+n+reserve > maxFooterUsed {
			b.WriteString(fmt.Sprintf(" · … and %d more", left))
			break
		}
		b.WriteString(sep)
		b.WriteString(name)
		used += n
	}
	return b.String()
}

// embedOut is an embed under construction with its character count.
type embedOut struct {
	e       *discordgo.MessageEmbed
	chars   int
	units   int
	descLen int
}

func (o *embedOut) empty() bool {
	return o.e.Title == "" && o.e.Description == "" && len(o.e.Fields) == 0
}

// buildEmbeds packs pieces into embeds, each within the per-embed limits
// and within budget characters.
func buildEmbeds(ps []piece, color, budget int) []*embedOut {
	var out []*embedOut
	var cur *embedOut
	flush := func() {
		if cur != nil && !cur.empty() {
			out = append(out, cur)
		}
		cur = nil
	}
	fresh := func() { cur = &embedOut{e: &discordgo.MessageEmbed{Color: color}} }
	for _, p := range ps {
		switch p.kind {
		case pieceTitle:
			if cur != nil && cur.e.Title != "" && cur.e.Description == "" && len(cur.e.Fields) == 0 {
				// A heading right under the title is a bold first line.
				cur.e.Description = "**" + p.text + "**"
				cur.descLen = textLen(cur.e.Description)
				cur.chars += cur.descLen
				continue
			}
			flush()
			fresh()
			cur.e.Title = p.text
			cur.chars += textLen(p.text)
		case pieceText:
			n := textLen(p.text)
			if cur != nil {
				sep := 0
				if cur.e.Description != "" {
					sep = 2
				}
				if len(cur.e.Fields) > 0 || cur.descLen+sep+n > MaxDescription || cur.chars+sep+n > budget {
					flush()
				}
			}
			if cur == nil {
				fresh()
			}
			if cur.e.Description != "" {
				cur.e.Description += "\n\n"
				cur.chars += 2
				cur.descLen += 2
			}
			cur.e.Description += p.text
			cur.chars += n
			cur.descLen += n
			cur.units++
		case pieceField:
			n := p.n
			if n == 0 {
				n = textLen(p.name) + textLen(p.value)
			}
			if cur != nil && (len(cur.e.Fields) == MaxFields || cur.chars+n > budget) {
				flush()
			}
			if cur == nil {
				fresh()
			}
			cur.e.Fields = append(cur.e.Fields, &discordgo.MessageEmbedField{Name: p.name, Value: p.value})
			cur.chars += n
			cur.units++
		case pieceBreak:
			flush()
		}
	}
	flush()
	return out
}

// textLen counts s in UTF-16 code units: an upper bound of Discord's count.
// Invalid bytes count one unit each, as the U+FFFD they become.
func textLen(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i + textLenSlow(s[i:])
		}
	}
	return len(s)
}

func textLenSlow(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncatePlain cuts plain (unescaped) text to max units, ending in "…".
func truncatePlain(s string, max int) string {
	if len(s) <= max || textLen(s) <= max {
		return s
	}
	n := 0
	for i, r := range s {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if n+w > max-1 {
			return s[:i] + "…"
		}
		n += w
	}
	return s
}

// fitEscaped escapes raw for Discord markdown and cuts it, visibly, to at
// most max units without breaking an escape sequence.
func fitEscaped(raw string, max int) string {
	out, _ := fitEscapedN(raw, max)
	return out
}

// fitEscapedN is fitEscaped that also returns the result's length in
// UTF-16 units.
func fitEscapedN(raw string, max int) (string, int) {
	if out, n, units := escapeLimit(raw, max); n == len(raw) {
		return out, units
	}
	chunk, _ := splitEscaped(raw, max-1)
	return chunk + "…", textLen(chunk) + 1
}

// splitEscaped returns the longest escaped prefix of raw within max units,
// preferring to end at a paragraph, line or word boundary, and the raw rest.
func splitEscaped(raw string, max int) (escaped, rest string) {
	out, n, _ := escapeLimit(raw, max)
	if n == len(raw) {
		return out, ""
	}
	cut := n
	// Prefer a natural boundary in the last quarter.
	floor := cut * 3 / 4
	for _, sep := range []string{"\n\n", "\n", " "} {
		if i := strings.LastIndex(raw[:cut], sep); i > floor && i > 0 {
			cut = i
			break
		}
	}
	if cut == 0 {
		return "", raw
	}
	if cut != n {
		out, _, _ = escapeLimit(raw[:cut], -1)
	}
	return strings.TrimRight(out, " \n"), raw[cut:]
}

// EscapeMarkdown escapes text for Discord's markdown so that it shows as
// written: emphasis, code, spoilers, masked links, mentions, headings,
// quotes and lists are neutralised. Bare http(s) addresses are kept as they
// are so that they stay clickable.
func EscapeMarkdown(s string) string {
	out, _, _ := escapeLimit(s, -1)
	return out
}

// escapeLimit escapes s, stopping before the output would exceed limit
// UTF-16 units (no limit when limit < 0). It returns the output, the
// number of bytes of s it covers and the output's length in UTF-16 units;
// an escape is never split.
func escapeLimit(s string, limit int) (string, int, int) {
	// UTF-16 units never outnumber bytes, so a string no longer than the
	// limit in bytes fits as it is when it needs no escape.
	if limit < 0 || len(s) <= limit {
		if units, ok := plainUnits(s); ok {
			return s, len(s), units
		}
	}
	var b strings.Builder
	if limit < 0 {
		b.Grow(len(s) + len(s)/8 + 4)
	} else {
		b.Grow(min(len(s)+len(s)/8+4, limit*4+8))
	}
	used := 0
	put := func(esc bool, r rune) bool {
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if esc {
			w++
		}
		if limit >= 0 && used+w > limit {
			return false
		}
		if esc {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
		used += w
		return true
	}
	lineStart := true // before the first non-space rune of a line
	leadingNumber := false
	inURL := 0 // bytes left of a bare address being copied
	for i := 0; i < len(s); {
		if inURL == 0 && (s[i] == 'h' || s[i] == 'H') && hasURLPrefix(s[i:]) {
			inURL = urlLen(s[i:])
			lineStart, leadingNumber = false, false
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if inURL > 0 {
			if !put(false, r) {
				return b.String(), i, used
			}
			inURL -= size
			i += size
			continue
		}
		esc := false
		switch {
		case r == '\r':
			i += size
			continue
		case r == '\n':
			lineStart, leadingNumber = true, false
		case lineStart && (r == ' ' || r == '\t'):
		case lineStart:
			lineStart = false
			switch {
			case r == '>' || r == '#' || r == '-' || r == '+':
				esc = true
			case r >= '0' && r <= '9':
				leadingNumber = true
			default:
				esc = escapable(r)
			}
		case leadingNumber && r >= '0' && r <= '9':
		case leadingNumber:
			leadingNumber = false
			esc = r == '.' || r == ')' || escapable(r)
		default:
			esc = escapable(r)
		}
		if !put(esc, r) {
			return b.String(), i, used
		}
		i += size
	}
	return b.String(), len(s), used
}

// escapable reports whether r is markdown anywhere in a line.
func escapable(r rune) bool {
	switch r {
	case '\\', '*', '_', '~', '`', '|', '[', ']', '<':
		return true
	}
	return false
}

// plainUnits returns s's length in UTF-16 units and true when s has no
// character EscapeMarkdown changes, in one pass.
func plainUnits(s string) (int, bool) {
	units := 0
	lineStart := true
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r >= 0x10000 {
				units += 2
			} else {
				units++
			}
			lineStart = false
			i += size
			continue
		}
		i++
		units++
		switch c {
		case '\\', '*', '_', '~', '`', '|', '[', ']', '<', '\r':
			return 0, false
		case '\n':
			lineStart = true
			continue
		case ' ', '\t':
			continue
		}
		if lineStart && (c == '>' || c == '#' || c == '-' || c == '+' || (c >= '0' && c <= '9')) {
			return 0, false
		}
		lineStart = false
	}
	return units, true
}

func hasURLPrefix(s string) bool {
	return (len(s) >= 8 && strings.EqualFold(s[:8], "https://")) ||
		(len(s) >= 8 && strings.EqualFold(s[:7], "http://"))
}

// urlLen is the length of the address at the start of s: URL characters up
// to a space or a character that markdown would read.
func urlLen(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f {
			return i
		}
		switch c {
		case '<', '>', '[', ']', '(', ')', '|', '`', '\\', '"', '*', '~':
			return i
		}
	}
	return len(s)
}

// appendDay writes t's UTC date as "19 Apr 2024" (time's "2 Jan 2006").
func appendDay(b []byte, t time.Time) []byte {
	y, m, d := t.UTC().Date()
	if y < 1000 || y > 9999 {
		return t.UTC().AppendFormat(b, "2 Jan 2006")
	}
	b = strconv.AppendInt(b, int64(d), 10)
	b = append(b, ' ')
	b = append(b, m.String()[:3]...)
	b = append(b, ' ')
	return strconv.AppendInt(b, int64(y), 10)
}
