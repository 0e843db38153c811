// Package console is briefbot's local terminal adapter: it reads /brief
// command lines from a terminal or a pipe, answers them with a
// commands.Handler and prints the rendered answers, and prints digests
// posted to it while it runs. It implements bot.Platform as "console".
//
// On a terminal it offers line editing, history and completion of command
// names (github.com/chzyer/readline), bold and dim text, and wraps to the
// terminal's width; piped, it reads plain lines and prints plain text.
package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/term"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Defaults for the zero values of Config.
const (
	// DefaultUser is the user id of requests typed at the console.
	DefaultUser = "local"
	// DefaultChannel is the channel id of the console: subscriptions made
	// here are posted to it.
	DefaultChannel = "console"
	// DefaultPrompt is shown before each line when editing is on.
	DefaultPrompt = "brief> "
	// DefaultHandlerTimeout bounds the answer to one command.
	DefaultHandlerTimeout = time.Minute
	// DefaultHistoryLimit is how many lines the history keeps.
	DefaultHistoryLimit = 1000
	// MaxAutoWidth caps the width detected from a wide terminal, for
	// readable lines; an explicit Config.Width is used as given.
	MaxAutoWidth = 120
)

// Workspace is the workspace id of every console request.
const Workspace = "local"

// Mode is a three-way switch: decide automatically, or force on or off.
type Mode int

// The modes.
const (
	// Auto decides from the terminal: colours when Out is a terminal, line
	// editing when both In and Out are.
	Auto Mode = iota
	// Always forces the feature on.
	Always
	// Never forces the feature off.
	Never
)

// String returns "auto", "always" or "never".
func (m Mode) String() string {
	switch m {
	case Always:
		return "always"
	case Never:
		return "never"
	}
	return "auto"
}

// ParseMode reads "auto", "always" (or "on", "yes", "true") and "never"
// (or "off", "no", "false"), as a --color flag would give them.
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "always", "on", "yes", "true", "force":
		return Always, nil
	case "never", "off", "no", "false", "none":
		return Never, nil
	}
	return Auto, fmt.Errorf("console: %q is not a mode; use auto, always or never", s)
}

// Config holds the console's settings as plain values. Every field has a
// usable zero value.
type Config struct {
	// In is where command lines are read; nil reads nothing.
	In io.Reader
	// Out receives the answers and digests; nil discards them.
	Out io.Writer
	// Err receives line editing's own messages; nil discards them.
	Err io.Writer
	// Color chooses ANSI styles: Auto uses them only when Out is a
	// terminal. (Honour NO_COLOR by passing Never.)
	Color Mode
	// Width is the wrapping width. Zero means the terminal's width when Out
	// is a terminal (at most MaxAutoWidth), else DefaultWidth.
	Width int
	// History is the file that keeps line-editing history across sessions;
	// empty keeps it in memory only. It is not used without line editing.
	History string
	// HistoryLimit is how many lines History keeps; zero means
	// DefaultHistoryLimit.
	HistoryLimit int
	// Prompt is shown before each line when editing is on; empty means
	// DefaultPrompt.
	Prompt string
	// User and Channel are the ids of requests typed here; empty means
	// DefaultUser and DefaultChannel.
	User, Channel string
	// TimeZone is the IANA zone passed with each request (the default zone
	// for subscriptions made here), when known.
	TimeZone string
	// Clock tells the time of requests; nil means the system clock.
	Clock briefings.Clock
	// Interactive chooses line editing: Auto turns it on when In and Out
	// are both terminals; Always forces it (tests drive it through pipes);
	// Never reads plain lines.
	Interactive Mode
	// HandlerTimeout bounds the answer to one command; zero means
	// DefaultHandlerTimeout.
	HandlerTimeout time.Duration
}

// Console is the terminal platform. Post may be called from any goroutine,
// also while Serve runs; Serve may be called once.
type Console struct {
	cfg   Config
	log   *slog.Logger
	table []commands.Spec

	inFd, outFd     int
	inTerm, outTerm bool
	interactive     bool
	color, errColor bool

	// mu serializes everything written to Out, so that an answer and a
	// digest never interleave.
	mu sync.Mutex
	// out is where writes go: Out, or line editing's writer while it runs
	// (which clears the prompt, writes, and draws the prompt again); errOut
	// is the same for Err.
	out, errOut io.Writer

	served atomic.Bool
	posted atomic.Uint64
}

// New returns a console. It never fails: a missing reader or writer is
// treated as empty or discarding. logger receives internal errors (with
// the reference shown to the user); nil discards them.
func New(cfg Config, logger *slog.Logger) *Console {
	if cfg.In == nil {
		cfg.In = strings.NewReader("")
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Err == nil {
		cfg.Err = io.Discard
	}
	if cfg.Prompt == "" {
		cfg.Prompt = DefaultPrompt
	}
	if cfg.User = strings.TrimSpace(cfg.User); cfg.User == "" {
		cfg.User = DefaultUser
	}
	if cfg.Channel = strings.TrimSpace(cfg.Channel); cfg.Channel == "" {
		cfg.Channel = DefaultChannel
	}
	if cfg.Clock == nil {
		cfg.Clock = briefings.SystemClock{}
	}
	if cfg.HandlerTimeout <= 0 {
		cfg.HandlerTimeout = DefaultHandlerTimeout
	}
	if cfg.HistoryLimit <= 0 {
		cfg.HistoryLimit = DefaultHistoryLimit
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{cfg: cfg, log: logger, table: commands.Table(), out: cfg.Out, errOut: cfg.Err}
	c.inFd, c.inTerm = terminalFd(cfg.In)
	c.outFd, c.outTerm = terminalFd(cfg.Out)
	switch cfg.Interactive {
	case Always:
		c.interactive = true
	case Auto:
		c.interactive = c.inTerm && c.outTerm
	}
	switch cfg.Color {
	case Always:
		c.color = true
	case Auto:
		c.color = c.outTerm
		_, errTerm := terminalFd(cfg.Err)
		c.errColor = errTerm
	}
	if cfg.Color == Always {
		c.errColor = true
	}
	return c
}

// terminalFd returns the file descriptor behind v and whether it is a
// terminal.
func terminalFd(v any) (int, bool) {
	f, ok := v.(interface{ Fd() uintptr })
	if !ok {
		return -1, false
	}
	fd := int(f.Fd())
	return fd, term.IsTerminal(fd)
}

// Name is "console".
func (c *Console) Name() string { return "console" }

// Interactive reports whether Serve uses line editing.
func (c *Console) Interactive() bool { return c.interactive }

// Color reports whether output is styled with ANSI escape codes.
func (c *Console) Color() bool { return c.color }

// RenderOptions returns the options Serve and Post render with: the
// console's colour choice and the current width.
func (c *Console) RenderOptions() RenderOptions {
	return RenderOptions{Color: c.color, Width: c.width()}
}

// width is the configured width, else the terminal's, else DefaultWidth.
func (c *Console) width() int {
	if c.cfg.Width > 0 {
		return c.cfg.Width
	}
	if w := c.termWidth(); w > 0 {
		return min(w, MaxAutoWidth)
	}
	return DefaultWidth
}

// termWidth is Out's terminal width, or 0 when unknown.
func (c *Console) termWidth() int {
	if !c.outTerm {
		return 0
	}
	w, _, err := term.GetSize(c.outFd)
	if err != nil || w <= 0 {
		return 0
	}
	return w
}

// write prints s as one write, never interleaved with another.
func (c *Console) write(s string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, err := io.WriteString(c.out, s)
	return err
}

// setOut switches the writers that write and Stderr use.
func (c *Console) setOut(out, errOut io.Writer) {
	c.mu.Lock()
	c.out, c.errOut = out, errOut
	c.mu.Unlock()
}

// Stderr returns a writer to Err whose writes never interleave with the
// console's answers and digests and, while line editing runs, leave the
// prompt and the half-typed line below them. A chat session's logger
// should write to it, so that a log line does not garble the prompt.
func (c *Console) Stderr() io.Writer { return stderrWriter{c} }

type stderrWriter struct{ c *Console }

func (w stderrWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.errOut.Write(p)
}

// Post prints a digest (or any response) for channel, under a dim line
// that names the channel and the time. It is safe to call while Serve
// runs: with line editing, the prompt and the half-typed line are drawn
// again below the digest. The MessageRef's ID counts the posts of this
// console. A failed write is a retryable *bot.PostError.
func (c *Console) Post(ctx context.Context, channel string, r commands.Response) (bot.MessageRef, error) {
	if err := ctx.Err(); err != nil {
		return bot.MessageRef{}, &bot.PostError{Platform: "console", Reason: "canceled", Err: err}
	}
	name := oneLine(channel)
	if name == "" {
		name = c.cfg.Channel
	}
	opts := c.RenderOptions()
	header := "── " + name + " · " + c.cfg.Clock.Now().Format("Mon 2 Jan 15:04") + " ──"
	var b strings.Builder
	b.WriteByte('\n')
	if opts.Color {
		b.WriteString(styleDim.sgr() + header + sgrReset)
	} else {
		b.WriteString(header)
	}
	b.WriteByte('\n')
	b.WriteString(Render(r, opts))
	b.WriteByte('\n')
	if err := c.write(b.String()); err != nil {
		return bot.MessageRef{}, &bot.PostError{Platform: "console", Reason: "write_failed", Err: err}
	}
	id := c.posted.Add(1)
	return bot.MessageRef{Platform: "console", Channel: channel, ID: strconv.FormatUint(id, 10)}, nil
}

// AnswerError is a command that was not answered: a parse error, a refused
// or failed request, or an error response. Its message is the text the user
// should see (never internal details, which are logged with the reference
// the message shows).
type AnswerError struct {
	// Code classifies the failure when it is known: parse and handler
	// errors have one; an error response built by the handler has none
	// ("").
	Code briefings.Code
	// Msg is the user-facing text.
	Msg string
	// Err is the cause, if any (logged, not shown).
	Err error
}

// Error returns the user-facing message.
func (e *AnswerError) Error() string { return e.Msg }

// Unwrap returns the cause.
func (e *AnswerError) Unwrap() error { return e.Err }

// Ask answers one command line, as `briefbot ask` does: the line may start
// with /brief, and an empty line asks for the summary. The rendered answer
// is written to Out. When the command cannot be answered (a parse error, a
// handler error, or an error response) the message is written to Err
// instead and returned as an *AnswerError, so that a script sees the
// failure in the exit status and a clean Out.
func (c *Console) Ask(ctx context.Context, h commands.Handler, line string) error {
	if h == nil {
		return errors.New("console: Ask needs a handler")
	}
	in := classify(sanitizeInput(line))
	var resp commands.Response
	var failure *AnswerError
	if in.kind == lineTooLong {
		resp = c.refusal(tooLongMessage(in.runes))
		failure = &AnswerError{Code: briefings.CodeInvalid}
	} else {
		var err error
		resp, err = c.answer(ctx, h, in.text)
		switch {
		case err != nil && ctx.Err() != nil:
			return ctx.Err()
		case err != nil:
			resp = c.userError(ctx, err, in.text)
			failure = &AnswerError{Code: briefings.ErrorCode(err), Err: err}
		case resp.Kind == commands.KindError:
			failure = &AnswerError{} // the handler's own error answer; its code is not known here
		}
	}
	if failure == nil {
		return c.write(Render(resp, c.RenderOptions()))
	}
	failure.Msg = strings.TrimSpace(Render(resp, RenderOptions{Width: c.width()}))
	if _, err := io.WriteString(c.cfg.Err, Render(resp, RenderOptions{Color: c.errColor, Width: c.width()})); err != nil {
		return fmt.Errorf("console: writing: %w (after: %w)", err, failure)
	}
	return failure
}

// answer parses text (the words after /brief) and asks h. Parse errors and
// handler errors are returned as they are; a panicking handler is an
// internal error.
func (c *Console) answer(ctx context.Context, h commands.Handler, text string) (resp commands.Response, err error) {
	p, err := commands.Parse(c.table, text)
	if err != nil {
		return commands.Response{}, err
	}
	req := commands.Request{
		Platform:  "console",
		Workspace: Workspace,
		Channel:   c.cfg.Channel,
		User:      c.cfg.User,
		Command:   p.Spec.Name,
		Args:      p.Args,
		Options:   p.Options,
		Text:      text,
		Admin:     true, // the local user owns the bot
		TimeZone:  c.cfg.TimeZone,
		Now:       c.cfg.Clock.Now(),
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.HandlerTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("console: handler panicked on %q: %v\n%s", req.Command, v, debug.Stack())
		}
	}()
	return h.Handle(ctx, req)
}

// userError turns an error into the answer the user sees, through the
// commands layer's single error edge: coded errors show their message;
// anything else shows "Something went wrong (ref …)" and is logged with the
// reference and its details.
func (c *Console) userError(ctx context.Context, err error, text string) commands.Response {
	// The command's text goes with the logged details.
	err = fmt.Errorf("console command %q: %w", clip(text, 200), err)
	return commands.ErrorResponse(context.WithoutCancel(ctx), c.log, err)
}

// clip shortens s to at most n runes for a log line.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
