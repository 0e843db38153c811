package slack

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/briefbot/briefbot/commands"
)

// manifestDoc is the part of a Slack app manifest briefbot sets.
type manifestDoc struct {
	Display struct {
		Name        string `yaml:"name"`
		Description string `yaml:"description"`
	} `yaml:"display_information"`
	Features struct {
		BotUser struct {
			DisplayName string `yaml:"display_name"`
		} `yaml:"bot_user"`
		SlashCommands []struct {
			Command      string `yaml:"command"`
			URL          string `yaml:"url"`
			Description  string `yaml:"description"`
			UsageHint    string `yaml:"usage_hint"`
			ShouldEscape *bool  `yaml:"should_escape"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		SocketMode *bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

func parseManifest(t *testing.T, opts ManifestOptions) manifestDoc {
	t.Helper()
	out, err := Manifest(opts)
	if err != nil {
		t.Fatalf("Manifest(%+v): %v", opts, err)
	}
	var doc manifestDoc
	dec := yaml.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("manifest is not valid YAML: %v\n%s", err, out)
	}
	return doc
}

func TestManifest(t *testing.T) {
	tests := []struct {
		name    string
		opts    ManifestOptions
		url     string
		socket  bool
		command string
	}{
		{"http placeholder", ManifestOptions{}, DefaultRequestURL, false, "/brief"},
		{"http base url", ManifestOptions{RequestURL: "https://bot.example.org"}, "https://bot.example.org/slack/commands", false, "/brief"},
		{"http full url", ManifestOptions{RequestURL: "https://bot.example.org/x/slack/commands"}, "https://bot.example.org/x/slack/commands", false, "/brief"},
		{"socket mode", ManifestOptions{SocketMode: true}, "", true, "/brief"},
		{"other name", ManifestOptions{AppName: "News: \"daily\"", Command: "/news", SocketMode: true}, "", true, "/news"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := parseManifest(t, tt.opts)
			if doc.Settings.SocketMode == nil || *doc.Settings.SocketMode != tt.socket {
				t.Fatalf("socket_mode_enabled %v, want %v", doc.Settings.SocketMode, tt.socket)
			}
			if len(doc.Features.SlashCommands) != 1 {
				t.Fatalf("%d slash commands", len(doc.Features.SlashCommands))
			}
			c := doc.Features.SlashCommands[0]
			if c.Command != tt.command || c.URL != tt.url || c.Description == "" || c.ShouldEscape == nil || *c.ShouldEscape {
				t.Fatalf("slash command %+v", c)
			}
			for _, s := range commands.Table() {
				if !s.Admin && !s.Ephemeral && s.Group() == "" && !strings.Contains(c.UsageHint, s.Name) {
					t.Errorf("usage hint %q lacks %s", c.UsageHint, s.Name)
				}
			}
			if got := strings.Join(doc.OAuth.Scopes.Bot, ","); got != "commands,chat:write,chat:write.public" {
				t.Fatalf("scopes %s", got)
			}
			if want := tt.opts.AppName; want != "" && (doc.Display.Name != want || doc.Features.BotUser.DisplayName != want) {
				t.Fatalf("name %q / %q, want %q", doc.Display.Name, doc.Features.BotUser.DisplayName, want)
			}
			if len(doc.Display.Description) == 0 || len([]rune(doc.Display.Description)) > maxAppDescription {
				t.Fatalf("description %q", doc.Display.Description)
			}
		})
	}
}

func TestManifestRefusesBadOptions(t *testing.T) {
	for _, opts := range []ManifestOptions{
		{RequestURL: "http://bot.example.org"},
		{RequestURL: "not a url"},
		{RequestURL: "https://user:pw@bot.example.org"},
		{SocketMode: true, RequestURL: "https://bot.example.org"},
		{Command: "brief"},
		{Command: "/Brief"},
		{Command: "/two words"},
		{AppName: strings.Repeat("x", 36)},
	} {
		if out, err := Manifest(opts); err == nil {
			t.Errorf("Manifest(%+v) accepted:\n%s", opts, out)
		}
	}
}

func TestUsageHintStaysShort(t *testing.T) {
	table := commands.Table()
	for i := range 30 {
		table = append(table, commands.Spec{Name: "extra" + itoa(i)})
	}
	hint := UsageHint(table)
	if len([]rune(hint)) > maxUsageHint || !strings.Contains(hint, "help") || !strings.Contains(hint, "…") {
		t.Fatalf("hint %q", hint)
	}
}
