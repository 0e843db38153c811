package commands

import "strings"

// ArgKind is the type of a command argument. Text parsing uses it to assign
// words to arguments; Discord uses it for typed options.
type ArgKind int

// The argument kinds.
const (
	// ArgWord is a single word or a quoted phrase.
	ArgWord ArgKind = iota
	// ArgText takes the rest of the line.
	ArgText
	// ArgTime is a local time of day, HH:MM.
	ArgTime
	// ArgZone is a time zone: an IANA name or a common abbreviation.
	ArgZone
	// ArgDays is a day set: weekdays, daily, or a list such as mon,wed.
	ArgDays
	// ArgURL is an http(s) address.
	ArgURL
	// ArgDuration is a Go-style duration such as 30m or 2h.
	ArgDuration
	// ArgInt is a whole number.
	ArgInt
)

// Completion names the kind of value an argument can be autocompleted from.
type Completion string

// The completions.
const (
	CompleteNone    Completion = ""
	CompleteEntity  Completion = "entity"
	CompleteCountry Completion = "country"
	CompleteTopic   Completion = "topic"
	CompleteZone    Completion = "timezone"
	CompleteStory   Completion = "story"
)

// Arg is one argument of a command.
type Arg struct {
	Name        string
	Kind        ArgKind
	Description string
	Required    bool
	Complete    Completion
	// Choices, when set, are the only accepted values.
	Choices []string
}

// Flag is a boolean switch such as --private.
type Flag struct {
	Name        string
	Description string
}

// Spec describes one subcommand. The table of specs is the single source of
// help text, text parsing and the Discord command definitions.
type Spec struct {
	// Name is the canonical name; two words for grouped commands
	// ("digest preview").
	Name string
	// Aliases are other accepted names.
	Aliases []string
	// Summary is one line (at most 100 characters: Discord's limit).
	Summary string
	// Help is a longer explanation shown by help <command>.
	Help     string
	Args     []Arg
	Flags    []Flag
	Examples []string
	// Ephemeral responses are shown only to the caller by default.
	Ephemeral bool
	// Admin commands are refused to callers who are not admins.
	Admin bool
}

// Group returns the first word of a two-word name ("digest" for "digest
// preview"), or "".
func (s Spec) Group() string {
	g, _, ok := strings.Cut(s.Name, " ")
	if !ok {
		return ""
	}
	return g
}

// Leaf returns the last word of the name.
func (s Spec) Leaf() string {
	if i := strings.LastIndexByte(s.Name, ' '); i >= 0 {
		return s.Name[i+1:]
	}
	return s.Name
}

// Usage returns the usage line, e.g. "/brief meetings [name]".
func (s Spec) Usage() string {
	var b strings.Builder
	b.WriteString("/brief ")
	b.WriteString(s.Name)
	for _, a := range s.Args {
		b.WriteByte(' ')
		if a.Required {
			b.WriteString("<" + a.Name + ">")
		} else {
			b.WriteString("[" + a.Name + "]")
		}
	}
	for _, f := range s.Flags {
		b.WriteString(" [--" + f.Name + "]")
	}
	return b.String()
}

// privateFlag is the flag that makes a briefing visible only to the caller.
func privateFlag() Flag { return Flag{Name: "private", Description: "Show the answer only to you"} }

// Table returns the command table. It is built on each call so that callers
// cannot change a shared copy.
func Table() []Spec {
	return []Spec{
		{Name: "summary", Summary: "The briefing: the most important facts, each cited",
			Help:     "Lists the 5 to 8 most important facts across the stored articles (or one story), newest first, each with the sentence that supports it.",
			Args:     []Arg{{Name: "story", Kind: ArgText, Description: "Limit to one story", Complete: CompleteStory}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief summary", "/brief summary niger"}},
		{Name: "meetings", Aliases: []string{"meeting", "met"}, Summary: "Who met whom: participants with roles, date, place",
			Help:     "Lists meetings, calls and visits: who took part (with roles), when, where and what came of it. Give a name or a country to filter.",
			Args:     []Arg{{Name: "name", Kind: ArgText, Description: "A person, body or country", Complete: CompleteEntity}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief meetings", "/brief meetings campbell", "/brief meetings chad"}},
		{Name: "status", Aliases: []string{"statuses", "stage"}, Summary: "Tracked processes and their stage, dated, with evidence",
			Help:     "Shows tracked processes (withdrawals, agreements) with their current stage, the date of the evidence that set it, and their history.",
			Args:     []Arg{{Name: "topic", Kind: ArgText, Description: "A process, country or word such as withdrawal", Complete: CompleteTopic}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief status", "/brief status withdrawal", "/brief status niger"}},
		{Name: "situation", Aliases: []string{"country"}, Summary: "Everything known about one country, grouped",
			Help:     "Everything the stored articles say about one country: meetings, agreements, withdrawals, threats and other facts, grouped by kind.",
			Args:     []Arg{{Name: "country", Kind: ArgText, Description: "A country", Required: true, Complete: CompleteCountry}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief situation chad", "/brief situation \"Côte d'Ivoire\""}},
		{Name: "timeline", Aliases: []string{"dates", "chronology"}, Summary: "Dated events in order, with resolved dates",
			Help:     "Dated events in chronological order, with relative dates (\"on Friday\", \"last month\") resolved against each article's publication date.",
			Args:     []Arg{{Name: "story", Kind: ArgText, Description: "Limit to one story", Complete: CompleteStory}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief timeline", "/brief timeline niger"}},
		{Name: "who", Aliases: []string{"person", "entity"}, Summary: "One person or body: roles, meetings, statements, articles",
			Args:     []Arg{{Name: "name", Kind: ArgText, Description: "A name (a surname is enough)", Required: true, Complete: CompleteEntity}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief who campbell", "/brief who \"Ali Lamine Zeine\""}},
		{Name: "ask", Aliases: []string{"q", "question"}, Summary: "The facts and sentences that best answer a question",
			Help:     "Ranks stored facts and sentences against your question and quotes the best, with their sources. It finds what the articles say; it does not guess.",
			Args:     []Arg{{Name: "question", Kind: ArgText, Description: "Your question", Required: true}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief ask what did Niger want?", "/brief ask who threatened to annul the SOFA?"}},
		{Name: "sources", Aliases: []string{"articles"}, Summary: "The articles behind the answers",
			Args:     []Arg{{Name: "story", Kind: ArgText, Description: "Limit to one story", Complete: CompleteStory}},
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief sources"}},
		{Name: "stories", Summary: "The stories the articles cluster into",
			Flags:    []Flag{privateFlag()},
			Examples: []string{"/brief stories"}},
		{Name: "digest preview", Summary: "What this channel's next digest would say (only you see it)", Ephemeral: true,
			Examples: []string{"/brief digest preview"}},
		{Name: "digest now", Summary: "Post this channel's digest now (recorded as a manual delivery)",
			Examples: []string{"/brief digest now"}},
		{Name: "subscribe", Summary: "Post a daily digest in this channel at a local time", Ephemeral: true,
			Help: "Subscribes this channel to a digest of what is new. Defaults: 08:00, the workspace's time zone, weekdays. Days: weekdays, daily, or a list such as mon,wed,fri.",
			Args: []Arg{
				{Name: "time", Kind: ArgTime, Description: "Local time, HH:MM (default 08:00)"},
				{Name: "timezone", Kind: ArgZone, Description: "IANA zone such as Europe/Berlin", Complete: CompleteZone},
				{Name: "days", Kind: ArgDays, Description: "weekdays, daily, or e.g. mon,wed,fri",
					Choices: nil},
			},
			Examples: []string{"/brief subscribe", "/brief subscribe 07:30 Europe/Berlin", "/brief subscribe 18:00 America/New_York daily", "/brief subscribe 09:00 UTC mon,wed,fri"}},
		{Name: "unsubscribe", Summary: "Stop this channel's digest", Ephemeral: true,
			Examples: []string{"/brief unsubscribe"}},
		{Name: "subscriptions", Summary: "This channel's digest subscription (admins: all)", Ephemeral: true,
			Flags:    []Flag{{Name: "all", Description: "All subscriptions (admins only)"}},
			Examples: []string{"/brief subscriptions", "/brief subscriptions --all"}},
		{Name: "pause", Summary: "Pause this channel's digest", Ephemeral: true,
			Examples: []string{"/brief pause"}},
		{Name: "resume", Summary: "Resume this channel's paused digest", Ephemeral: true,
			Examples: []string{"/brief resume"}},
		{Name: "history", Summary: "This channel's last digest deliveries", Ephemeral: true,
			Examples: []string{"/brief history"}},
		{Name: "ingest", Summary: "Add an article from a web address (admins)", Ephemeral: true, Admin: true,
			Args:     []Arg{{Name: "url", Kind: ArgURL, Description: "The article's address (http or https)", Required: true}},
			Examples: []string{"/brief ingest https://example.com/news/article.html"}},
		{Name: "feed add", Summary: "Follow an RSS/Atom/JSON feed (admins)", Ephemeral: true, Admin: true,
			Args: []Arg{
				{Name: "url", Kind: ArgURL, Description: "The feed's address", Required: true},
				{Name: "every", Kind: ArgDuration, Description: "How often to poll, e.g. 30m (default 30m)"},
			},
			Examples: []string{"/brief feed add https://example.com/world.rss", "/brief feed add https://example.com/atom.xml 1h"}},
		{Name: "feed list", Summary: "The feeds the bot follows", Ephemeral: true,
			Examples: []string{"/brief feed list"}},
		{Name: "feed remove", Summary: "Stop following a feed (admins)", Ephemeral: true, Admin: true,
			Args:     []Arg{{Name: "url", Kind: ArgURL, Description: "The feed's address", Required: true}},
			Examples: []string{"/brief feed remove https://example.com/world.rss"}},
		{Name: "help", Aliases: []string{"?", "commands"}, Summary: "How to use /brief", Ephemeral: true,
			Args:     []Arg{{Name: "command", Kind: ArgWord, Description: "A subcommand"}},
			Examples: []string{"/brief help", "/brief help status"}},
	}
}

// Lookup returns the spec with the given name or alias.
func Lookup(table []Spec, name string) (Spec, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, s := range table {
		if s.Name == name {
			return s, true
		}
		for _, a := range s.Aliases {
			if a == name {
				return s, true
			}
		}
	}
	return Spec{}, false
}
