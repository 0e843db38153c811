package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/bot/console"
)

// newConsole returns the terminal adapter on the process's streams.
func (a *app) newConsole(rt *runtime) *console.Console {
	color := console.Auto
	if a.getenv("NO_COLOR") != "" {
		color = console.Never
	}
	history := ""
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		history = filepath.Join(home, ".briefbot_history")
	}
	return console.New(console.Config{
		In: a.stdin, Out: a.stdout, Err: a.stderr, Color: color, History: history, TimeZone: rt.cfg.TimeZone,
	}, rt.log)
}

func newChatCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "chat",
		Short: "Ask /brief questions in the terminal (the default command)",
		Long: "Reads /brief commands typed in the terminal (the /brief prefix is optional) and prints the answers.\n" +
			"Type help for the commands, exit or Ctrl-D to leave. Uses ./briefbot.db unless DATABASE_URL says otherwise;\n" +
			"an empty database starts with the embedded sample article.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withRuntime(cmd, true, func(rt *runtime) error {
				con := a.newConsole(rt)
				// Digests of console subscriptions are printed as they fall due.
				if err := rt.startDigests([]bot.Platform{con}); err != nil {
					return err
				}
				ctx, cancel := context.WithCancel(cmd.Context())
				defer cancel()
				done := make(chan error, 1)
				go func() { done <- rt.scheduler.Run(ctx) }()
				err := con.Serve(ctx, rt.router)
				cancel()
				<-done
				return err
			})
		},
	}
}

func newAskCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "ask COMMAND...",
		Short: "Answer one /brief command and exit (for scripts)",
		Example: "  briefbot ask meetings\n  briefbot ask status withdrawal\n  briefbot ask 'ask \"what did Niger want?\"'\n" +
			"  NO_COLOR=1 briefbot ask situation chad > chad.txt",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			line := strings.Join(args, " ")
			return a.withRuntime(cmd, true, func(rt *runtime) error {
				if err := a.newConsole(rt).Ask(cmd.Context(), rt.router, line); err != nil {
					return fmt.Errorf("%w", errSilent)
				}
				return nil
			})
		},
	}
}
