// Package sqlite is briefbot's embedded store: a briefings.Store on SQLite
// (modernc.org/sqlite, pure Go, no cgo).
//
// One file holds everything. The database runs in WAL mode with
// synchronous=NORMAL, foreign keys on and a busy timeout. Writes go through a
// single connection and begin IMMEDIATE transactions, so they are serialized
// within the process and wait for each other across processes instead of
// failing; reads use a separate pool of read-only connections and run in
// parallel with the writer. The schema is managed by versioned, append-only
// migrations embedded in the binary (see migrations/).
//
// Besides articles and what was extracted from them, the store keeps digest
// subscriptions with their delivery ledger, feeds and stories. A delivery
// slot or a due feed is claimed by a single conditional statement (see
// digests.go and feeds.go), so several processes sharing one file never
// claim the same slot or feed twice.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
	sqlitedriver "modernc.org/sqlite"
)

// MemoryPath opens a private in-memory database (for tests): it lives as long
// as the Store and uses a single connection.
const MemoryPath = ":memory:"

// Options tunes a Store. The zero value is the production default.
type Options struct {
	// Clock stamps articles stored without an ingestion time
	// (default: briefings.SystemClock).
	Clock briefings.Clock
	// BusyTimeout is how long a statement waits for another process's lock
	// before failing (default 10s).
	BusyTimeout time.Duration
	// Readers is the size of the read pool (default: the number of CPUs, at
	// least 4).
	Readers int
}

// Store is a briefings.Store on one SQLite database. It is safe for
// concurrent use.
type Store struct {
	w       *sql.DB // the single writer connection
	r       *sql.DB // read-only connections (the writer itself in memory mode)
	ws      *writeStmts
	rs      *readStmts // read queries, prepared once on r
	clock   briefings.Clock
	log     *slog.Logger
	version int64

	closeOnce sync.Once
	closeErr  error
}

var _ briefings.Store = (*Store)(nil)

// Open opens (creating if needed) the database at path and migrates it to
// the current schema. path is a file path or MemoryPath.
func Open(ctx context.Context, path string, logger *slog.Logger) (*Store, error) {
	return OpenOptions(ctx, path, logger, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, path string, logger *slog.Logger, opts Options) (*Store, error) {
	return open(ctx, path, logger, opts, 0)
}

// open opens the store and migrates it up to version (0: the latest).
func open(ctx context.Context, path string, logger *slog.Logger, opts Options, version int64) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = briefings.SystemClock{}
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.Readers <= 0 {
		opts.Readers = max(4, runtime.NumCPU())
	}
	if path == "" {
		return nil, briefings.Errorf(briefings.CodeInvalid, "no database path given; name a file such as ./briefbot.db (or %s for a throwaway database)", MemoryPath)
	}
	if path != MemoryPath && strings.ContainsAny(path, "?#") {
		return nil, briefings.Errorf(briefings.CodeInvalid, "database path %q contains '?' or '#'; give a plain file path", path)
	}

	s := &Store{clock: opts.Clock, log: logger}
	busy := strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10)
	q := url.Values{}
	q.Set("_busy_timeout", busy)
	q.Set("_foreign_keys", "1")
	q.Set("_txlock", "immediate")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-16000)")
	if path == MemoryPath {
		db, err := sql.Open("sqlite", MemoryPath+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open in-memory database: %w", err)
		}
		// One connection, never recycled: closing it would drop the data.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
		s.w, s.r = db, db
	} else {
		q.Set("_journal_mode", "WAL")
		q.Set("_synchronous", "NORMAL")
		w, err := sql.Open("sqlite", path+"?"+q.Encode())
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		w.SetMaxOpenConns(1)
		w.SetMaxIdleConns(1)
		w.SetConnMaxLifetime(0)
		w.SetConnMaxIdleTime(0)
		s.w = w
	}
	// Switching a new file to WAL takes an exclusive lock that SQLite's busy
	// handler does not wait for: when another process opens the same new
	// file at the same moment, retry until the busy timeout.
	if err := retryBusy(ctx, opts.BusyTimeout, func() error { return s.w.PingContext(ctx) }); err != nil {
		s.w.Close()
		return nil, s.fail(ctx, "open "+path, err)
	}
	var v int64
	err := retryBusy(ctx, opts.BusyTimeout, func() error {
		var err error
		v, err = migrate(ctx, s.w, logger, version)
		return err
	})
	if err != nil {
		s.w.Close()
		return nil, err
	}
	s.version = v
	if s.ws, err = prepareWrites(ctx, s.w); err != nil {
		s.w.Close()
		return nil, s.fail(ctx, "prepare statements", err)
	}
	if err := s.backfillSignatures(ctx); err != nil {
		s.ws.close()
		s.w.Close()
		return nil, err
	}
	if s.r == nil {
		rq := url.Values{}
		rq.Set("_busy_timeout", busy)
		rq.Set("_foreign_keys", "1")
		rq.Set("_query_only", "1")
		rq.Add("_pragma", "temp_store(MEMORY)")
		rq.Add("_pragma", "cache_size(-16000)")
		r, err := sql.Open("sqlite", path+"?"+rq.Encode())
		if err != nil {
			s.w.Close()
			return nil, fmt.Errorf("open %s for reading: %w", path, err)
		}
		r.SetMaxOpenConns(opts.Readers)
		r.SetMaxIdleConns(opts.Readers)
		r.SetConnMaxIdleTime(5 * time.Minute)
		s.r = r
	}
	s.rs = newReadStmts(s.r)
	// Let SQLite refresh its query planner statistics where they are stale.
	if _, err := s.w.ExecContext(ctx, "PRAGMA optimize=0x10002"); err != nil {
		s.Close()
		return nil, s.fail(ctx, "optimize", err)
	}
	logger.DebugContext(ctx, "sqlite store open", "path", path, "schema_version", v)
	return s, nil
}

// SchemaVersion returns the migration version the database is at.
func (s *Store) SchemaVersion() int64 { return s.version }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.r.PingContext(ctx); err != nil {
		return s.fail(ctx, "ping", err)
	}
	var one int
	if err := s.queryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		return s.fail(ctx, "ping", err)
	}
	return nil
}

// Close refreshes the planner statistics and closes the database. Later
// calls return the first call's result.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := s.w.ExecContext(ctx, "PRAGMA optimize"); err != nil {
			s.log.Warn("sqlite optimize on close", "err", err)
		}
		var errs []error
		if s.rs != nil {
			errs = append(errs, s.rs.close())
		}
		if s.ws != nil {
			errs = append(errs, s.ws.close())
		}
		if s.r != s.w {
			errs = append(errs, s.r.Close())
		}
		errs = append(errs, s.w.Close())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// writeStmts are the statements AddArticle runs, prepared once on the single
// writer connection and bound to each transaction with Tx.StmtContext.
type writeStmts struct {
	articleByHash, article, sentences, fact, factBodies, factTerms *sql.Stmt
	entityGet, entityPut, entityNames                              *sql.Stmt
	statusGet, statusEvents, statusPut, eventPut, statusTerms      *sql.Stmt
	sourceByHash, articleByURL, sourceByURL, articleByPK           *sql.Stmt
	nearCandidates, signaturePut, bandsPut, sourcePut              *sql.Stmt
	subExists, claimInsert, claimTakeOver, delivery, finish        *sql.Stmt
	pruneLedger                                                    *sql.Stmt
}

// all lists the statements (for binding and closing).
func (ws *writeStmts) all() []**sql.Stmt {
	return []**sql.Stmt{&ws.articleByHash, &ws.article, &ws.sentences, &ws.fact, &ws.factBodies, &ws.factTerms,
		&ws.entityGet, &ws.entityPut, &ws.entityNames, &ws.statusGet, &ws.statusEvents, &ws.statusPut, &ws.eventPut, &ws.statusTerms,
		&ws.sourceByHash, &ws.articleByURL, &ws.sourceByURL, &ws.articleByPK,
		&ws.nearCandidates, &ws.signaturePut, &ws.bandsPut, &ws.sourcePut,
		&ws.subExists, &ws.claimInsert, &ws.claimTakeOver, &ws.delivery, &ws.finish, &ws.pruneLedger}
}

// writeSQL is the text of each write statement, in the order of all().
// Rows of one kind go in one statement (json_each over a JSON array):
// fewer round trips, and FTS5 flushes its index once per statement, not
// once per sentence.
func writeSQL() []string {
	return []string{
		"SELECT " + articleCols + " FROM articles WHERE hash = ?",
		"INSERT INTO articles (" + articleCols + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		`INSERT INTO sentences (article_pk, idx, paragraph, text)
		SELECT ?, value->>'$[0]', value->>'$[1]', value->>'$[2]' FROM json_each(?)`,
		"INSERT INTO facts (id, article_pk, seq, kind, time_start, sort_at, ingested) VALUES (?, ?, ?, ?, ?, ?, ?)",
		`INSERT INTO fact_bodies (fact_pk, body) SELECT value->>'$[0]', value->>'$[1]' FROM json_each(?)`,
		`INSERT INTO fact_terms (term, sort_at, fact_pk, kind)
		SELECT value->>'$[0]', value->>'$[1]', value->>'$[2]', value->>'$[3]' FROM json_each(?)`,
		"SELECT " + entityCols + " FROM entities WHERE id = ?",
		`INSERT INTO entities (id, name, kind, country, mentions, aliases, roles) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET country = excluded.country, mentions = excluded.mentions, aliases = excluded.aliases, roles = excluded.roles`,
		`INSERT INTO entity_names (name, entity_id) SELECT value->>'$[0]', value->>'$[1]' FROM json_each(?) WHERE true
		ON CONFLICT DO NOTHING`,
		"SELECT kind, topic, actor, subject, stage FROM statuses WHERE key = ?",
		"SELECT body FROM status_events WHERE status_key = ? ORDER BY pk",
		`INSERT INTO statuses (key, kind, topic, actor, subject, stage, latest, summary, history, events) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET stage = excluded.stage, latest = excluded.latest, summary = excluded.summary, history = excluded.history, events = excluded.events`,
		"INSERT INTO status_events (status_key, article_pk, ingested, body) VALUES (?, ?, ?, ?)",
		"INSERT INTO status_terms (word, status_key) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
		// Duplicates (migration 3).
		"SELECT " + sourceArticleCols + " FROM article_sources AS s JOIN articles AS a ON a.pk = s.article_pk WHERE s.hash = ? ORDER BY s.pk LIMIT 1",
		"SELECT " + articleCols + " FROM articles WHERE url = ? AND url <> '' ORDER BY pk LIMIT 1",
		"SELECT " + sourceArticleCols + " FROM article_sources AS s JOIN articles AS a ON a.pk = s.article_pk WHERE s.url = ? AND s.url <> ''",
		"SELECT " + articleCols + " FROM articles WHERE pk = ?",
		`SELECT c.article_pk, g.sig FROM (SELECT article_pk, count(*) AS n FROM article_bands
			WHERE band_key IN (SELECT value FROM json_each(?)) GROUP BY article_pk ORDER BY n DESC, article_pk LIMIT ?) AS c
		JOIN article_signatures AS g ON g.article_pk = c.article_pk ORDER BY c.n DESC, c.article_pk`,
		"INSERT INTO article_signatures (article_pk, sig) VALUES (?, ?) ON CONFLICT DO NOTHING",
		"INSERT INTO article_bands (band_key, article_pk) SELECT value, ? FROM json_each(?) WHERE true ON CONFLICT DO NOTHING",
		`INSERT INTO article_sources (article_pk, title, source, url, published, hash, similarity, added)
		VALUES ((SELECT pk FROM articles WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)`,
		// The delivery ledger (migration 4).
		"SELECT 1 FROM subscriptions WHERE id = ?", claimInsertSQL, claimTakeOverSQL, deliverySQL, finishSQL, pruneLedgerSQL,
	}
}

func prepareWrites(ctx context.Context, db *sql.DB) (*writeStmts, error) {
	ws := &writeStmts{}
	texts := writeSQL()
	for i, dst := range ws.all() {
		st, err := db.PrepareContext(ctx, texts[i])
		if err != nil {
			ws.close()
			return nil, fmt.Errorf("prepare %q: %w", texts[i], err)
		}
		*dst = st
	}
	return ws, nil
}

// bind returns the statements bound to a transaction.
func (ws *writeStmts) bind(ctx context.Context, tx *sql.Tx) *writeStmts {
	out := &writeStmts{}
	src := ws.all()
	for i, dst := range out.all() {
		*dst = tx.StmtContext(ctx, *src[i])
	}
	return out
}

// in returns a statement of ws bound to a transaction.
func in(ctx context.Context, tx *sql.Tx, st *sql.Stmt) *sql.Stmt { return tx.StmtContext(ctx, st) }

func (ws *writeStmts) close() error {
	var errs []error
	for _, st := range ws.all() {
		if *st != nil {
			errs = append(errs, (*st).Close())
		}
	}
	return errors.Join(errs...)
}

// write runs fn in one IMMEDIATE transaction on the writer connection.
func (s *Store) write(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return s.fail(ctx, what, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	if err := fn(tx); err != nil {
		return s.fail(ctx, what, err)
	}
	if err := tx.Commit(); err != nil {
		return s.fail(ctx, what, err)
	}
	return nil
}

// SQLite result codes the store tells apart (primary codes).
const (
	codeBusy       = 5
	codeLocked     = 6
	codeConstraint = 19
)

// fail wraps a database error: cancellations stay recognizable, lock
// contention becomes CodeUnavailable, constraint violations CodeConflict;
// coded errors pass through.
func (s *Store) fail(ctx context.Context, what string, err error) error {
	if err == nil {
		return nil
	}
	var be *briefings.Error
	if errors.As(err, &be) {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", what, err)
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("%s: %w (%v)", what, cerr, err)
	}
	var se *sqlitedriver.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case codeBusy, codeLocked:
			return briefings.WrapError(briefings.CodeUnavailable, "the database is busy; try again in a moment", fmt.Errorf("%s: %w", what, err))
		case codeConstraint:
			return briefings.WrapError(briefings.CodeConflict, "the record conflicts with one already stored", fmt.Errorf("%s: %w", what, err))
		}
	}
	return fmt.Errorf("%s: %w", what, err)
}

// micros stores a time as unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros stores a time that may be unknown.
func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMicro(), Valid: true}
}

// fromMicros reads a stored time.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// anys converts values to query arguments.
func anys[T ~string](vs []T) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// retryBusy runs fn until it succeeds, fails with something other than a
// busy database, or the timeout passes.
func retryBusy(ctx context.Context, timeout time.Duration, fn func() error) error {
	deadline := time.Now().Add(timeout)
	wait := 5 * time.Millisecond
	for {
		err := fn()
		if err == nil || !isBusyError(err) || time.Now().After(deadline) {
			return err
		}
		t := time.NewTimer(wait + time.Duration(rand.Int64N(int64(wait))))
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
		wait = min(2*wait, 200*time.Millisecond)
	}
}

// isBusyError reports SQLite's busy and locked errors.
func isBusyError(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "SQLITE_BUSY") || strings.Contains(msg, "database is locked") || strings.Contains(msg, "SQLITE_LOCKED")
}
