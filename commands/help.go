package commands

import (
	"strings"
)

// Help answers /brief help, or /brief help <command>, from the table.
func Help(table []Spec, topic string) Response {
	topic = strings.TrimSpace(strings.TrimPrefix(strings.ToLower(topic), "/brief "))
	if topic != "" {
		spec, ok := Lookup(table, topic)
		if !ok {
			// "help digest": the group's commands.
			var group []Spec
			for _, s := range table {
				if s.Group() == topic {
					group = append(group, s)
				}
			}
			if len(group) > 0 {
				return helpList("Help: "+topic, group)
			}
			msg := "There is no command `" + topic + "`."
			if s := Suggest(table, topic); s != "" {
				msg += " Did you mean `" + s + "`?"
			}
			r := helpList("Help", table)
			r.Blocks = append([]Block{{Type: BlockSection, Text: msg}}, r.Blocks...)
			r.Text = msg + "\n" + r.Text
			return r
		}
		return helpOne(spec)
	}
	return helpList("Help: /brief", table)
}

func helpList(title string, specs []Spec) Response {
	r := Response{Kind: KindHelp, Title: title, Visibility: Ephemeral}
	r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: title},
		Block{Type: BlockSection, Text: "Ask for cited facts from the articles the bot has read. Type `/brief help <command>` for details."})
	b := Block{Type: BlockFacts}
	for _, s := range specs {
		b.Items = append(b.Items, Item{Label: s.Usage(), Text: s.Summary})
	}
	r.Blocks = append(r.Blocks, b)
	r.Text = PlainText(r)
	return r
}

func helpOne(s Spec) Response {
	r := Response{Kind: KindHelp, Title: "Help: " + s.Name, Visibility: Ephemeral}
	r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: "/brief " + s.Name})
	text := s.Summary
	if s.Help != "" {
		text = s.Help
	}
	r.Blocks = append(r.Blocks, Block{Type: BlockSection, Text: text})
	b := Block{Type: BlockFacts}
	b.Items = append(b.Items, Item{Label: "Usage", Text: s.Usage()})
	for _, a := range s.Args {
		req := "optional"
		if a.Required {
			req = "required"
		}
		b.Items = append(b.Items, Item{Label: a.Name, Text: a.Description + " (" + req + ")"})
	}
	for _, f := range s.Flags {
		b.Items = append(b.Items, Item{Label: "--" + f.Name, Text: f.Description})
	}
	if len(s.Aliases) > 0 {
		b.Items = append(b.Items, Item{Label: "Also", Text: strings.Join(s.Aliases, ", ")})
	}
	if s.Admin {
		b.Items = append(b.Items, Item{Label: "Who", Text: "admins only"})
	}
	r.Blocks = append(r.Blocks, b)
	if len(s.Examples) > 0 {
		r.Blocks = append(r.Blocks, Block{Type: BlockContext, Text: "Examples: " + strings.Join(s.Examples, " · ")})
	}
	r.Text = PlainText(r)
	return r
}
