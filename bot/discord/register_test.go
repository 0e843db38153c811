package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/commands"
)

func TestRegisterGoldenAndIdempotent(t *testing.T) {
	f := newFakeDiscord(t)
	p, _ := newTestPlatform(t, f, nil)
	changed, err := p.Register(context.Background())
	if err != nil || !changed {
		t.Fatalf("first registration: changed %v, err %v", changed, err)
	}
	puts := f.requests("PUT", "/applications/"+testAppID+"/guilds/"+testGuildID+"/commands")
	if len(puts) != 1 {
		t.Fatalf("%d bulk overwrites, want 1", len(puts))
	}
	compareGolden(t, "register_commands", json.RawMessage(puts[0].Body))

	changed, err = p.Register(context.Background())
	if err != nil || changed {
		t.Fatalf("second registration: changed %v, err %v; want no change", changed, err)
	}
	if n := len(f.requests("PUT", "/commands")); n != 1 {
		t.Errorf("registering twice wrote %d times", n)
	}
}

func TestRegisterRewritesAStaleDefinition(t *testing.T) {
	f := newFakeDiscord(t)
	f.commands["/applications/"+testAppID+"/commands"] = []byte(`[{"id":"1","application_id":"` + testAppID + `","version":"1","type":1,"name":"brief","description":"old","options":[]}]`)
	p, _ := newTestPlatform(t, f, func(c *Config) { c.GuildID = "" })
	changed, err := p.Register(context.Background())
	if err != nil || !changed {
		t.Fatalf("changed %v err %v", changed, err)
	}
	if len(f.requests("PUT", "/api/v9/applications/"+testAppID+"/commands")) != 1 {
		t.Error("the global registration was not rewritten")
	}
}

func TestRegisterMatchesDiscordsEcho(t *testing.T) {
	// Discord answers with ids, versions and defaults the definition does
	// not set; they must not count as a difference.
	want, err := ApplicationCommands(commands.Table())
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(want)
	var raw []map[string]any
	json.Unmarshal(b, &raw)
	for _, c := range raw {
		c["id"], c["application_id"], c["version"], c["default_member_permissions"], c["nsfw"] = "9", testAppID, "3", nil, false
	}
	b, _ = json.Marshal(raw)
	var have []*discordgo.ApplicationCommand
	if err := json.Unmarshal(b, &have); err != nil {
		t.Fatal(err)
	}
	if !sameCommands(have, want) {
		t.Error("Discord's echo of the same definition compares as different")
	}
	have[0].Options[0].Description = "changed"
	if sameCommands(have, want) {
		t.Error("a changed description compares as equal")
	}
}

func TestRegisterPermanentFailure(t *testing.T) {
	f := newFakeDiscord(t)
	f.override = func(method, path string) (int, string, bool) {
		if strings.HasSuffix(path, "/commands") {
			return 401, `{"message":"401: Unauthorized","code":0}`, true
		}
		return 0, "", false
	}
	p, logs := newTestPlatform(t, f, nil)
	_, err := p.Register(context.Background())
	if !bot.IsPermanent(err) {
		t.Fatalf("want a permanent error, got %v", err)
	}
	err = p.Serve(context.Background(), answer(meetingsResponse()))
	if err == nil || !strings.Contains(err.Error(), "unauthorized") {
		t.Errorf("Serve with a revoked token: %v", err)
	}
	if strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
		t.Error("the token leaked")
	}
}

// TestCommandTableFitsDiscord walks the command table and checks every
// name, description and option count against Discord's limits, before and
// after generation.
func TestCommandTableFitsDiscord(t *testing.T) {
	table := commands.Table()
	perLevel := map[string]int{}
	for _, s := range table {
		words := strings.Fields(s.Name)
		if len(words) < 1 || len(words) > 2 {
			t.Errorf("%q: Discord allows a subcommand or a group and a subcommand", s.Name)
		}
		for _, w := range words {
			if err := checkName("subcommand", w); err != nil {
				t.Error(err)
			}
		}
		if n := utf8.RuneCountInString(s.Summary); n < 1 || n > MaxCommandDescriptionLen {
			t.Errorf("%q: summary has %d characters; Discord allows 1 to %d", s.Name, n, MaxCommandDescriptionLen)
		}
		if n := len(s.Args) + len(s.Flags); n > MaxCommandOptions {
			t.Errorf("%q has %d options", s.Name, n)
		}
		for _, a := range s.Args {
			if err := checkName("option", a.Name); err != nil {
				t.Error(err)
			}
			if n := utf8.RuneCountInString(a.Description); n > MaxCommandDescriptionLen {
				t.Errorf("%q option %q: description has %d characters", s.Name, a.Name, n)
			}
			if len(a.Choices) > MaxCommandChoices {
				t.Errorf("%q option %q has %d choices", s.Name, a.Name, len(a.Choices))
			}
		}
		for _, fl := range s.Flags {
			if err := checkName("option", fl.Name); err != nil {
				t.Error(err)
			}
			if n := utf8.RuneCountInString(fl.Description); n > MaxCommandDescriptionLen {
				t.Errorf("%q flag %q: description has %d characters", s.Name, fl.Name, n)
			}
		}
		perLevel[s.Group()]++
	}
	for g, n := range perLevel {
		if n > MaxCommandOptions {
			t.Errorf("level %q has %d subcommands", g, n)
		}
	}
	cmds, err := ApplicationCommands(table)
	if err != nil {
		t.Fatalf("generated definition breaks Discord's limits: %v", err)
	}
	total := textLen(cmds[0].Name) + textLen(cmds[0].Description)
	n, _ := checkOptions(cmds[0].Name, cmds[0].Options, 0)
	t.Logf("/brief: %d top-level options, %d of %d characters", len(cmds[0].Options), total+n, MaxCommandTotalChars)
}

func TestApplicationCommandsShape(t *testing.T) {
	cmds, err := ApplicationCommands(commands.Table())
	if err != nil {
		t.Fatal(err)
	}
	if len(cmds) != 1 || cmds[0].Name != "brief" || cmds[0].Type != discordgo.ChatApplicationCommand {
		t.Fatalf("want one chat command /brief, got %d", len(cmds))
	}
	find := func(opts []*discordgo.ApplicationCommandOption, name string) *discordgo.ApplicationCommandOption {
		for _, o := range opts {
			if o.Name == name {
				return o
			}
		}
		t.Fatalf("no option %q", name)
		return nil
	}
	top := cmds[0].Options
	digest := find(top, "digest")
	if digest.Type != discordgo.ApplicationCommandOptionSubCommandGroup || len(digest.Options) != 2 ||
		find(digest.Options, "preview").Type != discordgo.ApplicationCommandOptionSubCommand {
		t.Errorf("digest group: %+v", digest)
	}
	feed := find(top, "feed")
	add := find(feed.Options, "add")
	if len(feed.Options) != 3 || !find(add.Options, "url").Required || find(add.Options, "every").Required {
		t.Errorf("feed group: %+v", feed)
	}
	meetings := find(top, "meetings")
	if o := find(meetings.Options, "name"); !o.Autocomplete || o.Type != discordgo.ApplicationCommandOptionString || o.Required {
		t.Errorf("meetings name option: %+v", o)
	}
	if o := find(meetings.Options, "private"); o.Type != discordgo.ApplicationCommandOptionBoolean {
		t.Errorf("private flag: %+v", o)
	}
	situation := find(top, "situation")
	if o := situation.Options[0]; o.Name != "country" || !o.Required || !o.Autocomplete {
		t.Errorf("situation: the required country comes first with autocomplete, got %+v", o)
	}
	sub := find(top, "subscribe")
	if o := find(sub.Options, "timezone"); !o.Autocomplete {
		t.Error("subscribe timezone is not autocompleted")
	}
	if o := find(top, "ask").Options[0]; o.Autocomplete {
		t.Error("a free question must not be autocompleted")
	}
}

func TestValidateCommandsRejects(t *testing.T) {
	opt := func(name string, typ discordgo.ApplicationCommandOptionType, req bool) *discordgo.ApplicationCommandOption {
		return &discordgo.ApplicationCommandOption{Type: typ, Name: name, Description: "d", Required: req}
	}
	str := discordgo.ApplicationCommandOptionString
	many := make([]*discordgo.ApplicationCommandOption, 26)
	for i := range many {
		many[i] = opt(string(rune('a'+i%26))+strings.Repeat("x", i/26), str, false)
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 26)
	for i := range choices {
		choices[i] = &discordgo.ApplicationCommandOptionChoice{Name: "c", Value: "c"}
	}
	for _, tc := range []struct {
		name string
		cmd  *discordgo.ApplicationCommand
		want string
	}{
		{"uppercase", &discordgo.ApplicationCommand{Name: "Brief", Description: "d"}, "lowercase"},
		{"long name", &discordgo.ApplicationCommand{Name: strings.Repeat("b", 33), Description: "d"}, "1 to 32"},
		{"no description", &discordgo.ApplicationCommand{Name: "b"}, "description must be"},
		{"long description", &discordgo.ApplicationCommand{Name: "b", Description: strings.Repeat("d", 101)}, "description must be"},
		{"26 options", &discordgo.ApplicationCommand{Name: "b", Description: "d", Options: many}, "26 options"},
		{"required after optional", &discordgo.ApplicationCommand{Name: "b", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("x", str, false), opt("y", str, true)}}, "required options must come before"},
		{"mixed", &discordgo.ApplicationCommand{Name: "b", Description: "d", Options: []*discordgo.ApplicationCommandOption{opt("x", str, false), opt("y", discordgo.ApplicationCommandOptionSubCommand, false)}}, "mixes"},
		{"26 choices", &discordgo.ApplicationCommand{Name: "b", Description: "d", Options: []*discordgo.ApplicationCommandOption{{Type: str, Name: "x", Description: "d", Choices: choices}}}, "26 choices"},
		{"too long overall", &discordgo.ApplicationCommand{Name: "b", Description: strings.Repeat("d", 100), Options: func() []*discordgo.ApplicationCommandOption {
			var subs []*discordgo.ApplicationCommandOption
			for i := 0; i < 25; i++ {
				s := opt(string(rune('a'+i)), discordgo.ApplicationCommandOptionSubCommand, false)
				s.Description = strings.Repeat("d", 100)
				for j := 0; j < 3; j++ {
					o := opt(string(rune('a'+j)), str, false)
					o.Description = strings.Repeat("d", 100)
					s.Options = append(s.Options, o)
				}
				subs = append(subs, s)
			}
			return subs
		}()}, "the limit is 4000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateCommands([]*discordgo.ApplicationCommand{tc.cmd})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}
