// Package discord is briefbot's Discord adapter: /brief as a slash command
// with real subcommands and typed options, received over the Gateway (a bot
// token) or as HTTP interactions (a public key), answered with embeds, and
// digests posted to channels.
//
// Everything Discord-specific stays here: the command definitions generated
// from commands.Table, the conversion of an interaction into a
// commands.Request, the embed renderer, Ed25519 verification and the poster
// with its error classification.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// InteractionsPath is the route Discord posts HTTP interactions to.
const InteractionsPath = "/discord/interactions"

// Defaults for the zero values of Config.
const (
	// DefaultAnswerBudget is how long an answer may take before the
	// interaction is deferred (Discord allows 3 seconds for the first
	// response).
	DefaultAnswerBudget = 2 * time.Second
	// DefaultAutocompleteBudget bounds one autocomplete lookup.
	DefaultAutocompleteBudget = time.Second
	// DefaultHandlerTimeout bounds a deferred answer; the interaction token
	// lives 15 minutes.
	DefaultHandlerTimeout = 14 * time.Minute
	// DefaultMaxClockSkew is the accepted age of a signed interaction.
	DefaultMaxClockSkew = 5 * time.Minute
	// DefaultMaxConcurrent bounds the answers computed at the same time.
	DefaultMaxConcurrent = 32
	// DefaultPostRetries bounds the retries of one message post.
	DefaultPostRetries = 3
	// DefaultPostMaxWait bounds the total time one Post waits for retries.
	DefaultPostMaxWait = 30 * time.Second
	// DefaultShutdownGrace is how long Serve waits for deferred answers
	// when it stops.
	DefaultShutdownGrace = 10 * time.Second
	// MaxInteractionBody bounds the size of an HTTP interaction.
	MaxInteractionBody = 64 << 10
)

// Config holds the plain values the adapter needs. BotToken selects Gateway
// mode; PublicKey selects HTTP interactions mode (a bot token may be set
// beside it for registration and posting).
type Config struct {
	// BotToken is the bot's token, with or without the "Bot " prefix.
	BotToken string
	// PublicKey is the application's Ed25519 public key in hex.
	PublicKey string
	// ApplicationID is the application's id (a snowflake).
	ApplicationID string
	// GuildID, when set, makes the command guild-scoped (instant updates).
	GuildID string
	// AdminRoleIDs are roles whose members may run admin commands, beside
	// members with the Manage Server or Administrator permission.
	AdminRoleIDs []string

	// HTTPClient is used for every REST call (through Session.Client).
	HTTPClient *http.Client
	// RESTBaseURL, when set, sends the REST requests meant for discord.com
	// to this base (a loopback fake in tests, or a proxy) by wrapping
	// HTTPClient's transport.
	RESTBaseURL string
	// Dialer opens the Gateway websocket; nil means the default dialer.
	Dialer *websocket.Dialer

	// Clock tells the time of requests and checks signature timestamps.
	Clock briefings.Clock
	// AnswerBudget is how long to wait for an answer before deferring.
	AnswerBudget time.Duration
	// AutocompleteBudget bounds one autocomplete lookup.
	AutocompleteBudget time.Duration
	// HandlerTimeout bounds the computation of a deferred answer.
	HandlerTimeout time.Duration
	// MaxClockSkew is the accepted difference between a signed
	// interaction's timestamp and Clock; negative disables the check.
	MaxClockSkew time.Duration
	// MaxConcurrent bounds the answers computed at the same time.
	MaxConcurrent int
	// Completer suggests values for autocomplete; nil offers none.
	Completer commands.Completer

	// PostRetries bounds the retries of one message in Post.
	PostRetries int
	// PostMaxWait bounds the total wait for retries in one Post.
	PostMaxWait time.Duration
	// ShutdownGrace is how long Serve waits for deferred answers to finish.
	ShutdownGrace time.Duration
}

// Platform is the Discord adapter. It implements bot.Platform and
// bot.WebhookPlatform.
type Platform struct {
	cfg     Config
	log     *slog.Logger
	pub     ed25519.PublicKey // nil in Gateway mode
	session *discordgo.Session
	table   []commands.Spec

	life     context.Context // ends when Serve stops
	stop     context.CancelFunc
	inflight inflight
	sem      chan struct{}

	// sleep waits between post retries; tests record the waits.
	sleep func(ctx context.Context, d time.Duration) error

	mu     sync.Mutex
	guilds map[string]string // channel id → guild id, for message links
}

var (
	_ bot.Platform        = (*Platform)(nil)
	_ bot.WebhookPlatform = (*Platform)(nil)
)

// New returns a Discord platform for cfg. It does not connect: Serve opens
// the Gateway (in Gateway mode) and registers the command.
func New(cfg Config, logger *slog.Logger) (*Platform, error) {
	if logger == nil {
		return nil, errors.New("discord: a logger is required")
	}
	cfg.BotToken = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(cfg.BotToken), "Bot "))
	cfg.PublicKey = strings.TrimSpace(cfg.PublicKey)
	cfg.ApplicationID = strings.TrimSpace(cfg.ApplicationID)
	cfg.GuildID = strings.TrimSpace(cfg.GuildID)
	if cfg.BotToken == "" && cfg.PublicKey == "" {
		return nil, errors.New("discord: set a bot token (Gateway mode) or the application's public key (HTTP interactions mode)")
	}
	if !isSnowflake(cfg.ApplicationID) {
		return nil, fmt.Errorf("discord: the application id must be the numeric id from the Developer Portal (General Information); got %d characters that are not one", len(cfg.ApplicationID))
	}
	if cfg.GuildID != "" && !isSnowflake(cfg.GuildID) {
		return nil, fmt.Errorf("discord: the guild id must be a numeric server id (Developer Mode → right-click the server → Copy Server ID); got %d characters that are not one", len(cfg.GuildID))
	}
	for _, r := range cfg.AdminRoleIDs {
		if !isSnowflake(r) {
			return nil, fmt.Errorf("discord: admin role ids must be numeric role ids; one of them has %d characters that are not one", len(r))
		}
	}
	p := &Platform{cfg: cfg, log: logger, table: commands.Table(), guilds: map[string]string{}}
	if cfg.PublicKey != "" {
		key, err := hex.DecodeString(cfg.PublicKey)
		if err != nil || len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("discord: the public key must be %d hex characters (Developer Portal, General Information)", 2*ed25519.PublicKeySize)
		}
		p.pub = ed25519.PublicKey(key)
	}
	if _, err := ApplicationCommands(p.table); err != nil {
		return nil, fmt.Errorf("discord: the command table does not fit Discord: %w", err)
	}
	p.applyDefaults()

	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	if cfg.RESTBaseURL != "" {
		base, err := url.Parse(cfg.RESTBaseURL)
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return nil, fmt.Errorf("discord: the REST base URL must be an http(s) address, got %q", clip(cfg.RESTBaseURL, 64))
		}
		c := *client
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = &rewriteTransport{base: base, next: next}
		client = &c
	}
	token := ""
	if cfg.BotToken != "" {
		token = "Bot " + cfg.BotToken
	}
	s, err := discordgo.New(token)
	if err != nil {
		return nil, fmt.Errorf("discord: creating the session: %w", err)
	}
	s.Client = client
	if cfg.Dialer != nil {
		s.Dialer = cfg.Dialer
	}
	// Retries on 429 are ours: bounded, and aware of the context.
	s.ShouldRetryOnRateLimit = false
	s.MaxRestRetries = 1
	s.StateEnabled = false
	s.Identify.Intents = discordgo.IntentsNone
	s.LogLevel = discordgo.LogError
	p.session = s

	p.life, p.stop = context.WithCancel(context.Background())
	p.sem = make(chan struct{}, p.cfg.MaxConcurrent)
	p.sleep = sleepCtx
	return p, nil
}

func (p *Platform) applyDefaults() {
	c := &p.cfg
	if c.Clock == nil {
		c.Clock = briefings.SystemClock{}
	}
	if c.AnswerBudget <= 0 {
		c.AnswerBudget = DefaultAnswerBudget
	}
	if c.AutocompleteBudget <= 0 {
		c.AutocompleteBudget = DefaultAutocompleteBudget
	}
	if c.HandlerTimeout <= 0 {
		c.HandlerTimeout = DefaultHandlerTimeout
	}
	if c.MaxClockSkew == 0 {
		c.MaxClockSkew = DefaultMaxClockSkew
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.PostRetries <= 0 {
		c.PostRetries = DefaultPostRetries
	}
	if c.PostMaxWait <= 0 {
		c.PostMaxWait = DefaultPostMaxWait
	}
	if c.ShutdownGrace <= 0 {
		c.ShutdownGrace = DefaultShutdownGrace
	}
}

// Name returns "discord".
func (p *Platform) Name() string { return "discord" }

// Mode returns "http" when interactions arrive over HTTP, "gateway"
// otherwise.
func (p *Platform) Mode() string {
	if p.pub != nil {
		return "http"
	}
	return "gateway"
}

// Routes returns the HTTP interactions endpoint in HTTP mode, and nothing in
// Gateway mode.
func (p *Platform) Routes(h commands.Handler) map[string]http.Handler {
	if p.pub == nil {
		return map[string]http.Handler{}
	}
	return map[string]http.Handler{"POST " + InteractionsPath: p.InteractionsHandler(h)}
}

// Serve registers /brief (when a bot token is set), then receives
// interactions until ctx ends: over the Gateway in Gateway mode, through
// Routes in HTTP mode. On return, deferred answers get ShutdownGrace to
// finish.
func (p *Platform) Serve(ctx context.Context, h commands.Handler) error {
	defer p.drain()
	if p.cfg.BotToken != "" {
		changed, err := p.Register(ctx)
		switch {
		case err != nil && bot.IsPermanent(err):
			return fmt.Errorf("discord: registering /brief: %w", err)
		case err != nil:
			p.log.Warn("discord: registering /brief failed; the existing registration stays", "err", err)
		default:
			p.log.Info("discord: /brief registered", "scope", p.scope(), "changed", changed)
		}
	} else {
		p.log.Info("discord: no bot token; /brief is not registered at start (run `briefbot discord register`)")
	}
	if p.pub != nil {
		<-ctx.Done()
		return nil
	}
	remove := p.session.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if ic == nil || ic.Interaction == nil {
			return
		}
		p.handleGateway(ic.Interaction, h)
	})
	defer remove()
	if err := p.session.Open(); err != nil {
		return fmt.Errorf("discord: opening the Gateway: %w", p.scrub(err))
	}
	p.log.Info("discord: connected to the Gateway")
	<-ctx.Done()
	if err := p.session.Close(); err != nil {
		p.log.Warn("discord: closing the Gateway", "err", p.scrub(err))
	}
	return nil
}

// drain refuses new answers, waits for those under way, then cancels the
// ones still running.
func (p *Platform) drain() {
	done := p.inflight.close()
	t := time.NewTimer(p.cfg.ShutdownGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		p.log.Warn("discord: cancelling deferred answers still running at shutdown")
	}
	p.stop()
	<-done
}

// inflight counts the answers under way; once closed it admits no more.
type inflight struct {
	mu      sync.Mutex
	n       int
	closing bool
	zero    chan struct{}
}

// add admits one answer, unless the platform is stopping.
func (f *inflight) add() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closing {
		return false
	}
	f.n++
	return true
}

// done ends an answer admitted by add.
func (f *inflight) done() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n--
	if f.n == 0 && f.zero != nil {
		close(f.zero)
		f.zero = nil
	}
}

// close admits no more answers and returns a channel closed when the
// answers under way are done.
func (f *inflight) close() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closing = true
	ch := make(chan struct{})
	if f.n == 0 {
		close(ch)
	} else if f.zero == nil {
		f.zero = ch
	} else {
		ch = f.zero
	}
	return ch
}

func (p *Platform) scope() string {
	if p.cfg.GuildID != "" {
		return "guild " + p.cfg.GuildID
	}
	return "global"
}

// rewriteTransport sends requests for discord.com to another base URL.
type rewriteTransport struct {
	base *url.URL
	next http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != "discord.com" {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme = t.base.Scheme
	r.URL.Host = t.base.Host
	r.URL.Path = strings.TrimSuffix(t.base.Path, "/") + req.URL.Path
	if req.URL.RawPath != "" {
		r.URL.RawPath = strings.TrimSuffix(t.base.Path, "/") + req.URL.RawPath
	}
	r.Host = t.base.Host
	return t.next.RoundTrip(r)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isSnowflake reports whether s looks like a Discord id.
func isSnowflake(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens s to about n bytes for messages, at a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
