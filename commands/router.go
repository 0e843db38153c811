package commands

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Briefer answers briefing questions; *briefings.Service implements it.
type Briefer interface {
	Summary(ctx context.Context, story string) (briefings.Answer, error)
	Meetings(ctx context.Context, name string) (briefings.Answer, error)
	Status(ctx context.Context, topic string) (briefings.Answer, error)
	Situation(ctx context.Context, country string) (briefings.Answer, error)
	Timeline(ctx context.Context, story string) (briefings.Answer, error)
	Who(ctx context.Context, name string) (briefings.Answer, error)
	Ask(ctx context.Context, question string) (briefings.Answer, error)
	Sources(ctx context.Context, story string) (briefings.Answer, error)
}

// Extra handles commands beyond the briefing questions (digests,
// subscriptions, ingestion, feeds, stories), keyed by canonical command
// name. Later parts of the bot register theirs here.
type Extra map[string]HandlerFunc

// Observer is told about every command a Router handles, after it is
// handled: the canonical command name ("" when the request named no
// command of the table, or a command the caller may not use), the error
// the command failed with (nil when it was answered; the caller saw
// ErrorResponse of it), and how long it took. Metrics use it.
type Observer func(ctx context.Context, command string, err error, d time.Duration)

// Router is the Handler every platform calls: it parses text when the
// platform has not, checks permissions, dispatches to the briefing
// questions or the extra handlers, and turns every error into user text at
// one place (ErrorResponse).
type Router struct {
	table []Spec
	b     Briefer
	extra Extra
	log   *slog.Logger
	// observe, when set, is told about every handled command.
	observe Observer
}

// NewRouter returns a Router over the command table.
func NewRouter(b Briefer, extra Extra, logger *slog.Logger) *Router {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Router{table: Table(), b: b, extra: extra, log: logger}
}

// Observe sets the observer told about every handled command. Call it
// before the Router handles requests.
func (r *Router) Observe(o Observer) { r.observe = o }

// Handle implements Handler. It never returns an error for a failed
// command: the failure is the response.
func (r *Router) Handle(ctx context.Context, req Request) (Response, error) {
	start := time.Now()
	spec, req, err := r.prepare(req)
	var resp Response
	if err == nil {
		resp, err = r.dispatch(ctx, spec, req)
	}
	if r.observe != nil {
		r.observe(ctx, spec.Name, err, time.Since(start))
	}
	if err != nil {
		return ErrorResponse(ctx, r.log, err), nil
	}
	return resp, nil
}

// prepare finds the spec of a request, parsing its text when the platform
// sent only text.
func (r *Router) prepare(req Request) (Spec, Request, error) {
	if req.Command == "" {
		p, err := Parse(r.table, req.Text)
		if err != nil {
			return Spec{}, req, err
		}
		req.Command, req.Args = p.Spec.Name, p.Args
		if req.Options == nil {
			req.Options = map[string]string{}
		}
		for k, v := range p.Options {
			req.Options[k] = v
		}
	}
	spec, ok := Lookup(r.table, req.Command)
	if !ok {
		msg := "I don't know the command `" + req.Command + "`."
		if s := Suggest(r.table, req.Command); s != "" {
			msg += " Did you mean `" + s + "`?"
		}
		return Spec{}, req, &briefings.Error{Code: briefings.CodeInvalid, Msg: msg}
	}
	if spec.Admin && !req.Admin {
		return Spec{}, req, &briefings.Error{Code: briefings.CodeForbidden, Msg: "Only the bot's admins can use `/brief " + spec.Name + "`. Ask an admin, or use `/brief help` for what everyone can do."}
	}
	return spec, req, nil
}

// visibility is who sees the answer to a spec.
func visibility(spec Spec, req Request) Visibility {
	if spec.Ephemeral || req.Flag("private") {
		return Ephemeral
	}
	return InChannel
}

func (r *Router) dispatch(ctx context.Context, spec Spec, req Request) (Response, error) {
	vis := visibility(spec, req)
	arg := func(name string) string { return strings.TrimSpace(req.Option(name)) }
	var (
		a   briefings.Answer
		err error
	)
	switch spec.Name {
	case "help":
		return Help(r.table, arg("command")), nil
	case "summary":
		a, err = r.b.Summary(ctx, arg("story"))
	case "meetings":
		a, err = r.b.Meetings(ctx, arg("name"))
	case "status":
		a, err = r.b.Status(ctx, arg("topic"))
	case "situation":
		a, err = r.b.Situation(ctx, arg("country"))
	case "timeline":
		a, err = r.b.Timeline(ctx, arg("story"))
	case "who":
		a, err = r.b.Who(ctx, arg("name"))
	case "ask":
		a, err = r.b.Ask(ctx, arg("question"))
	case "sources":
		a, err = r.b.Sources(ctx, arg("story"))
	default:
		if h, ok := r.extra[spec.Name]; ok {
			resp, err := h(ctx, req)
			if err != nil {
				return Response{}, err
			}
			if spec.Ephemeral || req.Flag("private") {
				resp.Visibility = Ephemeral
			}
			return resp, nil
		}
		return Response{}, &briefings.Error{Code: briefings.CodeUnavailable, Msg: "`/brief " + spec.Name + "` is not available on this bot: " + unavailableReason(spec.Name) + "."}
	}
	if err != nil {
		return Response{}, err
	}
	return FromAnswer(a, vis), nil
}

func unavailableReason(name string) string {
	switch {
	case strings.HasPrefix(name, "digest"), name == "subscribe", name == "unsubscribe", name == "subscriptions", name == "pause", name == "resume", name == "history":
		return "scheduled digests are not set up here"
	case name == "ingest", strings.HasPrefix(name, "feed"):
		return "fetching from the web is not set up here"
	}
	return "it is not set up here"
}
