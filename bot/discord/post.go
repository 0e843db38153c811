package discord

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/commands"
)

// Discord JSON error codes that mean a post will never succeed as things
// stand.
const (
	codeUnknownChannel     = 10003
	codeMissingAccess      = 50001
	codeMissingPermissions = 50013
)

// maxNonce is Discord's length limit of a message nonce.
const maxNonce = 25

// maxGuildCache bounds the channel → guild cache used for links.
const maxGuildCache = 1024

// createMessage is a message create payload with a nonce: discordgo's
// MessageSend has no nonce or enforce_nonce field.
type createMessage struct {
	*discordgo.MessageSend
	Nonce        string `json:"nonce,omitempty"`
	EnforceNonce bool   `json:"enforce_nonce,omitempty"`
}

// Post sends a response (a digest) to a channel: the first message, then
// the rest of a long answer and the response's Thread as replies to it.
// Every message carries a nonce derived from the delivery's nonce
// (bot.PostOptionsFrom) with enforce_nonce, so a retried delivery returns
// the messages already created instead of posting them twice. Rate limits
// are honoured with a bounded number of retries and a bounded total wait.
// Failures are *bot.PostError values, permanent when the bot lacks access
// or permissions, the channel is gone, or the token was revoked.
func (p *Platform) Post(ctx context.Context, channel string, r commands.Response) (bot.MessageRef, error) {
	if p.cfg.BotToken == "" {
		return bot.MessageRef{}, &bot.PostError{Platform: "discord", Reason: "no_token", Permanent: true, Err: errors.New("posting needs the bot token")}
	}
	if !isSnowflake(channel) {
		return bot.MessageRef{}, &bot.PostError{Platform: "discord", Reason: "invalid_channel", Permanent: true, Err: fmt.Errorf("%q is not a Discord channel id", clip(channel, 32))}
	}
	base := bot.PostOptionsFrom(ctx).Nonce
	if base == "" {
		base = randomNonce()
	}
	parts := RenderMessages(r)
	var first *discordgo.Message
	waitLeft := p.cfg.PostMaxWait
	for i, m := range parts {
		if i > 0 {
			no := false
			m.Reference = &discordgo.MessageReference{MessageID: first.ID, ChannelID: channel, FailIfNotExists: &no}
		}
		msg, err := p.send(ctx, channel, createMessage{MessageSend: m, Nonce: PartNonce(base, i), EnforceNonce: true}, &waitLeft)
		if err != nil {
			if i > 0 {
				p.log.Warn("discord: a digest part failed after the first was posted", "channel", channel, "part", i+1, "of", len(parts), "err", err)
			}
			return bot.MessageRef{}, err
		}
		if i == 0 {
			first = msg
		}
	}
	ref := bot.MessageRef{Platform: "discord", Channel: channel, ID: first.ID}
	ref.Link = p.messageLink(ctx, first)
	return ref, nil
}

// PartNonce derives the nonce of one message of a delivery: the same
// delivery and part always give the same nonce, of at most 25 characters.
func PartNonce(delivery string, part int) string {
	sum := sha256.Sum256([]byte(delivery + "#" + strconv.Itoa(part)))
	return hex.EncodeToString(sum[:])[:maxNonce]
}

func randomNonce() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// send posts one message, retrying rate limits and server errors at most
// PostRetries times and while the Post's total wait stays within waitLeft.
func (p *Platform) send(ctx context.Context, channel string, payload createMessage, waitLeft *time.Duration) (*discordgo.Message, error) {
	endpoint := discordgo.EndpointChannelMessages(channel)
	for attempt := 0; ; attempt++ {
		body, err := p.session.RequestWithBucketID("POST", endpoint, payload, endpoint, discordgo.WithContext(ctx))
		if err == nil {
			var m discordgo.Message
			if err := json.Unmarshal(body, &m); err != nil || m.ID == "" {
				return nil, &bot.PostError{Platform: "discord", Reason: "bad_response", Err: fmt.Errorf("decoding the created message: %w", errOr(err, "no id"))}
			}
			return &m, nil
		}
		pe := classify(p.scrub(err))
		if pe.Permanent || !retryable(pe) || attempt >= p.cfg.PostRetries {
			return nil, pe
		}
		wait := pe.RetryAfter
		if wait <= 0 {
			wait = time.Duration(250<<attempt) * time.Millisecond
		}
		if wait > *waitLeft {
			return nil, pe
		}
		*waitLeft -= wait
		p.log.Info("discord: retrying a post", "channel", channel, "reason", pe.Reason, "wait", wait, "attempt", attempt+1)
		if err := p.sleep(ctx, wait); err != nil {
			return nil, &bot.PostError{Platform: "discord", Reason: "canceled", Err: err}
		}
	}
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}

func retryable(pe *bot.PostError) bool {
	switch pe.Reason {
	case "rate_limited", "server_error", "network":
		return true
	}
	return false
}

// classify turns a scrubbed error into a *bot.PostError.
func classify(err error) *bot.PostError {
	pe := &bot.PostError{Platform: "discord", Reason: "network", Err: err}
	var ae *APIError
	if !errors.As(err, &ae) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			pe.Reason = "canceled"
		}
		return pe
	}
	switch {
	case ae.Status == 429:
		pe.Reason, pe.RetryAfter = "rate_limited", ae.RetryAfter
	case ae.Code == codeMissingAccess:
		pe.Reason, pe.Permanent = "missing_access", true
	case ae.Code == codeMissingPermissions:
		pe.Reason, pe.Permanent = "missing_permissions", true
	case ae.Code == codeUnknownChannel:
		pe.Reason, pe.Permanent = "unknown_channel", true
	case ae.Status == 401:
		pe.Reason, pe.Permanent = "unauthorized", true
	case ae.Status == 403:
		pe.Reason, pe.Permanent = "forbidden", true
	case ae.Status == 404:
		pe.Reason, pe.Permanent = "not_found", true
	case ae.Status >= 500:
		pe.Reason = "server_error"
	default:
		pe.Reason = "rejected"
	}
	return pe
}

// messageLink returns https://discord.com/channels/guild/channel/message,
// looking the channel's guild up once when the message does not say it.
func (p *Platform) messageLink(ctx context.Context, m *discordgo.Message) string {
	guild := m.GuildID
	if guild == "" {
		guild = p.channelGuild(ctx, m.ChannelID)
	}
	if guild == "" || m.ChannelID == "" {
		return ""
	}
	return "https://discord.com/channels/" + guild + "/" + m.ChannelID + "/" + m.ID
}

func (p *Platform) channelGuild(ctx context.Context, channel string) string {
	if channel == "" {
		return ""
	}
	p.mu.Lock()
	g, ok := p.guilds[channel]
	p.mu.Unlock()
	if ok {
		return g
	}
	body, err := p.session.RequestWithBucketID("GET", discordgo.EndpointChannel(channel), nil, discordgo.EndpointChannel(channel), discordgo.WithContext(ctx))
	if err != nil {
		p.log.Debug("discord: looking up a channel's server for a link", "channel", channel, "err", p.scrub(err))
		return ""
	}
	var c struct {
		GuildID string `json:"guild_id"`
	}
	if json.Unmarshal(body, &c) != nil {
		return ""
	}
	g = c.GuildID
	if g == "" {
		g = "@me"
	}
	p.mu.Lock()
	if len(p.guilds) >= maxGuildCache {
		clear(p.guilds)
	}
	p.guilds[channel] = g
	p.mu.Unlock()
	return g
}
