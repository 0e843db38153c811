package slack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// The short answers the adapter gives on its own.
const (
	workingText = "Working on it… the answer will appear here in a moment."
	busyText    = "briefbot is busy answering other questions right now. Please try again in a minute."
	helpHint    = "Type `/brief help` for the list of commands."
)

// reply is the JSON body of an inline answer, a Socket Mode ack payload or
// a response_url post.
type reply struct {
	ResponseType string        `json:"response_type,omitempty"`
	Text         string        `json:"text"`
	Blocks       []slack.Block `json:"blocks,omitempty"`
}

func replyOf(m Message, responseType string) *reply {
	return &reply{ResponseType: responseType, Text: m.Text, Blocks: m.Blocks}
}

// ackFunc sends the acknowledgement of a slash command, with a message or
// (nil) without one. It is called exactly once per invocation. It returns
// errDeliverLater when the message could not go inline; the acknowledgement
// was then sent without it and the answer goes through response_url.
type ackFunc func(r *reply) error

var errDeliverLater = errors.New("answer too large to send inline")

// invocation is one slash command, from HTTP or Socket Mode.
type invocation struct {
	cmd      slack.SlashCommand
	received time.Time
}

type result struct {
	resp commands.Response
	err  error
}

// handle answers one slash command. It calls ack exactly once before it
// returns: with the answer when h answers within AnswerBudget, otherwise with
// a short "working on it" while the answer is delivered through
// response_url in the background.
func (p *Platform) handle(ctx context.Context, h commands.Handler, inv invocation, ack ackFunc) {
	req, early := p.request(inv)
	if early != nil {
		p.answer(ctx, inv, *early, ack)
		return
	}
	select {
	case p.slots <- struct{}{}:
	default:
		p.log.Warn("slack: too many answers in progress; refusing one", "limit", cap(p.slots))
		_ = ack(&reply{ResponseType: slack.ResponseTypeEphemeral, Text: busyText})
		return
	}
	// The answer may outlive the request that asked for it (slow answers go
	// through response_url), so it gets its own deadline.
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), p.cfg.HandlerTimeout)
	done := make(chan result, 1)
	go func() {
		defer func() { <-p.slots }()
		done <- p.call(hctx, h, req)
	}()
	timer := time.NewTimer(p.cfg.AnswerBudget)
	select {
	case res := <-done:
		timer.Stop()
		cancel()
		p.answer(ctx, inv, p.finish(req, res), ack)
	case <-timer.C:
		_ = ack(&reply{ResponseType: slack.ResponseTypeEphemeral, Text: workingText})
		p.bg.Go(func() {
			defer cancel()
			var res result
			select {
			case res = <-done:
			case <-hctx.Done():
				res = result{err: hctx.Err()}
			}
			resp := p.finish(req, res)
			p.respondAll(context.WithoutCancel(ctx), inv, renderWithThread(resp, MaxAnswerMessages), responseType(resp.Visibility))
		})
	}
}

// call runs the handler, turning a panic into an internal error.
func (p *Platform) call(ctx context.Context, h commands.Handler, req commands.Request) (res result) {
	defer func() {
		if v := recover(); v != nil {
			res = result{err: fmt.Errorf("handler panic: %v\n%s", v, debug.Stack())}
		}
	}()
	r, err := h.Handle(ctx, req)
	return result{resp: r, err: err}
}

// answer sends a finished response: the first message inline, the rest via
// response_url.
func (p *Platform) answer(ctx context.Context, inv invocation, resp commands.Response, ack ackFunc) {
	msgs := renderWithThread(resp, MaxAnswerMessages)
	rt := responseType(resp.Visibility)
	if err := ack(replyOf(msgs[0], rt)); err != nil {
		if !errors.Is(err, errDeliverLater) {
			p.log.Warn("slack: acknowledgement failed", "err", p.redact(err.Error()))
			return
		}
	} else {
		msgs = msgs[1:]
	}
	if len(msgs) == 0 {
		return
	}
	p.bg.Go(func() { p.respondAll(context.WithoutCancel(ctx), inv, msgs, rt) })
}

// request turns a slash command into a commands.Request. When the text does
// not parse, or the command is for admins only, it returns the answer to
// give instead.
func (p *Platform) request(inv invocation) (commands.Request, *commands.Response) {
	sc := inv.cmd
	req := commands.Request{
		Platform:  "slack",
		Workspace: sc.TeamID,
		Channel:   sc.ChannelID,
		User:      sc.UserID,
		Text:      sc.Text,
		Admin:     p.admins[sc.UserID],
		Now:       inv.received,
	}
	parsed, err := commands.Parse(p.table, sc.Text)
	if err != nil {
		r := p.errorResponse(err, req)
		return req, &r
	}
	req.Command = parsed.Spec.Name
	req.Args = parsed.Args
	req.Options = parsed.Options
	if parsed.Spec.Admin && !req.Admin {
		r := p.errorResponse(&briefings.Error{Code: briefings.CodeForbidden,
			Msg: fmt.Sprintf("`%s` is for admins. Ask one of this workspace's briefbot admins to run it.", parsed.Spec.Name)}, req)
		return req, &r
	}
	return req, nil
}

// finish turns a handler result into the response to show, with errors
// converted and visibility enforced: help, errors and ephemeral commands
// are only for the caller, and so is anything asked for with --private.
func (p *Platform) finish(req commands.Request, res result) commands.Response {
	resp := res.resp
	if res.err != nil {
		resp = p.errorResponse(res.err, req)
	}
	if resp.Kind == commands.KindError || resp.Kind == commands.KindHelp || req.Flag("private") {
		resp.Visibility = commands.Ephemeral
	}
	if spec, ok := commands.Lookup(p.table, req.Command); ok && spec.Ephemeral {
		resp.Visibility = commands.Ephemeral
	}
	return resp
}

// errorResponse is the one place where an error becomes user text. Coded
// errors show their message; internal errors show a reference and are
// logged with their details.
func (p *Platform) errorResponse(err error, req commands.Request) commands.Response {
	var msg string
	var be *briefings.Error
	switch code := briefings.ErrorCode(err); {
	case errors.Is(err, context.DeadlineExceeded) && code == briefings.CodeInternal:
		msg = fmt.Sprintf("That took too long (more than %s). Try a narrower question, or again in a minute.", p.cfg.HandlerTimeout)
		p.log.Warn("slack: answer timed out", "command", req.Command, "workspace", req.Workspace, "channel", req.Channel)
	case code == briefings.CodeInternal || !errors.As(err, &be) || strings.TrimSpace(be.Msg) == "":
		ref := newRef()
		msg = fmt.Sprintf("Something went wrong (ref %s). The details are in the bot's log; please try again or tell an admin.", ref)
		p.log.Error("slack: answer failed", "ref", ref, "command", req.Command, "workspace", req.Workspace,
			"channel", req.Channel, "user", req.User, "err", p.redact(err.Error()))
	default:
		msg = be.Msg
		if code == briefings.CodeUnavailable && !strings.Contains(strings.ToLower(msg), "try again") {
			msg += " Please try again in a few minutes."
		}
	}
	resp := commands.Response{
		Kind:       commands.KindError,
		Text:       msg,
		Visibility: commands.Ephemeral,
		Blocks:     []commands.Block{{Type: commands.BlockSection, Text: msg}},
	}
	if briefings.ErrorCode(err) == briefings.CodeInvalid && !strings.Contains(msg, "/brief help") {
		resp.Blocks = append(resp.Blocks, commands.Block{Type: commands.BlockContext, Text: helpHint})
	}
	return resp
}

// newRef returns a short random reference that ties a user's error message
// to the log line with the details.
func newRef() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
