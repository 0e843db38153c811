package briefings

import (
	"math"
	"testing"
	"time"
)

func TestStoryOverlap(t *testing.T) {
	tests := []struct {
		name         string
		article      []string
		story        []string
		wantShared   int
		min, max     float64
		wantJoinable bool
	}{
		{"same keys, same order", []string{"a", "b", "c"}, []string{"a", "b", "c"}, 3, 1, 1, true},
		{"no key shared", []string{"a", "b"}, []string{"c", "d"}, 0, 0, 0, false},
		// The two main parties shared, the rest different.
		{"main parties shared", []string{"us", "afghanistan", "biden", "psaki", "ghani", "taliban"},
			[]string{"us", "taliban", "afghanistan", "pompeo", "qatar", "khalilzad"}, 3, 0.4, 0.5, true},
		// Each names the other's main party in passing only.
		{"passing mentions", []string{"france", "chad", "koulamallah", "niger", "mali", "burkina faso"},
			[]string{"us", "niger", "zeine", "campbell", "chad", "state department"}, 2, 0.05, 0.2, false},
		// One strong shared key is not enough.
		{"one key", []string{"france", "cote d'ivoire"}, []string{"france", "chad"}, 1, 0.45, 0.55, false},
		// Keys a story gathered late weigh little; only its first 12 count.
		{"late story keys", []string{"x", "y"}, []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "x", "y"}, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, shared := storyOverlap(tt.article, tt.story)
			if shared != tt.wantShared || o < tt.min-1e-9 || o > tt.max+1e-9 {
				t.Fatalf("overlap %.3f with %d shared; want %.2f..%.2f with %d", o, shared, tt.min, tt.max, tt.wantShared)
			}
			if joinable := shared >= StoryMinShared && o >= StoryJoinOverlap; joinable != tt.wantJoinable {
				t.Fatalf("joinable = %v (overlap %.3f, %d shared), want %v", joinable, o, shared, tt.wantJoinable)
			}
			if o2, s2 := storyOverlap(tt.story, tt.article); tt.name != "late story keys" && (math.Abs(o2-o) > 1e-9 || s2 != shared) {
				t.Errorf("not symmetric: %.3f/%d the other way", o2, s2)
			}
		})
	}
}

func TestArticleStoryKeys(t *testing.T) {
	f := Facts{
		Entities: []Entity{
			{Name: "United States", Kind: EntityCountry, Aliases: []string{"US", "Washington"}, Mentions: 5},
			{Name: "Niger", Kind: EntityCountry, Mentions: 4},
			{Name: "Niamey", Kind: EntityPlace, Mentions: 9},
			{Name: "Kurt Campbell", Kind: EntityPerson, Country: "United States", Mentions: 2},
			{Name: "Économie Bank", Kind: EntityOrganization, Mentions: 1},
			{Name: "World Bank", Kind: EntityOrganization, Mentions: 7}, // in no fact
		},
		Facts: []Fact{
			{Kind: FactMeeting, Actors: []Party{{Name: "Kurt Campbell", Kind: EntityPerson}}, Counterparts: []Party{{Name: "Niger", Kind: EntityCountry}}, Mentions: []string{"Niamey", "US"}},
			{Kind: FactWithdrawal, Actors: []Party{{Name: "US troops", Country: "United States"}}, Counterparts: []Party{{Name: "Niger", Kind: EntityCountry}}, Status: StageAgreed},
			{Kind: FactStatement, Actors: []Party{{Name: "Économie Bank", Kind: EntityOrganization}}},
			{Kind: FactThreat, Modality: Negated, Actors: []Party{{Name: "World Bank", Kind: EntityOrganization}}},
		},
	}
	keys := ArticleStoryKeys(f)
	var got []string
	for _, k := range keys {
		got = append(got, k.Key)
	}
	// US: 5 + 2 (its troops withdraw) + 1 (named in the meeting's
	// sentence); Niger: 4 + 2×2, a tie kept in the entities' order; the
	// bank: 1 + 2; Campbell: (2 + 2) / 2, people counting half. Places and
	// entities in no non-negated fact are left out; names are folded.
	want := []string{"united states", "niger", "economie bank", "kurt campbell"}
	if len(got) != len(want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("keys %v, want %v", got, want)
		}
	}
	title := storyTitle(keys, f)
	if title != "US–Niger withdrawal" {
		t.Errorf("title %q, want %q", title, "US–Niger withdrawal")
	}
	if id := storyID(title, time.Date(2024, 4, 20, 15, 0, 0, 0, time.UTC)); id != "us-niger-withdrawal-2024-04-20" {
		t.Errorf("id %q", id)
	}
	if len(ArticleStoryKeys(Facts{Entities: f.Entities})) != 0 {
		t.Error("an article without facts has story keys")
	}
}
