package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"
)

// app carries the process environment to every subcommand.
type app struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// configPath is the --config file.
	configPath string
}

func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "briefbot",
		Short:         "A chat briefing assistant: cited facts from news articles, on Slack, Discord and the terminal",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
	}
	root.PersistentFlags().StringVar(&a.configPath, "config", "", "YAML configuration file (environment variables override it)")
	chat := newChatCommand(a)
	// With no subcommand, briefbot opens the console.
	root.RunE = chat.RunE
	root.AddCommand(
		chat,
		newAskCommand(a),
		newServeCommand(a),
		newIngestCommand(a),
		newFeedsCommand(a),
		newStoriesCommand(a),
		newExtractCommand(a),
		newEvalCommand(a),
		newManifestCommand(a),
		newDiscordCommand(a),
		newConfigCommand(a),
		newHealthcheckCommand(a),
	)
	return root
}
