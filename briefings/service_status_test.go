package briefings_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/memstore"
)

// TestStatusManyProcesses checks a status answer over more processes than
// it lists: ten per kind shown, the rest counted, the first three quoting
// related sentences, and a lead that does not pass the limit off as a
// total.
func TestStatusManyProcesses(t *testing.T) {
	ctx := context.Background()
	st := memstore.New(memstore.Options{})
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 120 {
		actor := fmt.Sprintf("Land%03d", i)
		text := fmt.Sprintf("%s withdrew its troops from Karesh on day %d.\nThe withdrawal of %s troops followed a timeline agreed in talks.", actor, i, actor)
		f := briefings.Facts{
			Sentences: []briefings.Sentence{{Index: 0, Text: strings.Split(text, "\n")[0]}, {Index: 1, Text: strings.Split(text, "\n")[1]}},
			Facts: []briefings.Fact{{
				Kind:         briefings.FactWithdrawal,
				Actors:       []briefings.Party{{Name: actor, Kind: briefings.EntityCountry}},
				Counterparts: []briefings.Party{{Name: "Karesh", Kind: briefings.EntityCountry}},
				Status:       briefings.StageCompleted,
				Force:        "military",
				Time:         briefings.TimeRef{Text: "on day", Value: day.AddDate(0, 0, i).Format("2006-01-02"), Precision: briefings.PrecisionDay, Start: day.AddDate(0, 0, i), End: day.AddDate(0, 0, i)},
				Evidence:     briefings.Evidence{Sentence: 0, Text: strings.Split(text, "\n")[0]},
				Summary:      actor + " withdrew",
			}},
		}
		a := briefings.Article{Title: "Dispatch " + actor, Source: "desk", Published: day.AddDate(0, 0, i+1), Text: text}
		if _, err := st.AddArticle(ctx, a, f); err != nil {
			t.Fatal(err)
		}
	}
	svc := briefings.NewService(st, nil, nil, nil)
	ans, err := svc.Status(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Sections) != 1 || len(ans.Sections[0].Items) != 10 || ans.Sections[0].More != 90 {
		t.Fatalf("sections %+v; want one with 10 items and 90 more", ans.Sections)
	}
	if !strings.Contains(ans.Lead, "The 100 tracked processes with the latest evidence") {
		t.Errorf("lead %q does not say the listing stopped at its limit", ans.Lead)
	}
	items := ans.Sections[0].Items
	if !strings.Contains(items[0].Text, "Land119") {
		t.Errorf("first item %q; want the latest process (Land119)", items[0].Text)
	}
	for i, it := range items {
		related := len(it.Cites) > 1
		if related != (i < 3) {
			t.Errorf("item %d (%s) has %d citations; want related sentences only for the first three", i, it.Text, len(it.Cites))
		}
	}
}
