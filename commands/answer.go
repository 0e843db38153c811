package commands

import (
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// FromAnswer lays a domain answer out as a Response: a header, the lead,
// then each section as an optional sub-header and a facts block, with the
// sources for footers and a plain-text fallback.
func FromAnswer(a briefings.Answer, vis Visibility) Response {
	r := Response{Kind: answerKind(a.Kind), Title: a.Title, Visibility: vis}
	r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: a.Title})
	if a.Lead != "" {
		r.Blocks = append(r.Blocks, Block{Type: BlockSection, Text: a.Lead})
	}
	for _, sec := range a.Sections {
		if sec.Heading != "" {
			r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: sec.Heading})
		}
		b := Block{Type: BlockFacts}
		for _, it := range sec.Items {
			b.Items = append(b.Items, fromItem(it))
		}
		if sec.More > 0 {
			b.More = fmt.Sprintf("… %d more", sec.More)
			if sec.MoreHint != "" {
				b.More += ": " + sec.MoreHint
			}
		}
		r.Blocks = append(r.Blocks, b)
	}
	for _, s := range a.Sources {
		r.Sources = append(r.Sources, Source{ArticleID: s.ID, Title: s.Title, URL: s.URL, Label: s.Source, Published: s.Published})
	}
	r.Text = PlainText(r)
	return r
}

func fromItem(it briefings.Item) Item {
	out := Item{Label: it.Label, Text: it.Text, Notes: it.Notes}
	for _, c := range it.Cites {
		out.Citations = append(out.Citations, Citation{ArticleID: c.ArticleID, Title: c.Title, URL: c.URL, Published: c.Published, Quote: c.Quote})
	}
	return out
}

func answerKind(k string) Kind {
	switch Kind(k) {
	case KindSummary, KindMeetings, KindStatus, KindSituation, KindTimeline, KindWho, KindAsk, KindSources, KindDigest:
		return Kind(k)
	}
	return KindInfo
}

// PlainText writes a response as plain text: the fallback for
// notifications and screen readers, and what scripts read.
func PlainText(r Response) string {
	var b strings.Builder
	for _, bl := range r.Blocks {
		switch bl.Type {
		case BlockHeader, BlockSection, BlockContext:
			if bl.Text != "" {
				b.WriteString(bl.Text)
				b.WriteString("\n")
			}
		case BlockFacts:
			for _, it := range bl.Items {
				b.WriteString("• ")
				if it.Label != "" {
					b.WriteString(it.Label)
					if it.Text != "" {
						b.WriteString(" — ")
					}
				}
				b.WriteString(it.Text)
				b.WriteString("\n")
				for _, n := range it.Notes {
					b.WriteString("    ")
					b.WriteString(n)
					b.WriteString("\n")
				}
				for _, c := range it.Citations {
					b.WriteString("    “")
					b.WriteString(c.Quote)
					b.WriteString("” — ")
					b.WriteString(c.Title)
					b.WriteString("\n")
				}
			}
			if bl.More != "" {
				b.WriteString(bl.More)
				b.WriteString("\n")
			}
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
