package slack

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/commands"
)

// isPermanentError reports whether a chat.postMessage error is one that
// retrying cannot fix: the scheduler pauses the subscription and records
// the reason.
func isPermanentError(code string) bool {
	switch code {
	case "not_in_channel", "channel_not_found", "is_archived", "token_revoked", "token_expired",
		"invalid_auth", "not_authed", "account_inactive", "missing_scope", "no_permission",
		"access_denied", "ekm_access_denied", "team_access_not_granted", "org_login_required",
		"restricted_action", "restricted_action_read_only_channel",
		"restricted_action_thread_only_channel", "restricted_action_non_threadable_channel",
		"team_not_found", "enterprise_is_restricted", "invalid_blocks", "invalid_blocks_format",
		"msg_too_long", "no_text", "too_many_attachments", "invalid_arguments",
		"channel_is_archived":
		return true
	}
	return false
}

// isRetryableError reports whether a chat.postMessage error may go away.
func isRetryableError(code string) bool {
	switch code {
	case "ratelimited", "rate_limited", "internal_error", "fatal_error", "service_unavailable",
		"request_timeout", "team_added_to_org":
		return true
	}
	return false
}

// Post sends r to a channel with chat.postMessage, for digests. A response
// too long for one message continues in its thread, as do r.Thread entries;
// at most MaxPostMessages messages are posted. Posts to one channel are paced
// to PostInterval; 429 is retried after Retry-After (up to MaxRetryAfter),
// 5xx and network errors with a growing backoff, at most PostRetries times.
// Failures are *bot.PostError, Permanent for errors that retrying cannot fix
// (not_in_channel, channel_not_found, is_archived, token_revoked,
// invalid_auth, …). The returned ref is the first message (channel and ts).
func (p *Platform) Post(ctx context.Context, channel string, r commands.Response) (bot.MessageRef, error) {
	if !isID(channel) {
		return bot.MessageRef{}, &bot.PostError{Platform: "slack", Reason: "channel_not_found", Permanent: true,
			Err: fmt.Errorf("%q is not a Slack channel id", shorten(channel, 40))}
	}
	msgs := renderWithThread(r, MaxPostMessages)
	// Slack has no idempotency key for chat.postMessage; the delivery nonce
	// is logged so that a duplicate can be traced to its delivery.
	if nonce := bot.PostOptionsFrom(ctx).Nonce; nonce != "" {
		p.log.Debug("slack: posting", "channel", channel, "nonce", nonce, "messages", len(msgs))
	}
	var ref bot.MessageRef
	for i, m := range msgs {
		ts, err := p.postOne(ctx, channel, m, ref.ID)
		if err != nil {
			if i > 0 {
				// The digest is out; a missing thread reply is logged, not
				// reported as a failed delivery (a retry would post the
				// digest twice).
				p.log.Warn("slack: thread reply failed", "channel", channel, "part", i+1, "of", len(msgs), "err", err.Error())
				return ref, nil
			}
			return bot.MessageRef{}, err
		}
		if i == 0 {
			ref = bot.MessageRef{Platform: "slack", Channel: channel, ID: ts}
		}
	}
	return ref, nil
}

// postOne posts one message, paced and retried.
func (p *Platform) postOne(ctx context.Context, channel string, m Message, threadTS string) (string, error) {
	opts := []slack.MsgOption{
		slack.MsgOptionText(m.Text, false),
		slack.MsgOptionBlocks(m.Blocks...),
		slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl(),
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	backoff := p.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		if err := p.pacer.wait(ctx, channel, p.sleep); err != nil {
			return "", &bot.PostError{Platform: "slack", Reason: "canceled", Err: err}
		}
		_, ts, err := p.api.PostMessageContext(ctx, channel, opts...)
		if err == nil {
			return ts, nil
		}
		pe := p.classify(ctx, err)
		if pe.Permanent || pe.Reason == "canceled" || pe.Reason == "unknown" || attempt >= p.cfg.PostRetries {
			if attempt > 0 {
				pe.Err = fmt.Errorf("after %d attempts: %w", attempt+1, pe.Err)
			}
			return "", pe
		}
		wait := pe.RetryAfter
		if wait == 0 {
			wait = backoff
			backoff = min(2*backoff, p.cfg.MaxRetryBackoff)
		}
		if wait > p.cfg.MaxRetryAfter {
			// Too long to wait here: the scheduler retries later.
			return "", pe
		}
		p.log.Info("slack: post will be retried", "channel", channel, "reason", pe.Reason, "wait", wait, "attempt", attempt+1)
		if err := p.sleep(ctx, wait); err != nil {
			return "", &bot.PostError{Platform: "slack", Reason: "canceled", Err: err}
		}
	}
}

// classify turns a Web API error into a *bot.PostError. Its message never
// contains a token.
func (p *Platform) classify(ctx context.Context, err error) *bot.PostError {
	pe := &bot.PostError{Platform: "slack", Err: safeError{msg: p.redact(err.Error()), err: err}}
	var rl *slack.RateLimitedError
	var se slack.SlackErrorResponse
	var sc slack.StatusCodeError
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		pe.Reason = "canceled"
	case errors.As(err, &rl):
		pe.Reason = "rate_limited"
		pe.RetryAfter = max(rl.RetryAfter, time.Second)
	case errors.As(err, &se):
		pe.Reason = se.Err
		switch {
		case isPermanentError(se.Err):
			pe.Permanent = true
		case isRetryableError(se.Err):
		default:
			// An error we do not know: report it without retrying here.
			pe.Reason = "unknown"
			pe.Err = safeError{msg: "slack error " + shorten(se.Err, 64), err: err}
		}
	case errors.As(err, &sc):
		switch {
		case sc.Code == http.StatusTooManyRequests:
			pe.Reason, pe.RetryAfter = "rate_limited", time.Second
		case sc.Code >= 500:
			pe.Reason = "server_error"
		default:
			pe.Reason, pe.Permanent = fmt.Sprintf("http_%d", sc.Code), true
		}
	case errors.As(err, &ne):
		pe.Reason = "network"
	default:
		pe.Reason = "unknown"
	}
	return pe
}

// safeError carries an error whose message has been scrubbed of secrets,
// while errors.Is/As still reach the original.
type safeError struct {
	msg string
	err error
}

func (e safeError) Error() string { return e.msg }
func (e safeError) Unwrap() error { return e.err }

// pacer keeps posts to one channel at least interval apart.
type pacer struct {
	interval time.Duration
	mu       sync.Mutex
	next     map[string]time.Time
}

// wait blocks until channel may receive a post, and books that slot.
func (pc *pacer) wait(ctx context.Context, channel string, sleep func(context.Context, time.Duration) error) error {
	pc.mu.Lock()
	if pc.next == nil {
		pc.next = map[string]time.Time{}
	}
	now := time.Now()
	if len(pc.next) > 1024 {
		for ch, t := range pc.next {
			if t.Before(now) {
				delete(pc.next, ch)
			}
		}
	}
	at := pc.next[channel]
	if at.Before(now) {
		at = now
	}
	pc.next[channel] = at.Add(pc.interval)
	pc.mu.Unlock()
	return sleep(ctx, at.Sub(now))
}
