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

func newIngestCommand(a *app) *cobra.Command {
	var published string
	cmd := &cobra.Command{
		Use:   "ingest FILE|DIR...",
		Short: "Add articles from text files (a directory adds its *.txt files)",
		Long: "Reads articles (plain text, optionally with the Title/Source/Published header), extracts their facts and stores them.\n" +
			"The same article twice is reported as a duplicate and not stored again.",
		Example: "  briefbot ingest article.txt\n  briefbot ingest --published 2024-04-20 notes.txt\n  briefbot ingest ../shared/corpus/dev/articles",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			paths, err := expandPaths(args)
			if err != nil {
				return err
			}
			return a.withRuntime(cmd, true, func(rt *runtime) error {
				return a.ingestFiles(cmd, rt, paths, published)
			})
		},
	}
	cmd.Flags().StringVar(&published, "published", "", "publication date (YYYY-MM-DD) for articles whose header has none")
	return cmd
}

// expandPaths turns directories into their *.txt files.
func expandPaths(args []string) ([]string, error) {
	var out []string
	for _, p := range args {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if !info.IsDir() {
			out = append(out, p)
			continue
		}
		files, err := filepath.Glob(filepath.Join(p, "*.txt"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s has no *.txt files", p)
		}
		out = append(out, files...)
	}
	return out, nil
}

// ingestFiles adds each file and prints what happened to each and a
// summary; a failed file does not stop the others.
func (a *app) ingestFiles(cmd *cobra.Command, rt *runtime, paths []string, published string) error {
	var added, dups, failed int
	for _, p := range paths {
		arts, _, err := loadArticles([]string{p}, published)
		if err != nil {
			failed++
			fmt.Fprintf(a.stdout, "failed     %s: %v\n", p, err)
			continue
		}
		res, err := rt.service.Ingest(cmd.Context(), arts[0])
		switch {
		case err != nil:
			failed++
			fmt.Fprintf(a.stdout, "failed     %s: %v\n", p, err)
		case res.Duplicate:
			dups++
			fmt.Fprintf(a.stdout, "duplicate  %s (already stored as %q)\n", p, res.Article.Title)
		default:
			added++
			note := ""
			if !res.Article.PublishedKnown() {
				note = "; publication date unknown, relative dates not resolved (use --published)"
			}
			fmt.Fprintf(a.stdout, "added      %s: %q, %d facts%s\n", p, res.Article.Title, res.Facts, note)
			for _, ch := range res.Changed {
				if ch.From != "" {
					fmt.Fprintf(a.stdout, "           status: %s: %s → %s\n", ch.Topic, ch.From, ch.To)
				}
			}
		}
	}
	fmt.Fprintf(a.stdout, "%d added, %d duplicates, %d failed\n", added, dups, failed)
	if failed > 0 {
		return errSilent
	}
	return nil
}
