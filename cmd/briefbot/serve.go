package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/commands"
)

func newServeCommand(a *app) *cobra.Command {
	var flags settingFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: every configured chat platform, the digest scheduler and the HTTP server",
		Long: "Runs Slack (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET for HTTP or SLACK_APP_TOKEN for Socket Mode) and Discord\n" +
			"(DISCORD_BOT_TOKEN for the gateway, DISCORD_PUBLIC_KEY for HTTP interactions) beside the HTTP server on\n" +
			"BRIEFBOT_HTTP_ADDR (default :8080, or :$PORT) with /healthz, /readyz and /metrics, until SIGINT or SIGTERM;\n" +
			"then in-flight requests finish and connections close within BRIEFBOT_SHUTDOWN_TIMEOUT.\n" +
			"Flags override the environment, which overrides the --config file.",
		Example: "  briefbot serve\n  briefbot serve --addr 127.0.0.1:9000 --database /data/briefbot.db --log-level debug\n" +
			"  briefbot serve --config /etc/briefbot.yaml --shutdown-timeout 30s",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.getenv = flags.overlay(a.getenv)
			return a.withRuntime(cmd, false, func(rt *runtime) error {
				return a.serve(cmd.Context(), rt)
			})
		},
	}
	flags.register(cmd)
	return cmd
}

// shutdownSlack is how long serve waits, past BRIEFBOT_SHUTDOWN_TIMEOUT,
// for its parts to return before it gives up on them.
const shutdownSlack = time.Second

// serve runs the platforms, the scheduler and the HTTP server until ctx
// ends, then stops them all. It returns within the configured shutdown
// timeout of ctx ending (or of a part failing), with an error when
// something was still running then.
func (a *app) serve(ctx context.Context, rt *runtime) error {
	metrics, err := newMetrics()
	if err != nil {
		return err
	}
	rt.instrument(metrics)
	raw, err := a.platforms(rt)
	if err != nil {
		return err
	}
	if len(raw) == 0 {
		return errors.New("no chat platform is configured: set SLACK_BOT_TOKEN (with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN) or DISCORD_BOT_TOKEN / DISCORD_PUBLIC_KEY; for the terminal, run `briefbot chat`")
	}
	// Digests are posted through the instrumented platforms, so that
	// failed posts are counted by reason.
	platforms := make([]bot.Platform, len(raw))
	for i, p := range raw {
		platforms[i] = metrics.InstrumentPlatform(p)
	}
	if err := rt.startDigests(platforms); err != nil {
		return err
	}
	rt.router.Observe(metrics.ObserveCommand)
	srv := bot.NewServer(bot.ServerConfig{
		Addr:            rt.cfg.HTTPAddr,
		ShutdownTimeout: rt.cfg.ShutdownTimeout,
		Ready:           rt.readiness(raw),
		Metrics:         metrics.Handler(rt.log.With("component", "metrics")),
	}, rt.log)
	for _, p := range platforms {
		if wp, ok := p.(bot.WebhookPlatform); ok {
			for pattern, h := range wp.Routes(rt.router) {
				srv.Handle(pattern, h)
			}
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Run(gctx) })
	g.Go(func() error { return rt.scheduler.Run(gctx) })
	for _, p := range platforms {
		g.Go(func() error {
			if err := p.Serve(gctx, rt.router); err != nil {
				return fmt.Errorf("%s: %w", p.Name(), err)
			}
			return nil
		})
	}
	rt.log.Info("briefbot serving", "platforms", len(platforms), "addr", rt.cfg.HTTPAddr)
	done := make(chan error, 1)
	go func() { done <- g.Wait() }()
	select {
	case err = <-done:
	case <-gctx.Done():
		rt.log.Info("briefbot stopping", "shutdown_timeout", rt.cfg.ShutdownTimeout)
		deadline := time.NewTimer(rt.cfg.ShutdownTimeout + shutdownSlack)
		defer deadline.Stop()
		select {
		case err = <-done:
		case <-deadline.C:
			rt.log.Error("shutdown deadline passed with work still running; exiting anyway", "shutdown_timeout", rt.cfg.ShutdownTimeout)
			return fmt.Errorf("the shutdown did not finish within BRIEFBOT_SHUTDOWN_TIMEOUT (%s)", rt.cfg.ShutdownTimeout)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("the shutdown did not finish within BRIEFBOT_SHUTDOWN_TIMEOUT (%s): %w", rt.cfg.ShutdownTimeout, err)
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	rt.log.Info("briefbot stopped")
	return nil
}

// newMetrics returns the bot's metrics on a fresh registry, with the Go
// runtime's and the process's collectors beside them.
func newMetrics() (*bot.Metrics, error) {
	reg := prometheus.NewRegistry()
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	return bot.NewMetrics(reg)
}

// instrument counts the runtime's ingests and digest outcomes (at the
// store, which every path goes through), gives its log lines the request
// id of the HTTP request they belong to, and rebuilds the service over
// both (startDigests builds the router over it).
func (rt *runtime) instrument(m *bot.Metrics) {
	rt.log = slog.New(requestIDHandler{rt.log.Handler()})
	rt.store = m.InstrumentStore(rt.store)
	rt.service = briefings.NewService(rt.store, extract.New(), rt.clock, rt.log)
}

// readiness is /readyz: the database answers, and every platform that
// can tell (one with a Ready method, such as a connection that is up) is
// ready. Slack over HTTP and Discord HTTP interactions have no connection
// to be up: for them, ready means the database answers and the HTTP
// server runs. The reason goes to the log (once per change), not to the
// caller.
func (rt *runtime) readiness(platforms []bot.Platform) func(ctx context.Context) error {
	var notReady atomic.Bool
	return func(ctx context.Context) error {
		err := rt.ready(ctx, platforms)
		if err != nil && !notReady.Swap(true) {
			rt.log.Warn("not ready", "err", err)
		}
		if err == nil && notReady.Swap(false) {
			rt.log.Info("ready again")
		}
		if err != nil {
			var ne notReadyError
			if errors.As(err, &ne) {
				return errors.New(ne.public)
			}
			return errors.New("not ready")
		}
		return nil
	}
}

// notReadyError is a readiness failure: public is what /readyz says,
// err the details for the log.
type notReadyError struct {
	public string
	err    error
}

func (e notReadyError) Error() string { return e.public + ": " + e.err.Error() }
func (e notReadyError) Unwrap() error { return e.err }

func (rt *runtime) ready(ctx context.Context, platforms []bot.Platform) error {
	if err := rt.store.Ping(ctx); err != nil {
		return notReadyError{public: "the database does not answer", err: err}
	}
	for _, p := range platforms {
		if r, ok := p.(interface{ Ready(context.Context) error }); ok {
			if err := r.Ready(ctx); err != nil {
				return notReadyError{public: p.Name() + " is not connected", err: err}
			}
		}
	}
	return nil
}

// requestIDHandler adds the request id of the HTTP request a log line
// belongs to (bot.RequestID of the context given to the *Context logging
// methods) to the line.
type requestIDHandler struct{ slog.Handler }

// Handle implements slog.Handler.
func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := bot.RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

// platforms builds every configured chat platform.
func (a *app) platforms(rt *runtime) ([]bot.Platform, error) {
	var out []bot.Platform
	if rt.cfg.Slack.Enabled() {
		sp, err := slack.New(slack.Config{
			BotToken:      rt.cfg.Slack.BotToken,
			AppToken:      rt.cfg.Slack.AppToken,
			SigningSecret: rt.cfg.Slack.SigningSecret,
			Admins:        rt.cfg.Slack.Admins,
			APIURL:        rt.cfg.Slack.APIURL,
			Clock:         briefings.SystemClock{},
		}, rt.log.With("platform", "slack"))
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		out = append(out, sp)
	}
	if rt.cfg.Discord.Enabled() {
		dp, err := discord.New(discord.Config{
			BotToken:      rt.cfg.Discord.BotToken,
			PublicKey:     rt.cfg.Discord.PublicKey,
			ApplicationID: rt.cfg.Discord.ApplicationID,
			GuildID:       rt.cfg.Discord.GuildID,
			AdminRoleIDs:  rt.cfg.Discord.AdminRoles,
			RESTBaseURL:   rt.cfg.Discord.APIURL,
			Clock:         briefings.SystemClock{},
			Completer:     completer{rt.service},
			// Deferred answers finish within the shutdown deadline.
			ShutdownGrace: rt.cfg.ShutdownTimeout,
		}, rt.log.With("platform", "discord"))
		if err != nil {
			return nil, fmt.Errorf("discord: %w", err)
		}
		out = append(out, dp)
	}
	return out, nil
}

// completer offers autocompletion from the stored names and the time zone
// list.
type completer struct{ svc *briefings.Service }

// Complete implements commands.Completer.
func (c completer) Complete(ctx context.Context, kind commands.Completion, prefix string, limit int) ([]string, error) {
	if kind == commands.CompleteZone {
		return commands.CompleteZones(prefix, limit), nil
	}
	return c.svc.Complete(ctx, string(kind), prefix, limit)
}
