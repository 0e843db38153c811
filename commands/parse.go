package commands

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// MaxCommandText bounds the text after /brief. Slack allows far longer
// messages, but no real briefing request needs more.
const MaxCommandText = 2000

// MaxArgs bounds the number of words in a command.
const MaxArgs = 64

// Parsed is a command line split into its spec, named options and raw args.
type Parsed struct {
	Spec    Spec
	Options map[string]string
	Args    []string
}

var timeRe = regexp.MustCompile(`^([01]?\d|2[0-3])[:.h]?([0-5]\d)$`)

// Tokenize splits text into words, keeping quoted phrases ("..." or “...”
// or '...') together. An unbalanced quote runs to the end of the text.
func Tokenize(text string) []string {
	var out []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range text {
		switch {
		case quote != 0:
			if r == quote || (quote == '“' && r == '”') {
				quote = 0
				continue
			}
			cur.WriteRune(r)
		case r == '"' || r == '“' || (r == '\'' && !inWord):
			quote = r
			inWord = true
		case unicode.IsSpace(r):
			if inWord {
				out = append(out, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		out = append(out, cur.String())
	}
	return out
}

// Parse reads the text after /brief against the table. An empty text is the
// summary. Unknown commands and bad arguments return a *briefings.Error with
// CodeInvalid whose message says what to type instead.
func Parse(table []Spec, text string) (Parsed, error) {
	if utf8.RuneCountInString(text) > MaxCommandText {
		return Parsed{}, briefings.Errorf(briefings.CodeInvalid, "that command is %d characters long; the limit is %d", utf8.RuneCountInString(text), MaxCommandText)
	}
	text = strings.TrimSpace(text)
	if rest, ok := strings.CutPrefix(text, "/brief"); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
		text = rest
	}
	words := Tokenize(text)
	if len(words) > MaxArgs {
		return Parsed{}, briefings.Errorf(briefings.CodeInvalid, "that command has %d words; the limit is %d", len(words), MaxArgs)
	}
	if len(words) == 0 {
		s, _ := Lookup(table, "summary")
		return Parsed{Spec: s, Options: map[string]string{}}, nil
	}
	// Flags may appear anywhere.
	flags := map[string]string{}
	rest := words[:0:0]
	for _, w := range words {
		if strings.HasPrefix(w, "--") && len(w) > 2 {
			flags[strings.ToLower(w[2:])] = "true"
			continue
		}
		rest = append(rest, w)
	}
	words = rest
	if len(words) == 0 {
		s, _ := Lookup(table, "summary")
		return bindFlags(Parsed{Spec: s, Options: map[string]string{}}, flags)
	}
	name := strings.ToLower(words[0])
	args := words[1:]
	spec, ok := Lookup(table, name)
	if !ok && len(words) > 1 {
		// Two-word commands: "digest preview", "feed add".
		spec, ok = Lookup(table, name+" "+strings.ToLower(words[1]))
		if ok {
			args = words[2:]
		}
	}
	if !ok {
		if groupSpecs := groupMembers(table, name); len(groupSpecs) > 0 {
			return Parsed{}, briefings.Errorf(briefings.CodeInvalid, "`%s` needs one of: %s", name, strings.Join(groupSpecs, ", "))
		}
		msg := fmt.Sprintf("I don't know the command `%s`.", truncate(name, 40))
		if s := Suggest(table, name); s != "" {
			msg += fmt.Sprintf(" Did you mean `%s`?", s)
		}
		msg += " Type `/brief help` for the list."
		return Parsed{}, &briefings.Error{Code: briefings.CodeInvalid, Msg: msg}
	}
	p := Parsed{Spec: spec, Options: map[string]string{}, Args: args}
	if err := bindArgs(&p, args); err != nil {
		return Parsed{}, err
	}
	return bindFlags(p, flags)
}

func groupMembers(table []Spec, group string) []string {
	var out []string
	for _, s := range table {
		if s.Group() == group {
			out = append(out, "`"+s.Name+"`")
		}
	}
	return out
}

func bindFlags(p Parsed, flags map[string]string) (Parsed, error) {
	for f := range flags {
		known := false
		for _, sf := range p.Spec.Flags {
			if sf.Name == f {
				known = true
			}
		}
		if !known {
			if len(p.Spec.Flags) == 0 {
				return Parsed{}, briefings.Errorf(briefings.CodeInvalid, "`%s` takes no flags (you wrote --%s); usage: `%s`", p.Spec.Name, truncate(f, 30), p.Spec.Usage())
			}
			return Parsed{}, briefings.Errorf(briefings.CodeInvalid, "unknown flag --%s for `%s`; usage: `%s`", truncate(f, 30), p.Spec.Name, p.Spec.Usage())
		}
		p.Options[f] = "true"
	}
	return p, nil
}

// bindArgs stores positional words under their argument names. Text
// arguments take the rest of the line; typed arguments take the first word
// that looks like their kind, so "subscribe Europe/Berlin 07:30" works in
// either order.
func bindArgs(p *Parsed, words []string) error {
	spec := p.Spec
	if len(spec.Args) == 0 {
		if len(words) > 0 {
			return briefings.Errorf(briefings.CodeInvalid, "`%s` takes no arguments (you wrote %q); usage: `%s`", spec.Name, truncate(strings.Join(words, " "), 40), spec.Usage())
		}
		return nil
	}
	if len(spec.Args) == 1 && (spec.Args[0].Kind == ArgText) {
		if len(words) > 0 {
			p.Options[spec.Args[0].Name] = strings.Join(words, " ")
		}
		return checkRequired(p)
	}
	for _, w := range words {
		placed := false
		for _, a := range spec.Args {
			if _, done := p.Options[a.Name]; done {
				continue
			}
			if accepts(a, w) {
				p.Options[a.Name] = w
				placed = true
				break
			}
		}
		if !placed {
			return badArg(spec, w)
		}
	}
	return checkRequired(p)
}

func badArg(spec Spec, w string) error {
	for _, a := range spec.Args {
		switch a.Kind {
		case ArgTime:
			if strings.ContainsAny(w, ":.") && strings.IndexFunc(w, unicode.IsDigit) >= 0 {
				return briefings.Errorf(briefings.CodeInvalid, "%q is not a time of day; write it as HH:MM on a 24-hour clock, for example `%s`", truncate(w, 20), firstExample(spec))
			}
		case ArgURL:
			return briefings.Errorf(briefings.CodeInvalid, "%q is not a web address; it must start with http:// or https://, for example `%s`", truncate(w, 60), firstExample(spec))
		}
	}
	return briefings.Errorf(briefings.CodeInvalid, "I don't understand %q here; usage: `%s` (for example `%s`)", truncate(w, 40), spec.Usage(), firstExample(spec))
}

func firstExample(s Spec) string {
	if len(s.Examples) > 1 {
		return s.Examples[1]
	}
	if len(s.Examples) == 1 {
		return s.Examples[0]
	}
	return s.Usage()
}

func checkRequired(p *Parsed) error {
	for _, a := range p.Spec.Args {
		if a.Required && p.Options[a.Name] == "" {
			what := article(a.Name)
			if d := strings.ToLower(a.Description); d != "a "+a.Name && d != "an "+a.Name && d != "" {
				what += " (" + d + ")"
			}
			example := p.Spec.Usage()
			if len(p.Spec.Examples) > 0 {
				example = p.Spec.Examples[0]
			}
			return briefings.Errorf(briefings.CodeInvalid, "`%s` needs %s; usage: `%s`, for example `%s`", p.Spec.Name, what, p.Spec.Usage(), example)
		}
	}
	return nil
}

func article(name string) string {
	if strings.ContainsRune("aeiou", rune(name[0])) {
		return "an " + name
	}
	return "a " + name
}

// accepts reports whether word w can be the value of argument a.
func accepts(a Arg, w string) bool {
	if len(a.Choices) > 0 {
		for _, c := range a.Choices {
			if strings.EqualFold(c, w) {
				return true
			}
		}
		return false
	}
	switch a.Kind {
	case ArgTime:
		return timeRe.MatchString(w)
	case ArgDays:
		return LooksLikeDays(w)
	case ArgURL:
		lw := strings.ToLower(w)
		return strings.HasPrefix(lw, "http://") || strings.HasPrefix(lw, "https://")
	case ArgDuration:
		return durationRe.MatchString(w)
	case ArgInt:
		for _, r := range w {
			if r < '0' || r > '9' {
				return false
			}
		}
		return w != ""
	case ArgZone:
		// Anything that is not a time or a day set may be a zone; the
		// handler checks it against the zone database.
		return !timeRe.MatchString(w) && !LooksLikeDays(w) && strings.IndexFunc(w, unicode.IsLetter) >= 0
	}
	return true
}

var durationRe = regexp.MustCompile(`^\d+(\.\d+)?(s|m|h|d)$`)

// ParseTimeOfDay reads HH:MM (also H:MM, HHMM, HH.MM, HHhMM) into hour and
// minute.
func ParseTimeOfDay(s string) (hour, minute int, err error) {
	m := timeRe.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, 0, briefings.Errorf(briefings.CodeInvalid, "%q is not a time of day; write it as HH:MM on a 24-hour clock, for example 07:30 or 18:00", truncate(s, 20))
	}
	fmt.Sscanf(m[1], "%d", &hour)
	fmt.Sscanf(m[2], "%d", &minute)
	return hour, minute, nil
}

// dayNumber returns the weekday number (0 = Sunday) a day name means.
func dayNumber(w string) (int, bool) {
	switch w {
	case "sun", "sunday":
		return 0, true
	case "mon", "monday":
		return 1, true
	case "tue", "tues", "tuesday":
		return 2, true
	case "wed", "wednesday":
		return 3, true
	case "thu", "thur", "thurs", "thursday":
		return 4, true
	case "fri", "friday":
		return 5, true
	case "sat", "saturday":
		return 6, true
	}
	return 0, false
}

// LooksLikeDays reports whether w is a day set: weekdays, weekends, daily,
// everyday, or a comma list of day names.
func LooksLikeDays(w string) bool {
	_, err := ParseDays(w)
	return err == nil
}

// ParseDays reads a day set into the list of weekday numbers (0 = Sunday).
func ParseDays(w string) ([]int, error) {
	lw := strings.ToLower(strings.TrimSpace(w))
	switch lw {
	case "weekdays", "weekday", "workdays", "mon-fri":
		return []int{1, 2, 3, 4, 5}, nil
	case "daily", "everyday", "every-day", "all", "mon-sun":
		return []int{0, 1, 2, 3, 4, 5, 6}, nil
	case "weekends", "weekend":
		return []int{0, 6}, nil
	}
	seen := map[int]bool{}
	var out []int
	for _, part := range strings.Split(lw, ",") {
		d, ok := dayNumber(strings.TrimSpace(part))
		if !ok {
			return nil, briefings.Errorf(briefings.CodeInvalid, "%q is not a day set; use weekdays, daily, weekends, or a list such as mon,wed,fri", truncate(w, 30))
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	sortInts(out)
	return out, nil
}

func sortInts(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// Suggest returns the command name closest to name, or "" when none is close.
func Suggest(table []Spec, name string) string {
	best, bestD := "", 3
	if utf8.RuneCountInString(name) <= 3 {
		bestD = 2
	}
	for _, s := range table {
		cands := append([]string{s.Name, s.Leaf()}, s.Aliases...)
		for _, c := range cands {
			d := levenshtein(name, c)
			if strings.HasPrefix(c, name) && len(name) >= 3 {
				d = 1
			}
			if d < bestD {
				best, bestD = s.Name, d
			}
		}
	}
	return best
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 99
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}
