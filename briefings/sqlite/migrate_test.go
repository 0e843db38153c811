package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

var update = flag.Bool("update", false, "add new migrations to testdata/migrations.sum and create testdata/v1.db when it is missing")

const sumFile = "testdata/migrations.sum"

// migrationSums returns "sha256  name" for every embedded migration.
func migrationSums(t *testing.T) map[string]string {
	t.Helper()
	fsys, err := migrationsFS()
	if err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sums := map[string]string{}
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		sums[n] = hex.EncodeToString(sum[:])
	}
	return sums
}

// latestVersion is the version of the last embedded migration.
func latestVersion(t *testing.T) int64 {
	t.Helper()
	var latest int64
	for n := range migrationSums(t) {
		v, err := strconv.ParseInt(strings.SplitN(n, "_", 2)[0], 10, 64)
		if err != nil {
			t.Fatalf("migration %s is not named NNNNN_name.sql", n)
		}
		latest = max(latest, v)
	}
	return latest
}

// TestMigrationsAppendOnly pins every released migration by checksum:
// editing, renaming or deleting one fails; a new one must be added to the
// list with -update (which never changes an existing entry).
func TestMigrationsAppendOnly(t *testing.T) {
	sums := migrationSums(t)
	golden := map[string]string{}
	data, err := os.ReadFile(sumFile)
	if err != nil && !(*update && errors.Is(err, os.ErrNotExist)) {
		t.Fatalf("%v (create it with: go test ./briefings/sqlite -run TestMigrationsAppendOnly -update)", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			golden[f[1]] = f[0]
		}
	}
	for name, want := range golden {
		got, ok := sums[name]
		switch {
		case !ok:
			t.Errorf("migration %s was released and is gone: migrations are append-only, restore it", name)
		case got != want:
			t.Errorf("migration %s changed after release (sha256 %s, released %s): migrations are append-only; "+
				"restore it and put the change in a new migration", name, got, want)
		}
	}
	var added []string
	for name := range sums {
		if _, ok := golden[name]; !ok {
			added = append(added, name)
		}
	}
	slices.Sort(added)
	if len(added) == 0 {
		return
	}
	if !*update {
		t.Fatalf("new migrations %v are not in %s; add them with: go test ./briefings/sqlite -run TestMigrationsAppendOnly -update", added, sumFile)
	}
	if t.Failed() {
		t.Fatal("not updating the checksums while a released migration differs")
	}
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", sums[n], n)
	}
	if err := os.WriteFile(sumFile, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("added %v to %s", added, sumFile)
}

const fixtureFile = "testdata/v1.db"

// fixtureArticles is what testdata/v1.db holds: two articles about one
// process, published on different dates.
func fixtureArticles() []batchItem {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	ref := func(text, date string) briefings.TimeRef {
		d := day(date)
		return briefings.TimeRef{Text: text, Value: date, Precision: briefings.PrecisionDay, Start: d, End: d}
	}
	lumen := briefings.Party{Name: "Lumenia", Kind: briefings.EntityCountry, Entity: "country:lumenia"}
	tarsk := briefings.Party{Name: "Tarsk", Kind: briefings.EntityCountry, Entity: "country:tarsk"}
	okoro := briefings.Party{Name: "Ada Okoro", Kind: briefings.EntityPerson, Role: "Envoy", Country: "Lumenia", Entity: "person:ada-okoro"}
	t1 := "Lumenia demanded on Monday that Tarsk pull its observers out.\nEnvoy Ada Okoro delivered the note."
	t2 := "Tarsk agreed on Friday to withdraw its observers from Lumenia.\nOkoro called the deal fair."
	s := func(text string) []briefings.Sentence {
		var out []briefings.Sentence
		for i, l := range strings.Split(text, "\n") {
			out = append(out, briefings.Sentence{Index: i, Text: l})
		}
		return out
	}
	ev := func(text string, i int) briefings.Evidence {
		return briefings.Evidence{Sentence: i, Text: strings.Split(text, "\n")[i]}
	}
	return []batchItem{
		{briefings.Article{Title: "Lumenia wants observers out", Source: "fixture", Published: day("2025-02-03"), Ingested: day("2025-02-03").Add(9 * time.Hour), Text: t1, Story: "observers"},
			briefings.Facts{Sentences: s(t1),
				Entities: []briefings.Entity{{ID: "person:ada-okoro", Name: "Ada Okoro", Kind: briefings.EntityPerson, Aliases: []string{"Okoro"},
					Roles: []briefings.Role{{Title: "Envoy", Affiliation: "Lumenia"}}, Country: "Lumenia", Mentions: 1},
					{ID: "country:tarsk", Name: "Tarsk", Kind: briefings.EntityCountry, Mentions: 1}},
				Facts: []briefings.Fact{
					{Kind: briefings.FactWithdrawal, Actors: []briefings.Party{tarsk}, Counterparts: []briefings.Party{lumen}, Time: ref("on Monday", "2025-02-03"),
						Status: briefings.StageDemanded, Force: "mission", Summary: "Lumenia demanded that Tarsk withdraw its observers",
						Evidence: ev(t1, 0), Mentions: []string{"Lumenia", "Tarsk"}, Confidence: 0.8},
					{Kind: briefings.FactStatement, Actors: []briefings.Party{okoro}, Summary: "Ada Okoro delivered the note", Evidence: ev(t1, 1), Confidence: 0.6},
				}}},
		{briefings.Article{Title: "Tarsk agrees to withdraw observers", Source: "fixture", Published: day("2025-02-15"), Ingested: day("2025-02-15").Add(9 * time.Hour), Text: t2, Story: "observers"},
			briefings.Facts{Sentences: s(t2),
				Entities: []briefings.Entity{{ID: "person:ada-okoro", Name: "Ada Okoro", Kind: briefings.EntityPerson, Aliases: []string{"Envoy Okoro"}, Mentions: 1},
					{ID: "country:tarsk", Name: "Tarsk", Kind: briefings.EntityCountry, Mentions: 1}},
				Facts: []briefings.Fact{
					{Kind: briefings.FactWithdrawal, Actors: []briefings.Party{tarsk}, Counterparts: []briefings.Party{lumen}, Time: ref("on Friday", "2025-02-14"),
						Status: briefings.StageAgreed, Force: "mission", Summary: "Tarsk agreed to withdraw its observers from Lumenia",
						Evidence: ev(t2, 0), Mentions: []string{"Lumenia", "Tarsk"}, Confidence: 0.9},
					{Kind: briefings.FactStatement, Actors: []briefings.Party{okoro}, Summary: "Okoro called the deal fair", Evidence: ev(t2, 1), Confidence: 0.6},
				}}},
	}
}

// writeFixture creates testdata/v1.db at schema version 1 (run once, with
// -update, when the file is missing; it is frozen afterwards).
func writeFixture(t *testing.T) {
	tmp := filepath.Join(t.TempDir(), "v1.db")
	s, err := open(t.Context(), tmp, nil, Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.SchemaVersion() != 1 {
		t.Fatalf("fixture at version %d; want 1", s.SchemaVersion())
	}
	if _, err := s.addBatch(t.Context(), fixtureArticles()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// One self-contained file: no WAL beside it.
	db, err := sql.Open("sqlite", tmp)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"PRAGMA journal_mode=DELETE", "VACUUM"} {
		if _, err := db.ExecContext(t.Context(), q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	data, err := os.ReadFile(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixtureFile, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d bytes)", fixtureFile, len(data))
}

// TestMigrateV1Fixture opens a database written at schema version 1 with the
// current code: it is migrated to the latest version and its data reads
// back whole.
func TestMigrateV1Fixture(t *testing.T) {
	if _, err := os.Stat(fixtureFile); errors.Is(err, os.ErrNotExist) && *update {
		writeFixture(t)
	}
	data, err := os.ReadFile(fixtureFile)
	if err != nil {
		t.Fatalf("%v (create it once with: go test ./briefings/sqlite -run TestMigrateV1Fixture -update)", err)
	}
	path := filepath.Join(t.TempDir(), "v1.db")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	var before int64
	if err := raw.QueryRowContext(t.Context(), "SELECT max(version_id) FROM goose_db_version").Scan(&before); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if before != 1 {
		t.Fatalf("the fixture is at schema version %d; it must stay at 1", before)
	}

	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("opening a version 1 database: %v", err)
	}
	defer s.Close()
	if v := s.SchemaVersion(); v != latestVersion(t) {
		t.Errorf("schema version after open = %d; want %d", v, latestVersion(t))
	}
	ctx := t.Context()
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (briefings.Stats{Articles: 2, Facts: 4, Entities: 2, Statuses: 1}); st != want {
		t.Errorf("Stats = %+v; want %+v", st, want)
	}
	items := fixtureArticles()
	var ids []string
	for _, it := range items {
		id := briefings.ArticleID(briefings.ContentHash(it.a.Text))
		ids = append(ids, id)
		a, err := s.Article(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if a.Title != it.a.Title || a.Text != it.a.Text || !a.Published.Equal(it.a.Published) || !a.Ingested.Equal(it.a.Ingested) || a.Story != it.a.Story {
			t.Errorf("article %s = %+v; want %+v", id, a, it.a)
		}
	}
	facts, err := s.Facts(ctx, briefings.FactQuery{Story: "observers"})
	if err != nil {
		t.Fatal(err)
	}
	var want []briefings.Fact
	for i, it := range items {
		for j, f := range it.f.Facts {
			f.ID, f.ArticleID = fmt.Sprintf("%s-%d", ids[i], j), ids[i]
			want = append(want, f)
		}
	}
	gj, _ := json.Marshal(facts)
	wj, _ := json.Marshal(want)
	if string(gj) != string(wj) {
		t.Errorf("facts read back:\n got  %s\n want %s", gj, wj)
	}
	if fs, err := s.Facts(ctx, briefings.FactQuery{Terms: []string{"ada okoro"}, Kinds: []briefings.FactKind{briefings.FactStatement}}); err != nil || len(fs) != 2 {
		t.Errorf("Facts(ada okoro, statements) = %d facts, %v; want 2", len(fs), err)
	}
	es, err := s.Entities(ctx, briefings.EntityQuery{Name: "envoy okoro"})
	if err != nil || len(es) != 1 || es[0].Mentions != 2 || len(es[0].Aliases) != 2 {
		t.Errorf("Entities(envoy okoro) = %+v, %v; want Ada Okoro with 2 mentions and 2 aliases", es, err)
	}
	ss, err := s.Statuses(ctx, briefings.StatusQuery{Terms: []string{"tarsk withdrawal"}})
	if err != nil || len(ss) != 1 || ss[0].Stage != briefings.StageAgreed || len(ss[0].History) != 2 {
		t.Errorf("Statuses(tarsk) = %+v, %v; want one status, agreed, with two events", ss, err)
	}
	hits, err := s.SearchSentences(ctx, []string{"observers"}, 5)
	if err != nil || len(hits) != 2 {
		t.Errorf("SearchSentences(observers) = %+v, %v; want 2 hits", hits, err)
	}
	// Articles stored before migration 3 got their near-duplicate signatures
	// when the database was opened.
	var sigs, tasks int
	if err := s.r.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM article_signatures), (SELECT count(*) FROM store_tasks)").Scan(&sigs, &tasks); err != nil {
		t.Fatal(err)
	}
	if sigs != 2 || tasks != 0 {
		t.Errorf("after open: %d signatures, %d pending tasks; want 2 and 0", sigs, tasks)
	}
	near := items[0].a
	near.Text += " today"
	near.URL = "https://example.test/near"
	if res, err := s.AddArticle(ctx, near, briefings.Facts{}); err != nil || res.DuplicateReason != briefings.DuplicateNear || res.Article.ID != ids[0] {
		t.Errorf("a near-duplicate of a fixture article = %+v, %v; want it recognized", res, err)
	}
	// The migrated database takes new articles.
	if _, err := s.AddArticle(context.Background(), briefings.Article{Title: "after", Text: "Observers left Lumenia."}, briefings.Facts{}); err != nil {
		t.Errorf("AddArticle after migration: %v", err)
	}
	if st, err := s.Stats(ctx); err != nil || st.Articles != 3 {
		t.Errorf("Stats after adding one = %+v, %v; want 3 articles", st, err)
	}
	// And everything the later migrations added.
	sub, _, err := s.PutSubscription(ctx, briefings.Subscription{Platform: "console", Channel: "main", Hour: 8, Zone: "UTC", Days: []int{1}})
	if err != nil {
		t.Errorf("PutSubscription after migration: %v", err)
	} else if _, ok, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "s", Due: time.Now()}, "a", time.Now(), time.Minute); err != nil || !ok {
		t.Errorf("ClaimDelivery after migration = %v, %v", ok, err)
	}
	if _, err := s.AddFeed(ctx, briefings.Feed{URL: "https://example.test/rss"}); err != nil {
		t.Errorf("AddFeed after migration: %v", err)
	}
	if _, err := s.PutStory(ctx, briefings.Story{ID: "observers", Keys: []string{"Tarsk"}, First: time.Now()}); err != nil {
		t.Errorf("PutStory after migration: %v", err)
	}
}
