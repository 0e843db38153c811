// Package postgres is briefbot's store for several replicas: a
// briefings.Store on PostgreSQL (github.com/jackc/pgx/v5, pgxpool).
//
// It keeps what the SQLite store keeps, with the same rules (every check,
// fold, limit and merge comes from briefings/storerules.go) and the same
// migration history (migrations/, one file per SQLite migration, written for
// Postgres), and passes the same conformance suite (briefings/storetest).
// Times are stored as bigint unix microseconds, identifiers and names in the
// "C" collation, so that values and orders are SQLite's.
//
// Several processes share one database:
//
//   - a delivery slot is claimed by one INSERT ... ON CONFLICT DO NOTHING
//     keyed on (subscription, slot); a row already in the ledger is taken
//     over only by an UPDATE whose WHERE clause holds the takeover
//     condition, which Postgres checks again on the latest row version
//     after waiting for a competing claimant's row lock, so exactly one
//     claimant wins (digests.go);
//   - due feeds are claimed by one UPDATE over rows selected with FOR
//     UPDATE SKIP LOCKED: pollers never take the same feed and never wait
//     for each other (feeds.go);
//   - articles are added under a transaction-scoped advisory lock, so that
//     two replicas never both store one near-duplicate, and entity and
//     status merges never lose an update (articles.go);
//   - migrations run under a session advisory lock: replicas starting
//     together migrate once.
//
// The advisory locks are keyed on the schema the store works in, so stores
// in different schemas of one database (tests) do not wait for each other.
//
// Every statement runs with a statement timeout and every transaction with
// an idle-in-transaction timeout (see Options), the pool is bounded, and no
// error returned or logged ever holds the connection string's password.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/briefbot/briefbot/briefings"
)

// Options tunes a Store. The zero value is the production default.
type Options struct {
	// Clock stamps records stored without a time (default:
	// briefings.SystemClock).
	Clock briefings.Clock
	// MaxConns bounds the connection pool (2 to 1000). When 0, the URL's
	// pool_max_conns is used, else the number of CPUs, at least 4.
	MaxConns int
	// StatementTimeout bounds every statement on the server (default 60s;
	// the URL's statement_timeout, when given, wins).
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening one connection (default 10s; the
	// URL's connect_timeout, when given, wins).
	ConnectTimeout time.Duration
}

// Bounds of the options.
const (
	defaultStatementTimeout = 60 * time.Second
	defaultConnectTimeout   = 10 * time.Second
	maxConns                = 1000
	// idleInTransaction ends a session that holds a transaction open and
	// idle this long (a client that hung), releasing its locks.
	idleInTransaction = 5 * time.Minute
	// minServerVersion is PostgreSQL 11 (server_version_num): identity
	// columns, statement triggers with transition tables, covering
	// indexes and hashtextextended.
	minServerVersion = 110000
	// txAttempts bounds the attempts of a transaction that failed on a
	// deadlock or a serialization failure.
	txAttempts = 4
)

// Store is a briefings.Store on one PostgreSQL database (schema). It is
// safe for concurrent use by many goroutines and by many processes.
type Store struct {
	pool    *pgxpool.Pool
	clock   briefings.Clock
	log     *slog.Logger
	version int64
	schema  string
	// ingestLock and migrateLock are the advisory lock keys of this schema.
	ingestLock, migrateLock int64

	closed    atomic.Bool
	closeOnce sync.Once
}

var _ briefings.Store = (*Store)(nil)

// Open connects to the database at url (postgres://user:password@host:port/
// dbname?sslmode=...; also the keyword/value form) and migrates it to the
// current schema. A nil logger discards.
func Open(ctx context.Context, url string, logger *slog.Logger) (*Store, error) {
	return OpenOptions(ctx, url, logger, Options{})
}

// OpenOptions is Open with options.
func OpenOptions(ctx context.Context, url string, logger *slog.Logger, opts Options) (*Store, error) {
	return open(ctx, url, logger, opts, 0)
}

// open connects and migrates up to version (0: the latest).
func open(ctx context.Context, url string, logger *slog.Logger, opts Options, version int64) (*Store, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Clock == nil {
		opts.Clock = briefings.SystemClock{}
	}
	cfg, err := poolConfig(url, opts)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, unreachable(ctx, cfg, err)
	}
	s := &Store{pool: pool, clock: opts.Clock, log: logger}
	if err := s.start(ctx, cfg, version); err != nil {
		pool.Close()
		return nil, err
	}
	logger.DebugContext(ctx, "postgres store open", "host", cfg.ConnConfig.Host, "database", cfg.ConnConfig.Database,
		"schema", s.schema, "schema_version", s.version, "max_conns", cfg.MaxConns)
	return s, nil
}

// start checks the connection, finds the schema, migrates and finishes
// pending store tasks.
func (s *Store) start(ctx context.Context, cfg *pgxpool.Config, version int64) error {
	var schema *string
	var server int
	if err := s.pool.QueryRow(ctx, "SELECT current_schema(), current_setting('server_version_num')::int").Scan(&schema, &server); err != nil {
		return unreachable(ctx, cfg, err)
	}
	if server < minServerVersion {
		return briefings.Errorf(briefings.CodeUnavailable, "the Postgres server is version %d.%d; briefbot needs PostgreSQL 11 or later",
			server/10000, server%10000/100)
	}
	if schema == nil {
		return briefings.Errorf(briefings.CodeInvalid, "the database's search_path names no existing schema; create the schema or fix search_path in DATABASE_URL")
	}
	s.schema = *schema
	err := s.pool.QueryRow(ctx, "SELECT hashtextextended('briefbot ingest ' || $1, 0), hashtextextended('briefbot migrate ' || $1, 0)", s.schema).
		Scan(&s.ingestLock, &s.migrateLock)
	if err != nil {
		return s.fail(ctx, "lock keys", err)
	}
	if s.version, err = s.migrate(ctx, version); err != nil {
		return err
	}
	if s.version < 3 { // a test's older schema: no signatures yet
		return nil
	}
	return s.backfillSignatures(ctx)
}

// poolConfig parses the connection string and applies the options. Its
// errors never repeat the string (it may hold a password).
func poolConfig(url string, opts Options) (*pgxpool.Config, error) {
	if strings.TrimSpace(url) == "" {
		return nil, briefings.Errorf(briefings.CodeInvalid, "no Postgres connection string given; set DATABASE_URL to postgres://user:password@host:5432/dbname")
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parser's message may quote the string; only say what to fix.
		return nil, briefings.Errorf(briefings.CodeInvalid,
			"DATABASE_URL is not a valid Postgres connection string; use postgres://user:password@host:5432/dbname?sslmode=disable (percent-encode special characters in the password)")
	}
	// pgxpool's own default (no pool_max_conns in the URL) is the number
	// of CPUs, at least 4.
	switch {
	case opts.MaxConns < 0 || opts.MaxConns > maxConns:
		return nil, briefings.Errorf(briefings.CodeInvalid, "Postgres pool size %d is out of range; use 1 to %d (0 for the default)", opts.MaxConns, maxConns)
	case opts.MaxConns > 0:
		cfg.MaxConns = int32(opts.MaxConns)
	}
	// Two at least: a migration holds its lock on one connection and
	// migrates on another.
	cfg.MaxConns = max(2, min(cfg.MaxConns, maxConns))
	cfg.MinConns = min(cfg.MinConns, cfg.MaxConns)
	if cfg.MaxConnLifetime <= 0 || cfg.MaxConnLifetime > time.Hour {
		cfg.MaxConnLifetime = time.Hour
	}
	if cfg.MaxConnIdleTime <= 0 || cfg.MaxConnIdleTime > 30*time.Minute {
		cfg.MaxConnIdleTime = 30 * time.Minute
	}
	cc := cfg.ConnConfig
	if cc.ConnectTimeout <= 0 {
		cc.ConnectTimeout = defaultConnectTimeout
		if opts.ConnectTimeout > 0 {
			cc.ConnectTimeout = opts.ConnectTimeout
		}
	}
	if cc.RuntimeParams == nil {
		cc.RuntimeParams = map[string]string{}
	}
	if _, ok := cc.RuntimeParams["statement_timeout"]; !ok {
		st := defaultStatementTimeout
		if opts.StatementTimeout > 0 {
			st = opts.StatementTimeout
		}
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(st.Milliseconds(), 10)
	}
	if _, ok := cc.RuntimeParams["idle_in_transaction_session_timeout"]; !ok {
		cc.RuntimeParams["idle_in_transaction_session_timeout"] = strconv.FormatInt(idleInTransaction.Milliseconds(), 10)
	}
	if _, ok := cc.RuntimeParams["application_name"]; !ok {
		cc.RuntimeParams["application_name"] = "briefbot"
	}
	return cfg, nil
}

// unreachable is the error of a database that could not be reached at
// open: it names the host and database, never the password.
func unreachable(ctx context.Context, cfg *pgxpool.Config, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("connect to Postgres: %w", cerr)
	}
	where := net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port)))
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "28P01", "28000": // invalid_password, invalid_authorization_specification
			return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("Postgres at %s refused user %q (check the user and password in DATABASE_URL)",
				where, cfg.ConnConfig.User), sanitize(err))
		case "3D000": // invalid_catalog_name
			return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("Postgres at %s has no database %q (create it, or fix DATABASE_URL)",
				where, cfg.ConnConfig.Database), sanitize(err))
		}
	}
	return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("cannot reach Postgres at %s, database %q (is it running, and is DATABASE_URL right?)",
		where, cfg.ConnConfig.Database), sanitize(err))
}

// sanitize keeps an error's chain but, for the driver's connection
// errors, replaces a message that could quote the connection string.
func sanitize(err error) error {
	var pce *pgconn.ParseConfigError
	if errors.As(err, &pce) {
		return errors.New("invalid connection string")
	}
	return err
}

// SchemaVersion returns the migration version the database is at.
func (s *Store) SchemaVersion() int64 { return s.version }

// Schema returns the Postgres schema the store works in.
func (s *Store) Schema() string { return s.schema }

// Ping checks that the database answers. A pooled connection that broke
// while idle (the server restarted) is replaced and tried once more, so
// that a database that is back is not reported down.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return briefings.Errorf(briefings.CodeUnavailable, "the Postgres store is closed")
	}
	var err error
	for range 2 {
		var one int
		if err = s.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err == nil || ctx.Err() != nil || pgCode(err) != "" {
			break
		}
	}
	return s.fail(ctx, "ping", err)
}

// Close closes the pool, waiting for connections in use to be returned.
// Later calls do nothing.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.pool.Close()
	})
	return nil
}

// tx runs fn in one transaction and commits it. A deadlock or a
// serialization failure rolls back and runs fn again (a few times).
func (s *Store) tx(ctx context.Context, what string, fn func(tx pgx.Tx) error) error {
	if s.closed.Load() {
		return briefings.Errorf(briefings.CodeUnavailable, "the Postgres store is closed")
	}
	var err error
	for attempt := 1; attempt <= txAttempts; attempt++ {
		err = pgx.BeginFunc(ctx, s.pool, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			break
		}
		s.log.DebugContext(ctx, "postgres transaction retried", "what", what, "attempt", attempt, "err", err)
		t := time.NewTimer(time.Duration(attempt*attempt) * 5 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	return s.fail(ctx, what, err)
}

// retryable reports a deadlock or a serialization failure.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001")
}

// pgCode returns the SQLSTATE of a server error, or "".
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// fail wraps a database error: cancellations stay recognizable, coded
// errors pass through, and the server's classes become codes: constraint
// violations CodeConflict; text the database cannot hold CodeInvalid; lock
// contention, timeouts, overload and lost connections CodeUnavailable.
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
	wrapped := fmt.Errorf("%s: %w", what, sanitize(err))
	if s.closed.Load() {
		return briefings.WrapError(briefings.CodeUnavailable, "the Postgres store is closed", wrapped)
	}
	code := pgCode(err)
	switch {
	case code == "23505" || code == "23503" || code == "23P01":
		return briefings.WrapError(briefings.CodeConflict, "the record conflicts with one already stored", wrapped)
	case code == "22021" || code == "22P05" || code == "54000":
		return briefings.WrapError(briefings.CodeInvalid,
			"the text holds something Postgres cannot store (a NUL byte, invalid UTF-8, or a word or sentence too long to index)", wrapped)
	case code == "40P01" || code == "40001" || code == "55P03":
		return briefings.WrapError(briefings.CodeUnavailable, "the database is busy; try again in a moment", wrapped)
	case code == "57014":
		return briefings.WrapError(briefings.CodeUnavailable, "the database took too long to answer (statement timeout); try again later", wrapped)
	case strings.HasPrefix(code, "08") || strings.HasPrefix(code, "53") || strings.HasPrefix(code, "57P"):
		return briefings.WrapError(briefings.CodeUnavailable, "the database is unavailable; try again later", wrapped)
	case code == "":
		var ne net.Error
		var ce *pgconn.ConnectError
		if errors.As(err, &ne) || errors.As(err, &ce) || pgconn.SafeToRetry(err) ||
			errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return briefings.WrapError(briefings.CodeUnavailable, "the database is unreachable; try again later", wrapped)
		}
	}
	return wrapped
}

// notFound is a coded not-found error wrapping briefings.ErrNotFound.
func notFound(msg string) error {
	return briefings.WrapError(briefings.CodeNotFound, msg, briefings.ErrNotFound)
}

// micros stores a time as unix microseconds.
func micros(t time.Time) int64 { return t.UnixMicro() }

// nullMicros stores a time that may be unknown (nil for the zero time).
func nullMicros(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	v := t.UnixMicro()
	return &v
}

// fromMicros reads a stored time.
func fromMicros(v int64) time.Time { return time.UnixMicro(v).UTC() }

// fromNullMicros reads a stored time that may be unknown.
func fromNullMicros(v *int64) time.Time {
	if v == nil {
		return time.Time{}
	}
	return fromMicros(*v)
}

// strs converts values of a string type to []string (a text[] argument).
func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// collect reads every row with fn; nil when there are none.
func collect[T any](rows pgx.Rows, fn pgx.RowToFunc[T]) ([]T, error) {
	return pgx.AppendRows([]T(nil), rows, fn)
}
