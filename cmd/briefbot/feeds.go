package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	rtdebug "runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/fetch"
	"github.com/briefbot/briefbot/commands"
)

// buildVersion is the module version the binary was built from, for the
// fetcher's User-Agent ("dev" for a local build).
func buildVersion() string {
	if bi, ok := rtdebug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// newFetcher returns a fetcher with the configured allow-list: entries
// that are addresses or networks (10.1.2.3, 10.0.0.0/8) open those
// addresses, others open a host name whatever it resolves to.
func (rt *runtime) newFetcher() *fetch.Fetcher {
	opts := fetch.Options{UserAgent: fetch.UserAgent(buildVersion()), Clock: rt.clock}
	for _, h := range rt.cfg.FetchAllowHosts {
		if p, err := netip.ParsePrefix(h); err == nil {
			opts.AllowCIDRs = append(opts.AllowCIDRs, p.Masked())
			continue
		}
		if a, err := netip.ParseAddr(h); err == nil {
			opts.AllowCIDRs = append(opts.AllowCIDRs, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		opts.AllowHosts = append(opts.AllowHosts, h)
	}
	return fetch.New(opts, rt.log.With("component", "fetch"))
}

// checkFeed fetches a feed once, for feed add.
func checkFeed(f *fetch.Fetcher) func(ctx context.Context, url string) (commands.FeedCheck, error) {
	return func(ctx context.Context, url string) (commands.FeedCheck, error) {
		res, err := f.FetchFeed(ctx, url, fetch.Conditional{})
		if err != nil {
			return commands.FeedCheck{}, err
		}
		return commands.FeedCheck{Title: res.Title, Items: len(res.Items)}, nil
	}
}

// withIngestion adds the ingest, feed and stories commands to extra (a new
// map when extra is nil) and returns it.
func (rt *runtime) withIngestion(extra commands.Extra) commands.Extra {
	if extra == nil {
		extra = commands.Extra{}
	}
	f := rt.newFetcher()
	clock := rt.clock
	if clock == nil {
		clock = briefings.SystemClock{}
	}
	for name, h := range commands.IngestHandlers(commands.IngestDeps{
		Fetcher:   f,
		Ingester:  rt.service,
		Feeds:     rt.store,
		CheckFeed: checkFeed(f),
		Stories:   rt.store,
		FirstPoll: firstPoll(bot.DefaultFeedTick),
		Clock:     clock,
	}) {
		extra[name] = h
	}
	return extra
}

// firstPoll says when the poller, ticking every tick, first reads a feed
// added now.
func firstPoll(tick time.Duration) string {
	if tick == time.Minute {
		return "within a minute"
	}
	return "within " + commands.FormatEvery(tick)
}

// feedRun is a running feed poller.
type feedRun struct {
	stop context.CancelFunc
	done chan struct{}
}

// startFeedPoller starts polling the followed feeds in the background
// (serve and chat); Close stops it.
func (rt *runtime) startFeedPoller() error {
	if rt.feeds != nil {
		return nil
	}
	p, err := bot.NewFeedPoller(bot.FeedPollerConfig{
		Store:   rt.store,
		Fetcher: rt.newFetcher(),
		Ingest:  rt.service.Ingest,
		Clock:   rt.clock,
	}, rt.log.With("component", "feeds"))
	if err != nil {
		return fmt.Errorf("feed poller: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &feedRun{stop: cancel, done: make(chan struct{})}
	go func() {
		defer close(run.done)
		if err := p.Run(ctx); err != nil {
			rt.log.Error("feed poller stopped", "err", err)
		}
	}()
	rt.feeds = run
	return nil
}

// stopFeedPoller stops the feed poller, if one runs, and waits for it.
func (rt *runtime) stopFeedPoller() {
	if rt.feeds == nil {
		return
	}
	rt.feeds.stop()
	<-rt.feeds.done
	rt.feeds = nil
}

func newFeedsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "feeds",
		Short: "Follow RSS, Atom and JSON feeds: add, list, remove",
		Long: "Feeds are polled by `briefbot serve` and `briefbot chat` as they fall due (conditional requests, so an unchanged\n" +
			"feed costs one 304); their new items are fetched and ingested, duplicates linked rather than stored twice.\n" +
			"A feed that fails backs off exponentially, up to a day.",
		Args: cobra.NoArgs,
	}
	var every time.Duration
	add := &cobra.Command{
		Use:     "add URL",
		Short:   "Follow a feed (it is fetched once now to check it)",
		Example: "  briefbot feeds add https://example.com/world.rss\n  briefbot feeds add --every 2h https://example.com/atom.xml",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opt := map[string]string{"url": args[0]}
			if cmd.Flags().Changed("every") {
				opt["every"] = commands.FormatEvery(every)
			}
			return a.feedCommand(cmd, "feed add", opt)
		},
	}
	add.Flags().DurationVar(&every, "every", briefings.DefaultFeedEvery, "how often to poll the feed (1m to 168h)")
	list := &cobra.Command{
		Use:   "list",
		Short: "The feeds the bot follows, with their state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.withRuntime(cmd, true, func(rt *runtime) error {
				feeds, err := rt.store.Feeds(cmd.Context(), briefings.MaxFeedLimit)
				if err != nil {
					return fmt.Errorf("list feeds: %w", err)
				}
				if len(feeds) == 0 {
					fmt.Fprintln(a.stdout, "No feeds are followed. Add one with: briefbot feeds add URL [--every 30m]")
					return nil
				}
				now := rt.clock.Now()
				tw := tabwriter.NewWriter(a.stdout, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "URL\tEVERY\tARTICLES\tLAST READ\tNEXT\tSTATE")
				for _, f := range feeds {
					last := "never"
					if !f.LastPolled.IsZero() {
						last = f.LastPolled.In(time.Local).Format("2006-01-02 15:04")
					}
					next := "due"
					if f.NextPoll.After(now) {
						next = f.NextPoll.In(time.Local).Format("2006-01-02 15:04")
					}
					state := "ok"
					switch {
					case f.Failures > 0:
						state = fmt.Sprintf("failing ×%d: %s", f.Failures, f.LastError)
					case f.LastError != "":
						state = f.LastError
					}
					fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", f.URL, commands.FormatEvery(f.Every), f.Items, last, next, clip(state, 120))
				}
				return tw.Flush()
			})
		},
	}
	remove := &cobra.Command{
		Use:     "remove URL",
		Aliases: []string{"rm"},
		Short:   "Stop following a feed (the articles it added stay)",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.feedCommand(cmd, "feed remove", map[string]string{"url": args[0]})
		},
	}
	cmd.AddCommand(add, list, remove)
	return cmd
}

// feedCommand runs a feed command through the same handler as /brief, as
// the local admin, and prints its answer as plain text.
func (a *app) feedCommand(cmd *cobra.Command, name string, opts map[string]string) error {
	return a.withRuntime(cmd, true, func(rt *runtime) error {
		h, ok := rt.withIngestion(nil)[name]
		if !ok {
			return fmt.Errorf("%s is not available", name)
		}
		resp, err := h(cmd.Context(), commands.Request{Platform: "console", User: "cli", Command: name, Options: opts, Admin: true, Now: rt.clock.Now()})
		if err != nil {
			var be *briefings.Error
			if errors.As(err, &be) && be.Code != briefings.CodeInternal {
				return errors.New(be.Msg)
			}
			return err
		}
		fmt.Fprintln(a.stdout, plainAnswer(resp))
		return nil
	})
}

// plainAnswer is a response's text without its header line.
func plainAnswer(r commands.Response) string {
	var out []commands.Block
	for _, b := range r.Blocks {
		if b.Type != commands.BlockHeader {
			out = append(out, b)
		}
	}
	r.Blocks = out
	return commands.PlainText(r)
}
