package briefings_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/briefings/sample"
)

// devCorpus returns the development corpus's articles, read in place from
// ../shared/corpus/dev next to the repository (never copied into it), with
// Source set to the file name, or skips the test when the folder is absent.
func devCorpus(t *testing.T) []briefings.Article {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("repository root not found; the dev corpus test needs ../shared/corpus/dev next to it")
		}
		dir = parent
	}
	files, err := filepath.Glob(filepath.Join(dir, "..", "shared", "corpus", "dev", "articles", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Skipf("the development corpus is not there (%s): skipping the story clustering test", filepath.Join(dir, "..", "shared", "corpus", "dev"))
	}
	var out []briefings.Article
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		a, err := briefings.ParseArticle(filepath.Base(p), data)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		a.Source = strings.TrimSuffix(filepath.Base(p), ".txt")
		out = append(out, a)
	}
	return out
}

// clusters ingests articles in the given order into a fresh store and
// returns the stories as sorted lists of article sources, sorted.
func clusters(t *testing.T, arts []briefings.Article) ([][]string, []briefings.Story, map[string]string) {
	t.Helper()
	ctx := context.Background()
	clock := briefings.ClockFunc(func() time.Time { return time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC) })
	st := memstore.New(memstore.Options{Clock: clock})
	svc := briefings.NewService(st, extract.New(), clock, nil)
	bySource := map[string]string{}
	for _, a := range arts {
		res, err := svc.Ingest(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if res.Duplicate {
			t.Fatalf("%s taken for a duplicate of %s", a.Source, res.Article.Source)
		}
		bySource[a.Source] = res.Article.Story
	}
	stories, err := svc.Stories(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, s := range stories {
		as, err := st.Articles(ctx, briefings.ArticleQuery{Story: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range as {
			names = append(names, a.Source)
		}
		if len(names) != s.Articles {
			t.Errorf("story %s counts %d articles but holds %d", s.ID, s.Articles, len(names))
		}
		sort.Strings(names)
		out = append(out, names)
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out, stories, bySource
}

// TestDevCorpusStories clusters the development corpus and the sample
// article into stories. The expected grouping, justified:
//
//   - 01 (the February 2020 Doha agreement: US troops to leave Afghanistan
//     within 14 months) and 02 (April 2021: Biden tells Ghani the final
//     withdrawal starts on 1 May) are one story, the US withdrawal from
//     Afghanistan, 14 months apart: the window allows 15. They share their
//     main parties (the US, Afghanistan, the Taliban).
//   - 06 (July 2023: ECOWAS gives Niger's junta a week) and 08 (January
//     2024: Niger, Mali and Burkina Faso quit ECOWAS) are one story, ECOWAS
//     against the Sahel juntas: the bloc and Niger lead both.
//   - The sample (April 2024: the US agrees to withdraw from Niger) is not
//     07 (August 2023: Nuland's talks with the junta), though both are about
//     the US and Niger: the people differ (Campbell and Zeine, Nuland and
//     Barmou) and so do the events, eight months apart.
//   - 10 (Chad ends its defence accord with France) is apart from the
//     sample (US–Niger), though each names the other's countries in
//     passing; and from 11 (France hands a base to Côte d'Ivoire), which
//     shares only France.
//   - 04 (Mali expels France's envoy) and 12 (Wagner leaves Mali) share
//     only Mali, three years apart; 03 (Blinken–Lavrov), 05 (Sudan's truce)
//     and 09 (US–Iraq) stand alone.
func TestDevCorpusStories(t *testing.T) {
	arts := devCorpus(t)
	seed, err := sample.Articles()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range seed {
		a.Source = "seed"
		arts = append(arts, a)
	}
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].Published.Before(arts[j].Published) })
	want := [][]string{
		{"01-us-taliban-doha-agreement", "02-biden-ghani-call-afghan-withdrawal"},
		{"03-blinken-lavrov-arctic-council"},
		{"04-mali-expels-french-ambassador"},
		{"05-sudan-jeddah-seven-day-ceasefire"},
		{"06-ecowas-ultimatum-niger-junta", "08-ecowas-responds-aes-withdrawal"},
		{"07-nuland-talks-niger-junta"},
		{"09-us-iraq-end-coalition-mission"},
		{"10-chad-ends-defence-accord-france"},
		{"11-france-hands-over-port-bouet-base"},
		{"12-wagner-leaves-mali-africa-corps"},
		{"seed"},
	}
	got, stories, bySource := clusters(t, arts)
	for _, s := range stories {
		t.Logf("%-34s %-44s %s – %s, %d article(s)", s.Title, s.ID, s.First.Format("2006-01-02"), s.Last.Format("2006-01-02"), s.Articles)
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("stories:\n got %v\nwant %v", got, want)
	}
	// Titles name the two main parties and the main kind of news.
	titles := map[string]string{}
	for _, s := range stories {
		titles[s.ID] = s.Title
	}
	for src, title := range map[string]string{
		"01-us-taliban-doha-agreement":       "US–Afghanistan withdrawal",
		"10-chad-ends-defence-accord-france": "Chad–France agreement ended",
		"seed":                               "US–Niger withdrawal",
		"07-nuland-talks-niger-junta":        "US–Niger talks",
	} {
		if got := titles[bySource[src]]; got != title {
			t.Errorf("story of %s is titled %q, want %q", src, got, title)
		}
	}
	if id := bySource["02-biden-ghani-call-afghan-withdrawal"]; id != "us-afghanistan-withdrawal-2020-02-29" {
		t.Errorf("the Afghanistan story's id is %q, want the slug of its title and its first article's date", id)
	}

	// The grouping does not depend on the order articles arrive in.
	slices.Reverse(arts)
	rev, _, _ := clusters(t, arts)
	if !slices.EqualFunc(rev, want, slices.Equal) {
		t.Errorf("stories with the articles in reverse order:\n got %v\nwant %v", rev, want)
	}
}
