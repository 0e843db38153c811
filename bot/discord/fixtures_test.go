package discord

import (
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/commands"
)

// Hand-built responses of every kind, shaped like the seed answers of the
// commands layer.

var (
	apr19 = time.Date(2024, 4, 19, 0, 0, 0, 0, time.UTC)
	apr22 = time.Date(2024, 4, 22, 0, 0, 0, 0, time.UTC)
	may03 = time.Date(2024, 5, 3, 0, 0, 0, 0, time.UTC)
)

func citeNiger() commands.Citation {
	return commands.Citation{
		ArticleID: "a1",
		Title:     "US agrees to withdraw troops from Niger",
		URL:       "https://example.com/news/us-niger-withdrawal_2024.html",
		Published: apr19,
		Quote:     "Deputy Secretary of State Kurt Campbell met Niger's Prime Minister Ali Lamine Zeine in Washington on Friday, their second encounter that week.",
	}
}

func citeChad() commands.Citation {
	return commands.Citation{
		ArticleID: "a2",
		Title:     "Chad threatens to annul its SOFA with the United States",
		URL:       "https://example.com/news/chad-sofa",
		Published: apr22,
		Quote:     "The letter did not directly order the US military to leave Chad, but implied vacating the French base in N'Djamena.",
	}
}

func sourcesBoth() []commands.Source {
	return []commands.Source{
		{ArticleID: "a1", Title: "US agrees to withdraw troops from Niger", URL: "https://example.com/news/us-niger-withdrawal_2024.html", Published: apr19},
		{ArticleID: "a2", Title: "Chad threatens to annul its SOFA with the United States", URL: "https://example.com/news/chad-sofa", Published: apr22},
	}
}

func meetingsResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindMeetings,
		Title: "Meetings",
		Text:  "Kurt Campbell met Ali Lamine Zeine on 19 Apr 2024 in Washington, DC.",
		Blocks: []commands.Block{
			{Type: commands.BlockFacts, Items: []commands.Item{{
				Label:     "19 Apr 2024 · Washington, DC",
				Text:      "Kurt Campbell (Deputy Secretary of State, United States) met Ali Lamine Zeine (Prime Minister, Niger)",
				Notes:     []string{"Their second encounter that week", "Outcome: the US agreed to withdraw its troops"},
				Citations: []commands.Citation{citeNiger()},
			}}},
			{Type: commands.BlockContext, Text: "1 meeting from 2 articles. Filter: /brief meetings <name>"},
		},
		Sources: sourcesBoth(),
	}
}

func statusResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindStatus,
		Title: "Status: withdrawal",
		Text:  "US military withdrawal from Niger: agreed (19 Apr 2024).",
		Blocks: []commands.Block{
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "US military withdrawal from Niger — agreed", Text: "Agreed 19 Apr 2024; timeline under discussion with the Department of Defense; diplomatic presence kept",
					Notes:     []string{"demanded → agreed (19 Apr 2024)"},
					Citations: []commands.Citation{citeNiger()}},
				{Label: "French withdrawal from Niger — planned", Text: "France expected to leave within a year",
					Citations: []commands.Citation{{ArticleID: "a3", Title: "France to pull out", Published: may03, Quote: "France is expected to leave within a year."}}},
			}},
		},
		Sources: sourcesBoth(),
	}
}

func timelineResponse() commands.Response {
	var items []commands.Item
	for d := 0; d < 8; d++ {
		day := apr19.AddDate(0, 0, d)
		items = append(items, commands.Item{Label: day.Format("2 Jan 2006"), Text: fmt.Sprintf("Event %d of the Niger story", d+1)})
	}
	return commands.Response{
		Kind:   commands.KindTimeline,
		Title:  "Timeline",
		Text:   "8 dated events.",
		Blocks: []commands.Block{{Type: commands.BlockFacts, Items: items, More: "12 more, /brief timeline niger"}},
	}
}

func helpResponse() commands.Response {
	return commands.Response{
		Kind:       commands.KindHelp,
		Title:      "How to use /brief",
		Text:       "Commands: summary, meetings, status...",
		Visibility: commands.Ephemeral,
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "Ask for cited facts from the stored articles."},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "/brief summary [story]", Text: "The briefing: the most important facts, each cited"},
				{Label: "/brief meetings [name]", Text: "Who met whom: participants with roles, date, place"},
				{Label: "/brief status [topic]", Text: "Tracked processes and their stage, dated, with evidence"},
			}},
			{Type: commands.BlockContext, Text: "Example: /brief situation chad"},
		},
	}
}

func errorResponse() commands.Response {
	msg := "I don't know the command `statsu`. Did you mean `status`? Type `/brief help` for the list."
	return commands.Response{
		Kind: commands.KindError, Text: msg, Visibility: commands.Ephemeral,
		Blocks: []commands.Block{{Type: commands.BlockSection, Text: msg}},
	}
}

func digestResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindDigest,
		Title: "Daily digest — 22 Apr 2024",
		Text:  "2 new facts since yesterday; 1 status changed.",
		Blocks: []commands.Block{
			{Type: commands.BlockHeader, Text: "New since yesterday"},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "Chad", Text: "Chad threatened to annul its SOFA with the United States", Citations: []commands.Citation{citeChad()}},
			}},
			{Type: commands.BlockDivider},
			{Type: commands.BlockHeader, Text: "Status board"},
			{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "US withdrawal from Niger", Text: "agreed (19 Apr 2024)"},
			}},
		},
		Sources: sourcesBoth(),
		Thread: []commands.Response{{
			Kind:  commands.KindDigest,
			Title: "More from today",
			Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{
				{Label: "Niger", Text: "Second encounter between Campbell and Zeine that week", Citations: []commands.Citation{citeNiger()}},
			}}},
		}},
	}
}

func summaryResponse() commands.Response {
	return commands.Response{
		Kind: commands.KindSummary, Title: "Briefing",
		Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{
			{Label: "Niger", Text: "The US agreed to withdraw its troops", Citations: []commands.Citation{citeNiger()}},
			{Label: "Chad", Text: "Chad threatened to annul its SOFA", Citations: []commands.Citation{citeChad()}},
		}}},
		Sources: sourcesBoth(),
	}
}

func situationResponse() commands.Response {
	return commands.Response{
		Kind: commands.KindSituation, Title: "Situation: Chad",
		Blocks: []commands.Block{
			{Type: commands.BlockHeader, Text: "Threats"},
			{Type: commands.BlockFacts, Items: []commands.Item{{Label: "Week before 22 Apr 2024", Text: "SOFA annulment threatened — not a direct order to leave Chad", Citations: []commands.Citation{citeChad()}}}},
			{Type: commands.BlockHeader, Text: "Deployments"},
			{Type: commands.BlockFacts, Items: []commands.Item{{Text: "Implied vacating the French base in N'Djamena"}}},
		},
		Sources: sourcesBoth()[1:],
	}
}

func whoResponse() commands.Response {
	return commands.Response{
		Kind: commands.KindWho, Title: "Kurt Campbell",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "Deputy Secretary of State, United States. Also called: Campbell, the deputy secretary."},
			{Type: commands.BlockFacts, Items: []commands.Item{{Label: "Meetings", Text: "Ali Lamine Zeine (19 Apr 2024, Washington, DC)", Citations: []commands.Citation{citeNiger()}}}},
		},
		Sources: sourcesBoth()[:1],
	}
}

func askResponse() commands.Response {
	return commands.Response{
		Kind: commands.KindAsk, Title: "What did Niger want?",
		Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{
			{Label: "Demand", Text: "Niger demanded the departure of US troops", Citations: []commands.Citation{citeNiger()}},
		}}},
		Sources: sourcesBoth()[:1],
	}
}

func sourcesResponse() commands.Response {
	return commands.Response{
		Kind: commands.KindSources, Title: "Sources",
		Blocks: []commands.Block{{Type: commands.BlockFacts, Items: []commands.Item{
			{Label: "19 Apr 2024", Text: "US agrees to withdraw troops from Niger — https://example.com/news/us-niger-withdrawal_2024.html"},
			{Label: "22 Apr 2024", Text: "Chad threatens to annul its SOFA with the United States"},
		}}},
	}
}

func subscriptionResponse() commands.Response {
	return commands.Response{Kind: commands.KindSubscription, Visibility: commands.Ephemeral,
		Text: "Subscribed: this channel gets a digest at 07:30 Europe/Berlin on weekdays."}
}

func ingestResponse() commands.Response {
	return commands.Response{Kind: commands.KindIngest, Visibility: commands.Ephemeral, Title: "Article added",
		Blocks: []commands.Block{{Type: commands.BlockSection, Text: "Added “Chad threatens to annul its SOFA” (https://example.com/news/chad_sofa_2024.html): 7 facts."}}}
}

func infoResponse() commands.Response {
	return commands.Response{Kind: commands.KindInfo, Text: "No digest is scheduled for this channel. Start one with /brief subscribe 08:00 Europe/Berlin."}
}

// hostileResponse carries text that must not become markup or mentions.
func hostileResponse() commands.Response {
	return commands.Response{
		Kind:  commands.KindAsk,
		Title: "**Bold** title with `code`",
		Blocks: []commands.Block{
			{Type: commands.BlockSection, Text: "> not a quote\n# not a heading\n- not a list\n1. not a numbered list\n@everyone <@123456789012345678> ||spoiler|| ~~strike~~ __under__ [link](https://evil.example) https://example.com/a_b_c"},
			{Type: commands.BlockFacts, Items: []commands.Item{{Label: "*label*", Text: "back\\slash and <t:1700000000>",
				Citations: []commands.Citation{{Title: "Title with ] bracket", URL: "https://example.com/x_(y)", Quote: "said *this*"}}}}},
		},
	}
}

// longResponse is too long for one message: it must be split (Post) or
// cut visibly (Render).
func longResponse() commands.Response {
	var items []commands.Item
	for i := 0; i < 60; i++ {
		items = append(items, commands.Item{
			Label:     fmt.Sprintf("Fact %d", i+1),
			Text:      strings.Repeat(fmt.Sprintf("Sentence %d about the withdrawal. ", i+1), 6),
			Citations: []commands.Citation{citeNiger()},
		})
	}
	return commands.Response{
		Kind:    commands.KindTimeline,
		Title:   "Everything",
		Blocks:  []commands.Block{{Type: commands.BlockSection, Text: strings.Repeat("A long introduction. ", 300)}, {Type: commands.BlockFacts, Items: items}},
		Sources: sourcesBoth(),
	}
}
