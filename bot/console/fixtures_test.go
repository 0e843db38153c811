package console_test

import (
	"time"

	"github.com/briefbot/briefbot/commands"
)

// Hand-built responses of each kind, shaped like the answers of the
// commands layer on the seed corpus.

var (
	apr19 = time.Date(2024, 4, 19, 0, 0, 0, 0, time.UTC)
	apr20 = time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC)
	apr25 = time.Date(2024, 4, 25, 0, 0, 0, 0, time.UTC)
	mar16 = time.Date(2024, 3, 16, 0, 0, 0, 0, time.UTC)
)

func citeNiger() commands.Citation {
	return commands.Citation{
		ArticleID: "a1",
		Title:     "US agrees to withdraw troops from Niger",
		URL:       "https://example.com/news/us-niger-withdrawal",
		Published: apr20,
		Quote:     "Deputy Secretary of State Kurt Campbell met Niger's Prime Minister Ali Lamine Zeine in Washington on Friday, their second encounter that week.",
	}
}

func citeDoD() commands.Citation {
	return commands.Citation{
		ArticleID: "a1",
		Title:     "US agrees to withdraw troops from Niger",
		Published: apr20,
		Quote:     "The timeline of the withdrawal is under discussion with the Department of Defense, while the diplomatic presence will be kept.",
	}
}

func citeChad() commands.Citation {
	return commands.Citation{
		ArticleID: "a2",
		Title:     "Chad threatens to end US troop agreement",
		URL:       "https://example.com/news/chad-sofa",
		Published: apr25,
		Quote:     "Chad's air force chief threatened to annul the SOFA, but did not directly order the US military to leave Chad.",
	}
}

func sources() []commands.Source {
	return []commands.Source{
		{ArticleID: "a1", Title: "US agrees to withdraw troops from Niger", URL: "https://example.com/news/us-niger-withdrawal", Label: "example.com", Published: apr20},
		{ArticleID: "a2", Title: "Chad threatens to end US troop agreement", URL: "https://example.com/news/chad-sofa", Published: apr25},
	}
}

func meetingsResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindMeetings,
		Title: "Meetings",
		Text:  "Kurt Campbell met Ali Lamine Zeine on 19 Apr 2024 in Washington, DC.",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "1 meeting recorded."},
			{Type: commands.BlockFacts, Items: []commands.Item{{
				Label:     "19 Apr 2024 · Washington, DC",
				Text:      "Kurt Campbell (Deputy Secretary of State, United States) met Ali Lamine Zeine (Prime Minister, Niger)",
				Notes:     []string{"their second encounter that week", "outcome: the US agreed to withdraw its troops"},
				Citations: []commands.Citation{citeNiger()},
			}}},
			{Type: commands.BlockContext, Text: "Filter by a name: /brief meetings campbell"},
		},
		Sources: sources(),
	}
}

func statusResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindStatus,
		Title: "Status: withdrawal",
		Text:  "US military withdrawal from Niger: agreed (19 Apr 2024).",
		Blocks: []commands.Block{
			{Type: commands.BlockFacts, Items: []commands.Item{
				{
					Label: "Agreed",
					Text:  "US military withdrawal from Niger (19 Apr 2024); timeline under discussion with the Department of Defense; diplomatic presence kept",
					Notes: []string{
						"16 Mar 2024  demanded: Niger's junta revoked the military accord",
						"19 Apr 2024  agreed",
					},
					Citations: []commands.Citation{citeNiger(), citeDoD()},
				},
				{
					Label: "Planned",
					Text:  "French withdrawal from Niger: expected to leave within a year",
					Citations: []commands.Citation{{
						ArticleID: "a3", Title: "France to pull out of Niger", Published: mar16,
						Quote: "France is expected to leave within a year.",
					}},
				},
			}},
		},
		Sources: sources(),
	}
}

func timelineResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindTimeline,
		Title: "Timeline",
		Blocks: []commands.Block{
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "16 Mar 2024", Text: "Niger's junta revokes the military accord with the US"},
				{Label: "week of 15 Apr 2024", Text: "Chad's air force chief threatens to annul the SOFA", Notes: []string{"“the week before” in an article of 25 Apr 2024"}},
				{Label: "19 Apr 2024", Text: "US agrees to withdraw its troops from Niger", Citations: []commands.Citation{citeNiger()}},
				{Label: "within a year", Text: "France expected to leave (date unresolved: the article has no publication date)"},
			}, More: "12 more: /brief timeline niger"},
		},
	}
}

func helpResponse() commands.Response {
	return commands.Response{
		Kind:       commands.KindHelp,
		Title:      "/brief commands",
		Visibility: commands.Ephemeral,
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "Ask for cited facts from the news articles.\nEvery answer names its sources."},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "summary [story]", Text: "The briefing: the most important facts, each cited"},
				{Label: "meetings [name]", Text: "Who met whom: participants with roles, date, place"},
				{Label: "status [topic]", Text: "Tracked processes and their stage, dated, with evidence"},
				{Label: "help [command]", Text: "How to use /brief"},
			}},
			{Type: commands.BlockDivider},
			{Type: commands.BlockContext, Text: "Examples: /brief meetings campbell · /brief status withdrawal · /brief situation chad"},
		},
	}
}

func errorResponse() commands.Response {
	return commands.Response{
		Kind:       commands.KindError,
		Text:       "I don't know the command `meetngs`. Did you mean `meetings`? Type `/brief help` for the list.",
		Visibility: commands.Ephemeral,
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "I don't know the command `meetngs`. Did you mean `meetings`? Type `/brief help` for the list."},
		},
	}
}

func digestResponse() commands.Response {
	return commands.Response{
		Kind: commands.KindDigest,
		Text: "Daily briefing: 2 new facts, 1 status changed",
		Blocks: []commands.Block{
			{Type: commands.BlockHeader, Text: "Daily briefing, 26 Apr 2024"},
			{Type: commands.BlockSection, Text: "New since yesterday:"},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "Chad", Text: "Threat to annul the SOFA with the US (not a direct order to leave Chad)", Citations: []commands.Citation{citeChad()}},
				{Label: "Status", Text: "US military withdrawal from Niger: agreed → under way"},
			}},
			{Type: commands.BlockDivider},
			{Type: commands.BlockHeader, Text: "Status board"},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "Under way", Text: "US military withdrawal from Niger (since 25 Apr 2024)"},
			}},
		},
		Thread: []commands.Response{
			{
				Kind:  commands.KindDigest,
				Title: "Earlier items (2/3)",
				Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{
					{Label: "19 Apr 2024", Text: "Kurt Campbell met Ali Lamine Zeine in Washington, DC", Citations: []commands.Citation{citeNiger()}},
				}}},
			},
			{
				Kind:    commands.KindDigest,
				Title:   "Sources (3/3)",
				Sources: sources(),
			},
		},
	}
}

// hostileResponse carries terminal control sequences in every field an
// article can reach.
func hostileResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindAsk,
		Title: "Ask: \x1b]0;pwned\x07what did Niger want?",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "Clear \x1b[2J\x1b[Hscreen, bell\x07, back\bspace, CR\rover, 8-bit CSI \u009b31m, bidi \u202egnp.exe\u202c, tab\there."},
			{Type: commands.BlockFacts, Items: []commands.Item{{
				Label: "\x1b[31mred\x1b[0m label",
				Text:  "text with NUL\x00 and DEL\x7f and invalid \xff byte",
				Notes: []string{"note\x1b[5mblink"},
				Citations: []commands.Citation{{
					Title:     "Title\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
					Published: apr19,
					Quote:     "Quote with \x1b[1mbold\x1b[0m and a\nnewline.",
				}},
			}}},
		},
		Sources: []commands.Source{{Title: "Src\x1b[0m", URL: "https://example.com/\x1b[1m"}},
	}
}
