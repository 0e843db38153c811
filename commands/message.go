// Package commands is the platform-neutral heart of the /brief command: the
// command table (names, options, help, examples), the parsing of typed text,
// the handlers that answer a Request with a Response, and the neutral message
// model every chat adapter renders.
//
// It never imports a chat SDK, a scheduler or a SQL driver.
package commands

import (
	"context"
	"time"
)

// Handler answers one request. Handlers never see a platform type.
type Handler interface {
	Handle(ctx context.Context, req Request) (Response, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, req Request) (Response, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, req Request) (Response, error) { return f(ctx, req) }

// Request is one /brief invocation, whatever platform it came from.
type Request struct {
	// Platform is "slack", "discord" or "console".
	Platform string
	// Workspace, Channel and User are opaque ids from the platform.
	Workspace, Channel, User string
	// Command is the canonical subcommand name, e.g. "meetings" or
	// "digest preview"; empty for the bare /brief.
	Command string
	// Args are the raw positional words after the command (text platforms).
	Args []string
	// Options are the named values: positional arguments are stored under
	// their option name by the parser, typed options arrive by name from
	// platforms that have them (Discord). Flags hold "true".
	Options map[string]string
	// Text is the raw text after /brief, for diagnostics and suggestions.
	Text string
	// Admin is set by the adapter when the caller may run admin commands.
	Admin bool
	// Locale is the caller's locale when the platform tells it.
	Locale string
	// TimeZone is the caller's or workspace's IANA zone when known.
	TimeZone string
	// Now is the time of the request.
	Now time.Time
}

// Option returns the named option's value, or "".
func (r Request) Option(name string) string { return r.Options[name] }

// Flag reports whether the named flag is set.
func (r Request) Flag(name string) bool {
	switch r.Options[name] {
	case "true", "yes", "1", "on":
		return true
	}
	return false
}

// Visibility says who sees a response.
type Visibility int

// The visibilities.
const (
	// InChannel responses are posted for everyone in the channel.
	InChannel Visibility = iota
	// Ephemeral responses are shown only to the caller.
	Ephemeral
)

// Kind is the sort of answer a response is; renderers use it for colour and
// icons.
type Kind string

// The answer kinds.
const (
	KindSummary      Kind = "summary"
	KindMeetings     Kind = "meetings"
	KindStatus       Kind = "status"
	KindSituation    Kind = "situation"
	KindTimeline     Kind = "timeline"
	KindWho          Kind = "who"
	KindAsk          Kind = "ask"
	KindSources      Kind = "sources"
	KindHelp         Kind = "help"
	KindError        Kind = "error"
	KindDigest       Kind = "digest"
	KindSubscription Kind = "subscription"
	KindIngest       Kind = "ingest"
	KindInfo         Kind = "info"
)

// Response is data: a closed set of block kinds every adapter knows how to
// render.
type Response struct {
	Kind Kind
	// Title is the headline of the answer.
	Title string
	// Text is the plain fallback (notifications, console, screen readers).
	Text   string
	Blocks []Block
	Visibility
	// Sources are the articles the answer cites, for footers.
	Sources []Source
	// Thread holds follow-up responses that belong under this one (a long
	// digest's overflow), posted as a thread or replies where possible.
	Thread []Response
}

// BlockType is the kind of a block.
type BlockType int

// The block types.
const (
	// BlockHeader is a short title line.
	BlockHeader BlockType = iota
	// BlockSection is a paragraph of text.
	BlockSection
	// BlockFacts is a list of items, each with citations.
	BlockFacts
	// BlockContext is small print (sources, hints).
	BlockContext
	// BlockDivider separates parts.
	BlockDivider
)

// Block is one part of a response.
type Block struct {
	Type BlockType
	// Text is the block's text for headers, sections and context. It is plain
	// text: adapters escape it for their markup.
	Text string
	// Items are the entries of a facts block.
	Items []Item
	// More says what was left out and how to see it ("12 more: /brief
	// timeline"); adapters show it after the items.
	More string
}

// Item is one line of a facts block.
type Item struct {
	// Label is a short bold lead (a date, a stage, a name).
	Label string
	// Text is the line itself.
	Text string
	// Notes are indented sub-lines.
	Notes []string
	// Citations are the evidence for the line.
	Citations []Citation
}

// Citation points at the sentence that supports an item.
type Citation struct {
	ArticleID string
	// Title is the article's title.
	Title string
	// URL is the article's address when it has one.
	URL string
	// Published is the article's publication date, zero when unknown.
	Published time.Time
	// Quote is the sentence as the article has it.
	Quote string
}

// Source is an article cited by a response.
type Source struct {
	ArticleID string
	Title     string
	URL       string
	Label     string
	Published time.Time
}

// Completer suggests values for an argument as the user types (Discord
// autocomplete): entity names, countries, topics, stories and time zones.
type Completer interface {
	Complete(ctx context.Context, kind Completion, prefix string, limit int) ([]string, error)
}
