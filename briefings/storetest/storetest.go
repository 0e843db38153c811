// Package storetest is the conformance suite every briefings.Store runs
// (briefings/sqlite, briefings/memstore, and later briefings/postgres), so
// that the domain can rely on one behaviour whatever the store.
//
// A store's test calls Run with a function that opens a new, empty store
// and arranges (with t.Cleanup) for it to be closed:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) briefings.Store {
//			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "t.db"), nil)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite uses only the briefings.Store interface and invented test data;
// times it compares are whole microseconds in UTC, which every store keeps.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Run runs the conformance suite. open must return a new, empty store each
// time it is called.
func Run(t *testing.T, open func(t *testing.T) briefings.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s briefings.Store)
	}{
		{"Ping", testPing},
		{"AddArticle", testAddArticle},
		{"Duplicate", testDuplicate},
		{"DuplicateAddress", testDuplicateAddress},
		{"NearDuplicate", testNearDuplicate},
		{"SameMeetingKept", testSameMeetingKept},
		{"FactRoundTrip", testFactRoundTrip},
		{"FactIDs", testFactIDs},
		{"FactOrder", testFactOrder},
		{"FactFilters", testFactFilters},
		{"Articles", testArticles},
		{"EntityMerge", testEntityMerge},
		{"EntityLookup", testEntityLookup},
		{"StatusAcrossArticles", testStatusAcrossArticles},
		{"StatusOutOfOrder", testStatusOutOfOrder},
		{"StatusFilters", testStatusFilters},
		{"StatusHistoryLimit", testStatusHistoryLimit},
		{"SearchSentences", testSearchSentences},
		{"ArticleSentences", testArticleSentences},
		{"SearchCommonWords", testSearchCommonWords},
		{"Stats", testStats},
		{"Invalid", testInvalid},
		{"ConcurrentAdds", testConcurrentAdds},
		{"Canceled", testCanceled},
		{"SubscriptionUpsert", testSubscriptionUpsert},
		{"SubscriptionPaging", testSubscriptionPaging},
		{"PauseResume", testPauseResume},
		{"ClaimConcurrent", testClaimConcurrent},
		{"ClaimLeaseExpiry", testClaimLeaseExpiry},
		{"ClaimRetryable", testClaimRetryable},
		{"FinishRules", testFinishRules},
		{"DeliveryHistory", testDeliveryHistory},
		{"LedgerRetention", testLedgerRetention},
		{"Feeds", testFeeds},
		{"FeedClaims", testFeedClaims},
		{"FeedClaimsConcurrent", testFeedClaimsConcurrent},
		{"FeedItems", testFeedItems},
		{"Stories", testStories},
		{"MatchStories", testMatchStories},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

func add(t *testing.T, s briefings.Store, f fixture) briefings.AddResult {
	t.Helper()
	res, err := s.AddArticle(t.Context(), f.Article, f.Facts)
	if err != nil {
		t.Fatalf("AddArticle(%q): %v", f.Article.Title, err)
	}
	return res
}

// addAll stores the three articles of the suite's world.
func addAll(t *testing.T, s briefings.Store) (a1, a2, a3 string) {
	t.Helper()
	return add(t, s, article1()).Article.ID, add(t, s, article2()).Article.ID, add(t, s, article3()).Article.ID
}

func factIDs(fs []briefings.Fact) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.ID
	}
	return out
}

func entityIDs(es []briefings.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func statusKeys(ss []briefings.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Key
	}
	return out
}

func sameArticle(t *testing.T, what string, got, want briefings.Article) {
	t.Helper()
	if got.ID != want.ID || got.Title != want.Title || got.Source != want.Source || got.URL != want.URL ||
		got.Text != want.Text || got.Hash != want.Hash || got.Story != want.Story ||
		!got.Published.Equal(want.Published) || !got.Ingested.Equal(want.Ingested) {
		t.Errorf("%s:\n got  %+v\n want %+v", what, got, want)
	}
}

func testPing(t *testing.T, s briefings.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testAddArticle(t *testing.T, s briefings.Store) {
	f := article1()
	res := add(t, s, f)
	want := f.Article
	want.Hash = briefings.ContentHash(f.Article.Text)
	want.ID = briefings.ArticleID(want.Hash)
	sameArticle(t, "AddResult.Article", res.Article, want)
	if res.Duplicate || res.Facts != len(f.Facts.Facts) {
		t.Errorf("AddResult = duplicate %v, %d facts; want new, %d facts", res.Duplicate, res.Facts, len(f.Facts.Facts))
	}
	got, err := s.Article(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("Article(%s): %v", want.ID, err)
	}
	sameArticle(t, "Article()", got, want)

	// An article stored without an ingestion time gets the store's clock.
	f3 := article3()
	f3.Article.Ingested = time.Time{}
	res3 := add(t, s, f3)
	if res3.Article.Ingested.IsZero() {
		t.Errorf("an article stored without Ingested has none: %+v", res3.Article)
	}
	got3, err := s.Article(t.Context(), res3.Article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got3.Ingested.Equal(res3.Article.Ingested) || got3.PublishedKnown() {
		t.Errorf("stored %v (published %v); AddResult said ingested %v, published unknown", got3.Ingested, got3.Published, res3.Article.Ingested)
	}

	_, err = s.Article(t.Context(), "no-such-article")
	if !errors.Is(err, briefings.ErrNotFound) || briefings.ErrorCode(err) != briefings.CodeNotFound {
		t.Errorf("Article(missing) = %v; want ErrNotFound with code not_found", err)
	}
}

func testDuplicate(t *testing.T, s briefings.Store) {
	first := add(t, s, article1())
	before, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		modify func(*fixture)
	}{
		{"same article again", func(*fixture) {}},
		{"other title and time", func(f *fixture) {
			f.Article.Title, f.Article.Ingested = "Another headline", at("2025-01-01T00:00:00Z")
		}},
		{"re-wrapped text", func(f *fixture) {
			f.Article.Text = "  " + strings.ReplaceAll(f.Article.Text, " ", "\n ") + "\n"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := article1()
			tc.modify(&f)
			res, err := s.AddArticle(t.Context(), f.Article, f.Facts)
			if err != nil {
				t.Fatalf("AddArticle: %v", err)
			}
			if !res.Duplicate || res.Facts != 0 || len(res.Changed) != 0 {
				t.Errorf("AddResult = duplicate %v, %d facts, %d changes; want a duplicate with nothing added", res.Duplicate, res.Facts, len(res.Changed))
			}
			if res.DuplicateReason != briefings.DuplicateSameText {
				t.Errorf("DuplicateReason = %q; want %q", res.DuplicateReason, briefings.DuplicateSameText)
			}
			sameArticle(t, "duplicate's Article", res.Article, first.Article)
			// The copy came from the stored article's own address: no new source.
			if srcs, err := s.ArticleSources(t.Context(), first.Article.ID); err != nil || len(srcs) != 0 {
				t.Errorf("ArticleSources = %+v, %v; want none", srcs, err)
			}
			after, err := s.Stats(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("Stats after a duplicate = %+v; want unchanged %+v", after, before)
			}
		})
	}
}

func testFactRoundTrip(t *testing.T, s briefings.Store) {
	f := fullArticle()
	want := f.Facts.Facts[0]
	v := reflect.ValueOf(want)
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Fatalf("storetest's full fact leaves Fact.%s empty; set it in fullFactJSON so the round trip covers it", v.Type().Field(i).Name)
		}
	}
	add(t, s, f)
	got, err := s.Facts(t.Context(), briefings.FactQuery{ArticleIDs: []string{f.id()}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("Facts = %d facts; want 1", len(got))
	}
	gj, _ := json.Marshal(got[0])
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("fact changed in the store:\n got  %s\n want %s", gj, wj)
	}
}

func testFactIDs(t *testing.T, s briefings.Store) {
	f := article1()
	f.Facts.Facts[1].ID = "custom-id"
	id := add(t, s, f).Article.ID
	got, err := s.Facts(t.Context(), briefings.FactQuery{ArticleIDs: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{id + "-0", "custom-id", id + "-2"}
	if !slices.Equal(factIDs(got), want) {
		t.Errorf("fact ids = %v; want %v", factIDs(got), want)
	}
	for _, fact := range got {
		if fact.ArticleID != id {
			t.Errorf("fact %s: ArticleID = %q; want %q", fact.ID, fact.ArticleID, id)
		}
	}
}

func testFactOrder(t *testing.T, s briefings.Store) {
	// Stored out of time order on purpose.
	a3, a2, a1 := add(t, s, article3()).Article.ID, add(t, s, article2()).Article.ID, add(t, s, article1()).Article.ID
	got, err := s.Facts(t.Context(), briefings.FactQuery{})
	if err != nil {
		t.Fatal(err)
	}
	// 29 Feb (resolved), 1 Mar (resolved), 1 Mar (publication; stored after
	// the resolved one), 9 Apr, 10 Apr twice (publication), undated last.
	want := []string{a1 + "-0", a1 + "-1", a1 + "-2", a2 + "-0", a2 + "-1", a2 + "-2", a3 + "-0"}
	if !slices.Equal(factIDs(got), want) {
		t.Errorf("Facts order = %v\n want %v", factIDs(got), want)
	}
	// Newest first: the latest stored first among equals, undated still last.
	got, err = s.Facts(t.Context(), briefings.FactQuery{Newest: true})
	if err != nil {
		t.Fatal(err)
	}
	want = newestOrder(want, a3+"-0")
	if !slices.Equal(factIDs(got), want) {
		t.Errorf("Facts(newest) order = %v\n want %v", factIDs(got), want)
	}
	got, err = s.Facts(t.Context(), briefings.FactQuery{Newest: true, Limit: 2})
	if err != nil || !slices.Equal(factIDs(got), want[:2]) {
		t.Errorf("Facts(newest, limit 2) = %v, %v; want the latest two %v", factIDs(got), err, want[:2])
	}
}

// newestOrder turns an oldest-first list of fact ids into the newest-first
// order: the dated ones reversed, the undated ones (given) last.
func newestOrder(oldest []string, undated ...string) []string {
	var out, tail []string
	for i := len(oldest) - 1; i >= 0; i-- {
		if slices.Contains(undated, oldest[i]) {
			tail = append(tail, oldest[i])
			continue
		}
		out = append(out, oldest[i])
	}
	return append(out, tail...)
}

func testFactFilters(t *testing.T, s briefings.Store) {
	a1, a2, a3 := addAll(t, s)
	f := func(a string, i int) string { return fmt.Sprintf("%s-%d", a, i) }
	all := []string{f(a1, 0), f(a1, 1), f(a1, 2), f(a2, 0), f(a2, 1), f(a2, 2), f(a3, 0)}
	tests := []struct {
		name string
		q    briefings.FactQuery
		want []string
	}{
		{"no filter", briefings.FactQuery{}, all},
		{"one kind", briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactWithdrawal}}, []string{f(a1, 1), f(a2, 0)}},
		{"kinds or", briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactMeeting, briefings.FactAgreement}}, []string{f(a1, 0), f(a3, 0)}},
		{"unknown kind", briefings.FactQuery{Kinds: []briefings.FactKind{"parade"}}, nil},
		{"term party name", briefings.FactQuery{Terms: []string{"Tomas Ekberg"}}, []string{f(a1, 0)}},
		{"term case and spaces", briefings.FactQuery{Terms: []string{"  tomas   EKBERG "}}, []string{f(a1, 0)}},
		{"term party country", briefings.FactQuery{Terms: []string{"ostmark"}}, []string{f(a2, 1), f(a3, 0)}},
		{"term entity id", briefings.FactQuery{Terms: []string{"organization:northern-assembly"}}, []string{f(a2, 2)}},
		{"term place", briefings.FactQuery{Terms: []string{"port selva"}}, []string{f(a1, 0)}},
		{"term mention", briefings.FactQuery{Terms: []string{"Ana Ribeiro"}}, []string{f(a1, 0), f(a1, 2), f(a2, 0)}},
		{"term accents folded", briefings.FactQuery{Terms: []string{"Zoe Marchand"}}, []string{f(a2, 1)}},
		{"term accented query", briefings.FactQuery{Terms: []string{"ZOË MARCHAND"}}, []string{f(a2, 1)}},
		{"term is whole name, not word", briefings.FactQuery{Terms: []string{"Ekberg"}}, nil},
		{"terms or", briefings.FactQuery{Terms: []string{"Tomas Ekberg", "Northern Assembly"}}, []string{f(a1, 0), f(a2, 2)}},
		{"blank term", briefings.FactQuery{Terms: []string{"  "}}, nil},
		{"article ids", briefings.FactQuery{ArticleIDs: []string{a3, a1}}, []string{f(a1, 0), f(a1, 1), f(a1, 2), f(a3, 0)}},
		{"unknown article", briefings.FactQuery{ArticleIDs: []string{"nope"}}, nil},
		{"story", briefings.FactQuery{Story: "valdoria-karesh"}, all[:6]},
		{"unknown story", briefings.FactQuery{Story: "elsewhere"}, nil},
		{"ingested after", briefings.FactQuery{IngestedAfter: at("2024-04-10T12:00:00Z")}, []string{f(a3, 0)}},
		{"ingested after, strictly", briefings.FactQuery{IngestedAfter: at("2024-04-10T11:59:59Z")}, []string{f(a2, 0), f(a2, 1), f(a2, 2), f(a3, 0)}},
		{"limit", briefings.FactQuery{Limit: 2}, all[:2]},
		{"kind and term", briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactStatement}, Terms: []string{"ana ribeiro"}}, []string{f(a1, 2)}},
		{"term and story", briefings.FactQuery{Terms: []string{"Karesh"}, Story: "valdoria-karesh"}, []string{f(a1, 0), f(a1, 1), f(a2, 0), f(a2, 2)}},
		{"kind, term, ingested", briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactWithdrawal, briefings.FactAgreement}, Terms: []string{"karesh"},
			IngestedAfter: at("2024-03-02T00:00:00Z")}, []string{f(a2, 0), f(a3, 0)}},
		{"everything", briefings.FactQuery{Kinds: []briefings.FactKind{briefings.FactWithdrawal}, Terms: []string{"valdoria"}, ArticleIDs: []string{a1, a2},
			Story: "valdoria-karesh", IngestedAfter: at("2024-01-01T00:00:00Z"), Limit: 1}, []string{f(a1, 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Facts(t.Context(), tc.q)
			if err != nil {
				t.Fatalf("Facts(%+v): %v", tc.q, err)
			}
			if !slices.Equal(factIDs(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Facts(%+v) = %v\n want %v", tc.q, factIDs(got), tc.want)
			}
			if tc.q.Limit != 0 {
				return
			}
			// The same filter newest first: every plan a store picks.
			q := tc.q
			q.Newest = true
			got, err = s.Facts(t.Context(), q)
			if err != nil {
				t.Fatalf("Facts(%+v): %v", q, err)
			}
			if want := newestOrder(tc.want, f(a3, 0)); !slices.Equal(factIDs(got), want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("Facts(%+v) = %v\n want %v", q, factIDs(got), want)
			}
		})
	}
	// Newest with a limit keeps the latest facts of the filter.
	got, err := s.Facts(t.Context(), briefings.FactQuery{Terms: []string{"karesh"}, Newest: true, Limit: 2})
	if want := []string{f(a2, 2), f(a2, 0)}; err != nil || !slices.Equal(factIDs(got), want) {
		t.Errorf("Facts(karesh, newest, limit 2) = %v, %v; want %v", factIDs(got), err, want)
	}
}

func testArticles(t *testing.T, s briefings.Store) {
	a1, a2, a3 := addAll(t, s)
	tests := []struct {
		name string
		q    briefings.ArticleQuery
		want []string
	}{
		{"newest first, unknown date last", briefings.ArticleQuery{}, []string{a2, a1, a3}},
		{"ids", briefings.ArticleQuery{IDs: []string{a3, a1}}, []string{a1, a3}},
		{"story", briefings.ArticleQuery{Story: "valdoria-karesh"}, []string{a2, a1}},
		{"ingested after", briefings.ArticleQuery{IngestedAfter: at("2024-04-10T12:00:00Z")}, []string{a3}},
		{"limit", briefings.ArticleQuery{Limit: 1}, []string{a2}},
		{"none", briefings.ArticleQuery{Story: "elsewhere"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Articles(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			ids := make([]string, len(got))
			for i, a := range got {
				ids[i] = a.ID
			}
			if !slices.Equal(ids, tc.want) && !(len(ids) == 0 && len(tc.want) == 0) {
				t.Errorf("Articles(%+v) = %v; want %v", tc.q, ids, tc.want)
			}
		})
	}
	got, err := s.Articles(t.Context(), briefings.ArticleQuery{IDs: []string{a1}})
	if err != nil || len(got) != 1 {
		t.Fatalf("Articles(a1) = %v, %v", got, err)
	}
	want := article1().Article
	want.Hash = briefings.ContentHash(want.Text)
	want.ID = a1
	sameArticle(t, "Articles()", got[0], want)
	// Without text: the same article, its body left out.
	got, err = s.Articles(t.Context(), briefings.ArticleQuery{IDs: []string{a1}, NoText: true})
	if err != nil || len(got) != 1 {
		t.Fatalf("Articles(a1, no text) = %v, %v", got, err)
	}
	if got[0].Text != "" {
		t.Errorf("Articles(NoText) returned a text of %d bytes", len(got[0].Text))
	}
	got[0].Text = want.Text
	sameArticle(t, "Articles(NoText)", got[0], want)
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

func testEntityMerge(t *testing.T, s briefings.Store) {
	addAll(t, s)
	got, err := s.Entities(t.Context(), briefings.EntityQuery{Name: "Ana Ribeiro"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("Entities(Ana Ribeiro) = %v; want one entity", entityIDs(got))
	}
	e := got[0]
	if e.ID != "person:ana-ribeiro" || e.Name != "Ana Ribeiro" || e.Kind != briefings.EntityPerson || e.Country != "Valdoria" {
		t.Errorf("entity = %+v; want the extractor's id, name, kind and country", e)
	}
	if e.Mentions != 3 {
		t.Errorf("mentions = %d; want 2+1 summed across articles", e.Mentions)
	}
	// "ribeiro" repeats "Ribeiro" in another case: one alias.
	if want := []string{"Minister Ribeiro", "Ribeiro"}; !slices.Equal(sorted(e.Aliases), want) {
		t.Errorf("aliases = %q; want the union %q", e.Aliases, want)
	}
	wantRoles := []briefings.Role{{Title: "Chief Negotiator", Affiliation: "Valdoria"}, {Title: "Foreign Minister", Affiliation: "Valdoria"}}
	roles := append([]briefings.Role(nil), e.Roles...)
	sort.Slice(roles, func(i, j int) bool { return roles[i].Title < roles[j].Title })
	if !reflect.DeepEqual(roles, wantRoles) {
		t.Errorf("roles = %+v; want the union %+v", e.Roles, wantRoles)
	}

	karesh, err := s.Entities(t.Context(), briefings.EntityQuery{Name: "karesh"})
	if err != nil || len(karesh) != 1 || karesh[0].Mentions != 4 {
		t.Errorf("Entities(karesh) = %+v, %v; want one entity with 2+1+1 mentions", karesh, err)
	}
}

func testEntityLookup(t *testing.T, s briefings.Store) {
	addAll(t, s)
	tests := []struct {
		name string
		q    briefings.EntityQuery
		want []string
	}{
		{"exact name", briefings.EntityQuery{Name: "Tomas Ekberg"}, []string{"person:tomas-ekberg"}},
		{"alias", briefings.EntityQuery{Name: "ekberg"}, []string{"person:tomas-ekberg"}},
		{"alias from the second article", briefings.EntityQuery{Name: "MINISTER RIBEIRO"}, []string{"person:ana-ribeiro"}},
		{"accents folded", briefings.EntityQuery{Name: "zoe marchand"}, []string{"person:zoe-marchand"}},
		{"exact does not match a prefix", briefings.EntityQuery{Name: "Tom"}, nil},
		{"prefix", briefings.EntityQuery{Name: "Tom", Prefix: true}, []string{"person:tomas-ekberg"}},
		{"prefix over names and aliases, most mentioned first", briefings.EntityQuery{Name: "ost", Prefix: true}, []string{"country:ostmark"}},
		{"prefix many", briefings.EntityQuery{Name: "v", Prefix: true}, []string{"country:valdoria"}},
		{"prefix of alias", briefings.EntityQuery{Name: "valdorian", Prefix: true}, []string{"country:valdoria"}},
		{"kind filter", briefings.EntityQuery{Kinds: []briefings.EntityKind{briefings.EntityCountry}},
			[]string{"country:karesh", "country:valdoria", "country:ostmark"}},
		{"kinds or", briefings.EntityQuery{Kinds: []briefings.EntityKind{briefings.EntityOrganization, briefings.EntityPerson}, Limit: 2},
			[]string{"person:ana-ribeiro", "organization:northern-assembly"}},
		{"prefix and kind", briefings.EntityQuery{Name: "m", Prefix: true, Kinds: []briefings.EntityKind{briefings.EntityPerson}},
			[]string{"person:ana-ribeiro", "person:zoe-marchand"}},
		{"everything, most mentioned first", briefings.EntityQuery{Limit: 3}, []string{"country:karesh", "country:valdoria", "person:ana-ribeiro"}},
		{"unknown", briefings.EntityQuery{Name: "Nobody"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Entities(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(entityIDs(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Entities(%+v) = %v; want %v", tc.q, entityIDs(got), tc.want)
			}
		})
	}
}

const withdrawalKey = "withdrawal|valdoria|karesh|military"

func findStatus(t *testing.T, ss []briefings.Status, key string) briefings.Status {
	t.Helper()
	for _, s := range ss {
		if s.Key == key {
			return s
		}
	}
	t.Fatalf("no status %q among %v", key, statusKeys(ss))
	return briefings.Status{}
}

func checkWithdrawal(t *testing.T, s briefings.Store, a1, a2 string) {
	t.Helper()
	all, err := s.Statuses(t.Context(), briefings.StatusQuery{})
	if err != nil {
		t.Fatal(err)
	}
	st := findStatus(t, all, withdrawalKey)
	if st.Stage != briefings.StageAgreed || st.AsOf.Value != "2024-04-09" {
		t.Errorf("stage = %q as of %q; want the later evidence: agreed as of 2024-04-09", st.Stage, st.AsOf.Value)
	}
	if st.Kind != briefings.FactWithdrawal || st.Topic != "Valdoria military withdrawal from Karesh" {
		t.Errorf("status kind %q topic %q; want withdrawal, %q", st.Kind, st.Topic, "Valdoria military withdrawal from Karesh")
	}
	if len(st.History) != 2 {
		t.Fatalf("history has %d events; want 2", len(st.History))
	}
	h0, h1 := st.History[0], st.History[1]
	if h0.Stage != briefings.StageDemanded || h0.ArticleID != a1 || h0.FactID != a1+"-1" || !h0.Published.Equal(day("2024-03-01")) || h0.Time.Value != "2024-03-01" {
		t.Errorf("history[0] = %+v; want demanded, from the first article, published 2024-03-01", h0)
	}
	if h1.Stage != briefings.StageAgreed || h1.ArticleID != a2 || !h1.Published.Equal(day("2024-04-10")) || !h1.Ingested.Equal(at("2024-04-10T12:00:00Z")) {
		t.Errorf("history[1] = %+v; want agreed, from the second article, published 2024-04-10", h1)
	}
	if h0.Evidence.Text == "" || h1.Evidence.Text == "" {
		t.Errorf("history events lack their evidence: %+v", st.History)
	}
}

func testStatusAcrossArticles(t *testing.T, s briefings.Store) {
	r1 := add(t, s, article1())
	if len(r1.Changed) != 1 || r1.Changed[0].Key != withdrawalKey || r1.Changed[0].From != "" || r1.Changed[0].To != briefings.StageDemanded {
		t.Errorf("first article: Changed = %+v; want the new status %q (\"\" → demanded)", r1.Changed, withdrawalKey)
	}
	r2 := add(t, s, article2())
	if len(r2.Changed) != 1 {
		t.Fatalf("second article: Changed = %+v; want one change", r2.Changed)
	}
	c := r2.Changed[0]
	if c.Key != withdrawalKey || c.From != briefings.StageDemanded || c.To != briefings.StageAgreed ||
		c.Event.FactID != r2.Article.ID+"-0" || c.Topic != "Valdoria military withdrawal from Karesh" {
		t.Errorf("second article: change = %+v; want demanded → agreed by fact %s-0", c, r2.Article.ID)
	}
	checkWithdrawal(t, s, r1.Article.ID, r2.Article.ID)
}

func testStatusOutOfOrder(t *testing.T, s briefings.Store) {
	r2 := add(t, s, article2())
	if len(r2.Changed) != 1 || r2.Changed[0].To != briefings.StageAgreed {
		t.Errorf("later article stored first: Changed = %+v; want \"\" → agreed", r2.Changed)
	}
	r1 := add(t, s, article1())
	if len(r1.Changed) != 0 {
		t.Errorf("older evidence stored last changed the stage: %+v", r1.Changed)
	}
	checkWithdrawal(t, s, r1.Article.ID, r2.Article.ID)
}

func testStatusFilters(t *testing.T, s briefings.Store) {
	addAll(t, s)
	const pact = "agreement|karesh+ostmark|trade-pact"
	tests := []struct {
		name string
		q    briefings.StatusQuery
		want []string
	}{
		{"all, latest evidence first", briefings.StatusQuery{}, []string{withdrawalKey, pact}},
		{"topic word", briefings.StatusQuery{Terms: []string{"Karesh"}}, []string{withdrawalKey, pact}},
		{"word prefix", briefings.StatusQuery{Terms: []string{"withdraw"}}, []string{withdrawalKey}},
		{"key word", briefings.StatusQuery{Terms: []string{"pact"}}, []string{pact}},
		{"words of one term all match", briefings.StatusQuery{Terms: []string{"valdoria withdrawal"}}, []string{withdrawalKey}},
		{"words of one term all match, none does", briefings.StatusQuery{Terms: []string{"ostmark withdrawal"}}, nil},
		{"terms or", briefings.StatusQuery{Terms: []string{"ostmark", "military"}}, []string{withdrawalKey, pact}},
		{"case and accents", briefings.StatusQuery{Terms: []string{"ÖSTMARK"}}, []string{pact}},
		{"unknown", briefings.StatusQuery{Terms: []string{"parade"}}, nil},
		{"kind", briefings.StatusQuery{Kinds: []briefings.FactKind{briefings.FactAgreement}}, []string{pact}},
		{"changed after the second article", briefings.StatusQuery{ChangedAfter: at("2024-04-10T12:00:00Z")}, []string{pact}},
		{"changed after the first article", briefings.StatusQuery{ChangedAfter: at("2024-03-01T12:00:00Z")}, []string{withdrawalKey, pact}},
		{"changed after everything", briefings.StatusQuery{ChangedAfter: at("2024-05-01T00:00:00Z")}, nil},
		{"limit", briefings.StatusQuery{Limit: 1}, []string{withdrawalKey}},
		{"term and kind", briefings.StatusQuery{Terms: []string{"karesh"}, Kinds: []briefings.FactKind{briefings.FactWithdrawal}}, []string{withdrawalKey}},
		{"key", briefings.StatusQuery{Keys: []string{pact}}, []string{pact}},
		{"keys, latest evidence first", briefings.StatusQuery{Keys: []string{pact, withdrawalKey, "withdrawal|nobody|nowhere|military"}}, []string{withdrawalKey, pact}},
		{"key and kind", briefings.StatusQuery{Keys: []string{pact}, Kinds: []briefings.FactKind{briefings.FactWithdrawal}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.Statuses(t.Context(), tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(statusKeys(got), tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
				t.Errorf("Statuses(%+v) = %v; want %v", tc.q, statusKeys(got), tc.want)
			}
		})
	}
	// A filtered status still carries its full history.
	got, err := s.Statuses(t.Context(), briefings.StatusQuery{ChangedAfter: at("2024-03-01T12:00:00Z"), Kinds: []briefings.FactKind{briefings.FactWithdrawal}})
	if err != nil || len(got) != 1 || len(got[0].History) != 2 {
		t.Errorf("Statuses(changed after a1) = %+v, %v; want the withdrawal with both events", got, err)
	}
}

const searchText = `The envoy met the minister in the capital.
The envoy arrived late.
Talks about the pipeline stalled again.
Zoë Marchand spoke to reporters.
Farmers protested outside the parliament.
Rain delayed the harvest in the north.
The central bank held interest rates.
A new bridge opened to traffic.
Schools reopened after the holiday.
The football club signed a striker.
Fishermen returned to the harbour.
A festival filled the old town.`

func testArticleSentences(t *testing.T, s briefings.Store) {
	a := briefings.Article{Title: "Sentences", Source: "test", Published: day("2024-01-02"), Ingested: at("2024-01-02T00:00:00Z"), Text: searchText}
	want := sentences(searchText)
	res, err := s.AddArticle(t.Context(), a, briefings.Facts{Sentences: want})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.ArticleSentences(t.Context(), res.Article.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sentences\n got %+v\nwant %+v", got, want)
	}
	if _, err := s.ArticleSentences(t.Context(), "no-such-article"); briefings.ErrorCode(err) != briefings.CodeNotFound {
		t.Errorf("unknown article: %v, want not found", err)
	}
}

func testSearchSentences(t *testing.T, s briefings.Store) {
	a := briefings.Article{Title: "Search", Source: "test", Published: day("2024-01-02"), Ingested: at("2024-01-02T00:00:00Z"), Text: searchText}
	res, err := s.AddArticle(t.Context(), a, briefings.Facts{Sentences: sentences(searchText)})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Article.ID
	lines := strings.Split(searchText, "\n")
	tests := []struct {
		name  string
		terms []string
		limit int
		want  []int // sentence indexes, best first
		any   bool  // the order of want does not matter
	}{
		{"two words beat one", []string{"envoy minister"}, 0, []int{0, 1}, false},
		{"terms combine", []string{"envoy", "minister"}, 0, []int{0, 1}, false},
		{"case folded", []string{"PIPELINE"}, 0, []int{2}, false},
		{"accents folded", []string{"zoe"}, 0, []int{3}, false},
		{"accented query", []string{"Marchánd"}, 0, []int{3}, false},
		{"limit", []string{"envoy minister"}, 1, []int{0}, false},
		// Quotes, operators and wildcards are plain words, never syntax.
		{"operators are words", []string{`"pipeline" OR NOT (bridge*)`}, 0, []int{2, 7}, true},
		{"no match", []string{"volcano"}, 0, nil, false},
		{"no words", []string{"  ", "?!"}, 0, nil, false},
		{"no terms", nil, 0, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.SearchSentences(t.Context(), tc.terms, tc.limit)
			if err != nil {
				t.Fatalf("SearchSentences(%q): %v", tc.terms, err)
			}
			got := make([]int, len(hits))
			for i, h := range hits {
				got[i] = h.Sentence.Index
				if h.ArticleID != id || h.Sentence.Text != lines[h.Sentence.Index] {
					t.Errorf("hit %+v does not carry its article and sentence", h)
				}
				if i > 0 && h.Score > hits[i-1].Score {
					t.Errorf("hits not ranked best first: %v then %v", hits[i-1].Score, h.Score)
				}
			}
			if tc.any {
				slices.Sort(got)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("SearchSentences(%q) = sentences %v; want %v", tc.terms, got, tc.want)
			}
		})
	}
}

// testSearchCommonWords checks the bounds on what a search ranks: stop words
// are left out unless nothing else is asked, and a word held by more
// sentences than the stores rank (4,000) is left out beside rarer ones.
func testSearchCommonWords(t *testing.T, s briefings.Store) {
	const articles, perArticle = 41, 100
	for i := range articles {
		lines := make([]string, perArticle)
		for j := range lines {
			lines[j] = fmt.Sprintf("Harbour report %d-%d: the tide turned.", i, j)
		}
		if i == 7 {
			lines[3] = "Harbour report special: the lighthouse keeper waved."
		}
		text := strings.Join(lines, "\n")
		a := briefings.Article{Title: fmt.Sprint("Harbour ", i), Source: "test", Ingested: at("2024-01-01T00:00:00Z"), Text: text}
		if _, err := s.AddArticle(t.Context(), a, briefings.Facts{Sentences: sentences(text)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		terms []string
		want  int // hits
		first string
	}{
		{"common word beside a rare one is left out", []string{"harbour lighthouse"}, 1, "lighthouse"},
		{"a common word alone is still searched", []string{"harbour"}, 5, "Harbour"},
		{"stop words beside a word are left out", []string{"what did the lighthouse keeper do"}, 1, "lighthouse"},
		{"stop words alone are searched", []string{"the"}, 5, "the"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, err := s.SearchSentences(t.Context(), tc.terms, 5)
			if err != nil {
				t.Fatal(err)
			}
			if len(hits) != tc.want || !strings.Contains(hits[0].Sentence.Text, tc.first) {
				t.Errorf("SearchSentences(%q) = %d hits, first %+v; want %d, the first with %q", tc.terms, len(hits), hits, tc.want, tc.first)
			}
		})
	}
}

func testStats(t *testing.T, s briefings.Store) {
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st != (briefings.Stats{}) {
		t.Errorf("empty store Stats = %+v", st)
	}
	addAll(t, s)
	st, err = s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// Entities: Ribeiro, Ekberg, Marchand, the assembly, three countries.
	want := briefings.Stats{Articles: 3, Facts: 7, Entities: 7, Statuses: 2}
	if st != want {
		t.Errorf("Stats = %+v; want %+v", st, want)
	}
}

func testInvalid(t *testing.T, s briefings.Store) {
	noEvidence := article1()
	noEvidence.Facts.Facts[2].Evidence = briefings.Evidence{}
	otherArticle := article1()
	otherArticle.Facts.ArticleID = "someone-else"
	noText := article1()
	noText.Article.Text = " \n "
	noEntityID := article1()
	noEntityID.Facts.Entities[0].ID = ""
	twice := article1()
	twice.Facts.Facts[0].ID, twice.Facts.Facts[1].ID = "same", "same"
	nul := article1()
	nul.Article.Text += "\x00"
	nul.Facts.ArticleID = ""
	badUTF8 := article1()
	badUTF8.Article.Title = "caf\xe9"
	for _, tc := range []struct {
		name string
		f    fixture
	}{{"fact without evidence", noEvidence}, {"facts of another article", otherArticle}, {"no text", noText},
		{"entity without id", noEntityID}, {"fact id twice", twice}, {"NUL in the text", nul}, {"title not UTF-8", badUTF8}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.AddArticle(t.Context(), tc.f.Article, tc.f.Facts)
			if briefings.ErrorCode(err) != briefings.CodeInvalid {
				t.Errorf("AddArticle = %v; want a CodeInvalid error", err)
			}
			var be *briefings.Error
			if errors.As(err, &be) && be.Msg == "" {
				t.Errorf("error %v has no message for the user", err)
			}
		})
	}
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st != (briefings.Stats{}) {
		t.Errorf("rejected articles left records behind: %+v", st)
	}

	ctx := t.Context()
	many := make([]string, 5000)
	for i := range many {
		many[i] = fmt.Sprint("term", i)
	}
	for name, call := range map[string]func() error{
		"negative fact limit":     func() error { _, err := s.Facts(ctx, briefings.FactQuery{Limit: -1}); return err },
		"negative article limit":  func() error { _, err := s.Articles(ctx, briefings.ArticleQuery{Limit: -1}); return err },
		"negative entity limit":   func() error { _, err := s.Entities(ctx, briefings.EntityQuery{Limit: -1}); return err },
		"negative status limit":   func() error { _, err := s.Statuses(ctx, briefings.StatusQuery{Limit: -1}); return err },
		"negative sentence limit": func() error { _, err := s.SearchSentences(ctx, []string{"x"}, -1); return err },
		"too many fact terms":     func() error { _, err := s.Facts(ctx, briefings.FactQuery{Terms: many}); return err },
		"too many status terms":   func() error { _, err := s.Statuses(ctx, briefings.StatusQuery{Terms: many}); return err },
		"too many status keys":    func() error { _, err := s.Statuses(ctx, briefings.StatusQuery{Keys: many}); return err },
		"too many article ids":    func() error { _, err := s.Articles(ctx, briefings.ArticleQuery{IDs: many}); return err },
	} {
		if err := call(); briefings.ErrorCode(err) != briefings.CodeInvalid {
			t.Errorf("%s: err = %v; want a CodeInvalid error", name, err)
		}
	}
	// A limit above the store's largest is lowered, not refused.
	if _, err := s.Facts(ctx, briefings.FactQuery{Limit: 1 << 30}); err != nil {
		t.Errorf("Facts with a huge limit: %v", err)
	}
}

func testConcurrentAdds(t *testing.T, s briefings.Store) {
	const workers, each = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				f := numbered(w, i)
				res, err := s.AddArticle(t.Context(), f.Article, f.Facts)
				if err != nil {
					errs <- fmt.Errorf("worker %d article %d: %w", w, i, err)
					continue
				}
				if res.Duplicate {
					errs <- fmt.Errorf("worker %d article %d: reported as a duplicate", w, i)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if want := (briefings.Stats{Articles: workers * each, Facts: 2 * workers * each, Entities: 1, Statuses: 1}); st != want {
		t.Errorf("Stats = %+v; want %+v (no lost writes)", st, want)
	}
	es, err := s.Entities(t.Context(), briefings.EntityQuery{Name: "Valdoria"})
	if err != nil || len(es) != 1 {
		t.Fatalf("Entities(Valdoria) = %v, %v", es, err)
	}
	if es[0].Mentions != workers*each || len(es[0].Aliases) != workers {
		t.Errorf("Valdoria: %d mentions, aliases %q; want %d mentions and %d aliases (no lost merge)", es[0].Mentions, es[0].Aliases, workers*each, workers)
	}
	ss, err := s.Statuses(t.Context(), briefings.StatusQuery{})
	if err != nil || len(ss) != 1 {
		t.Fatalf("Statuses = %v, %v", ss, err)
	}
	if len(ss[0].History) != workers*each {
		t.Errorf("status history has %d events; want %d", len(ss[0].History), workers*each)
	}
	for i := 1; i < len(ss[0].History); i++ {
		if ss[0].History[i].At().Before(ss[0].History[i-1].At()) {
			t.Errorf("history out of time order at %d", i)
		}
	}
}

// staged is numbered with the withdrawal's stage set by i: demanded,
// agreed, under way, completed in runs of ten.
func staged(i int) fixture {
	f := numbered(0, i)
	stages := []string{briefings.StageDemanded, briefings.StageAgreed, briefings.StageUnderWay, briefings.StageCompleted}
	f.Facts.Facts[0].Status = stages[min(i/10, len(stages)-1)]
	return f
}

// StatusWithHistory adds n articles about one process, in stage runs of
// ten (demanded, agreed, under way, completed), to an empty store and
// returns the process's status with its full history.
func StatusWithHistory(t *testing.T, s briefings.Store, n int) briefings.Status {
	t.Helper()
	for i := range n {
		add(t, s, staged(i))
	}
	ss, err := s.Statuses(t.Context(), briefings.StatusQuery{})
	if err != nil || len(ss) != 1 {
		t.Fatalf("Statuses = %v, %v", ss, err)
	}
	return ss[0]
}

func testStatusHistoryLimit(t *testing.T, s briefings.Store) {
	full := StatusWithHistory(t, s, 40)
	if len(full.History) != 40 || full.Events != 40 || full.Stage != briefings.StageCompleted {
		t.Fatalf("full status: %d events (Events %d), stage %q; want 40 and completed", len(full.History), full.Events, full.Stage)
	}
	for _, limit := range []int{1, 2, 3, 6, 16, 17, 39, 40, 100} {
		ss, err := s.Statuses(t.Context(), briefings.StatusQuery{HistoryLimit: limit})
		if err != nil || len(ss) != 1 {
			t.Fatalf("Statuses(HistoryLimit %d) = %v, %v", limit, ss, err)
		}
		got := ss[0]
		if got.Stage != full.Stage || got.AsOf.Value != full.AsOf.Value || got.Events != full.Events || got.Topic != full.Topic {
			t.Errorf("HistoryLimit %d: stage %q as of %q, %d events, topic %q; want %q as of %q, %d events, topic %q",
				limit, got.Stage, got.AsOf.Value, got.Events, got.Topic, full.Stage, full.AsOf.Value, full.Events, full.Topic)
		}
		want := briefings.CompactHistory(full, limit)
		if len(got.History) > limit || len(got.History) != len(want) {
			t.Errorf("HistoryLimit %d: %d events; want %d", limit, len(got.History), len(want))
			continue
		}
		for i := range want {
			if got.History[i].FactID != want[i].FactID {
				t.Errorf("HistoryLimit %d: event %d is %s; want %s", limit, i, got.History[i].FactID, want[i].FactID)
			}
		}
		if got.Current().FactID != full.Current().FactID {
			t.Errorf("HistoryLimit %d: current event %s; want %s", limit, got.Current().FactID, full.Current().FactID)
		}
	}
}

func testCanceled(t *testing.T, s briefings.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	f := article1()
	if _, err := s.AddArticle(ctx, f.Article, f.Facts); !errors.Is(err, context.Canceled) {
		t.Errorf("AddArticle(canceled) = %v; want context.Canceled", err)
	}
	st, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st != (briefings.Stats{}) {
		t.Errorf("a canceled AddArticle stored something: %+v", st)
	}
	add(t, s, f)
	for name, call := range map[string]func() error{
		"Article":         func() error { _, err := s.Article(ctx, f.id()); return err },
		"Articles":        func() error { _, err := s.Articles(ctx, briefings.ArticleQuery{}); return err },
		"Facts":           func() error { _, err := s.Facts(ctx, briefings.FactQuery{}); return err },
		"Entities":        func() error { _, err := s.Entities(ctx, briefings.EntityQuery{}); return err },
		"Statuses":        func() error { _, err := s.Statuses(ctx, briefings.StatusQuery{}); return err },
		"SearchSentences": func() error { _, err := s.SearchSentences(ctx, []string{"Ribeiro"}, 0); return err },
		"Stats":           func() error { _, err := s.Stats(ctx); return err },
		"ArticleSources":  func() error { _, err := s.ArticleSources(ctx, f.id()); return err },
		"PutSubscription": func() error {
			_, _, err := s.PutSubscription(ctx, briefings.Subscription{Platform: "p", Channel: "c", Zone: "UTC", Days: []int{1}})
			return err
		},
		"Subscriptions": func() error { _, err := s.Subscriptions(ctx, briefings.SubscriptionQuery{}); return err },
		"Deliveries":    func() error { _, err := s.Deliveries(ctx, "sub_x", 0); return err },
		"LastCursor":    func() error { _, err := s.LastCursor(ctx, "sub_x"); return err },
		"AddFeed":       func() error { _, err := s.AddFeed(ctx, briefings.Feed{URL: "https://x.example.test/rss"}); return err },
		"Feeds":         func() error { _, err := s.Feeds(ctx, 0); return err },
		"ClaimDueFeeds": func() error {
			_, err := s.ClaimDueFeeds(ctx, "p", at("2026-01-01T00:00:00Z"), time.Minute, 0)
			return err
		},
		"PutStory":     func() error { _, err := s.PutStory(ctx, briefings.Story{First: day("2024-01-01")}); return err },
		"Stories":      func() error { _, err := s.Stories(ctx, 0); return err },
		"StoryByID":    func() error { _, err := s.StoryByID(ctx, "x"); return err },
		"MatchStories": func() error { _, err := s.MatchStories(ctx, []string{"x"}, day("2024-01-01"), 0, 0); return err },
		"SetPaused":    func() error { return s.SetPaused(ctx, "sub_x", true, "") },
		"RemoveFeed":   func() error { return s.RemoveFeed(ctx, "https://x.example.test/rss") },
		"NewFeedItems": func() error { _, err := s.NewFeedItems(ctx, "feed_x", []string{"a"}); return err },
	} {
		if err := call(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s(canceled) = %v; want context.Canceled", name, err)
		}
	}
}

// statsUnchanged fails when the store's counts moved.
func statsUnchanged(t *testing.T, s briefings.Store, before briefings.Stats) {
	t.Helper()
	after, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("Stats after a duplicate = %+v; want unchanged %+v", after, before)
	}
}

func sources(t *testing.T, s briefings.Store, id string) []briefings.ArticleSource {
	t.Helper()
	srcs, err := s.ArticleSources(t.Context(), id)
	if err != nil {
		t.Fatalf("ArticleSources(%s): %v", id, err)
	}
	return srcs
}

func testDuplicateAddress(t *testing.T, s briefings.Store) {
	first := add(t, s, article1())
	before, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	// The page changed since it was stored: same address, new text.
	updated := article2()
	updated.Article.URL = first.Article.URL
	res, err := s.AddArticle(t.Context(), updated.Article, updated.Facts)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || res.DuplicateReason != briefings.DuplicateSameAddress || res.Facts != 0 {
		t.Errorf("AddResult = duplicate %v (%q), %d facts; want a duplicate for the same address", res.Duplicate, res.DuplicateReason, res.Facts)
	}
	sameArticle(t, "duplicate's Article", res.Article, first.Article)
	statsUnchanged(t, s, before)
	if srcs := sources(t, s, first.Article.ID); len(srcs) != 0 {
		t.Errorf("ArticleSources = %+v; the same address adds no source", srcs)
	}
	// Articles without an address are never duplicates by address.
	noURL1, noURL2 := article2(), article3()
	noURL1.Article.URL, noURL2.Article.URL = "", ""
	for _, f := range []fixture{noURL1, noURL2} {
		if r := add(t, s, f); r.Duplicate {
			t.Errorf("%q without a URL reported as a duplicate (%s)", f.Article.Title, r.DuplicateReason)
		}
	}
	if _, err := s.ArticleSources(t.Context(), "no-such-article"); !errors.Is(err, briefings.ErrNotFound) {
		t.Errorf("ArticleSources(missing) = %v; want ErrNotFound", err)
	}
}

func testNearDuplicate(t *testing.T, s briefings.Store) {
	story, copied, _ := wire()
	first, err := s.AddArticle(t.Context(), story, briefings.Facts{Sentences: sentences(story.Text)})
	if err != nil || first.Duplicate {
		t.Fatalf("AddArticle(wire story) = %+v, %v", first, err)
	}
	before, err := s.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.AddArticle(t.Context(), copied, briefings.Facts{Sentences: sentences(copied.Text)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Duplicate || res.DuplicateReason != briefings.DuplicateNear || res.Facts != 0 {
		t.Fatalf("the copy with a new headline and an added paragraph: duplicate %v (%q); want a near-duplicate", res.Duplicate, res.DuplicateReason)
	}
	if res.Similarity < briefings.NearDuplicateThreshold || res.Similarity > 1 {
		t.Errorf("Similarity = %v; want at least %v", res.Similarity, briefings.NearDuplicateThreshold)
	}
	sameArticle(t, "near-duplicate's Article", res.Article, first.Article)
	statsUnchanged(t, s, before)
	srcs := sources(t, s, first.Article.ID)
	want := briefings.ArticleSource{ArticleID: first.Article.ID, Title: copied.Title, Source: copied.Source, URL: copied.URL,
		Published: copied.Published, Hash: briefings.ContentHash(copied.Text), Similarity: res.Similarity, Added: copied.Ingested}
	if len(srcs) != 1 || !reflect.DeepEqual(srcs[0], want) {
		t.Fatalf("ArticleSources = %+v\n want [%+v]", srcs, want)
	}
	if hits, err := s.SearchSentences(t.Context(), []string{"coastal road lorries"}, 0); err != nil || len(hits) != 0 {
		t.Errorf("the copy's own paragraph was stored: %+v, %v", hits, err)
	}

	// The copy again: its text is recorded, nothing new.
	again, err := s.AddArticle(t.Context(), copied, briefings.Facts{})
	if err != nil || !again.Duplicate || again.DuplicateReason != briefings.DuplicateSameText || again.Article.ID != first.Article.ID {
		t.Errorf("the copy again = %+v, %v; want the same text, pointing at the original", again, err)
	}
	// The copy's address with other text: the same address.
	moved := copied
	moved.Text = otherReport
	if r, err := s.AddArticle(t.Context(), moved, briefings.Facts{}); err != nil || r.DuplicateReason != briefings.DuplicateSameAddress || r.Article.ID != first.Article.ID {
		t.Errorf("the copy's address again = %+v, %v; want the same address, pointing at the original", r, err)
	}
	// The copy's text from a third address: recorded as one more source.
	third := copied
	third.URL, third.Source = "https://third.example.test/garrison", "third"
	if r, err := s.AddArticle(t.Context(), third, briefings.Facts{}); err != nil || r.DuplicateReason != briefings.DuplicateSameText || r.Article.ID != first.Article.ID {
		t.Errorf("the copy from a third address = %+v, %v; want the same text", r, err)
	}
	srcs = sources(t, s, first.Article.ID)
	if len(srcs) != 2 || srcs[0].URL != copied.URL || srcs[1].URL != third.URL || srcs[1].Similarity != 1 {
		t.Errorf("ArticleSources = %+v; want the copy, then the third address with similarity 1", srcs)
	}
	statsUnchanged(t, s, before)
}

func testSameMeetingKept(t *testing.T, s briefings.Store) {
	story, _, other := wire()
	a := add(t, s, fixture{Article: story})
	b := add(t, s, fixture{Article: other})
	if a.Duplicate || b.Duplicate {
		t.Fatalf("two reports of one meeting: duplicates %v (%q) and %v (%q); want both stored", a.Duplicate, a.DuplicateReason, b.Duplicate, b.DuplicateReason)
	}
	if sim := briefings.Similarity(briefings.NewSignature(story.Text), briefings.NewSignature(other.Text)); sim >= 0.3 {
		t.Errorf("the two reports score %v; the test texts should share almost no phrasing", sim)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Articles != 2 {
		t.Errorf("Stats = %+v, %v; want 2 articles", st, err)
	}
}
