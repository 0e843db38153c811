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
}

func newRootCommand(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:           "briefbot",
		Short:         "A chat briefing assistant: cited facts from news articles, on Slack, Discord and the terminal",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newExtractCommand(a),
		newEvalCommand(a),
	)
	return root
}
