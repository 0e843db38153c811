package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/postgres"
	"github.com/briefbot/briefbot/briefings/sample"
	"github.com/briefbot/briefbot/briefings/sqlite"
	"github.com/briefbot/briefbot/commands"
	"github.com/briefbot/briefbot/config"
)

// loadConfig reads the configuration (the --config file, then the
// environment) and validates it.
func (a *app) loadConfig() (config.Config, error) {
	cfg, err := config.Load(a.getenv, a.configPath)
	if err != nil {
		return config.Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return config.Config{}, fmt.Errorf("configuration:\n%w", err)
	}
	return cfg, nil
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newLogger returns the process logger on stderr: JSON in production, text
// on a terminal. quiet raises the default level to warnings, for the
// interactive commands whose output is the terminal.
func (a *app) newLogger(cfg config.Config, quiet bool) *slog.Logger {
	level := slog.LevelInfo
	switch cfg.LogLevel {
	case "debug":
		level = slog.LevelDebug
	case "warn":
		level = slog.LevelWarn
	case "error":
		level = slog.LevelError
	}
	if quiet && a.getenv("BRIEFBOT_LOG_LEVEL") == "" {
		level = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "auto" {
		format = "json"
		if isTerminal(a.stderr) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(a.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(a.stderr, opts))
}

// runtime is everything a command answering /brief needs.
type runtime struct {
	cfg     config.Config
	log     *slog.Logger
	store   briefings.Store
	service *briefings.Service
	router  *commands.Router
	clock   briefings.Clock
	// scheduler posts digests once platforms are started (nil before).
	scheduler *bot.Scheduler
	// feeds is the feed poller started with the digests (nil before).
	feeds *feedRun
}

// startDigests builds the digest scheduler over the given platforms, gives
// the router the digest, subscription, ingestion, feed and story commands,
// and starts the feed poller (Close stops it).
func (rt *runtime) startDigests(platforms []bot.Platform) error {
	byName := map[string]bot.Platform{}
	for _, p := range platforms {
		byName[p.Name()] = p
	}
	svc := rt.service
	sch, err := bot.NewScheduler(bot.SchedulerConfig{
		Store: rt.store,
		// Digests with the same story, zone and starting point in one minute
		// are composed once.
		Compose: bot.SharedCompose(func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
			res, err := svc.Digest(ctx, sub, since, now)
			if err != nil {
				return commands.Response{}, time.Time{}, false, err
			}
			return commands.FromDigest(res.Answer), res.Cursor, res.Empty, nil
		}, func(sub briefings.Subscription) string { return sub.Story + "|" + sub.Zone }),
		Platforms: byName,
		Clock:     rt.clock,
		Grace:     rt.cfg.DigestGrace,
		PostEmpty: rt.cfg.PostEmptyDigests,
	}, rt.log.With("component", "scheduler"))
	if err != nil {
		return fmt.Errorf("digest scheduler: %w", err)
	}
	rt.scheduler = sch
	extra := commands.DigestHandlers(commands.DigestDeps{
		Store: rt.store,
		Next: func(sub briefings.Subscription, now time.Time) (time.Time, error) {
			sched, err := bot.ParseSchedule(sub)
			if err != nil {
				return time.Time{}, err
			}
			return sched.Next(now), nil
		},
		Preview:     sch.Preview,
		DeliverNow:  sch.DeliverNow,
		DefaultZone: rt.cfg.TimeZone,
		Clock:       rt.clock,
	})
	rt.router = commands.NewRouter(svc, rt.withIngestion(extra), rt.log)
	return rt.startFeedPoller()
}

// Close stops the feed poller and releases the store.
func (rt *runtime) Close() error {
	rt.stopFeedPoller()
	return rt.store.Close()
}

// openRuntime opens the configured store, builds the service and router,
// and loads the sample corpus into an empty database.
func (a *app) openRuntime(ctx context.Context, quiet bool) (*runtime, error) {
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	logger := a.newLogger(cfg, quiet)
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	svc := briefings.NewService(st, extract.New(), briefings.SystemClock{}, logger)
	rt := &runtime{cfg: cfg, log: logger, store: st, service: svc}
	rt.router = commands.NewRouter(svc, rt.withIngestion(nil), logger)
	rt.clock = briefings.SystemClock{}
	if cfg.LoadSample {
		if err := loadSample(ctx, st, svc, logger); err != nil {
			st.Close()
			return nil, err
		}
	}
	return rt, nil
}

// openStore opens the store DatabaseURL selects.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (briefings.Store, error) {
	kind, where := cfg.Store()
	switch kind {
	case config.StoreSQLite:
		st, err := sqlite.Open(ctx, where, logger)
		if err != nil {
			return nil, fmt.Errorf("open the SQLite database %s (DATABASE_URL): %w", where, err)
		}
		return st, nil
	case config.StorePostgres:
		// The error never repeats the URL: it may hold a password.
		st, err := postgres.Open(ctx, where, logger)
		if err != nil {
			return nil, fmt.Errorf("open the Postgres database (DATABASE_URL): %w", err)
		}
		return st, nil
	}
	return nil, fmt.Errorf("DATABASE_URL selects %s, which this build cannot open", kind)
}

// loadSample ingests the embedded sample corpus into an empty store, so
// that a fresh installation has something to brief on.
func loadSample(ctx context.Context, st briefings.Store, svc *briefings.Service, logger *slog.Logger) error {
	stats, err := st.Stats(ctx)
	if err != nil {
		return fmt.Errorf("read the database: %w", err)
	}
	if stats.Articles > 0 {
		return nil
	}
	arts, err := sample.Articles()
	if err != nil {
		return err
	}
	for _, art := range arts {
		if _, err := svc.Ingest(ctx, art); err != nil {
			return fmt.Errorf("load the sample corpus: %w", err)
		}
	}
	logger.Info("empty database: loaded the sample corpus", "articles", len(arts))
	return nil
}

// errSilent is returned after a command has already told the user what
// went wrong: the process exits with status 1 and prints nothing more.
var errSilent = errors.New("")

// withRuntime runs fn with an open runtime and closes it afterwards.
func (a *app) withRuntime(cmd *cobra.Command, quiet bool, fn func(rt *runtime) error) error {
	rt, err := a.openRuntime(cmd.Context(), quiet)
	if err != nil {
		return err
	}
	defer rt.Close()
	return fn(rt)
}
