package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Defaults for the zero values of Config.
const (
	// DefaultAnswerBudget is how long a slash command answer may take to be
	// sent inline; Slack wants an acknowledgement within 3 seconds.
	DefaultAnswerBudget = 2 * time.Second
	// DefaultHandlerTimeout bounds a slow answer delivered via response_url.
	DefaultHandlerTimeout = time.Minute
	// DefaultMaxBodyBytes bounds a slash command request body. A real one is
	// well under 4 KiB; /brief text is limited to commands.MaxCommandText.
	DefaultMaxBodyBytes = 64 << 10
	// DefaultMaxConcurrent bounds the answers being computed at once.
	DefaultMaxConcurrent = 64
	// DefaultPostInterval is the pacing of chat.postMessage per channel:
	// Slack allows about one message per second per channel.
	DefaultPostInterval = time.Second
	// DefaultPostRetries is how many times a failed post is retried.
	DefaultPostRetries = 3
	// DefaultRetryBackoff is the first wait after a 5xx or network error.
	DefaultRetryBackoff = 500 * time.Millisecond
	// DefaultMaxRetryBackoff caps the growing wait between retries.
	DefaultMaxRetryBackoff = 30 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After that Post waits out;
	// longer ones are returned to the caller as a retryable *bot.PostError.
	DefaultMaxRetryAfter = time.Minute
	// DefaultReconnectMinDelay is the first pause between Socket Mode
	// connections that end quickly.
	DefaultReconnectMinDelay = time.Second
	// DefaultReconnectMaxDelay caps the pause between Socket Mode
	// connections.
	DefaultReconnectMaxDelay = 2 * time.Minute
	// DefaultStableConnection is how long a Socket Mode connection must have
	// lasted for the reconnect delay to start over.
	DefaultStableConnection = time.Minute
	// DefaultSocketIdleTimeout is how long a Socket Mode connection may stay
	// silent (Slack pings every few seconds) before it is considered dead.
	DefaultSocketIdleTimeout = 90 * time.Second
	// ResponseURLUses is how often Slack accepts posts to one response_url.
	ResponseURLUses = 5
	// ResponseURLLifetime is how long a response_url stays valid.
	ResponseURLLifetime = 30 * time.Minute
)

// DefaultResponseURLAllow is where response_url posts may go unless the
// configuration says otherwise.
const DefaultResponseURLAllow = "https://hooks.slack.com/"

// Config is the adapter's configuration, as plain values. Zero values take
// the defaults above.
type Config struct {
	// BotToken (xoxb-…) posts messages. Required.
	BotToken string
	// AppToken (xapp-…) enables Socket Mode: no public URL needed.
	AppToken string
	// SigningSecret enables HTTP mode: POST /slack/commands, verified.
	SigningSecret string
	// APIURL overrides https://slack.com/api/ (tests).
	APIURL string
	// HTTPClient is used for the Web API and response_url; nil means a
	// client with a 15 s timeout.
	HTTPClient *http.Client
	// Clock tells the time for signatures and requests; nil is the system
	// clock.
	Clock briefings.Clock
	// AnswerBudget is how long an answer may take to be sent inline.
	AnswerBudget time.Duration
	// HandlerTimeout bounds a slow answer in all.
	HandlerTimeout time.Duration
	// ResponseURLAllow lists the URL prefixes (scheme, host and path prefix)
	// response_url posts may go to. Default: https://hooks.slack.com/.
	ResponseURLAllow []string
	// Admins are the Slack user ids allowed to run admin commands.
	Admins []string
	// MaxBodyBytes bounds a request body; larger ones get 413.
	MaxBodyBytes int64
	// MaxConcurrent bounds the answers computed at once; callers over it are
	// told to try again.
	MaxConcurrent int
	// PostInterval is the minimum time between two posts to one channel.
	PostInterval time.Duration
	// PostRetries bounds the retries of one failed post.
	PostRetries int
	// RetryBackoff and MaxRetryBackoff shape the waits after 5xx and
	// network errors.
	RetryBackoff, MaxRetryBackoff time.Duration
	// MaxRetryAfter is the longest Retry-After waited out in Post.
	MaxRetryAfter time.Duration
	// ReconnectMinDelay and ReconnectMaxDelay bound the jittered pause
	// between Socket Mode connections that end quickly.
	ReconnectMinDelay, ReconnectMaxDelay time.Duration
	// StableConnection is how long a connection must last to reset the
	// reconnect delay.
	StableConnection time.Duration
	// SocketIdleTimeout is how long a Socket Mode connection may be silent.
	SocketIdleTimeout time.Duration
	// Sleep waits for d or until ctx ends, for post pacing and the retries
	// of posts and response_url deliveries (not Socket Mode reconnects);
	// nil uses a timer. Tests inject one to observe waits without spending
	// them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// String describes the configuration without its secrets.
func (c Config) String() string {
	return fmt.Sprintf("slack.Config{BotToken:%s AppToken:%s SigningSecret:%s APIURL:%q Admins:%d}",
		redacted(c.BotToken), redacted(c.AppToken), redacted(c.SigningSecret), c.APIURL, len(c.Admins))
}

// GoString is String, so that %#v does not print secrets either.
func (c Config) GoString() string { return c.String() }

// LogValue keeps secrets out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Bool("bot_token_set", c.BotToken != ""),
		slog.Bool("socket_mode", c.AppToken != ""),
		slog.Bool("http_mode", c.SigningSecret != ""),
		slog.String("api_url", c.APIURL),
		slog.Int("admins", len(c.Admins)),
	)
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.AnswerBudget, DefaultAnswerBudget)
	def(&c.HandlerTimeout, DefaultHandlerTimeout)
	def(&c.PostInterval, DefaultPostInterval)
	def(&c.RetryBackoff, DefaultRetryBackoff)
	def(&c.MaxRetryBackoff, DefaultMaxRetryBackoff)
	def(&c.MaxRetryAfter, DefaultMaxRetryAfter)
	def(&c.ReconnectMinDelay, DefaultReconnectMinDelay)
	def(&c.ReconnectMaxDelay, DefaultReconnectMaxDelay)
	def(&c.StableConnection, DefaultStableConnection)
	def(&c.SocketIdleTimeout, DefaultSocketIdleTimeout)
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.PostRetries < 0 {
		c.PostRetries = 0
	} else if c.PostRetries == 0 {
		c.PostRetries = DefaultPostRetries
	}
	if c.APIURL == "" {
		c.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if c.Clock == nil {
		c.Clock = briefings.SystemClock{}
	}
	if len(c.ResponseURLAllow) == 0 {
		c.ResponseURLAllow = []string{DefaultResponseURLAllow}
	}
	if c.ReconnectMaxDelay < c.ReconnectMinDelay {
		c.ReconnectMaxDelay = c.ReconnectMinDelay
	}
	return c
}

// Platform is the Slack adapter. It implements bot.Platform and
// bot.WebhookPlatform.
type Platform struct {
	cfg    Config
	log    *slog.Logger
	api    *slack.Client // bot token: chat.postMessage
	app    *slack.Client // app-level token: apps.connections.open
	allow  []*url.URL
	admins map[string]bool
	table  []commands.Spec
	slots  chan struct{}
	bg     tracker
	pacer  pacer
	sleep  func(ctx context.Context, d time.Duration) error
}

// New checks cfg and returns the adapter. Either SigningSecret (HTTP mode)
// or AppToken (Socket Mode) must be set, and BotToken always.
func New(cfg Config, logger *slog.Logger) (*Platform, error) {
	if logger == nil {
		return nil, errors.New("slack: a logger is required")
	}
	var problems []string
	if cfg.BotToken == "" {
		problems = append(problems, "the bot token (SLACK_BOT_TOKEN, xoxb-…) is not set")
	} else if !strings.HasPrefix(cfg.BotToken, "xoxb-") {
		problems = append(problems, "the bot token (SLACK_BOT_TOKEN) must start with xoxb-; find it under OAuth & Permissions")
	}
	if cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-") {
		problems = append(problems, "the app-level token (SLACK_APP_TOKEN) must start with xapp-; create one with the connections:write scope under Basic Information")
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		problems = append(problems, "set SLACK_SIGNING_SECRET (HTTP mode) or SLACK_APP_TOKEN (Socket Mode)")
	}
	cfg = cfg.withDefaults()
	var allow []*url.URL
	for _, a := range cfg.ResponseURLAllow {
		u, err := url.Parse(a)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
			problems = append(problems, fmt.Sprintf("response_url allow entry %q is not an http(s) URL prefix", a))
			continue
		}
		allow = append(allow, u)
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("slack: %s", strings.Join(problems, "; "))
	}
	p := &Platform{
		cfg:    cfg,
		log:    logger,
		allow:  allow,
		admins: map[string]bool{},
		table:  commands.Table(),
		slots:  make(chan struct{}, cfg.MaxConcurrent),
		sleep:  cfg.Sleep,
	}
	if p.sleep == nil {
		p.sleep = sleepCtx
	}
	for _, a := range cfg.Admins {
		if a = strings.TrimSpace(a); a != "" {
			p.admins[a] = true
		}
	}
	p.api = slack.New(cfg.BotToken, slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(cfg.HTTPClient))
	if cfg.AppToken != "" {
		p.app = slack.New(cfg.BotToken, slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(cfg.HTTPClient), slack.OptionAppLevelToken(cfg.AppToken))
	}
	p.pacer.interval = cfg.PostInterval
	return p, nil
}

// Name is "slack".
func (p *Platform) Name() string { return "slack" }

// String describes the adapter without its secrets.
func (p *Platform) String() string { return "slack.Platform(" + p.cfg.String() + ")" }

// Serve answers slash commands until ctx ends. With an app token it runs
// Socket Mode; otherwise commands arrive through Routes on the bot's HTTP
// server and Serve only waits. Before returning it waits for answers still
// being delivered through response_url (each bounded by HandlerTimeout).
func (p *Platform) Serve(ctx context.Context, h commands.Handler) error {
	var err error
	if p.app != nil {
		err = p.runSocketMode(ctx, h)
	} else {
		<-ctx.Done()
	}
	p.bg.Wait()
	return err
}

func (p *Platform) now() time.Time { return p.cfg.Clock.Now() }

// redact removes every secret from s.
func (p *Platform) redact(s string) string {
	for _, sec := range []string{p.cfg.BotToken, p.cfg.AppToken, p.cfg.SigningSecret} {
		if len(sec) >= 8 {
			s = strings.ReplaceAll(s, sec, "[redacted]")
		}
	}
	return s
}

// tracker counts background deliveries. Unlike sync.WaitGroup it may start
// new work while Wait is waiting (an HTTP request can still arrive during
// shutdown).
type tracker struct {
	mu   sync.Mutex
	n    int
	idle *sync.Cond
}

// Go runs f in a goroutine and counts it until it returns.
func (t *tracker) Go(f func()) {
	t.mu.Lock()
	t.n++
	t.mu.Unlock()
	go func() {
		defer t.done()
		f()
	}()
}

func (t *tracker) done() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n--
	if t.n == 0 && t.idle != nil {
		t.idle.Broadcast()
	}
}

// Wait returns when no counted goroutine is running.
func (t *tracker) Wait() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.idle == nil {
		t.idle = sync.NewCond(&t.mu)
	}
	for t.n > 0 {
		t.idle.Wait()
	}
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
