package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot/discord"
	"github.com/briefbot/briefbot/commands"
)

// newDiscordCommand returns `briefbot discord`, the Discord setup commands.
func newDiscordCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "discord",
		Short: "Discord setup: register the /brief command",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newDiscordRegisterCommand(a))
	return cmd
}

func newDiscordRegisterCommand(a *app) *cobra.Command {
	var printOnly bool
	var guild string
	cmd := &cobra.Command{
		Use:   "register",
		Short: "Register /brief with Discord, generated from the command table",
		Long: `Register /brief with Discord by bulk overwrite, generated from the command table.

It is guild-scoped (visible at once) when DISCORD_GUILD_ID or --guild is set,
and global (Discord may take up to an hour to show it) otherwise. It reads the
current registration first and writes nothing when it already matches.

Needs DISCORD_BOT_TOKEN and DISCORD_APPLICATION_ID. --print shows the JSON that
would be sent and needs neither.`,
		Example: `  briefbot discord register
  briefbot discord register --guild 123456789012345678
  briefbot discord register --print`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if printOnly {
				cmds, err := discord.ApplicationCommands(commands.Table())
				if err != nil {
					return err
				}
				b, err := json.MarshalIndent(cmds, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(a.stdout, string(b))
				return err
			}
			token := strings.TrimSpace(a.getenv("DISCORD_BOT_TOKEN"))
			if token == "" {
				return fmt.Errorf("DISCORD_BOT_TOKEN is not set: registering /brief needs the bot token (Developer Portal → your application → Bot → Reset Token)")
			}
			appID := strings.TrimSpace(a.getenv("DISCORD_APPLICATION_ID"))
			if appID == "" {
				return fmt.Errorf("DISCORD_APPLICATION_ID is not set: copy the Application ID from the Developer Portal (your application → General Information)")
			}
			if guild == "" {
				guild = strings.TrimSpace(a.getenv("DISCORD_GUILD_ID"))
			}
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
			p, err := discord.New(discord.Config{BotToken: token, ApplicationID: appID, GuildID: guild}, logger)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if ctx == nil {
				ctx = a.ctx
			}
			changed, err := p.Register(ctx)
			if err != nil {
				return fmt.Errorf("registering /brief: %w", err)
			}
			scope := "globally (Discord may take up to an hour to show changes)"
			if guild != "" {
				scope = "in server " + guild
			}
			if changed {
				_, err = fmt.Fprintf(a.stdout, "Registered /brief %s.\n", scope)
			} else {
				_, err = fmt.Fprintf(a.stdout, "/brief is already registered %s; nothing changed.\n", scope)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&printOnly, "print", false, "print the command JSON instead of sending it")
	cmd.Flags().StringVar(&guild, "guild", "", "register in this server only (overrides DISCORD_GUILD_ID)")
	return cmd
}
