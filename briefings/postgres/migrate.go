package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/briefbot/briefbot/briefings"
)

// migrationFiles are the schema migrations, applied in version order. They
// have the versions and names of the SQLite store's (one history, written
// for each database) and are append-only: a released file is never edited
// (testdata/migrations.sum pins them); a change to the schema is a new
// file, in both stores.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationsFS returns the embedded migration files (NNNNN_name.sql).
func migrationsFS() (fs.FS, error) {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("embedded migrations: %w", err)
	}
	return sub, nil
}

// newProvider returns a goose provider over the embedded migrations that
// uses no goose globals.
func newProvider(db *sql.DB, logger *slog.Logger) (*goose.Provider, error) {
	fsys, err := migrationsFS()
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(logger.With("component", "migrations")),
	)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// migrateWait bounds the wait for another process's migration.
const migrateWait = 5 * time.Minute

// migrate brings the schema up to target (0: the latest version) and
// returns the version it is at. Replicas starting together take turns
// under a session advisory lock (keyed on the schema); the later ones find
// the work done.
func (s *Store) migrate(ctx context.Context, target int64) (int64, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, s.fail(ctx, "migrate", err)
	}
	defer conn.Release()
	lctx, cancel := context.WithTimeout(ctx, migrateWait)
	defer cancel()
	// A session lock outlives statements: SET LOCAL would not do; the
	// lock wait is bounded by lctx, not by the statement timeout.
	if _, err := conn.Exec(lctx, "SELECT set_config('statement_timeout', '0', false), pg_advisory_lock($1)", s.migrateLock); err != nil {
		conn.Conn().Close(context.Background()) //nolint:errcheck // the connection is dropped either way
		if lctx.Err() != nil && ctx.Err() == nil {
			return 0, briefings.Errorf(briefings.CodeUnavailable, "another briefbot has been migrating schema %q for %v; try again when it is done", s.schema, migrateWait)
		}
		return 0, s.fail(ctx, "wait for the migration lock", err)
	}
	defer func() {
		// Closing the session releases the lock whatever happens; the pool
		// replaces the connection.
		conn.Conn().Close(context.Background()) //nolint:errcheck // the lock goes with the session
	}()

	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := newProvider(db, s.log)
	if err != nil {
		return 0, err
	}
	current, latest, err := p.GetVersions(ctx)
	if err != nil {
		return 0, s.fail(ctx, "read schema version", err)
	}
	if current > latest {
		return 0, briefings.Errorf(briefings.CodeUnavailable, "the database schema is at version %d but this briefbot knows only up to %d; run a newer briefbot on it", current, latest)
	}
	if target <= 0 {
		target = latest
	}
	if current < target {
		res, err := p.UpTo(ctx, target)
		if err != nil {
			return 0, s.fail(ctx, fmt.Sprintf("migrate schema %q to version %d", s.schema, target), err)
		}
		for _, r := range res {
			s.log.InfoContext(ctx, "schema migrated", "schema", s.schema, "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
		}
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, s.fail(ctx, "read schema version", err)
	}
	return v, nil
}
