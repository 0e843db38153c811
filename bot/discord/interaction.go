package discord

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Bounds on what one interaction may carry.
const (
	// maxOptions is Discord's limit of options per level.
	maxOptions = 25
	// maxOptionValue bounds one option value (Discord allows 6,000 for a
	// string option; no briefing request needs more than the text limit).
	maxOptionValue = commands.MaxCommandText
	// maxChoices is Discord's limit of autocomplete choices.
	maxChoices = 25
	// maxChoiceLen is Discord's limit of a choice's name and value.
	maxChoiceLen = 100
	// maxPrefix bounds the text an autocomplete lookup receives.
	maxPrefix = 100
)

// wireInteraction is the part of an interaction payload briefbot reads,
// decoded in one pass (discordgo's own decoder parses the payload twice).
type wireInteraction struct {
	ID        string                    `json:"id"`
	AppID     string                    `json:"application_id"`
	Type      discordgo.InteractionType `json:"type"`
	Token     string                    `json:"token"`
	GuildID   string                    `json:"guild_id"`
	ChannelID string                    `json:"channel_id"`
	Locale    discordgo.Locale          `json:"locale"`
	Member    *wireMember               `json:"member"`
	User      *wireUser                 `json:"user"`
	Data      *wireData                 `json:"data"`
}

type wireMember struct {
	User        *wireUser `json:"user"`
	Roles       []string  `json:"roles"`
	Permissions int64     `json:"permissions,string"`
}

type wireUser struct {
	ID string `json:"id"`
}

type wireData struct {
	ID      string                                               `json:"id"`
	Name    string                                               `json:"name"`
	Type    discordgo.ApplicationCommandType                     `json:"type"`
	Options []*discordgo.ApplicationCommandInteractionDataOption `json:"options"`
}

// DecodeInteraction reads an interaction payload. It accepts the types
// briefbot answers (ping, command, autocomplete) and rejects anything else,
// and everything malformed, with an error.
func DecodeInteraction(body []byte) (*discordgo.Interaction, error) {
	if len(body) > MaxInteractionBody {
		return nil, fmt.Errorf("interaction of %d bytes exceeds the limit of %d", len(body), MaxInteractionBody)
	}
	var w wireInteraction
	if err := decodeWire(body, &w); err != nil {
		return nil, fmt.Errorf("decoding the interaction: %w", err)
	}
	i := &discordgo.Interaction{
		ID: w.ID, AppID: w.AppID, Type: w.Type, Token: w.Token,
		GuildID: w.GuildID, ChannelID: w.ChannelID, Locale: w.Locale,
	}
	if w.Member != nil {
		i.Member = &discordgo.Member{Roles: w.Member.Roles, Permissions: w.Member.Permissions}
		if w.Member.User != nil {
			i.Member.User = &discordgo.User{ID: w.Member.User.ID}
		}
	}
	if w.User != nil {
		i.User = &discordgo.User{ID: w.User.ID}
	}
	switch i.Type {
	case discordgo.InteractionPing:
		return i, nil
	case discordgo.InteractionApplicationCommand, discordgo.InteractionApplicationCommandAutocomplete:
	default:
		return nil, fmt.Errorf("unsupported interaction type %d", i.Type)
	}
	if i.ID == "" || i.Token == "" {
		return nil, errors.New("the interaction has no id or token")
	}
	if w.Data == nil {
		return nil, errors.New("the interaction has no command data")
	}
	i.Data = discordgo.ApplicationCommandInteractionData{ID: w.Data.ID, Name: w.Data.Name, CommandType: w.Data.Type, Options: w.Data.Options}
	return i, nil
}

// invocation is the subcommand an interaction names, with its options.
type invocation struct {
	spec commands.Spec
	opts []*discordgo.ApplicationCommandInteractionDataOption
}

// resolve finds the subcommand of a /brief interaction.
func (p *Platform) resolve(i *discordgo.Interaction) (invocation, error) {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return invocation{}, briefings.Errorf(briefings.CodeInvalid, "that interaction is not a command")
	}
	if data.Name != CommandName {
		return invocation{}, briefings.Errorf(briefings.CodeInvalid, "I only answer /%s; type `/%s help`", CommandName, CommandName)
	}
	if len(data.Options) != 1 || data.Options[0] == nil {
		return invocation{}, briefings.Errorf(briefings.CodeInvalid, "pick a subcommand, for example `/%s summary`; type `/%s help` for the list", CommandName, CommandName)
	}
	o := data.Options[0]
	name := o.Name
	opts := o.Options
	switch o.Type {
	case discordgo.ApplicationCommandOptionSubCommand:
	case discordgo.ApplicationCommandOptionSubCommandGroup:
		if len(o.Options) != 1 || o.Options[0] == nil || o.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand {
			return invocation{}, briefings.Errorf(briefings.CodeInvalid, "`%s` needs a subcommand; type `/%s help`", clip(o.Name, 32), CommandName)
		}
		name = o.Name + " " + o.Options[0].Name
		opts = o.Options[0].Options
	default:
		return invocation{}, briefings.Errorf(briefings.CodeInvalid, "pick a subcommand, for example `/%s summary`", CommandName)
	}
	spec, ok := specByName(p.table, name)
	if !ok {
		return invocation{}, briefings.Errorf(briefings.CodeInvalid, "I don't know `/%s %s`: this server's command list may be out of date (an admin can run `briefbot discord register`); type `/%s help`", CommandName, clip(name, 40), CommandName)
	}
	if len(opts) > maxOptions {
		return invocation{}, briefings.Errorf(briefings.CodeInvalid, "too many options (%d)", len(opts))
	}
	return invocation{spec: spec, opts: opts}, nil
}

func specByName(table []commands.Spec, name string) (commands.Spec, bool) {
	for _, s := range table {
		if s.Name == name {
			return s, true
		}
	}
	return commands.Spec{}, false
}

// Request converts a /brief interaction into a commands.Request: the
// subcommand (groups become two-word names such as "digest preview"), typed
// options stored by name, flags as "true", the caller's admin right, and
// the guild, channel and user ids.
func (p *Platform) Request(i *discordgo.Interaction) (commands.Request, commands.Spec, error) {
	inv, err := p.resolve(i)
	if err != nil {
		return commands.Request{}, commands.Spec{}, err
	}
	spec := inv.spec
	opts := make(map[string]string, len(inv.opts))
	for _, o := range inv.opts {
		if o == nil {
			continue
		}
		if a, ok := argByName(spec, o.Name); ok {
			v, err := optionString(o)
			if err != nil {
				return commands.Request{}, spec, briefings.Errorf(briefings.CodeInvalid, "option `%s`: %s", a.Name, err.Error())
			}
			if v = strings.TrimSpace(v); v != "" {
				opts[a.Name] = v
			}
			continue
		}
		if f, ok := flagByName(spec, o.Name); ok {
			if b, _ := o.Value.(bool); b {
				opts[f.Name] = "true"
			}
			continue
		}
		return commands.Request{}, spec, briefings.Errorf(briefings.CodeInvalid, "`%s` has no option `%s`; usage: `%s`", spec.Name, clip(o.Name, 32), spec.Usage())
	}
	var args []string
	for _, a := range spec.Args {
		v, ok := opts[a.Name]
		if !ok {
			if a.Required {
				return commands.Request{}, spec, briefings.Errorf(briefings.CodeInvalid, "`%s` needs the option `%s` (%s); usage: `%s`", spec.Name, a.Name, strings.ToLower(a.Description), spec.Usage())
			}
			continue
		}
		args = append(args, v)
	}
	req := commands.Request{
		Platform:  "discord",
		Workspace: i.GuildID,
		Channel:   i.ChannelID,
		User:      userID(i),
		Command:   spec.Name,
		Args:      args,
		Options:   opts,
		Text:      commandText(spec, opts),
		Admin:     p.isAdmin(i),
		Locale:    string(i.Locale),
		Now:       p.cfg.Clock.Now(),
	}
	return req, spec, nil
}

func argByName(s commands.Spec, name string) (commands.Arg, bool) {
	for _, a := range s.Args {
		if a.Name == name {
			return a, true
		}
	}
	return commands.Arg{}, false
}

func flagByName(s commands.Spec, name string) (commands.Flag, bool) {
	for _, f := range s.Flags {
		if f.Name == name {
			return f, true
		}
	}
	return commands.Flag{}, false
}

// optionString returns a typed option's value as text.
func optionString(o *discordgo.ApplicationCommandInteractionDataOption) (string, error) {
	switch v := o.Value.(type) {
	case string:
		if !utf8.ValidString(v) {
			return "", errors.New("not valid text")
		}
		if n := utf8.RuneCountInString(v); n > maxOptionValue {
			return "", fmt.Errorf("%d characters; the limit is %d", n, maxOptionValue)
		}
		return v, nil
	case float64:
		if v != float64(int64(v)) {
			return strconv.FormatFloat(v, 'f', -1, 64), nil
		}
		return strconv.FormatInt(int64(v), 10), nil
	case bool:
		return strconv.FormatBool(v), nil
	case nil:
		return "", nil
	}
	return "", errors.New("unsupported value")
}

// commandText is the text form of the invocation ("meetings campbell
// --private"), for diagnostics.
func commandText(spec commands.Spec, opts map[string]string) string {
	var b strings.Builder
	b.WriteString(spec.Name)
	for _, a := range spec.Args {
		v, ok := opts[a.Name]
		if !ok {
			continue
		}
		b.WriteByte(' ')
		if strings.ContainsAny(v, " \t\n") && !strings.Contains(v, `"`) {
			b.WriteString(`"` + v + `"`)
		} else {
			b.WriteString(v)
		}
	}
	for _, f := range spec.Flags {
		if opts[f.Name] == "true" {
			b.WriteString(" --" + f.Name)
		}
	}
	return b.String()
}

func userID(i *discordgo.Interaction) string {
	if i.Member != nil && i.Member.User != nil {
		return i.Member.User.ID
	}
	if i.User != nil {
		return i.User.ID
	}
	return ""
}

// isAdmin applies the admin rule: Manage Server or Administrator in the
// channel, or one of the configured roles. Outside a server nobody is admin.
func (p *Platform) isAdmin(i *discordgo.Interaction) bool {
	m := i.Member
	if m == nil || i.GuildID == "" {
		return false
	}
	if m.Permissions&(discordgo.PermissionManageGuild|discordgo.PermissionAdministrator) != 0 {
		return true
	}
	for _, r := range m.Roles {
		for _, a := range p.cfg.AdminRoleIDs {
			if r == a {
				return true
			}
		}
	}
	return false
}

// result is a handler's answer.
type result struct {
	resp commands.Response
	err  error
}

// autocompleteResponse is a type 8 response; discordgo's type would omit an
// empty choice list.
type autocompleteResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data autocompleteData                  `json:"data"`
}

type autocompleteData struct {
	Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
}

// respondFunc sends an interaction's initial response: into the HTTP
// response, or to the callback endpoint. answer calls it exactly once;
// more says that work for this interaction goes on after the response
// (a deferred answer, follow-ups).
type respondFunc func(initial any, more bool) error

// answer runs one interaction to its end. PING gets PONG, autocomplete its
// choices, and a command its answer: the handler runs on the caller's
// goroutine, and when it has not answered within AnswerBudget a timer sends
// the deferral (type 5) in the meantime; the answer then edits the original
// response. Further messages of a long answer follow as follow-ups.
func (p *Platform) answer(ctx context.Context, i *discordgo.Interaction, h commands.Handler, respond respondFunc) {
	switch i.Type {
	case discordgo.InteractionPing:
		p.respondOrLog(i, respond, &discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong}, false)
		return
	case discordgo.InteractionApplicationCommandAutocomplete:
		p.respondOrLog(i, respond, p.autocomplete(ctx, i), false)
		return
	}
	req, spec, err := p.Request(i)
	if err != nil {
		resp, _ := RenderInteraction(p.errorResponse(err, i))
		p.respondOrLog(i, respond, resp, false)
		return
	}
	if !p.inflight.add() {
		resp, _ := RenderInteraction(busyResponse("I'm restarting; try again in a moment."))
		p.respondOrLog(i, respond, resp, false)
		return
	}
	defer p.inflight.done()
	select {
	case p.sem <- struct{}{}:
	default:
		resp, _ := RenderInteraction(busyResponse("I'm answering many questions right now; try again in a moment."))
		p.respondOrLog(i, respond, resp, false)
		return
	}
	defer func() { <-p.sem }()
	hctx, cancel := context.WithTimeout(p.life, p.cfg.HandlerTimeout)
	defer cancel()

	private := spec.Ephemeral || req.Flag("private")
	var mu sync.Mutex
	answered, late := false, false
	deferred := make(chan error, 1)
	timer := time.AfterFunc(p.cfg.AnswerBudget, func() {
		mu.Lock()
		if answered {
			mu.Unlock()
			return
		}
		late = true
		mu.Unlock()
		d := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}
		if private {
			d.Data = &discordgo.InteractionResponseData{Flags: EphemeralFlag}
		}
		deferred <- respond(d, true)
	})
	r := p.finish(p.call(hctx, h, req), i)
	if private {
		// Asked for privately (or private by nature): never shown to all.
		r.Visibility = commands.Ephemeral
	}
	mu.Lock()
	answered = true
	wasLate := late
	mu.Unlock()
	if !wasLate {
		timer.Stop()
		first, follow := RenderInteraction(r)
		if p.respondOrLog(i, respond, first, len(follow) > 0) {
			p.followUp(p.life, i, follow)
		}
		return
	}
	if err := <-deferred; err != nil {
		p.log.Error("discord: deferring an interaction", "command", commandName(i), "err", p.scrub(err, i.Token))
		return
	}
	p.completeDeferred(p.life, i, r, private)
}

// respondOrLog sends the initial response and reports whether it went out.
func (p *Platform) respondOrLog(i *discordgo.Interaction, respond respondFunc, v any, more bool) bool {
	if err := respond(v, more); err != nil {
		p.log.Error("discord: answering an interaction", "command", commandName(i), "err", p.scrub(err, i.Token))
		return false
	}
	return true
}

// call runs the handler, turning a panic into an internal error.
func (p *Platform) call(ctx context.Context, h commands.Handler, req commands.Request) (res result) {
	defer func() {
		if v := recover(); v != nil {
			res = result{err: fmt.Errorf("handler panic: %v", v)}
		}
	}()
	resp, err := h.Handle(ctx, req)
	return result{resp: resp, err: err}
}

// finish turns a handler result into the response to render.
func (p *Platform) finish(res result, i *discordgo.Interaction) commands.Response {
	if res.err != nil {
		return p.errorResponse(res.err, i)
	}
	return res.resp
}

// completeDeferred delivers a deferred answer: it edits the original
// response, or, when a public deferral must become a private answer,
// deletes it and sends the answer as an ephemeral follow-up.
func (p *Platform) completeDeferred(ctx context.Context, i *discordgo.Interaction, r commands.Response, deferredPrivate bool) {
	first, follow := RenderInteraction(r)
	if r.Visibility == commands.Ephemeral && !deferredPrivate {
		if err := p.webhookCall(ctx, i, "DELETE", messageEndpoint(i, "@original"), nil); err != nil {
			p.log.Warn("discord: deleting the deferred response", "err", err)
		}
		all := append([]*discordgo.WebhookParams{{
			Content: first.Data.Content, Embeds: first.Data.Embeds,
			AllowedMentions: first.Data.AllowedMentions, Flags: EphemeralFlag,
		}}, follow...)
		p.followUp(ctx, i, all)
		return
	}
	content := first.Data.Content
	embeds := first.Data.Embeds
	edit := &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, AllowedMentions: first.Data.AllowedMentions}
	if err := p.webhookCall(ctx, i, "PATCH", messageEndpoint(i, "@original"), edit); err != nil {
		p.log.Error("discord: editing the deferred response", "command", commandName(i), "err", err)
		return
	}
	p.followUp(ctx, i, follow)
}

// followUp sends the further messages of a long answer.
func (p *Platform) followUp(ctx context.Context, i *discordgo.Interaction, msgs []*discordgo.WebhookParams) {
	for _, m := range msgs {
		if err := p.webhookCall(ctx, i, "POST", discordgo.EndpointWebhookToken(i.AppID, i.Token)+"?wait=true", m); err != nil {
			p.log.Error("discord: sending a follow-up message", "command", commandName(i), "err", err)
			return
		}
	}
}

func messageEndpoint(i *discordgo.Interaction, id string) string {
	return discordgo.EndpointWebhookMessage(i.AppID, i.Token, id)
}

// webhookBucket is the rate-limit bucket of all interaction webhook calls.
// discordgo keys buckets by URL, which holds the token: one bucket per
// interaction would grow its bucket map forever.
const webhookBucket = "interaction-webhooks"

// webhookCall sends one request to an interaction's webhook endpoints. The
// error never contains the token.
func (p *Platform) webhookCall(ctx context.Context, i *discordgo.Interaction, method, endpoint string, data any) error {
	if !isSnowflake(i.AppID) {
		return errors.New("the interaction has no application id")
	}
	_, err := p.session.RequestWithBucketID(method, endpoint, data, webhookBucket, discordgo.WithContext(ctx))
	if err != nil {
		return p.scrub(err, i.Token)
	}
	return nil
}

// handleGateway answers an interaction that arrived over the Gateway: the
// initial response goes to the interaction callback endpoint.
func (p *Platform) handleGateway(i *discordgo.Interaction, h commands.Handler) {
	p.answer(p.life, i, h, func(initial any, _ bool) error {
		ctx, cancel := context.WithTimeout(p.life, discordgo.InteractionDeadline)
		defer cancel()
		_, err := p.session.RequestWithBucketID("POST", discordgo.EndpointInteractionResponse(i.ID, i.Token), initial, "interaction-callback", discordgo.WithContext(ctx))
		return err
	})
}

func commandName(i *discordgo.Interaction) string {
	data, ok := i.Data.(discordgo.ApplicationCommandInteractionData)
	if !ok {
		return ""
	}
	name := data.Name
	if len(data.Options) == 1 && data.Options[0] != nil {
		name += " " + data.Options[0].Name
		if data.Options[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup && len(data.Options[0].Options) == 1 && data.Options[0].Options[0] != nil {
			name += " " + data.Options[0].Options[0].Name
		}
	}
	return clip(name, 80)
}

// autocomplete answers a type 4 interaction with up to 25 suggestions for
// the focused option, from the Completer for entity, country, topic, story
// and time zone arguments, or from the argument's fixed choices.
func (p *Platform) autocomplete(ctx context.Context, i *discordgo.Interaction) *autocompleteResponse {
	resp := &autocompleteResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult, Data: autocompleteData{Choices: []*discordgo.ApplicationCommandOptionChoice{}}}
	inv, err := p.resolve(i)
	if err != nil {
		return resp
	}
	var focused *discordgo.ApplicationCommandInteractionDataOption
	for _, o := range inv.opts {
		if o != nil && o.Focused {
			focused = o
			break
		}
	}
	if focused == nil {
		return resp
	}
	arg, ok := argByName(inv.spec, focused.Name)
	if !ok {
		return resp
	}
	prefix, _ := focused.Value.(string)
	prefix = strings.TrimSpace(prefix)
	if utf8.RuneCountInString(prefix) > maxPrefix {
		prefix = string([]rune(prefix)[:maxPrefix])
	}
	var values []string
	switch {
	case len(arg.Choices) > 0:
		lp := strings.ToLower(prefix)
		for _, c := range arg.Choices {
			if strings.HasPrefix(strings.ToLower(c), lp) {
				values = append(values, c)
			}
		}
	case arg.Complete != commands.CompleteNone && p.cfg.Completer != nil:
		cctx, cancel := context.WithTimeout(ctx, p.cfg.AutocompleteBudget)
		vs, err := p.cfg.Completer.Complete(cctx, arg.Complete, prefix, maxChoices)
		cancel()
		if err != nil {
			p.log.Warn("discord: autocomplete failed", "kind", string(arg.Complete), "err", err)
			return resp
		}
		values = vs
	}
	seen := map[string]bool{}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" || seen[v] || !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxChoiceLen {
			continue
		}
		seen[v] = true
		resp.Data.Choices = append(resp.Data.Choices, &discordgo.ApplicationCommandOptionChoice{Name: v, Value: v})
		if len(resp.Data.Choices) == maxChoices {
			break
		}
	}
	return resp
}
