package main

import (
	"fmt"

	"github.com/spf13/cobra"

	slackbot "github.com/briefbot/briefbot/bot/slack"
)

// newManifestCommand returns `briefbot manifest`, which prints app
// manifests for chat platforms.
func newManifestCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "manifest",
		Short: "Print a chat platform's app manifest for briefbot",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newSlackManifestCommand(a))
	return cmd
}

func newSlackManifestCommand(a *app) *cobra.Command {
	var socket bool
	var requestURL string
	cmd := &cobra.Command{
		Use:   "slack",
		Short: "Print a Slack app manifest (YAML) with the /brief command and its scopes",
		Long: `Print a Slack app manifest (YAML) for briefbot: the /brief command with its
description and usage hint from the command table, the bot scopes it needs
(commands, chat:write, chat:write.public), and Socket Mode on or off.

Paste it at https://api.slack.com/apps → Create New App → From an app manifest.

HTTP mode (the default) needs a public https URL where Slack posts /brief:
give it with --url (a base URL gets /slack/commands added), or replace the
placeholder later. Socket Mode (--socket) needs no public URL; create an
app-level token with the connections:write scope and set SLACK_APP_TOKEN.`,
		Example: `  briefbot manifest slack --url https://briefbot.example.com
  briefbot manifest slack --socket`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			m, err := slackbot.Manifest(slackbot.ManifestOptions{SocketMode: socket, RequestURL: requestURL})
			if err != nil {
				return fmt.Errorf("slack manifest: %w", err)
			}
			_, err = fmt.Fprint(a.stdout, m)
			return err
		},
	}
	cmd.Flags().BoolVar(&socket, "socket", false, "turn Socket Mode on (no public URL needed; set SLACK_APP_TOKEN)")
	cmd.Flags().StringVar(&requestURL, "url", "", "public https URL Slack posts /brief to (HTTP mode), e.g. https://briefbot.example.com")
	return cmd
}
