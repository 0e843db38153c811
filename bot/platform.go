// Package bot is briefbot's runtime: the Platform interface every chat
// adapter implements, the digest scheduler, the HTTP server for health,
// metrics and webhooks, and the lifecycle that ties them together.
package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/briefbot/briefbot/commands"
)

// Platform is one chat platform: Slack, Discord or the local console.
type Platform interface {
	// Name is "slack", "discord" or "console".
	Name() string
	// Serve receives commands and answers them with h until ctx ends.
	Serve(ctx context.Context, h commands.Handler) error
	// Post sends a response (a digest) to a channel.
	Post(ctx context.Context, channel string, r commands.Response) (MessageRef, error)
}

// WebhookPlatform is a Platform that also receives requests on the bot's
// HTTP server (Slack slash commands, Discord interactions).
type WebhookPlatform interface {
	Platform
	// Routes returns the HTTP handlers to mount, by path pattern.
	Routes(h commands.Handler) map[string]http.Handler
}

// MessageRef identifies a posted message.
type MessageRef struct {
	Platform string
	Channel  string
	// ID is the platform's message id (Slack ts, Discord snowflake).
	ID string
	// Link is a permalink when the platform gives one.
	Link string
}

// PostOptions carry per-delivery settings for Post through the context.
type PostOptions struct {
	// Nonce identifies one delivery, so that a retried post cannot appear
	// twice where the platform supports it (Discord enforce_nonce).
	Nonce string
}

type postOptionsKey struct{}

// WithPostOptions returns a context carrying opts for Platform.Post.
func WithPostOptions(ctx context.Context, opts PostOptions) context.Context {
	return context.WithValue(ctx, postOptionsKey{}, opts)
}

// PostOptionsFrom returns the PostOptions in ctx, if any.
func PostOptionsFrom(ctx context.Context) PostOptions {
	o, _ := ctx.Value(postOptionsKey{}).(PostOptions)
	return o
}

// PostError is a failed Post, classified for the scheduler.
type PostError struct {
	Platform string
	// Reason is a short machine word: "not_in_channel", "rate_limited",
	// "missing_access", "server_error", ...
	Reason string
	// Permanent errors will not go away by retrying: the subscription is
	// paused and the reason recorded.
	Permanent bool
	// RetryAfter is the platform's requested wait before a retry, if any.
	RetryAfter time.Duration
	Err        error
}

// Error implements error; it never contains a token.
func (e *PostError) Error() string {
	kind := "retryable"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Err != nil {
		return fmt.Sprintf("%s post failed (%s, %s): %v", e.Platform, e.Reason, kind, e.Err)
	}
	return fmt.Sprintf("%s post failed (%s, %s)", e.Platform, e.Reason, kind)
}

// Unwrap returns the cause.
func (e *PostError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent post failure.
func IsPermanent(err error) bool {
	var pe *PostError
	return errors.As(err, &pe) && pe.Permanent
}
