package briefings_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/memstore"
)

// The articles below are invented for these tests: a trade meeting between
// Kenya and Tanzania told by two outlets, a later follow-up, and an
// unrelated fishing dispute.

const lakeTalks = `Kenyan Foreign Minister Grace Wanjiru met her Tanzanian counterpart, Foreign Minister Juma Mwinyi, in Arusha on Tuesday to end a dispute over maize lorries held at the Namanga border post.
After four hours of talks the two ministers agreed to reopen the crossing to freight within ten days, once customs officers have cleared the backlog of cargo.
Mwinyi said the closure had cost traders on both sides several million dollars and that a joint committee would review the transit rules that caused it.
The dispute began last month when Tanzanian customs started charging a new levy that Kenyan hauliers said nobody had announced.
Hundreds of lorries loaded with maize, cement and fuel have been parked on the Kenyan side since then, and drivers complained of a lack of water and shelter.
The ministers also discussed a shared power line along the lake shore but took no decision on how it would be paid for.
A spokesperson for the East African Community welcomed the talks and said the bloc was ready to help monitor the reopening.
The two ministers are due to meet again in Nairobi in six weeks to review progress.`

const lakeTalksExtra = `Traders at the Namanga market said they would believe the promise only when the first lorries were moving again.`

const lakeTalksOtherOutlet = `Tanzania and Kenya have agreed to end a weeks-long standoff at their busiest frontier post after talks in Arusha between the two countries' senior ministers.
Juma Mwinyi, Tanzania's foreign minister, hosted his Kenyan counterpart Grace Wanjiru for the meeting, which ran late into the evening.
Under the deal freight is expected to cross at Namanga again before the end of the month, though neither side gave a firm date.
Haulage unions in Nairobi had accused Dodoma of imposing an unannounced levy on goods in transit, a charge Tanzanian officials denied.
Drivers stranded near the frontier described sleeping in their cabs for weeks while their loads of grain and building materials sat idle.
Regional diplomats said the quick settlement showed both capitals were keen to avoid a wider trade row before elections.
A further round of talks is planned in the Kenyan capital.`

const lakeFollowUp = `Kenya and Tanzania signed a transit agreement in Nairobi on Friday that scraps the disputed levy on freight crossing at Namanga.
Kenyan Foreign Minister Grace Wanjiru and Tanzanian Foreign Minister Juma Mwinyi signed the accord after a second round of talks.
The agreement ends a dispute that kept hundreds of lorries stuck at the border earlier this year.
Wanjiru said lorries would move freely again from next week and that the joint committee would meet every quarter.`

const fishingDispute = `Peru summoned Chile's ambassador on Monday after Chilean patrol boats detained four Peruvian fishing vessels near the maritime boundary.
Peruvian Foreign Minister Lucia Paredes said the detentions broke a 2014 agreement on the maritime border and demanded the crews' immediate release.
Chile's foreign ministry said the boats had been fishing inside Chilean waters and that the crews would be released once fines were paid.
Fishing unions in the port of Ilo threatened to block the coastal highway if the vessels were not returned by Friday.`

type fixture struct {
	svc   *briefings.Service
	store *memstore.Store
	now   time.Time
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	now := time.Date(2025, 3, 20, 9, 0, 0, 0, time.UTC)
	clock := briefings.ClockFunc(func() time.Time { return now })
	st := memstore.New(memstore.Options{Clock: clock})
	return &fixture{svc: briefings.NewService(st, extract.New(), clock, nil), store: st, now: now}
}

func (f *fixture) ingest(t *testing.T, title, source, published, text string) briefings.AddResult {
	t.Helper()
	a := briefings.Article{Title: title, Source: source, URL: source, Text: text}
	if published != "" {
		d, err := time.Parse("2006-01-02", published)
		if err != nil {
			t.Fatal(err)
		}
		a.Published = d
	}
	res, err := f.svc.Ingest(context.Background(), a)
	if err != nil {
		t.Fatalf("ingest %q: %v", title, err)
	}
	return res
}

func TestIngestDuplicates(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	first := f.ingest(t, "Kenya and Tanzania agree to reopen Namanga crossing", "https://news.example/a", "2025-03-12", lakeTalks)
	if first.Duplicate || first.Facts == 0 {
		t.Fatalf("first article: duplicate=%v facts=%d", first.Duplicate, first.Facts)
	}

	// The same wire story from another outlet: a new headline and a
	// trailing paragraph. It is linked as another source, not stored.
	copyRes := f.ingest(t, "Lorries to roll again at Namanga after ministers' deal", "https://other.example/b", "2025-03-12", lakeTalks+"\n"+lakeTalksExtra)
	if !copyRes.Duplicate || copyRes.DuplicateReason != "near-duplicate" {
		t.Fatalf("copy with new headline and trailing paragraph: duplicate=%v reason=%q, want a near-duplicate", copyRes.Duplicate, copyRes.DuplicateReason)
	}
	if copyRes.Article.ID != first.Article.ID || copyRes.Similarity < briefings.NearDuplicateThreshold {
		t.Fatalf("copy linked to %s (similarity %.2f), want %s above %.2f", copyRes.Article.ID, copyRes.Similarity, first.Article.ID, briefings.NearDuplicateThreshold)
	}
	srcs, err := f.store.ArticleSources(ctx, first.Article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 1 || srcs[0].URL != "https://other.example/b" {
		t.Fatalf("sources of the first article = %+v, want the copy's address", srcs)
	}

	// The very same text again.
	again := f.ingest(t, "Kenya and Tanzania agree to reopen Namanga crossing", "https://news.example/a", "2025-03-12", lakeTalks)
	if !again.Duplicate || again.DuplicateReason == "near-duplicate" {
		t.Fatalf("same text again: duplicate=%v reason=%q", again.Duplicate, again.DuplicateReason)
	}

	// Another outlet's own report of the same meeting is news of its own:
	// kept, and in the same story.
	other := f.ingest(t, "Tanzania, Kenya strike deal to end frontier standoff", "https://third.example/c", "2025-03-12", lakeTalksOtherOutlet)
	if other.Duplicate {
		t.Fatalf("a different article about the same meeting was taken for a duplicate (%s, similarity %.2f)", other.DuplicateReason, other.Similarity)
	}
	st, err := f.store.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Articles != 2 {
		t.Fatalf("stored %d articles, want 2 (the copy and the repeat are not stored)", st.Articles)
	}
	if other.Article.Story == "" || other.Article.Story != first.Article.Story {
		t.Fatalf("stories: first %q, other report %q; want the same story", first.Article.Story, other.Article.Story)
	}
	story, err := f.store.StoryByID(ctx, first.Article.Story)
	if err != nil {
		t.Fatal(err)
	}
	// Duplicates do not count as the story's articles.
	if story.Articles != 2 {
		t.Fatalf("story %s counts %d articles, want 2", story.ID, story.Articles)
	}
}

func TestIngestStories(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	talks := f.ingest(t, "Kenya and Tanzania agree to reopen Namanga crossing", "https://news.example/a", "2025-03-12", lakeTalks)
	fish := f.ingest(t, "Peru summons Chilean envoy over seized fishing boats", "https://news.example/f", "2025-03-17", fishingDispute)
	// A follow-up months later joins the first story.
	later := f.ingest(t, "Kenya, Tanzania sign Namanga transit accord", "https://news.example/l", "2025-09-05", lakeFollowUp)
	// An article without a publication date clusters by its ingestion date.
	undated := f.ingest(t, "Namanga talks: the other account", "https://third.example/c", "", lakeTalksOtherOutlet)

	if talks.Article.Story == "" || fish.Article.Story == "" {
		t.Fatalf("stories not assigned: %q, %q", talks.Article.Story, fish.Article.Story)
	}
	if fish.Article.Story == talks.Article.Story {
		t.Fatalf("the Peru–Chile dispute joined the Kenya–Tanzania story %q", talks.Article.Story)
	}
	for _, r := range []briefings.AddResult{later, undated} {
		if r.Article.Story != talks.Article.Story {
			t.Errorf("%q is in story %q, want %q", r.Article.Title, r.Article.Story, talks.Article.Story)
		}
	}
	st, err := f.store.StoryByID(ctx, talks.Article.Story)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(st.ID, "-2025-03-12") || !strings.Contains(st.Title, "Kenya") || !strings.Contains(st.Title, "Tanzania") {
		t.Errorf("story %q titled %q: want both parties in the title and the first article's date in the id", st.ID, st.Title)
	}
	if st.Articles != 3 || !st.First.Equal(time.Date(2025, 3, 12, 0, 0, 0, 0, time.UTC)) || !st.Last.Equal(time.Date(2025, 9, 5, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("story = %d articles from %v to %v; want 3 from 12 Mar to 5 Sep 2025", st.Articles, st.First, st.Last)
	}

	// The story filters answers: by id, by title, by some of its words.
	for _, q := range []string{st.ID, st.Title, strings.ToLower(st.Title), "tanzania kenya"} {
		ans, err := f.svc.Sources(ctx, q)
		if err != nil {
			t.Fatalf("sources %q: %v", q, err)
		}
		if len(ans.Sources) != 3 {
			t.Errorf("sources %q: %d articles, want the story's 3", q, len(ans.Sources))
		}
		for _, a := range ans.Sources {
			if a.Story != st.ID {
				t.Errorf("sources %q lists %q from story %q", q, a.Title, a.Story)
			}
		}
	}
	sum, err := f.svc.Summary(ctx, "tanzania kenya")
	if err != nil {
		t.Fatal(err)
	}
	if sum.Title != "Briefing: "+st.Title || sum.Empty {
		t.Errorf("summary title %q (empty %v), want the story's", sum.Title, sum.Empty)
	}
	for _, a := range sum.Sources {
		if a.Story != st.ID {
			t.Errorf("summary of the story cites %q from story %q", a.Title, a.Story)
		}
	}
	tl, err := f.svc.Timeline(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tl.Title != "Timeline: "+st.Title {
		t.Errorf("timeline title %q", tl.Title)
	}
	// A name that is no story's still filters by name.
	who, err := f.svc.Timeline(ctx, "Paredes")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(who.Title, st.Title) {
		t.Errorf("timeline of a name resolved to the story: %q", who.Title)
	}
	// A digest subscription filtered by story.
	dig, err := f.svc.Digest(ctx, briefings.Subscription{Story: st.ID, Zone: "UTC"}, time.Time{}, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dig.Answer.Title, st.Title) {
		t.Errorf("digest title %q does not name the story", dig.Answer.Title)
	}
	for _, a := range dig.Answer.Sources {
		if a.Story != st.ID {
			t.Errorf("story digest cites %q from story %q", a.Title, a.Story)
		}
	}
	// Its status changes and board are the story's processes: the story's
	// title names no process, so they are picked by their evidence.
	if dig.Changes == 0 {
		t.Errorf("story digest shows no status change; want the story's agreements: %+v", dig.Answer.Sections)
	}
	for _, sec := range dig.Answer.Sections {
		for _, it := range sec.Items {
			if strings.Contains(it.Text, "Peru") || strings.Contains(it.Text, "Chile") {
				t.Errorf("story digest section %q shows %q from another story", sec.Heading, it.Text)
			}
		}
	}

	// Autocompletion of a story argument offers story titles, then names.
	got, err := f.svc.Complete(ctx, "story", "tanz", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 2 || got[0] != st.Title || !slices.Contains(got, "Tanzania") {
		t.Errorf("Complete(story, tanz) = %q; want the story's title first, then the country", got)
	}
	if got, err := f.svc.Complete(ctx, "story", "", 1); err != nil || len(got) != 1 || got[0] != st.Title {
		t.Errorf("Complete(story, \"\", 1) = %q, %v; want the most recent story's title", got, err)
	}

	list, err := f.svc.Stories(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != st.ID {
		t.Errorf("stories = %+v, want 2, the most recent (%s) first", list, st.ID)
	}
}

func TestFindStory(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	for _, s := range []briefings.Story{
		{ID: "us-niger-withdrawal-2024-04-20", Title: "US–Niger withdrawal", Keys: []string{"united states", "niger"}, First: day(2024, 4, 20), Articles: 1},
		{ID: "us-niger-talks-2023-08-08", Title: "US–Niger talks", Keys: []string{"united states", "niger"}, First: day(2023, 8, 8), Articles: 1},
		{ID: "chad-france-agreement-ended-2024-11-29", Title: "Chad–France agreement ended", Keys: []string{"chad", "france"}, First: day(2024, 11, 29), Articles: 1},
	} {
		if _, err := f.store.PutStory(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct{ q, want string }{
		{"us-niger-talks-2023-08-08", "us-niger-talks-2023-08-08"},
		{"US–Niger talks", "us-niger-talks-2023-08-08"},
		{"us niger talks", "us-niger-talks-2023-08-08"},
		{"us-niger-talks", "us-niger-talks-2023-08-08"},
		{"US–Niger", "us-niger-withdrawal-2024-04-20"}, // a prefix of both: the most recent
		{"niger", ""}, // one word is a name, not a story
		{"us", ""},
		{"france chad", "chad-france-agreement-ended-2024-11-29"},
		{"Chad", ""},
		{"Chad–France agreement ended", "chad-france-agreement-ended-2024-11-29"},
		{"Campbell", ""},
		{"  ", ""},
		{"—", ""},
	}
	for _, tt := range tests {
		st, ok, err := f.svc.FindStory(ctx, tt.q)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		if got := st.ID; !ok && got != "" || ok && got != tt.want || !ok && tt.want != "" {
			t.Errorf("FindStory(%q) = %q (found %v), want %q", tt.q, got, ok, tt.want)
		}
	}
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
