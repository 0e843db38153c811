package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/briefbot/briefbot/briefings"
	"github.com/pressly/goose/v3"
)

// migrationFiles are the schema migrations, applied in version order. They
// are append-only: a released file is never edited (testdata/migrations.sum
// pins them); a change to the schema is a new file.
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
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys,
		goose.WithDisableGlobalRegistry(true),
		goose.WithSlog(logger.With("component", "migrations")),
	)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// migrate brings the database up to target (0: the latest version) and
// returns the version it is at. Several processes may open one database at
// once: a migration that fails because another process applied it first is
// not an error.
func migrate(ctx context.Context, db *sql.DB, logger *slog.Logger, target int64) (int64, error) {
	p, err := newProvider(db, logger)
	if err != nil {
		return 0, err
	}
	current, latest, err := p.GetVersions(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if current > latest {
		return 0, briefings.Errorf(briefings.CodeUnavailable, "the database schema is at version %d but this briefbot knows only up to %d; run a newer briefbot on it", current, latest)
	}
	if target <= 0 {
		target = latest
	}
	const attempts = 3
	for i := 1; ; i++ {
		res, err := p.UpTo(ctx, target)
		if err == nil {
			for _, r := range res {
				logger.InfoContext(ctx, "schema migrated", "version", r.Source.Version, "file", r.Source.Path, "duration", r.Duration)
			}
			break
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("migrate: %w", ctx.Err())
		}
		// Another process may have applied the migration meanwhile.
		if v, verr := p.GetDBVersion(ctx); verr == nil && v >= target {
			break
		}
		if i == attempts {
			return 0, fmt.Errorf("migrate to version %d: %w", target, err)
		}
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
