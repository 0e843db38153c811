package discord

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/commands"
)

// CommandName is the one slash command: /brief.
const CommandName = "brief"

// commandDescription is /brief's own description.
const commandDescription = "Cited briefings from the news: meetings, statuses, timelines, daily digests"

// Discord's limits for application commands.
const (
	// MaxCommandNameLen is the length limit of a command or option name.
	MaxCommandNameLen = 32
	// MaxCommandDescriptionLen is the length limit of a description.
	MaxCommandDescriptionLen = 100
	// MaxCommandOptions is the number of options (or subcommands) per level.
	MaxCommandOptions = 25
	// MaxCommandChoices is the number of choices of one option.
	MaxCommandChoices = 25
	// MaxCommandChoiceLen is the length limit of a choice name or value.
	MaxCommandChoiceLen = 100
	// MaxCommandTotalChars bounds the combined names, descriptions and
	// choice values of one command.
	MaxCommandTotalChars = 4000
)

// maxLength is the max_length given to a string option of each kind.
func maxLength(k commands.ArgKind) int {
	switch k {
	case commands.ArgText:
		return 1000
	case commands.ArgURL:
		return 2000
	case commands.ArgTime:
		return 8
	case commands.ArgZone, commands.ArgDays:
		return 64
	case commands.ArgDuration:
		return 16
	default:
		return 100
	}
}

// ApplicationCommands returns the /brief definition generated from table:
// one chat command whose subcommands are the table's entries, two-word
// names becoming subcommand groups ("digest preview" → group digest,
// subcommand preview), arguments typed options (required first, with
// choices or autocomplete), and flags boolean options. It fails when the
// result would not pass Discord's limits.
func ApplicationCommands(table []commands.Spec) ([]*discordgo.ApplicationCommand, error) {
	contexts := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	installs := []discordgo.ApplicationIntegrationType{discordgo.ApplicationIntegrationGuildInstall}
	brief := &discordgo.ApplicationCommand{
		Type:             discordgo.ChatApplicationCommand,
		Name:             CommandName,
		Description:      commandDescription,
		Contexts:         &contexts,
		IntegrationTypes: &installs,
	}
	groups := map[string]*discordgo.ApplicationCommandOption{}
	var groupLeaves = map[string][]string{}
	for _, s := range table {
		sub := subcommand(s)
		g := s.Group()
		if g == "" {
			brief.Options = append(brief.Options, sub)
			continue
		}
		grp, ok := groups[g]
		if !ok {
			grp = &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionSubCommandGroup, Name: g}
			groups[g] = grp
			brief.Options = append(brief.Options, grp)
		}
		grp.Options = append(grp.Options, sub)
		groupLeaves[g] = append(groupLeaves[g], s.Leaf())
	}
	for g, grp := range groups {
		grp.Description = describe(upperFirst(g)+": "+strings.Join(groupLeaves[g], ", "), g)
	}
	cmds := []*discordgo.ApplicationCommand{brief}
	if err := ValidateCommands(cmds); err != nil {
		return nil, err
	}
	return cmds, nil
}

func subcommand(s commands.Spec) *discordgo.ApplicationCommandOption {
	sub := &discordgo.ApplicationCommandOption{
		Type:        discordgo.ApplicationCommandOptionSubCommand,
		Name:        s.Leaf(),
		Description: describe(s.Summary, s.Name),
	}
	// Discord requires the required options first.
	args := append([]commands.Arg(nil), s.Args...)
	sort.SliceStable(args, func(i, j int) bool { return args[i].Required && !args[j].Required })
	for _, a := range args {
		o := &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionString,
			Name:        a.Name,
			Description: describe(a.Description, a.Name),
			Required:    a.Required,
		}
		if a.Kind == commands.ArgInt {
			o.Type = discordgo.ApplicationCommandOptionInteger
		} else {
			o.MaxLength = maxLength(a.Kind)
		}
		for _, c := range a.Choices {
			o.Choices = append(o.Choices, &discordgo.ApplicationCommandOptionChoice{Name: c, Value: c})
		}
		o.Autocomplete = len(a.Choices) == 0 && a.Complete != commands.CompleteNone
		sub.Options = append(sub.Options, o)
	}
	for _, f := range s.Flags {
		sub.Options = append(sub.Options, &discordgo.ApplicationCommandOption{
			Type:        discordgo.ApplicationCommandOptionBoolean,
			Name:        f.Name,
			Description: describe(f.Description, f.Name),
		})
	}
	return sub
}

// describe returns a description within Discord's limit, or a generated one
// when d is empty.
func describe(d, name string) string {
	d = strings.Join(strings.Fields(d), " ")
	if d == "" {
		d = upperFirst(name)
	}
	return truncatePlain(d, MaxCommandDescriptionLen)
}

func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// ValidateCommands checks command definitions against Discord's limits:
// names (1–32 lowercase letters, digits, - or _), descriptions (1–100),
// at most 25 options per level and 25 choices per option, required options
// first, subcommands never mixed with plain options, autocomplete never
// with choices, and at most 4,000 characters per command.
func ValidateCommands(cmds []*discordgo.ApplicationCommand) error {
	var errs []error
	seen := map[string]bool{}
	for _, c := range cmds {
		if seen[c.Name] {
			errs = append(errs, fmt.Errorf("command %q is defined twice", c.Name))
		}
		seen[c.Name] = true
		errs = append(errs, checkName("command", c.Name))
		errs = append(errs, checkDescription(c.Name, c.Description))
		total := textLen(c.Name) + textLen(c.Description)
		n, err := checkOptions(c.Name, c.Options, 0)
		total += n
		errs = append(errs, err)
		if total > MaxCommandTotalChars {
			errs = append(errs, fmt.Errorf("command %q has %d characters of names, descriptions and choices; the limit is %d", c.Name, total, MaxCommandTotalChars))
		}
	}
	return errors.Join(errs...)
}

// checkOptions validates one level of options and returns their character
// count. depth 0 is the command's own options.
func checkOptions(path string, opts []*discordgo.ApplicationCommandOption, depth int) (int, error) {
	var errs []error
	if len(opts) > MaxCommandOptions {
		errs = append(errs, fmt.Errorf("%s has %d options; the limit is %d", path, len(opts), MaxCommandOptions))
	}
	total := 0
	names := map[string]bool{}
	subs, plain := 0, 0
	optionalSeen := false
	for _, o := range opts {
		p := path + " " + o.Name
		if names[o.Name] {
			errs = append(errs, fmt.Errorf("%s: option name used twice", p))
		}
		names[o.Name] = true
		errs = append(errs, checkName("option", o.Name), checkDescription(p, o.Description))
		total += textLen(o.Name) + textLen(o.Description)
		switch o.Type {
		case discordgo.ApplicationCommandOptionSubCommandGroup:
			subs++
			if depth != 0 {
				errs = append(errs, fmt.Errorf("%s: a subcommand group may only be at the top level", p))
			}
			for _, so := range o.Options {
				if so.Type != discordgo.ApplicationCommandOptionSubCommand {
					errs = append(errs, fmt.Errorf("%s: a group may only hold subcommands", p))
				}
			}
			n, err := checkOptions(p, o.Options, depth+1)
			total += n
			errs = append(errs, err)
		case discordgo.ApplicationCommandOptionSubCommand:
			subs++
			if depth > 1 {
				errs = append(errs, fmt.Errorf("%s: subcommands nest at most one group deep", p))
			}
			for _, so := range o.Options {
				if so.Type == discordgo.ApplicationCommandOptionSubCommand || so.Type == discordgo.ApplicationCommandOptionSubCommandGroup {
					errs = append(errs, fmt.Errorf("%s: a subcommand may not hold subcommands", p))
				}
			}
			n, err := checkOptions(p, o.Options, depth+1)
			total += n
			errs = append(errs, err)
		default:
			plain++
			if o.Required && optionalSeen {
				errs = append(errs, fmt.Errorf("%s: required options must come before optional ones", p))
			}
			if !o.Required {
				optionalSeen = true
			}
			if len(o.Choices) > MaxCommandChoices {
				errs = append(errs, fmt.Errorf("%s has %d choices; the limit is %d", p, len(o.Choices), MaxCommandChoices))
			}
			if o.Autocomplete && len(o.Choices) > 0 {
				errs = append(errs, fmt.Errorf("%s: autocomplete and choices exclude each other", p))
			}
			for _, ch := range o.Choices {
				v := fmt.Sprint(ch.Value)
				if l := textLen(ch.Name); l < 1 || l > MaxCommandChoiceLen {
					errs = append(errs, fmt.Errorf("%s: choice name %q must be 1 to %d characters", p, ch.Name, MaxCommandChoiceLen))
				}
				if textLen(v) > MaxCommandChoiceLen {
					errs = append(errs, fmt.Errorf("%s: choice value %q is longer than %d characters", p, v, MaxCommandChoiceLen))
				}
				total += textLen(ch.Name) + textLen(v)
			}
			if o.MaxLength > 6000 {
				errs = append(errs, fmt.Errorf("%s: max_length %d exceeds 6000", p, o.MaxLength))
			}
		}
	}
	if subs > 0 && plain > 0 {
		errs = append(errs, fmt.Errorf("%s mixes subcommands with plain options", path))
	}
	return total, errors.Join(errs...)
}

func checkName(what, name string) error {
	if n := utf8.RuneCountInString(name); n < 1 || n > MaxCommandNameLen {
		return fmt.Errorf("%s name %q must be 1 to %d characters", what, name, MaxCommandNameLen)
	}
	for _, r := range name {
		switch {
		case r == '-' || r == '_':
		case unicode.IsLetter(r) && !unicode.IsUpper(r):
		case unicode.IsDigit(r):
		default:
			return fmt.Errorf("%s name %q may hold only lowercase letters, digits, - and _", what, name)
		}
	}
	return nil
}

func checkDescription(path, d string) error {
	if n := textLen(d); n < 1 || n > MaxCommandDescriptionLen {
		return fmt.Errorf("%s: description must be 1 to %d characters, has %d", path, MaxCommandDescriptionLen, n)
	}
	return nil
}

// Register makes Discord's /brief match the command table by bulk
// overwrite: guild-scoped when a guild id is configured, global otherwise.
// It reads the current registration first and writes nothing when it
// already matches, so registering twice changes nothing. It reports
// whether it wrote. Failures are *bot.PostError values, permanent for a
// bad token or missing access.
func (p *Platform) Register(ctx context.Context) (changed bool, err error) {
	if p.cfg.BotToken == "" {
		return false, &bot.PostError{Platform: "discord", Reason: "no_token", Permanent: true, Err: errors.New("registering commands needs the bot token")}
	}
	want, err := ApplicationCommands(p.table)
	if err != nil {
		return false, err
	}
	have, err := p.session.ApplicationCommands(p.cfg.ApplicationID, p.cfg.GuildID, discordgo.WithContext(ctx))
	if err != nil {
		pe := classify(p.scrub(err))
		if pe.Permanent {
			return false, pe
		}
		p.log.Warn("discord: reading the registered commands failed; overwriting", "err", pe)
	} else if sameCommands(have, want) {
		return false, nil
	}
	if _, err := p.session.ApplicationCommandBulkOverwrite(p.cfg.ApplicationID, p.cfg.GuildID, want, discordgo.WithContext(ctx)); err != nil {
		return false, classify(p.scrub(err))
	}
	return true, nil
}

// canonCommand is the part of a command definition briefbot sets, for
// comparing what Discord has with what the table says.
type canonCommand struct {
	Type        discordgo.ApplicationCommandType
	Name        string
	Description string
	Contexts    []discordgo.InteractionContextType
	Options     []canonOption
}

type canonOption struct {
	Type         discordgo.ApplicationCommandOptionType
	Name         string
	Description  string
	Required     bool
	Autocomplete bool
	MaxLength    int
	Choices      []string
	Options      []canonOption
}

func canonCommands(cmds []*discordgo.ApplicationCommand) []canonCommand {
	out := make([]canonCommand, 0, len(cmds))
	for _, c := range cmds {
		if c == nil {
			continue
		}
		cc := canonCommand{Type: c.Type, Name: c.Name, Description: c.Description, Options: canonOptions(c.Options)}
		if cc.Type == 0 {
			cc.Type = discordgo.ChatApplicationCommand
		}
		if c.Contexts != nil {
			cc.Contexts = append(cc.Contexts, *c.Contexts...)
			sort.Slice(cc.Contexts, func(i, j int) bool { return cc.Contexts[i] < cc.Contexts[j] })
		}
		out = append(out, cc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func canonOptions(opts []*discordgo.ApplicationCommandOption) []canonOption {
	var out []canonOption
	for _, o := range opts {
		if o == nil {
			continue
		}
		co := canonOption{Type: o.Type, Name: o.Name, Description: o.Description, Required: o.Required,
			Autocomplete: o.Autocomplete, MaxLength: o.MaxLength, Options: canonOptions(o.Options)}
		for _, c := range o.Choices {
			co.Choices = append(co.Choices, c.Name+"="+fmt.Sprint(c.Value))
		}
		out = append(out, co)
	}
	return out
}

func sameCommands(have, want []*discordgo.ApplicationCommand) bool {
	return reflect.DeepEqual(canonCommands(have), canonCommands(want))
}
