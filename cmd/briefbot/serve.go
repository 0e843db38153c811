package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/bot/slack"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

func newServeCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run the bot: every configured chat platform, the digest scheduler and the HTTP server",
		Long: "Runs Slack (SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET for HTTP or SLACK_APP_TOKEN for Socket Mode) and Discord\n" +
			"(DISCORD_BOT_TOKEN for the gateway, DISCORD_PUBLIC_KEY for HTTP interactions) beside the HTTP server on\n" +
			"BRIEFBOT_HTTP_ADDR (default :8080, or :$PORT) with /healthz, /readyz and /metrics, until SIGINT or SIGTERM;\n" +
			"then in-flight requests finish and connections close within BRIEFBOT_SHUTDOWN_TIMEOUT.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withRuntime(cmd, false, func(rt *runtime) error {
				return a.serve(cmd.Context(), rt)
			})
		},
	}
}

// serve runs the platforms, the scheduler and the HTTP server until ctx
// ends, then stops them all.
func (a *app) serve(ctx context.Context, rt *runtime) error {
	platforms, err := a.platforms(rt)
	if err != nil {
		return err
	}
	if len(platforms) == 0 {
		return errors.New("no chat platform is configured: set SLACK_BOT_TOKEN (with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN) or DISCORD_BOT_TOKEN / DISCORD_PUBLIC_KEY; for the terminal, run `briefbot chat`")
	}
	if err := rt.startDigests(platforms); err != nil {
		return err
	}
	srv := bot.NewServer(bot.ServerConfig{
		Addr:            rt.cfg.HTTPAddr,
		ShutdownTimeout: rt.cfg.ShutdownTimeout,
		Ready:           func(ctx context.Context) error { return rt.store.Ping(ctx) },
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
	err = g.Wait()
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	rt.log.Info("briefbot stopped")
	return nil
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
