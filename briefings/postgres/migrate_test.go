package postgres

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/postgres/pgtest"
)

var update = flag.Bool("update", false, "add new migrations to testdata/migrations.sum")

const sumFile = "testdata/migrations.sum"

// migrationSums returns the sha256 of every embedded migration by name.
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
		t.Fatalf("%v (create it with: go test ./briefings/postgres -run TestMigrationsAppendOnly -update)", err)
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
		t.Fatalf("new migrations %v are not in %s; add them with: go test ./briefings/postgres -run TestMigrationsAppendOnly -update", added, sumFile)
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

// TestMigrationsMatchSQLite: one history, two dialects. Every SQLite
// migration has its Postgres counterpart of the same version and name,
// and no other exists, so a database of either kind at version N has the
// same model.
func TestMigrationsMatchSQLite(t *testing.T) {
	entries, err := os.ReadDir("../sqlite/migrations")
	if err != nil {
		t.Fatal(err)
	}
	var sqliteNames []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".sql") {
			sqliteNames = append(sqliteNames, e.Name())
		}
	}
	var pgNames []string
	for n := range migrationSums(t) {
		pgNames = append(pgNames, n)
	}
	slices.Sort(pgNames)
	if !slices.Equal(sqliteNames, pgNames) {
		t.Errorf("Postgres migrations %v\n SQLite migrations %v\n want the same versions and names (write the Postgres form of each)", pgNames, sqliteNames)
	}
}

// TestMigrateFromV2: a schema at version 2 with articles (stored before
// near-duplicate signatures existed) is migrated on open, the articles get
// their signatures once, and the store works.
func TestMigrateFromV2(t *testing.T) {
	dsn := pgtest.DSN(t)
	old, err := open(t.Context(), dsn, nil, Options{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if old.SchemaVersion() != 2 {
		t.Fatalf("opened at version %d; want 2", old.SchemaVersion())
	}
	text := strings.Repeat("Tarsk agreed on Friday to withdraw its observers from Lumenia after weeks of talks. ", 4)
	id := briefings.ArticleID(briefings.ContentHash(text))
	if _, err := old.pool.Exec(t.Context(), "INSERT INTO articles ("+articleCols+") VALUES ($1, 'Old', 'fixture', '', NULL, $2, $3, $4, '')",
		id, micros(time.Date(2025, 2, 15, 9, 0, 0, 0, time.UTC)), text, briefings.ContentHash(text)); err != nil {
		t.Fatal(err)
	}
	old.Close()

	// Two replicas open the old schema at once: one migrates, both work.
	var stores [2]*Store
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dsn, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	s := stores[0]
	if v := s.SchemaVersion(); v != latestVersion(t) || stores[1].SchemaVersion() != v {
		t.Errorf("schema versions after open = %d and %d; want %d", v, stores[1].SchemaVersion(), latestVersion(t))
	}
	var sigs, tasks int
	if err := s.pool.QueryRow(t.Context(), "SELECT (SELECT count(*) FROM article_signatures), (SELECT count(*) FROM store_tasks)").Scan(&sigs, &tasks); err != nil {
		t.Fatal(err)
	}
	if sigs != 1 || tasks != 0 {
		t.Errorf("after open: %d signatures, %d pending tasks; want 1 and 0", sigs, tasks)
	}
	if st, err := s.Stats(t.Context()); err != nil || st.Articles != 1 {
		t.Errorf("Stats = %+v, %v; want the old article counted", st, err)
	}
	near := briefings.Article{Title: "Near", Source: "other", URL: "https://example.test/near", Text: text + "Officials confirmed it."}
	if res, err := s.AddArticle(t.Context(), near, briefings.Facts{}); err != nil || res.DuplicateReason != briefings.DuplicateNear || res.Article.ID != id {
		t.Errorf("a near-duplicate of the old article = %+v, %v; want it recognized", res, err)
	}
	sub, _, err := s.PutSubscription(t.Context(), briefings.Subscription{Platform: "console", Channel: "main", Hour: 8, Zone: "UTC", Days: []int{1}})
	if err != nil {
		t.Fatalf("PutSubscription after migration: %v", err)
	}
	if _, ok, err := s.ClaimDelivery(t.Context(), briefings.Delivery{SubscriptionID: sub.ID, Slot: "s", Due: time.Now()}, "a", time.Now(), time.Minute); err != nil || !ok {
		t.Errorf("ClaimDelivery after migration = %v, %v", ok, err)
	}
}

// TestMigrationsDown: every migration's Down section undoes its Up: the
// schema goes down to nothing and up again.
func TestMigrationsDown(t *testing.T) {
	s := openTest(t, Options{})
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := newProvider(db, s.log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(t.Context(), 0); err != nil {
		t.Fatalf("down to 0: %v", err)
	}
	var tables int
	if err := s.pool.QueryRow(t.Context(), "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version'").Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Errorf("%d tables left after migrating down to 0", tables)
	}
	if _, err := p.Up(t.Context()); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if v, err := p.GetDBVersion(t.Context()); err != nil || v != latestVersion(t) {
		t.Errorf("version after up = %d, %v; want %d", v, err, latestVersion(t))
	}
}
