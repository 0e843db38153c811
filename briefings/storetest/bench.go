package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// BenchQuery is one read a store's query benchmark times: Run returns how
// many results it read.
type BenchQuery struct {
	Name string
	Run  func() (int, error)
}

// BenchQueries lists the reads a briefing answer makes, on a store holding
// the first n articles of g; firstID is the first article's id. The same
// list runs on every store, so that their figures compare.
func BenchQueries(s briefings.Store, g *Synthetic, n int, firstID string) []BenchQuery {
	ctx := context.Background()
	recent := g.Start().Add(time.Duration(n-50) * time.Minute)
	return []BenchQuery{
		{"Facts/all", func() (int, error) { r, err := s.Facts(ctx, briefings.FactQuery{}); return len(r), err }},
		{"Facts/kind", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting}})
			return len(r), err
		}},
		{"Facts/kinds", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting, briefings.FactAgreement, briefings.FactThreat}})
			return len(r), err
		}},
		{"Facts/term-country", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"chad"}})
			return len(r), err
		}},
		{"Facts/term-person", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"Kurt Campbell"}})
			return len(r), err
		}},
		{"Facts/term-country-newest-100", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"chad"}, Newest: true, Limit: 100})
			return len(r), err
		}},
		{"Facts/all-newest-100", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Newest: true, Limit: 100})
			return len(r), err
		}},
		{"Facts/kind+term", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting}, Terms: []string{"Kurt Campbell", "Campbell"}})
			return len(r), err
		}},
		{"Facts/kind+2terms-limit20", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactWithdrawal}, Terms: []string{"niger", "chad"}, Limit: 20})
			return len(r), err
		}},
		{"Facts/story", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{Story: "story-42"})
			return len(r), err
		}},
		{"Facts/article", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{ArticleIDs: []string{firstID}})
			return len(r), err
		}},
		{"Facts/ingested-after", func() (int, error) {
			r, err := s.Facts(ctx, briefings.FactQuery{IngestedAfter: recent})
			return len(r), err
		}},
		{"Statuses/all", func() (int, error) { r, err := s.Statuses(ctx, briefings.StatusQuery{}); return len(r), err }},
		{"Statuses/term", func() (int, error) {
			r, err := s.Statuses(ctx, briefings.StatusQuery{Terms: []string{"withdrawal niger"}})
			return len(r), err
		}},
		{"Statuses/changed-after", func() (int, error) {
			r, err := s.Statuses(ctx, briefings.StatusQuery{ChangedAfter: recent})
			return len(r), err
		}},
		{"SearchSentences/rare", func() (int, error) {
			r, err := s.SearchSentences(ctx, []string{"dispatch 4242"}, 10)
			return len(r), err
		}},
		{"SearchSentences/common", func() (int, error) {
			r, err := s.SearchSentences(ctx, []string{"what did Niger want from the talks?"}, 10)
			return len(r), err
		}},
		{"Entities/exact", func() (int, error) {
			r, err := s.Entities(ctx, briefings.EntityQuery{Name: "campbell"})
			return len(r), err
		}},
		{"Entities/prefix", func() (int, error) {
			r, err := s.Entities(ctx, briefings.EntityQuery{Name: "ke", Prefix: true, Limit: 25})
			return len(r), err
		}},
		{"Entities/top", func() (int, error) { r, err := s.Entities(ctx, briefings.EntityQuery{Limit: 10}); return len(r), err }},
		{"Articles/recent", func() (int, error) { r, err := s.Articles(ctx, briefings.ArticleQuery{Limit: 20}); return len(r), err }},
		{"Stats", func() (int, error) { _, err := s.Stats(ctx); return 1, err }},
	}
}

// BenchSubscriptions creates n subscriptions and returns their ids.
func BenchSubscriptions(b testing.TB, s briefings.Store, n int) []string {
	b.Helper()
	ids := make([]string, n)
	for i := range ids {
		sub, _, err := s.PutSubscription(context.Background(), briefings.Subscription{Platform: "slack", Workspace: "T1",
			Channel: fmt.Sprint("C", i), Hour: 8, Zone: "UTC", Days: []int{1, 2, 3, 4, 5}})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = sub.ID
	}
	return ids
}
