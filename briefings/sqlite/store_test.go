package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/storetest"
)

// openTest opens a store on a new file in a temporary directory.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := OpenOptions(t.Context(), filepath.Join(t.TempDir(), "briefbot.db"), nil, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) briefings.Store { return openTest(t, Options{}) })
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) briefings.Store {
		s, err := Open(t.Context(), MemoryPath, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestOpenErrors(t *testing.T) {
	for _, path := range []string{"", "x.db?_pragma=journal_mode(OFF)", "x.db#frag"} {
		if _, err := Open(t.Context(), path, nil); briefings.ErrorCode(err) != briefings.CodeInvalid {
			t.Errorf("Open(%q) = %v; want a CodeInvalid error", path, err)
		}
	}
	if _, err := Open(t.Context(), filepath.Join(t.TempDir(), "no", "such", "dir", "x.db"), nil); err == nil {
		t.Error("Open in a missing directory succeeded")
	}
}

func pragma(t *testing.T, db *sql.DB, name string) string {
	t.Helper()
	var v string
	if err := db.QueryRowContext(t.Context(), "PRAGMA "+name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestPragmas(t *testing.T) {
	s := openTest(t, Options{BusyTimeout: 3 * time.Second})
	for _, tc := range []struct {
		db         *sql.DB
		name, want string
	}{
		{s.w, "journal_mode", "wal"}, {s.w, "foreign_keys", "1"}, {s.w, "synchronous", "1"}, {s.w, "busy_timeout", "3000"},
		{s.r, "journal_mode", "wal"}, {s.r, "foreign_keys", "1"}, {s.r, "busy_timeout", "3000"}, {s.r, "query_only", "1"},
	} {
		who := "writer"
		if tc.db == s.r {
			who = "reader"
		}
		if got := pragma(t, tc.db, tc.name); got != tc.want {
			t.Errorf("%s: PRAGMA %s = %s; want %s", who, tc.name, got, tc.want)
		}
	}
	if _, err := s.r.ExecContext(t.Context(), "INSERT INTO entities (id, name, kind) VALUES ('x', 'x', 'person')"); err == nil {
		t.Error("the read pool accepted a write")
	}
	if s.SchemaVersion() != latestVersion(t) {
		t.Errorf("SchemaVersion = %d; want the latest, %d", s.SchemaVersion(), latestVersion(t))
	}
}

func TestClock(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.FixedZone("X", 3600))
	s := openTest(t, Options{Clock: briefings.ClockFunc(func() time.Time { return now })})
	res, err := s.AddArticle(t.Context(), briefings.Article{Title: "t", Text: "Some text."}, briefings.Facts{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 4, 4, 6, 7, 891011000, time.UTC)
	if !res.Article.Ingested.Equal(want) || res.Article.Ingested.Location() != time.UTC {
		t.Errorf("Ingested = %v; want the clock's time to the microsecond in UTC, %v", res.Article.Ingested, want)
	}
	got, err := s.Article(t.Context(), res.Article.ID)
	if err != nil || !got.Ingested.Equal(want) {
		t.Errorf("stored Ingested = %v, %v; want %v", got.Ingested, err, want)
	}
}

// TestTwoStoresOneFile opens one database twice, as two processes would,
// and writes through both at once: every write lands, none fails on a lock.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	var stores [2]*Store
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for i := range stores { // both open (and migrate) at the same time
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(t.Context(), path, nil)
			if err != nil {
				errs <- fmt.Errorf("open %d: %w", i, err)
				return
			}
			stores[i] = s
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatal(<-errs)
	}
	defer stores[0].Close()
	defer stores[1].Close()
	g := newBenchGen(3)
	const each = 15
	arts := make([]benchArticle, 2*each)
	for i := range arts {
		arts[i] = g.article(i)
	}
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				a := arts[i*each+j]
				if _, err := s.AddArticle(t.Context(), a.a, a.f); err != nil {
					errs <- err
				}
				if _, err := stores[1-i].Facts(t.Context(), briefings.FactQuery{Terms: []string{"niger"}}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i, s := range stores {
		st, err := s.Stats(t.Context())
		if err != nil || st.Articles != 2*each || st.Facts != 2*each*15 {
			t.Errorf("store %d sees %+v, %v; want %d articles", i, st, err, 2*each)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	s, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(t.Context(), "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(t.Context(), path, nil)
	if briefings.ErrorCode(err) != briefings.CodeUnavailable || !strings.Contains(err.Error(), "99999") {
		t.Errorf("Open(newer schema) = %v; want a CodeUnavailable error naming version 99999", err)
	}
}

func TestAddBatch(t *testing.T) {
	s := openTest(t, Options{})
	g := newBenchGen(5)
	a, b := g.article(0), g.article(1)
	res, err := s.addBatch(t.Context(), []batchItem{{a.a, a.f}, {b.a, b.f}, {a.a, a.f}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 3 || res[0].Duplicate || res[1].Duplicate || !res[2].Duplicate || res[2].Article.ID != res[0].Article.ID {
		t.Errorf("addBatch results = %+v; want two new articles and a duplicate of the first", res)
	}
	bad := g.article(2)
	bad.f.Facts[3].Evidence.Text = ""
	if _, err := s.addBatch(t.Context(), []batchItem{{g.article(3).a, g.article(3).f}, {bad.a, bad.f}}); briefings.ErrorCode(err) != briefings.CodeInvalid {
		t.Errorf("addBatch with an invalid article = %v; want CodeInvalid", err)
	}
	if st, _ := s.Stats(t.Context()); st.Articles != 2 {
		t.Errorf("after a failed batch: %d articles; want 2 (all or nothing)", st.Articles)
	}
}

// plannedQuery is a statement the store runs, with arguments to explain it.
type plannedQuery struct {
	name string
	sql  string
	args []any
}

// storeQueries lists every read statement the store can build for the
// query shapes the service uses.
func storeQueries(t *testing.T, s *Store) []plannedQuery {
	ctx := t.Context()
	recent := time.Now()
	old := time.Unix(0, 0)
	var out []plannedQuery
	for _, q := range []briefings.FactQuery{
		{}, {Kinds: []briefings.FactKind{briefings.FactMeeting}}, {Kinds: []briefings.FactKind{briefings.FactMeeting, briefings.FactThreat}},
		{Terms: []string{"chad", "niger"}}, {Terms: []string{"chad"}, Kinds: []briefings.FactKind{briefings.FactMeeting}},
		{Terms: []string{"chad"}, IngestedAfter: old}, {Terms: []string{"chad"}, IngestedAfter: recent},
		{Kinds: []briefings.FactKind{briefings.FactMeeting}, IngestedAfter: old}, {IngestedAfter: recent}, {IngestedAfter: old},
		{Story: "story-1"}, {Story: "story-1", Terms: []string{"chad"}, Kinds: []briefings.FactKind{briefings.FactMeeting}},
		{ArticleIDs: []string{"a", "b"}}, {ArticleIDs: []string{"a"}, Terms: []string{"chad"}, Story: "s", IngestedAfter: old},
	} {
		for _, newest := range []bool{false, true} {
			q.Newest = newest
			ff, _, err := newFactFilter(q)
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.plan(ctx, ff)
			if err != nil {
				t.Fatal(err)
			}
			for _, fq := range ff.factQueries(d) {
				out = append(out, plannedQuery{fmt.Sprintf("Facts%+v", q), fq.sql, fq.args})
			}
		}
	}
	for _, q := range []briefings.StatusQuery{
		{}, {Kinds: []briefings.FactKind{briefings.FactWithdrawal}}, {Terms: []string{"withdrawal niger", "chad"}},
		{ChangedAfter: recent}, {Terms: []string{"niger"}, Kinds: []briefings.FactKind{briefings.FactAgreement}, ChangedAfter: old},
	} {
		query, args, _ := statusQuery(q, 100)
		out = append(out, plannedQuery{fmt.Sprintf("Statuses%+v", q), query, args})
	}
	for _, q := range []briefings.EntityQuery{
		{}, {Name: "campbell"}, {Name: "ca", Prefix: true}, {Kinds: []briefings.EntityKind{briefings.EntityPerson}},
		{Name: "ca", Prefix: true, Kinds: []briefings.EntityKind{briefings.EntityPerson, briefings.EntityCountry}},
	} {
		query, args := entityQuery(q, 10)
		out = append(out, plannedQuery{fmt.Sprintf("Entities%+v", q), query, args})
	}
	for _, q := range []briefings.SubscriptionQuery{
		{}, {Active: true}, {AfterID: "sub_x"}, {Active: true, AfterID: "sub_x"}, {Platform: "slack"}, {Platform: "slack", Workspace: "T1", AfterID: "sub_x"},
		{Platform: "slack", Workspace: "T1", Channel: "C1", Active: true},
	} {
		query, args := subscriptionQuery(q, 10)
		out = append(out, plannedQuery{fmt.Sprintf("Subscriptions%+v", q), query, args})
	}
	for _, q := range []briefings.ArticleQuery{{}, {IDs: []string{"a"}}, {Story: "s"}, {IngestedAfter: recent}} {
		query, args := articleQuery(q, 10)
		out = append(out, plannedQuery{fmt.Sprintf("Articles%+v", q), query, args})
	}
	return append(out,
		plannedQuery{"fact bodies", factBodiesSQL, []any{"[1,2]"}},
		plannedQuery{"status events", statusEventsSQL(2), []any{"a", "b"}},
		plannedQuery{"search", searchSQL, []any{`"niger" OR "talks"`, 10}},
		plannedQuery{"search vocabulary", vocabSQL, []any{`["niger"]`}},
		plannedQuery{"story count", countSQL(storyCountSQL), []any{"s", 10}},
		plannedQuery{"ingested count", countSQL(ingestedCountSQL), []any{1, 10}},
		plannedQuery{"stats", statsSQL, nil},
		plannedQuery{"article sources", sourcesSQL, []any{1, 10}},
		plannedQuery{"subscription for channel", "SELECT " + subscriptionCols + " FROM subscriptions WHERE platform = ? AND workspace = ? AND channel = ?", []any{"p", "w", "c"}},
		plannedQuery{"subscription by id", "SELECT " + subscriptionCols + " FROM subscriptions WHERE id = ?", []any{"s"}},
		plannedQuery{"delivery", deliverySQL, []any{"s", "slot"}},
		plannedQuery{"deliveries", deliveriesSQL, []any{"s", 10}},
		plannedQuery{"last cursor", lastCursorSQL, []any{"s"}},
		plannedQuery{"claim insert", claimInsertSQL, []any{"s", "slot", 1, false, "c", 2, 3}},
		plannedQuery{"claim takeover", claimTakeOverSQL, []any{"c", 2, 3, "s", "slot", 3, 3}},
		plannedQuery{"feeds", feedsSQL, []any{10}},
		plannedQuery{"claim feeds", claimFeedsSQL, []any{2, "c", 1, 1, 10}},
		plannedQuery{"finish feed poll", finishFeedSQL, []any{"", "", 1, 1, 0, "", 0, "f"}},
		plannedQuery{"feed items", feedItemsSQL, []any{"f", `["a"]`}},
		plannedQuery{"prune feed items", pruneItemsSQL, []any{"f", "f", 5000}},
		plannedQuery{"remove feed", "DELETE FROM feeds WHERE url = ?", []any{"u"}},
		plannedQuery{"story", storySQL, []any{"s"}},
		plannedQuery{"stories", storiesSQL, []any{10}},
		plannedQuery{"match stories", matchStorySQL, []any{`["niger","chad"]`, 1, 2, 10}},
		plannedQuery{"story keys", storyKeysSQL, []any{"s", `["niger"]`}},
		plannedQuery{"prune ledger", pruneLedgerSQL, []any{"s", 1, "s"}},
		plannedQuery{"finish", finishSQL, []any{"sent", 1, 1, nil, nil, "", "", "", 3, "s", "slot", "c", 2}},
		plannedQuery{"article", "SELECT " + articleCols + " FROM articles WHERE id = ?", []any{"a"}},
	)
}

// TestQueryPlans checks with EXPLAIN QUERY PLAN that no read walks a whole
// table: every scan goes through an index, before and after ANALYZE.
func TestQueryPlans(t *testing.T) {
	s := openTest(t, Options{})
	g := newBenchGen(9)
	batch := make([]batchItem, 300)
	for i := range batch {
		a := g.article(i)
		batch[i] = batchItem{a.a, a.f}
	}
	if _, err := s.addBatch(t.Context(), batch); err != nil {
		t.Fatal(err)
	}
	// The write statements that read.
	writes := writeSQL()
	reads := []plannedQuery{
		{"article by hash", writes[0], []any{"h"}}, {"entity", writes[6], []any{"e"}},
		{"status", writes[9], []any{"k"}}, {"status events of one", writes[10], []any{"k"}},
		{"source by hash", writes[14], []any{"h"}}, {"article by address", writes[15], []any{"https://x"}},
		{"source by address", writes[16], []any{"https://x"}}, {"article by pk", writes[17], []any{1}},
		{"near-duplicate candidates", writes[18], []any{`["00-0123456789abcdef","01-0123456789abcdef"]`, 50}},
	}
	for _, stats := range []string{"without statistics", "with statistics"} {
		if stats == "with statistics" {
			if _, err := s.w.ExecContext(t.Context(), "ANALYZE"); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range append(storeQueries(t, s), reads...) {
			rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+q.sql, q.args...)
			if err != nil {
				t.Fatalf("%s: %v\n%s", q.name, err, q.sql)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, detail)
			}
			rows.Close()
			coroutines := map[string]bool{}
			for _, step := range plan {
				if name, ok := strings.CutPrefix(step, "CO-ROUTINE "); ok {
					coroutines[name] = true
				}
			}
			for _, step := range plan {
				if strings.HasPrefix(step, "SCAN ") && !strings.Contains(step, " USING ") && !strings.Contains(step, "VIRTUAL TABLE") &&
					!strings.HasPrefix(step, "SCAN (subquery") && !strings.HasPrefix(step, "SCAN CONSTANT ROW") &&
					!coroutines[strings.TrimPrefix(step, "SCAN ")] {
					t.Errorf("%s %s walks a table: %q\n%s\nplan: %q", q.name, stats, step, q.sql, plan)
				}
			}
		}
	}
}

// TestStatusWithoutSummary reads statuses stored before migration 7, whose
// rows have no summary, from their events.
func TestStatusWithoutSummary(t *testing.T) {
	s := openTest(t, Options{})
	full := storetest.StatusWithHistory(t, s, 40)
	if _, err := s.w.ExecContext(t.Context(), "UPDATE statuses SET summary = NULL, events = 0"); err != nil {
		t.Fatal(err)
	}
	ss, err := s.Statuses(t.Context(), briefings.StatusQuery{HistoryLimit: 6})
	if err != nil || len(ss) != 1 {
		t.Fatalf("Statuses = %v, %v", ss, err)
	}
	want := briefings.CompactHistory(full, 6)
	if ss[0].Stage != full.Stage || ss[0].Events != 40 || len(ss[0].History) != len(want) {
		t.Fatalf("got stage %q, %d events, history of %d; want %q, 40, %d", ss[0].Stage, ss[0].Events, len(ss[0].History), full.Stage, len(want))
	}
	for i := range want {
		if ss[0].History[i].FactID != want[i].FactID {
			t.Errorf("event %d is %s; want %s", i, ss[0].History[i].FactID, want[i].FactID)
		}
	}
}
