package slack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/briefbot/briefbot/commands"
)

// Socket Mode bounds.
const (
	// MaxSocketMessage bounds one incoming Socket Mode message.
	MaxSocketMessage = 1 << 20
	// MaxSocketAck is Slack's limit for an acknowledgement with a payload:
	// larger ones are silently dropped, so those answers go through
	// response_url instead.
	MaxSocketAck = 20 * 1024
	// socketWriteTimeout bounds one websocket write.
	socketWriteTimeout = 10 * time.Second
	// socketHandshakeTimeout bounds the websocket handshake.
	socketHandshakeTimeout = 15 * time.Second
)

// fatalSocketError ends Socket Mode for good: reconnecting cannot help.
type fatalSocketError struct {
	reason string
	hint   string
}

func (e *fatalSocketError) Error() string {
	return "slack Socket Mode stopped (" + e.reason + "): " + e.hint
}

// retryAfterError asks for a pause before the next connection attempt.
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e *retryAfterError) Error() string { return e.err.Error() }
func (e *retryAfterError) Unwrap() error { return e.err }

// fatalOpenHint returns what to do about an apps.connections.open error
// that no retry can fix, and whether the error is one.
func fatalOpenHint(code string) (string, bool) {
	switch code {
	case "invalid_auth":
		return "the app-level token (SLACK_APP_TOKEN) was refused; create a new one under Basic Information → App-Level Tokens with the connections:write scope", true
	case "not_authed":
		return "no app-level token was sent; set SLACK_APP_TOKEN", true
	case "token_revoked":
		return "the app-level token (SLACK_APP_TOKEN) was revoked; create a new one under Basic Information → App-Level Tokens", true
	case "account_inactive":
		return "the app-level token (SLACK_APP_TOKEN) belongs to a deactivated account or app", true
	case "not_allowed_token_type":
		return "SLACK_APP_TOKEN must be an app-level token (xapp-…) with the connections:write scope", true
	case "missing_scope":
		return "the app-level token (SLACK_APP_TOKEN) lacks the connections:write scope", true
	case "team_disabled":
		return "the workspace is disabled", true
	}
	return "", false
}

// runSocketMode keeps one Socket Mode connection open until ctx ends, with
// our own guard against reconnect storms: a connection that ends quickly is
// followed by a jittered pause that grows up to ReconnectMaxDelay. Slack's
// link_disabled and token errors end it with a clear log line.
func (p *Platform) runSocketMode(ctx context.Context, h commands.Handler) error {
	g := reconnectGuard{min: p.cfg.ReconnectMinDelay, max: p.cfg.ReconnectMaxDelay, stable: p.cfg.StableConnection}
	var delay time.Duration
	for {
		if err := sleepCtx(ctx, delay); err != nil {
			return nil
		}
		start := time.Now()
		err := p.socketSession(ctx, h)
		if ctx.Err() != nil {
			return nil
		}
		var fatal *fatalSocketError
		if errors.As(err, &fatal) {
			p.log.Error("slack: Socket Mode stopped, not reconnecting", "reason", fatal.reason, "fix", fatal.hint)
			return fatal
		}
		var floor time.Duration
		var ra *retryAfterError
		if errors.As(err, &ra) {
			floor = ra.after
		}
		delay = g.next(time.Since(start), floor)
		p.log.Warn("slack: Socket Mode connection ended; reconnecting", "reason", p.redact(err.Error()),
			"lasted", time.Since(start).Round(time.Millisecond), "delay", delay.Round(time.Millisecond))
	}
}

// reconnectGuard computes the pause before the next connection.
type reconnectGuard struct {
	min, max, stable time.Duration
	failures         int
}

// next returns the pause after a connection that lasted lived; floor is a
// pause Slack asked for (Retry-After). A connection that was stable is
// followed by a short jittered pause; one that ended quickly by a pause
// growing from min to max, jittered within its upper half.
func (g *reconnectGuard) next(lived, floor time.Duration) time.Duration {
	if lived >= g.stable {
		g.failures = 0
		return max(floor, jitter(g.min/4))
	}
	g.failures++
	d := g.min
	for i := 1; i < g.failures && d < g.max; i++ {
		d *= 2
	}
	d = min(d, g.max)
	d = d/2 + jitter(d/2)
	return max(floor, d)
}

// jitter returns a random duration in [0, d].
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// socketConn serializes writes to one Socket Mode connection.
type socketConn struct {
	mu   sync.Mutex
	conn *websocket.Conn
}

// ack acknowledges an envelope, with an optional payload.
func (s *socketConn) ack(envelopeID string, payload any) error {
	b, err := json.Marshal(socketmode.Response{EnvelopeID: envelopeID, Payload: payload})
	if err != nil {
		return fmt.Errorf("encode ack: %w", err)
	}
	return s.write(b)
}

func (s *socketConn) write(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.conn.SetWriteDeadline(time.Now().Add(socketWriteTimeout)); err != nil {
		return fmt.Errorf("socket write: %w", err)
	}
	if err := s.conn.WriteMessage(websocket.TextMessage, b); err != nil {
		return fmt.Errorf("socket write: %w", err)
	}
	return nil
}

// socketSession opens one connection (apps.connections.open, then the
// websocket) and serves it until it ends. Every envelope is acknowledged.
func (p *Platform) socketSession(ctx context.Context, h commands.Handler) error {
	_, wsURL, err := p.app.StartSocketModeContext(ctx)
	if err != nil {
		return p.classifyOpen(err)
	}
	dialer := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		HandshakeTimeout: socketHandshakeTimeout,
		// Slack does not reassemble fragmented frames: keep every ack in
		// one frame.
		WriteBufferSize: 2 * MaxSocketAck,
	}
	conn, resp, err := dialer.DialContext(ctx, wsURL, nil)
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	if err != nil {
		// The URL carries a connection ticket: report the host only.
		var oe *net.OpError
		switch {
		case errors.As(err, &oe):
			return fmt.Errorf("websocket dial to %s failed: %w", hostOf(wsURL), oe)
		case errors.Is(err, websocket.ErrBadHandshake) && resp != nil:
			return fmt.Errorf("websocket handshake with %s failed (HTTP %d)", hostOf(wsURL), resp.StatusCode)
		default:
			return fmt.Errorf("websocket dial to %s failed", hostOf(wsURL))
		}
	}
	defer conn.Close()
	conn.SetReadLimit(MaxSocketMessage)
	idle := p.cfg.SocketIdleTimeout
	_ = conn.SetReadDeadline(time.Now().Add(idle))
	conn.SetPingHandler(func(data string) error {
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(socketWriteTimeout))
		if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
			return fmt.Errorf("pong: %w", err)
		}
		return nil
	})
	// Unblock the read when ctx ends.
	stop := context.AfterFunc(ctx, func() {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		_ = conn.Close()
	})
	defer stop()

	sc := &socketConn{conn: conn}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return fmt.Errorf("socket read: %w", err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(idle))
		var env socketmode.Request
		if err := json.Unmarshal(data, &env); err != nil {
			p.log.Warn("slack: unreadable Socket Mode message ignored", "bytes", len(data))
			continue
		}
		switch env.Type {
		case socketmode.RequestTypeHello:
			p.log.Info("slack: Socket Mode connected", "connections", env.NumConnections)
		case socketmode.RequestTypeDisconnect:
			if env.Reason == "link_disabled" {
				return &fatalSocketError{reason: "link_disabled",
					hint: "Socket Mode was turned off for this app; turn it on again under Settings → Socket Mode, or unset SLACK_APP_TOKEN and use HTTP mode with SLACK_SIGNING_SECRET"}
			}
			return fmt.Errorf("slack asked to reconnect (%s)", shorten(env.Reason, 40))
		case socketmode.RequestTypeSlashCommands:
			if env.EnvelopeID == "" {
				continue
			}
			p.bg.Go(func() { p.socketCommand(ctx, h, sc, env) })
		default:
			// Events and interactions are not used, but every envelope is
			// acknowledged so that Slack does not retry it.
			if env.EnvelopeID != "" {
				if err := sc.ack(env.EnvelopeID, nil); err != nil {
					return err
				}
			}
		}
	}
}

// socketCommand answers one slash command envelope.
func (p *Platform) socketCommand(ctx context.Context, h commands.Handler, sc *socketConn, env socketmode.Request) {
	id := env.EnvelopeID
	var cmd slack.SlashCommand
	if err := json.Unmarshal(env.Payload, &cmd); err != nil || !validSocketCommand(cmd) {
		p.log.Warn("slack: malformed slash command envelope acknowledged and ignored")
		if err := sc.ack(id, nil); err != nil {
			p.log.Warn("slack: acknowledgement failed", "err", err.Error())
		}
		return
	}
	p.handle(ctx, h, invocation{cmd: cmd, received: p.now()}, func(rep *reply) error {
		if rep == nil {
			return sc.ack(id, nil)
		}
		b, err := encodeEnvelopeAck(id, rep)
		if err != nil || len(b) >= MaxSocketAck {
			if err := sc.ack(id, nil); err != nil {
				return err
			}
			return errDeliverLater
		}
		return sc.write(b)
	})
}

// validSocketCommand applies the HTTP form's bounds to a Socket Mode payload.
func validSocketCommand(c slack.SlashCommand) bool {
	for _, id := range []string{c.TeamID, c.ChannelID, c.UserID} {
		if !isID(id) {
			return false
		}
	}
	return c.Command != "" && len(c.Command) <= maxIDLen &&
		len(c.Text) <= maxTextBytes && utf8.ValidString(c.Text) &&
		len(c.ResponseURL) <= maxURLLen
}

// classifyOpen turns an apps.connections.open failure into a fatal error, a
// pause request or a plain (retried) error.
func (p *Platform) classifyOpen(err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		if hint, ok := fatalOpenHint(se.Err); ok {
			return &fatalSocketError{reason: se.Err, hint: hint}
		}
		return fmt.Errorf("apps.connections.open: %s", shorten(se.Err, 64))
	}
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &retryAfterError{err: fmt.Errorf("apps.connections.open rate limited"), after: min(rl.RetryAfter, p.cfg.ReconnectMaxDelay)}
	}
	return fmt.Errorf("apps.connections.open: %s", p.redact(err.Error()))
}
