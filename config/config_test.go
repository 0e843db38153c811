package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// validBase is a complete, valid environment: each case below changes one
// variable.
func validBase() map[string]string {
	return map[string]string{
		"SLACK_BOT_TOKEN":        "xoxb-1-2-abc",
		"SLACK_SIGNING_SECRET":   "0123456789abcdef0123456789abcdef",
		"DISCORD_PUBLIC_KEY":     strings.Repeat("ab", 32),
		"DISCORD_APPLICATION_ID": "123456789012345678",
	}
}

// Every variable with a wrong value gives an error that names the
// variable and shows what a valid value looks like; the value itself is
// never echoed for secrets.
func TestBadValues(t *testing.T) {
	cases := []struct {
		name, value string
		// want are fragments of the message: the variable and a valid
		// example or the accepted values.
		want []string
	}{
		{"DATABASE_URL", "sqlite:/data/b.db?mode=ro", []string{"DATABASE_URL", "sqlite:/data/briefbot.db"}},
		{"DATABASE_URL", "postgres://", []string{"DATABASE_URL", "postgres://user:password@host:5432/briefbot"}},
		{"DATABASE_URL", "postgres://bot:s3cret-pw@/db", []string{"DATABASE_URL", "postgres://user:password@host:5432/briefbot"}},
		{"DATABASE_URL", "mysql://db/x", []string{"DATABASE_URL", "postgres://", "sqlite:"}},
		{"BRIEFBOT_HTTP_ADDR", "localhost", []string{"BRIEFBOT_HTTP_ADDR", ":8080"}},
		{"BRIEFBOT_HTTP_ADDR", ":99999", []string{"BRIEFBOT_HTTP_ADDR", ":8080"}},
		{"PORT", "eighty", []string{"PORT", "8080"}},
		{"BRIEFBOT_TIME_ZONE", "Mars/Olympus", []string{"BRIEFBOT_TIME_ZONE", "Europe/Berlin"}},
		{"BRIEFBOT_LOG_FORMAT", "xml", []string{"BRIEFBOT_LOG_FORMAT", "json"}},
		{"BRIEFBOT_LOG_LEVEL", "loud", []string{"BRIEFBOT_LOG_LEVEL", "debug, info, warn or error"}},
		{"BRIEFBOT_LOAD_SAMPLE", "maybe", []string{"BRIEFBOT_LOAD_SAMPLE", "true or false"}},
		{"BRIEFBOT_SHUTDOWN_TIMEOUT", "soon", []string{"BRIEFBOT_SHUTDOWN_TIMEOUT", "30s"}},
		{"BRIEFBOT_SHUTDOWN_TIMEOUT", "1h", []string{"BRIEFBOT_SHUTDOWN_TIMEOUT", "between 1s and 10m"}},
		{"BRIEFBOT_SHUTDOWN_TIMEOUT", "-5s", []string{"BRIEFBOT_SHUTDOWN_TIMEOUT", "30s"}},
		{"BRIEFBOT_DIGEST_GRACE", "later", []string{"BRIEFBOT_DIGEST_GRACE", "2h"}},
		{"BRIEFBOT_DIGEST_GRACE", "48h", []string{"BRIEFBOT_DIGEST_GRACE", "between 0 and 24h"}},
		{"BRIEFBOT_POST_EMPTY_DIGESTS", "perhaps", []string{"BRIEFBOT_POST_EMPTY_DIGESTS", "true or false"}},
		{"BRIEFBOT_FETCH_ALLOW_HOSTS", "http://intranet/", []string{"BRIEFBOT_FETCH_ALLOW_HOSTS", "intranet.example.com"}},
		{"SLACK_BOT_TOKEN", "xoxp-user-token", []string{"SLACK_BOT_TOKEN", "xoxb-"}},
		{"SLACK_APP_TOKEN", "app-token", []string{"SLACK_APP_TOKEN", "xapp-"}},
		{"SLACK_SIGNING_SECRET", "", []string{"SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"}},
		{"BRIEFBOT_SLACK_ADMINS", "@alice", []string{"BRIEFBOT_SLACK_ADMINS", "U012AB3CD"}},
		{"SLACK_API_URL", "slack.internal", []string{"SLACK_API_URL", "https://slack.com/api/"}},
		{"DISCORD_API_URL", "ftp://discord", []string{"DISCORD_API_URL", "https://discord.com"}},
		{"DISCORD_PUBLIC_KEY", "not-hex", []string{"DISCORD_PUBLIC_KEY", "64-character hex"}},
		{"DISCORD_APPLICATION_ID", "", []string{"DISCORD_APPLICATION_ID", "Developer Portal"}},
		{"DISCORD_APPLICATION_ID", "my-app", []string{"DISCORD_APPLICATION_ID", "1234567890123456789"}},
		{"DISCORD_GUILD_ID", "guild", []string{"DISCORD_GUILD_ID", "1234567890123456789"}},
		{"BRIEFBOT_DISCORD_ADMIN_ROLES", "Moderators", []string{"BRIEFBOT_DISCORD_ADMIN_ROLES", "1234567890123456789"}},
	}
	for _, c := range cases {
		t.Run(c.name+"="+c.value, func(t *testing.T) {
			env := validBase()
			env[c.name] = c.value
			if c.value == "" {
				delete(env, c.name)
			}
			cfg, err := Load(envOf(env), "")
			if err == nil {
				err = cfg.Validate()
			}
			if err == nil {
				t.Fatalf("%s=%q accepted", c.name, c.value)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "s3cret-pw") {
				t.Errorf("message shows the database password:\n%s", msg)
			}
		})
	}
}

// The base environment is valid, and so is the empty one (the defaults).
func TestValidConfigurations(t *testing.T) {
	for name, env := range map[string]map[string]string{"base": validBase(), "empty": {}} {
		cfg, err := Load(envOf(env), "")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	good := validBase()
	for k, v := range map[string]string{
		"DATABASE_URL":                 "postgres://bot:pw@db:5432/briefbot?sslmode=disable",
		"BRIEFBOT_SLACK_ADMINS":        "U012AB3CD, W0ABCDEF1",
		"BRIEFBOT_DISCORD_ADMIN_ROLES": "1234567890123456789",
		"BRIEFBOT_FETCH_ALLOW_HOSTS":   "intranet.example.com,10.0.0.0/8,192.168.1.5",
		"SLACK_API_URL":                "http://127.0.0.1:9999/api/",
		"DISCORD_API_URL":              "http://127.0.0.1:9998",
		"PORT":                         "9000",
	} {
		good[k] = v
	}
	cfg, err := Load(envOf(good), "")
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("valid settings refused: %v", err)
	}
	if cfg.HTTPAddr != ":9000" {
		t.Errorf("PORT=9000 gives %q", cfg.HTTPAddr)
	}
}

// Environment variables override the file; the file overrides the
// defaults; unknown keys in the file are refused.
func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "briefbot.yaml")
	if err := os.WriteFile(path, []byte("http_addr: 127.0.0.1:7000\nlog_level: debug\nshutdown_timeout: 45s\nslack:\n  bot_token: xoxb-file\n  signing_secret: file-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(envOf(map[string]string{"BRIEFBOT_LOG_LEVEL": "warn"}), path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTPAddr != "127.0.0.1:7000" || cfg.LogLevel != "warn" || cfg.ShutdownTimeout != 45*time.Second || cfg.Slack.BotToken != "xoxb-file" {
		t.Errorf("precedence: %+v", cfg)
	}
	if cfg.DatabaseURL != Default().DatabaseURL {
		t.Errorf("default lost: %q", cfg.DatabaseURL)
	}
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("http_adr: :8080\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(envOf(nil), bad); err == nil || !strings.Contains(err.Error(), "http_adr") {
		t.Errorf("unknown key: %v", err)
	}
}

// Masked and YAML show no secret; Secrets lists every one.
func TestMaskedHidesSecrets(t *testing.T) {
	env := validBase()
	env["SLACK_BOT_TOKEN"] = "xoxb-bot-SECRET1"
	env["SLACK_APP_TOKEN"] = "xapp-app-SECRET2"
	env["SLACK_SIGNING_SECRET"] = "SECRET3signing"
	env["DISCORD_BOT_TOKEN"] = "SECRET4.discord.token"
	env["DATABASE_URL"] = "postgres://bot:SECRET5@db/briefbot"
	cfg, err := Load(envOf(env), "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"SECRET1", "SECRET2", "SECRET3", "SECRET4", "SECRET5"} {
		if strings.Contains(out, s) {
			t.Errorf("YAML shows %s:\n%s", s, out)
		}
	}
	if got := len(cfg.Secrets()); got != 4 {
		t.Errorf("Secrets() lists %d values, want the 4 tokens", got)
	}
}
