// Package config is briefbot's typed configuration: defaults, an optional
// YAML file, environment variables with the ecosystem's usual names over
// it, and validation whose every error names the setting and what a valid
// value looks like. Only cmd/briefbot imports it; everything else receives
// plain values.
package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// MaxFileBytes bounds the configuration file.
const MaxFileBytes = 1 << 20

// Slack is the Slack platform's settings.
type Slack struct {
	BotToken      string   `yaml:"bot_token"`
	AppToken      string   `yaml:"app_token"`
	SigningSecret string   `yaml:"signing_secret"`
	Admins        []string `yaml:"admins"`
	// APIURL replaces https://slack.com/api/ (a proxy, or a test fake).
	APIURL string `yaml:"api_url"`
}

// Enabled reports whether Slack is configured.
func (s Slack) Enabled() bool { return s.BotToken != "" }

// Discord is the Discord platform's settings.
type Discord struct {
	BotToken      string   `yaml:"bot_token"`
	PublicKey     string   `yaml:"public_key"`
	ApplicationID string   `yaml:"application_id"`
	GuildID       string   `yaml:"guild_id"`
	AdminRoles    []string `yaml:"admin_roles"`
	// APIURL replaces https://discord.com (a proxy, or a test fake).
	APIURL string `yaml:"api_url"`
}

// Enabled reports whether Discord is configured.
func (d Discord) Enabled() bool { return d.BotToken != "" || d.PublicKey != "" }

// Config is the whole configuration.
type Config struct {
	// DatabaseURL selects the store: postgres://... for Postgres,
	// sqlite:PATH or a plain path for SQLite.
	DatabaseURL string `yaml:"database_url"`
	// HTTPAddr is where the HTTP server listens (health, metrics, webhooks).
	HTTPAddr string `yaml:"http_addr"`
	// TimeZone is the default zone for digests (IANA name).
	TimeZone string `yaml:"time_zone"`
	// LogFormat is json, text or auto (text on a terminal).
	LogFormat string `yaml:"log_format"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `yaml:"log_level"`
	// LoadSample loads the embedded sample corpus into an empty database.
	LoadSample bool `yaml:"load_sample"`
	// ShutdownTimeout bounds the graceful shutdown.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// DigestGrace is how late a missed digest may still be delivered.
	DigestGrace time.Duration `yaml:"digest_grace"`
	// PostEmptyDigests posts "no new developments" instead of skipping.
	PostEmptyDigests bool `yaml:"post_empty_digests"`
	// FetchAllowHosts opens intranet hosts to the fetcher (tests, intranets).
	FetchAllowHosts []string `yaml:"fetch_allow_hosts"`

	Slack   Slack   `yaml:"slack"`
	Discord Discord `yaml:"discord"`
}

// Default returns the embedded defaults: SQLite in the working directory,
// the console when no chat platform is configured.
func Default() Config {
	return Config{
		DatabaseURL:     "briefbot.db",
		HTTPAddr:        ":8080",
		TimeZone:        "UTC",
		LogFormat:       "auto",
		LogLevel:        "info",
		LoadSample:      true,
		ShutdownTimeout: 20 * time.Second,
		DigestGrace:     2 * time.Hour,
	}
}

// Load builds the configuration: defaults, then the YAML file when path is
// not empty, then environment variables.
func Load(getenv func(string) string, path string) (Config, error) {
	c := Default()
	if path != "" {
		info, err := os.Stat(path)
		if err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		if info.Size() > MaxFileBytes {
			return Config{}, fmt.Errorf("config file %s is %d bytes; the limit is %d", path, info.Size(), MaxFileBytes)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("config file %s: %w (see README, Configuration, for the keys)", path, err)
		}
	}
	if err := applyEnv(&c, getenv); err != nil {
		return Config{}, err
	}
	return c, nil
}

// applyEnv sets what the environment variables give.
func applyEnv(c *Config, getenv func(string) string) error {
	str := func(name string, dst *string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = v
		}
	}
	list := func(name string, dst *[]string) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			*dst = splitList(v)
		}
	}
	var errs []error
	boolean := func(name string, dst *bool) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s=%q is not true or false", name, v))
				return
			}
			*dst = b
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v := strings.TrimSpace(getenv(name)); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s=%q is not a duration such as 30s or 2h", name, v))
				return
			}
			*dst = d
		}
	}
	str("DATABASE_URL", &c.DatabaseURL)
	if c.HTTPAddr == Default().HTTPAddr && getenv("BRIEFBOT_HTTP_ADDR") == "" {
		// Container platforms give only PORT.
		if p := strings.TrimSpace(getenv("PORT")); p != "" {
			c.HTTPAddr = ":" + p
		}
	}
	str("BRIEFBOT_HTTP_ADDR", &c.HTTPAddr)
	str("BRIEFBOT_TIME_ZONE", &c.TimeZone)
	str("BRIEFBOT_LOG_FORMAT", &c.LogFormat)
	str("BRIEFBOT_LOG_LEVEL", &c.LogLevel)
	boolean("BRIEFBOT_LOAD_SAMPLE", &c.LoadSample)
	duration("BRIEFBOT_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	duration("BRIEFBOT_DIGEST_GRACE", &c.DigestGrace)
	boolean("BRIEFBOT_POST_EMPTY_DIGESTS", &c.PostEmptyDigests)
	list("BRIEFBOT_FETCH_ALLOW_HOSTS", &c.FetchAllowHosts)
	str("SLACK_BOT_TOKEN", &c.Slack.BotToken)
	str("SLACK_APP_TOKEN", &c.Slack.AppToken)
	str("SLACK_SIGNING_SECRET", &c.Slack.SigningSecret)
	list("BRIEFBOT_SLACK_ADMINS", &c.Slack.Admins)
	str("SLACK_API_URL", &c.Slack.APIURL)
	str("DISCORD_API_URL", &c.Discord.APIURL)
	str("DISCORD_BOT_TOKEN", &c.Discord.BotToken)
	str("DISCORD_PUBLIC_KEY", &c.Discord.PublicKey)
	str("DISCORD_APPLICATION_ID", &c.Discord.ApplicationID)
	str("DISCORD_GUILD_ID", &c.Discord.GuildID)
	list("BRIEFBOT_DISCORD_ADMIN_ROLES", &c.Discord.AdminRoles)
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Store is the kind of store DatabaseURL selects.
type Store string

// The stores.
const (
	StoreSQLite   Store = "sqlite"
	StorePostgres Store = "postgres"
)

// Store returns the store kind and its location (a file path for SQLite,
// the URL for Postgres).
func (c Config) Store() (Store, string) {
	u := c.DatabaseURL
	switch {
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		return StorePostgres, u
	case strings.HasPrefix(u, "sqlite:"):
		return StoreSQLite, strings.TrimPrefix(strings.TrimPrefix(u, "sqlite:"), "//")
	}
	return StoreSQLite, u
}

// Validate checks every setting and names the variable of each problem.
func (c Config) Validate() error {
	var errs []error
	kind, where := c.Store()
	if where == "" {
		errs = append(errs, errors.New("DATABASE_URL is empty; give a file path such as briefbot.db, sqlite:/data/briefbot.db, or postgres://user:pass@host/db"))
	}
	const dbExamples = "postgres://user:password@host:5432/briefbot or a SQLite file such as sqlite:/data/briefbot.db"
	switch {
	case kind == StorePostgres:
		// The URL is not echoed: it may hold a password.
		if u, err := url.Parse(where); err != nil || u.Hostname() == "" {
			errs = append(errs, errors.New("DATABASE_URL is a postgres URL without a valid host; use "+dbExamples))
		}
	case strings.Contains(where, "://"):
		scheme, _, _ := strings.Cut(where, "://")
		errs = append(errs, fmt.Errorf("DATABASE_URL uses the scheme %q, which briefbot does not know; use %s", clip(scheme, 20), dbExamples))
	case kind == StoreSQLite && strings.ContainsAny(where, "?#"):
		errs = append(errs, fmt.Errorf("DATABASE_URL %q: a SQLite path may not contain ? or #; use a plain path such as sqlite:/data/briefbot.db", where))
	}
	if _, port, err := net.SplitHostPort(c.HTTPAddr); err != nil || !validPort(port) {
		errs = append(errs, fmt.Errorf("BRIEFBOT_HTTP_ADDR=%q is not host:port with a port from 0 to 65535 (for example :8080 or 127.0.0.1:8080; PORT=8080 alone also works)", c.HTTPAddr))
	}
	for _, h := range c.FetchAllowHosts {
		if !validAllowHost(h) {
			errs = append(errs, fmt.Errorf("BRIEFBOT_FETCH_ALLOW_HOSTS: %q is not a host name, address or network; give entries such as intranet.example.com, 10.1.2.3 or 10.0.0.0/8, separated by commas", clip(h, 64)))
		}
	}
	for _, api := range []struct{ name, v, example string }{
		{"SLACK_API_URL", c.Slack.APIURL, "https://slack.com/api/"},
		{"DISCORD_API_URL", c.Discord.APIURL, "https://discord.com"},
	} {
		if api.v == "" {
			continue
		}
		if u, err := url.Parse(api.v); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			errs = append(errs, fmt.Errorf("%s=%q is not an http(s) address; leave it unset for %s, or give a proxy such as http://127.0.0.1:9000", api.name, clip(api.v, 64), api.example))
		}
	}
	for _, id := range c.Slack.Admins {
		if !slackUserID(id) {
			errs = append(errs, fmt.Errorf("BRIEFBOT_SLACK_ADMINS: %q is not a Slack user id; give ids such as U012AB3CD (a profile's ⋮ menu → Copy member ID), separated by commas", clip(id, 32)))
		}
	}
	for _, id := range c.Discord.AdminRoles {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			errs = append(errs, fmt.Errorf("BRIEFBOT_DISCORD_ADMIN_ROLES: %q is not a Discord role id; give numbers such as 1234567890123456789 (Server Settings → Roles → Copy Role ID), separated by commas", clip(id, 32)))
		}
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("BRIEFBOT_TIME_ZONE=%q is not an IANA time zone (for example Europe/Berlin or UTC)", c.TimeZone))
	}
	switch c.LogFormat {
	case "auto", "json", "text":
	default:
		errs = append(errs, fmt.Errorf("BRIEFBOT_LOG_FORMAT=%q: use auto, json or text", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("BRIEFBOT_LOG_LEVEL=%q: use debug, info, warn or error", c.LogLevel))
	}
	if c.ShutdownTimeout <= 0 || c.ShutdownTimeout > 10*time.Minute {
		errs = append(errs, fmt.Errorf("BRIEFBOT_SHUTDOWN_TIMEOUT=%s: use a duration between 1s and 10m", c.ShutdownTimeout))
	}
	if c.DigestGrace < 0 || c.DigestGrace > 24*time.Hour {
		errs = append(errs, fmt.Errorf("BRIEFBOT_DIGEST_GRACE=%s: use a duration between 0 and 24h", c.DigestGrace))
	}
	s := c.Slack
	if s.BotToken != "" && !strings.HasPrefix(s.BotToken, "xoxb-") {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN must be a bot token starting with xoxb- (Slack app → OAuth & Permissions)"))
	}
	if s.AppToken != "" && !strings.HasPrefix(s.AppToken, "xapp-") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN must be an app-level token starting with xapp- (Slack app → Basic Information → App-Level Tokens)"))
	}
	if s.BotToken != "" && s.AppToken == "" && s.SigningSecret == "" {
		errs = append(errs, errors.New("SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN (Socket Mode) is"))
	}
	if s.BotToken == "" && (s.AppToken != "" || s.SigningSecret != "") {
		errs = append(errs, errors.New("SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set without SLACK_BOT_TOKEN, which posting answers and digests needs"))
	}
	d := c.Discord
	if d.PublicKey != "" {
		if len(d.PublicKey) != 64 || strings.Trim(strings.ToLower(d.PublicKey), "0123456789abcdef") != "" {
			errs = append(errs, errors.New("DISCORD_PUBLIC_KEY must be the application's 64-character hex public key (Developer Portal → General Information)"))
		}
		if d.ApplicationID == "" {
			errs = append(errs, errors.New("DISCORD_PUBLIC_KEY is set but DISCORD_APPLICATION_ID is not; both come from the Developer Portal's General Information"))
		}
	}
	for _, id := range []struct{ name, v string }{{"DISCORD_APPLICATION_ID", d.ApplicationID}, {"DISCORD_GUILD_ID", d.GuildID}} {
		if id.v != "" {
			if _, err := strconv.ParseUint(id.v, 10, 64); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q is not a Discord id (a number such as 1234567890123456789)", id.name, id.v))
			}
		}
	}
	return errors.Join(errs...)
}

// validPort reports whether p is a port number.
func validPort(p string) bool {
	n, err := strconv.Atoi(p)
	return err == nil && n >= 0 && n <= 65535
}

// validAllowHost reports whether h is a host name, an IP address or a
// CIDR network.
func validAllowHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if _, err := netip.ParsePrefix(h); err == nil {
		return true
	}
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// slackUserID reports whether s looks like a Slack user id (U or W, then
// capital letters and digits).
func slackUserID(s string) bool {
	if len(s) < 3 || len(s) > 32 || (s[0] != 'U' && s[0] != 'W') {
		return false
	}
	for _, r := range s[1:] {
		if !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// mask hides a secret, keeping a recognizable prefix.
func mask(s string) string {
	if s == "" {
		return ""
	}
	prefix := ""
	if i := strings.IndexByte(s, '-'); i > 0 && i <= 5 {
		prefix = s[:i+1]
	}
	return prefix + "****"
}

// Masked returns the configuration with every secret masked, for printing.
func (c Config) Masked() Config {
	m := c
	m.Slack.BotToken = mask(c.Slack.BotToken)
	m.Slack.AppToken = mask(c.Slack.AppToken)
	m.Slack.SigningSecret = mask(c.Slack.SigningSecret)
	m.Discord.BotToken = mask(c.Discord.BotToken)
	if kind, u := c.Store(); kind == StorePostgres {
		m.DatabaseURL = maskURLPassword(u)
	}
	return m
}

func maskURLPassword(u string) string {
	at := strings.LastIndexByte(u, '@')
	scheme := strings.Index(u, "://")
	if at < 0 || scheme < 0 {
		return u
	}
	cred := u[scheme+3 : at]
	if i := strings.IndexByte(cred, ':'); i >= 0 {
		return u[:scheme+3] + cred[:i] + ":****" + u[at:]
	}
	return u
}

// Secrets lists the secret values, so that a test or a log filter can
// check that none is ever printed.
func (c Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.Slack.BotToken, c.Slack.AppToken, c.Slack.SigningSecret, c.Discord.BotToken} {
		if s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

// YAML renders the configuration (masked) as YAML.
func (c Config) YAML() (string, error) {
	b, err := yaml.Marshal(c.Masked())
	if err != nil {
		return "", fmt.Errorf("render config: %w", err)
	}
	return string(b), nil
}
