package slack

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/briefbot/briefbot/commands"
)

// Manifest limits and defaults.
const (
	// DefaultRequestURL is the placeholder request URL of an HTTP-mode
	// manifest.
	DefaultRequestURL = "https://briefbot.example.com" + CommandsPath
	// maxAppDescription is Slack's limit for display_information.description.
	maxAppDescription = 140
	// maxCommandName is Slack's limit for a slash command name.
	maxCommandName = 32
	// maxCommandDescription and maxUsageHint keep the command's help line
	// readable in Slack's autocomplete.
	maxCommandDescription = 100
	maxUsageHint          = 120
)

// Scopes returns the bot scopes briefbot needs: commands for /brief,
// chat:write to post digests, chat:write.public to post them in public
// channels the bot was not invited to.
func Scopes() []string { return []string{"commands", "chat:write", "chat:write.public"} }

// ManifestOptions choose what the app manifest says.
type ManifestOptions struct {
	// AppName is the app's and bot user's name; default "briefbot".
	AppName string
	// Command is the slash command; default "/brief".
	Command string
	// SocketMode turns Socket Mode on: no request URL is needed.
	SocketMode bool
	// RequestURL is where Slack posts the command in HTTP mode: a full URL,
	// or a base URL to which /slack/commands is added. Default: a
	// placeholder to replace.
	RequestURL string
}

// Manifest returns a Slack app manifest (YAML) for briefbot: the /brief
// command with its description and usage hint from the command table, the
// bot scopes, and Socket Mode on or off with the request URL.
func Manifest(opts ManifestOptions) (string, error) {
	name := strings.TrimSpace(opts.AppName)
	if name == "" {
		name = "briefbot"
	}
	if len([]rune(name)) > 35 {
		return "", fmt.Errorf("app name %q is too long (Slack allows 35 characters)", name)
	}
	command := strings.TrimSpace(opts.Command)
	if command == "" {
		command = "/brief"
	}
	if !strings.HasPrefix(command, "/") || len(command) > maxCommandName || strings.ContainsAny(command, " \t\n") || strings.ToLower(command) != command {
		return "", fmt.Errorf("slash command %q must start with /, be lowercase, have no spaces and at most %d characters", command, maxCommandName)
	}
	requestURL := ""
	if !opts.SocketMode {
		var err error
		if requestURL, err = commandURL(opts.RequestURL); err != nil {
			return "", err
		}
	} else if strings.TrimSpace(opts.RequestURL) != "" {
		return "", fmt.Errorf("a request URL is not used in Socket Mode; leave out --url or --socket")
	}
	description := "Cited briefings from the news: who met whom, agreements, withdrawals, timelines."
	cmdDescription := "Ask for a cited briefing: meetings, status, timeline, who, ask…"
	hint := UsageHint(commands.Table())
	switch {
	case len([]rune(description)) > maxAppDescription,
		len([]rune(cmdDescription)) > maxCommandDescription,
		len([]rune(hint)) > maxUsageHint:
		return "", fmt.Errorf("manifest text over Slack's limits (app %d/%d, command %d/%d, usage hint %d/%d characters)",
			len([]rune(description)), maxAppDescription, len([]rune(cmdDescription)), maxCommandDescription, len([]rune(hint)), maxUsageHint)
	}

	var b strings.Builder
	mode := "HTTP mode: Slack posts /brief to the request URL below; set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN."
	if opts.SocketMode {
		mode = "Socket Mode: no public URL needed; set SLACK_APP_TOKEN (connections:write) and SLACK_BOT_TOKEN."
	}
	fmt.Fprintf(&b, "# Slack app manifest for %s (%s)\n", name, mode)
	b.WriteString("# Create the app from it: https://api.slack.com/apps → Create New App → From an app manifest.\n")
	b.WriteString("_metadata:\n  major_version: 1\n  minor_version: 1\n")
	b.WriteString("display_information:\n")
	fmt.Fprintf(&b, "  name: %s\n", yamlString(name))
	fmt.Fprintf(&b, "  description: %s\n", yamlString(description))
	b.WriteString("  background_color: \"#1d3557\"\n")
	b.WriteString("features:\n")
	b.WriteString("  bot_user:\n")
	fmt.Fprintf(&b, "    display_name: %s\n", yamlString(name))
	b.WriteString("    always_online: false\n")
	b.WriteString("  slash_commands:\n")
	fmt.Fprintf(&b, "    - command: %s\n", yamlString(command))
	if requestURL != "" {
		fmt.Fprintf(&b, "      url: %s\n", yamlString(requestURL))
	}
	fmt.Fprintf(&b, "      description: %s\n", yamlString(cmdDescription))
	fmt.Fprintf(&b, "      usage_hint: %s\n", yamlString(hint))
	b.WriteString("      should_escape: false\n")
	b.WriteString("oauth_config:\n  scopes:\n    bot:\n")
	for _, s := range Scopes() {
		fmt.Fprintf(&b, "      - %s\n", yamlString(s))
	}
	b.WriteString("settings:\n")
	b.WriteString("  org_deploy_enabled: false\n")
	fmt.Fprintf(&b, "  socket_mode_enabled: %t\n", opts.SocketMode)
	b.WriteString("  token_rotation_enabled: false\n")
	return b.String(), nil
}

// UsageHint is the slash command's usage hint: the subcommands anyone can
// use, from the command table, within maxUsageHint characters (the list is
// cut, keeping help, when the table outgrows it).
func UsageHint(table []commands.Spec) string {
	const tail = "] [words…] [--private]"
	var names []string
	for _, s := range table {
		if s.Admin || s.Group() != "" || s.Ephemeral || s.Name == "help" {
			continue
		}
		names = append(names, s.Name)
	}
	for n := len(names); n >= 0; n-- {
		list := names[:n]
		if n < len(names) {
			list = append(list[:n:n], "…")
		}
		hint := "[" + strings.Join(append(list, "help"), " | ") + tail
		if len([]rune(hint)) <= maxUsageHint {
			return hint
		}
	}
	return "[help" + tail
}

// commandURL checks a request URL and adds /slack/commands to a bare base.
func commandURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return DefaultRequestURL, nil
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("request URL %q is not a URL; give e.g. https://briefbot.example.com", raw)
	}
	if u.Scheme != "https" {
		return "", fmt.Errorf("request URL %q must use https (Slack only posts to https)", raw)
	}
	if u.User != nil || u.Fragment != "" {
		return "", fmt.Errorf("request URL %q must not contain credentials or a fragment", raw)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = CommandsPath
	}
	return u.String(), nil
}

// yamlString quotes s as a YAML double-quoted scalar. JSON string escapes
// are a subset of YAML's, so a JSON-encoded string is valid YAML.
func yamlString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
