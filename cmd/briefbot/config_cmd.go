package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/config"
)

// settingFlag is a command-line flag that sets one configuration
// variable. Flags override the environment, which overrides the --config
// file.
type settingFlag struct {
	name, env, usage string
}

// settingFlagList is the flags an operator may give serve and config
// check instead of environment variables (secrets have no flags: a
// command line is visible to every user of the machine).
func settingFlagList() []settingFlag {
	return []settingFlag{
		{"addr", "BRIEFBOT_HTTP_ADDR", "HTTP listen address (health, metrics, webhooks), host:port such as :8080 or 127.0.0.1:8080"},
		{"database", "DATABASE_URL", "database: a SQLite file (briefbot.db, sqlite:/data/briefbot.db) or postgres://user@host/db"},
		{"log-level", "BRIEFBOT_LOG_LEVEL", "log level: debug, info, warn or error"},
		{"log-format", "BRIEFBOT_LOG_FORMAT", "log format: json, text or auto (text on a terminal)"},
		{"shutdown-timeout", "BRIEFBOT_SHUTDOWN_TIMEOUT", "how long in-flight work may take to finish after SIGTERM, such as 20s"},
		{"time-zone", "BRIEFBOT_TIME_ZONE", "default time zone of digests, an IANA name such as Europe/Berlin"},
	}
}

// settingFlags holds the values of the setting flags of one command.
type settingFlags struct {
	defs   []settingFlag
	values []*string
}

// register adds the setting flags to cmd.
func (f *settingFlags) register(cmd *cobra.Command) {
	f.defs = settingFlagList()
	f.values = make([]*string, len(f.defs))
	for i, d := range f.defs {
		f.values[i] = new(string)
		cmd.Flags().StringVar(f.values[i], d.name, "", d.usage+" (overrides "+d.env+")")
	}
}

// overlay returns getenv with the variables the given flags set replaced
// by the flags' values.
func (f *settingFlags) overlay(getenv func(string) string) func(string) string {
	set := map[string]string{}
	for i, d := range f.defs {
		if v := strings.TrimSpace(*f.values[i]); v != "" {
			set[d.env] = v
		}
	}
	if len(set) == 0 {
		return getenv
	}
	return func(name string) string {
		if v, ok := set[name]; ok {
			return v
		}
		return getenv(name)
	}
}

// explain adds to a configuration error which flags set the variables it
// names, since its messages name the variables.
func (f *settingFlags) explain(err error) error {
	if err == nil {
		return nil
	}
	var notes []string
	for i, d := range f.defs {
		if strings.TrimSpace(*f.values[i]) != "" && strings.Contains(err.Error(), d.env) {
			notes = append(notes, "--"+d.name+" sets "+d.env)
		}
	}
	if len(notes) == 0 {
		return err
	}
	return fmt.Errorf("%w\n(%s)", err, strings.Join(notes, "; "))
}

func newConfigCommand(a *app) *cobra.Command {
	cfg := &cobra.Command{
		Use:   "config",
		Short: "Check the configuration",
		Args:  cobra.NoArgs,
	}
	cfg.AddCommand(newConfigCheckCommand(a))
	return cfg
}

func newConfigCheckCommand(a *app) *cobra.Command {
	var flags settingFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the configuration and print it as YAML, secrets masked",
		Long: "Reads the configuration as serve would (the --config file, then environment variables, then these flags),\n" +
			"prints the effective settings as YAML with every token and password masked, and checks them: each problem\n" +
			"names its variable and what a valid value looks like. Exits 1 when the configuration is invalid.\n" +
			"Nothing is opened or connected.",
		Example: "  briefbot config check\n  briefbot config check --config /etc/briefbot.yaml\n  DATABASE_URL=postgres://bot@db/briefbot briefbot config check --addr :9000",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.configCheck(&flags)
		},
	}
	flags.register(cmd)
	return cmd
}

// configCheck prints the effective configuration and validates it.
func (a *app) configCheck(flags *settingFlags) error {
	c, err := config.Load(flags.overlay(a.getenv), a.configPath)
	if err != nil {
		return flags.explain(err)
	}
	out, err := c.YAML()
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("# briefbot effective configuration (secrets masked)\n")
	for _, line := range describe(c) {
		b.WriteString("# " + line + "\n")
	}
	b.WriteString(out)
	if _, err := fmt.Fprint(a.stdout, b.String()); err != nil {
		return fmt.Errorf("write the configuration: %w", err)
	}
	if err := c.Validate(); err != nil {
		fmt.Fprintf(a.stderr, "the configuration is invalid:\n%v\n", flags.explain(err))
		return errSilent
	}
	fmt.Fprintln(a.stderr, "the configuration is valid")
	return nil
}

// describe says in words what a configuration runs: the store and each
// platform's mode. It never includes a secret.
func describe(c config.Config) []string {
	kind, where := c.Masked().Store()
	out := []string{fmt.Sprintf("store: %s (%s)", kind, where)}
	s := c.Slack
	switch {
	case s.BotToken == "":
		out = append(out, "slack: off (no SLACK_BOT_TOKEN)")
	case s.AppToken != "" && s.SigningSecret != "":
		out = append(out, "slack: Socket Mode, and HTTP slash commands at POST /slack/commands")
	case s.AppToken != "":
		out = append(out, "slack: Socket Mode (no public URL needed)")
	default:
		out = append(out, "slack: HTTP slash commands at POST /slack/commands")
	}
	d := c.Discord
	switch {
	case !d.Enabled():
		out = append(out, "discord: off (no DISCORD_BOT_TOKEN or DISCORD_PUBLIC_KEY)")
	case d.PublicKey != "":
		out = append(out, "discord: HTTP interactions at POST /discord/interactions")
	default:
		out = append(out, "discord: Gateway (one connection; run it on one replica only)")
	}
	if !s.Enabled() && !d.Enabled() {
		out = append(out, "no chat platform: serve refuses to start; briefbot chat works in the terminal")
	}
	return out
}
