// Command loadtest measures `briefbot serve` under load, on this machine
// only. It builds (or reuses) a SQLite database of synthetic articles,
// starts `briefbot serve` on a loopback address with Slack over HTTP and
// Discord HTTP interactions (fresh secrets; the Slack and Discord APIs are
// loopback fakes), then sends signed /brief commands at a fixed rate (open
// loop: send times do not wait for answers): first Slack slash commands,
// then Discord interactions. It reports errors, the achieved rate, latency
// percentiles (from each request's scheduled send time to its last byte),
// the server's CPU and its resident memory sampled every second (VmRSS)
// with its peak (VmHWM), and how long serve took to stop on SIGTERM.
//
// Every run is bounded: at most 10 minutes per platform, 5,000 requests/s,
// 3,000,000 requests in all, each request at most 15 s; it refuses any
// address that is not loopback, and stops by itself. It exits 1 when any
// request failed.
//
//	go run ./cmd/loadtest -priority -10         # 10,000 articles, 1,000 req/s, 60 s per platform
//	go run ./cmd/loadtest -rate 100 -duration 2s -articles 300
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

// Bounds of one run.
const (
	maxDuration = 10 * time.Minute
	maxRate     = 5000
	maxRequests = 3_000_000
	maxArticles = 100_000
)

// options are the command line.
type options struct {
	rate       float64
	duration   time.Duration
	warmup     time.Duration
	articles   int
	db         string
	corpus     string
	repo       string
	bin        string
	addr       string
	mix        string
	platforms  []string
	sampleRate time.Duration
	keep       bool
	priority   int
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var platforms string
	fs.Float64Var(&o.rate, "rate", 1000, "requests per second per platform")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long each platform is loaded")
	fs.DurationVar(&o.warmup, "warmup", 15*time.Second, "unmeasured load before each platform's run, at a fifth of the rate (fills the database caches)")
	fs.IntVar(&o.articles, "articles", 10000, "synthetic articles in the database")
	fs.StringVar(&o.db, "db", "", "SQLite database to build or reuse (default: briefbot-loadtest-<articles>.db in the temporary directory)")
	fs.StringVar(&o.corpus, "corpus", "", "directory of *.txt articles whose sentences are recombined (default: ../shared/corpus/dev/articles beside the repository, when present)")
	fs.StringVar(&o.repo, "repo", ".", "the briefbot repository (to build the binary)")
	fs.StringVar(&o.bin, "bin", "", "briefbot binary to run (default: build ./cmd/briefbot)")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:0", "loopback address for serve (port 0: a free one)")
	fs.StringVar(&o.mix, "mix", defaultMix, "subcommands and their shares in per mille")
	fs.StringVar(&platforms, "platforms", "slack,discord", "platforms to load, in order")
	fs.DurationVar(&o.sampleRate, "sample", time.Second, "how often the server's memory and CPU are read")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (binary, serve.log)")
	fs.IntVar(&o.priority, "priority", 0, "scheduling priority (nice value, -20 to 19) of serve and the generator; below 0 needs root. "+
		"On a shared machine, -10 keeps other work from taking the server's CPU")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	for _, p := range strings.Split(platforms, ",") {
		switch p = strings.TrimSpace(p); p {
		case "slack", "discord":
			o.platforms = append(o.platforms, p)
		default:
			return o, fmt.Errorf("-platforms: %q is not slack or discord", p)
		}
	}
	switch {
	case o.rate <= 0 || o.rate > maxRate:
		return o, fmt.Errorf("-rate %v: use 1 to %d requests/s", o.rate, maxRate)
	case o.duration <= 0 || o.duration > maxDuration:
		return o, fmt.Errorf("-duration %s: use up to %s", o.duration, maxDuration)
	case o.warmup < 0 || o.warmup > time.Minute:
		return o, fmt.Errorf("-warmup %s: use 0 to 1m", o.warmup)
	case o.articles < 1 || o.articles > maxArticles:
		return o, fmt.Errorf("-articles %d: use 1 to %d", o.articles, maxArticles)
	case o.priority < -20 || o.priority > 19:
		return o, fmt.Errorf("-priority %d: use -20 to 19", o.priority)
	case o.sampleRate < 100*time.Millisecond:
		return o, fmt.Errorf("-sample %s: at least 100ms", o.sampleRate)
	}
	if total := o.rate * o.duration.Seconds() * float64(len(o.platforms)); total > maxRequests {
		return o, fmt.Errorf("%.0f requests in all: at most %d", total, maxRequests)
	}
	if err := checkLoopback(o.addr); err != nil {
		return o, err
	}
	return o, nil
}

// report is the outcome of a run.
type report struct {
	Articles     int
	Mix          string
	Priority     int
	Phases       []phaseResult
	Warmups      []phaseResult
	Before       procSample // the server before any load
	Peak         int64      // VmHWM at the end
	StopTook     time.Duration
	StopErr      error
	LogLevels    map[string]int
	LogMessages  map[string]int
	FollowUps    int64
	GeneratorCPU float64
}

// Errors is the number of failed requests in the measured phases.
func (r report) Errors() int {
	n := 0
	for _, p := range r.Phases {
		n += p.ErrorCount()
	}
	return n
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	rep, err := load(ctx, o, stderr)
	if err != nil {
		return err
	}
	writeReport(stdout, o, rep)
	if n := rep.Errors(); n > 0 {
		return fmt.Errorf("%d requests failed", n)
	}
	if rep.StopErr != nil {
		return fmt.Errorf("serve's stop: %w", rep.StopErr)
	}
	return nil
}

// load runs the whole test and returns its report.
func load(ctx context.Context, o options, progress io.Writer) (report, error) {
	rep := report{Mix: o.mix}
	mix, err := parseMix(o.mix)
	if err != nil {
		return rep, err
	}
	if o.db == "" {
		o.db = filepath.Join(os.TempDir(), fmt.Sprintf("briefbot-loadtest-%d.db", o.articles))
	}
	if o.corpus == "" {
		if dir := filepath.Join(o.repo, "..", "shared", "corpus", "dev", "articles"); isDir(dir) {
			o.corpus = dir
		}
	}
	start := time.Now()
	fmt.Fprintf(progress, "database %s: ensuring %d synthetic articles\n", o.db, o.articles)
	rep.Articles, err = ensureDatabase(ctx, o.db, o.articles, o.corpus, func(done, total int) {
		fmt.Fprintf(progress, "  %d/%d articles (%s)\n", done, total, time.Since(start).Round(time.Second))
	})
	if err != nil {
		return rep, err
	}
	tmp, err := os.MkdirTemp("", "briefbot-loadtest-")
	if err != nil {
		return rep, err
	}
	if o.keep {
		fmt.Fprintf(progress, "keeping %s\n", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	bin := o.bin
	if bin == "" {
		fmt.Fprintln(progress, "building briefbot")
		if bin, err = buildBinary(ctx, o.repo, tmp); err != nil {
			return rep, err
		}
	}
	f := newFakes()
	defer f.Close()
	cr, err := newCredentials()
	if err != nil {
		return rep, err
	}
	addr, err := freeLoopbackAddr(o.addr)
	if err != nil {
		return rep, err
	}
	const shutdown = 20 * time.Second
	srv, err := startServer(ctx, bin, addr, o.db, tmp, f, cr, shutdown)
	if err != nil {
		return rep, err
	}
	defer srv.kill()
	if o.priority != 0 {
		for _, pid := range []int{srv.pid(), os.Getpid()} {
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, pid, o.priority); err != nil {
				return rep, fmt.Errorf("-priority %d: %w", o.priority, err)
			}
		}
	}
	rep.Priority = o.priority
	rep.Before, _ = readProc(srv.pid())
	fmt.Fprintf(progress, "serve pid %d on %s: RSS %s\n", srv.pid(), addr, mib(rep.Before.rss))
	smp := startSampler(srv.pid(), o.sampleRate)
	client := &http.Client{
		Timeout: 15 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        maxInFlight,
			MaxIdleConnsPerHost: maxInFlight,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
		},
	}
	defer client.CloseIdleConnections()
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	type span struct{ from, to time.Time }
	var spans []span
	for _, p := range o.platforms {
		t := slackTarget(srv.base, cr.signingSecret)
		if p == "discord" {
			t = discordTarget(srv.base, cr.discordPriv)
		}
		if o.warmup > 0 {
			wr := o.rate / 5
			n := max(1, int(wr*o.warmup.Seconds()))
			fmt.Fprintf(progress, "%s: warm-up, %d requests at %.0f/s\n", p, n, wr)
			res, ss, sp, lag := runPhase(ctx, client, t, schedule(mix, n), wr)
			rep.Warmups = append(rep.Warmups, summarize(p, wr, o.warmup, res, ss, sp, lag))
		}
		n := int(o.rate * o.duration.Seconds())
		fmt.Fprintf(progress, "%s: %d requests at %.0f/s for %s\n", p, n, o.rate, o.duration)
		cpu0, _ := readProc(srv.pid())
		var gen0 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &gen0)
		busy0, total0 := machineCPU()
		from := time.Now()
		res, ss, sp, lag := runPhase(ctx, client, t, schedule(mix, n), o.rate)
		to := time.Now()
		busy1, total1 := machineCPU()
		var gen1 syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &gen1)
		cpu1, _ := readProc(srv.pid())
		pr := summarize(p, o.rate, o.duration, res, ss, sp, lag)
		pr.ServerCPUSeconds = cpu1.cpuSeconds - cpu0.cpuSeconds
		pr.GeneratorCPUSeconds = rusageSeconds(gen1) - rusageSeconds(gen0)
		if total1 > total0 {
			pr.MachineBusyCores = (busy1 - busy0) / (total1 - total0) * float64(runtime.NumCPU())
		}
		rep.Phases = append(rep.Phases, pr)
		spans = append(spans, span{from, to})
		fmt.Fprintf(progress, "%s: %d answered, %d errors, p99 %s\n", p, pr.Answered, pr.ErrorCount(), ms(pr.Latency.P99))
		if ctx.Err() != nil {
			break
		}
	}
	var ru1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	rep.GeneratorCPU = rusageSeconds(ru1) - rusageSeconds(ru0)
	samples := smp.finish()
	for i := range rep.Phases {
		for _, s := range samples {
			if !s.at.Before(spans[i].from) && !s.at.After(spans[i].to.Add(o.sampleRate)) {
				rep.Phases[i].RSS = append(rep.Phases[i].RSS, s)
			}
		}
	}
	if last, err := readProc(srv.pid()); err == nil {
		rep.Peak = last.hwm
	}
	rep.FollowUps = f.followUps.Load()
	rep.StopTook, rep.StopErr = srv.stop(shutdown + 10*time.Second)
	rep.LogLevels, rep.LogMessages = logCounts(srv.logPath)
	if rep.StopErr != nil || rep.LogLevels["ERROR"] > 0 {
		fmt.Fprintf(progress, "serve's log ends:\n%s\n", tail(srv.logPath, 10))
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("interrupted: %w", err)
	}
	return rep, nil
}

func rusageSeconds(r syscall.Rusage) float64 {
	return float64(r.Utime.Sec+r.Stime.Sec) + float64(r.Utime.Usec+r.Stime.Usec)/1e6
}

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func mib(b int64) string { return fmt.Sprintf("%.1f MiB", float64(b)/(1<<20)) }

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

// writeReport prints the figures.
func writeReport(w io.Writer, o options, r report) {
	fmt.Fprintf(w, "\nbriefbot serve under load: %d articles, %d CPUs, %s, nice %d, mix %s\n", r.Articles, runtime.NumCPU(), runtime.Version(), r.Priority, r.Mix)
	fmt.Fprintf(w, "server before load: RSS %s\n", mib(r.Before.rss))
	for _, p := range r.Phases {
		fmt.Fprintf(w, "\n%s: %d requests scheduled at %.0f/s for %s (open loop)\n", p.Platform, p.Scheduled, p.Rate, p.Duration)
		sendRate := float64(p.Sent-1) / p.SendSpan.Seconds()
		fmt.Fprintf(w, "  sent %d at %.1f req/s (latest send %s behind schedule); answered %d at %.1f req/s\n",
			p.Sent, sendRate, ms(p.MaxSendLag), p.Answered, float64(p.Answered)/p.Span.Seconds())
		fmt.Fprintf(w, "  errors: %d", p.ErrorCount())
		if len(p.Errors) > 0 {
			fmt.Fprintf(w, " %v", p.Errors)
		}
		fmt.Fprintln(w)
		l := p.Latency
		fmt.Fprintf(w, "  latency: p50 %s, p90 %s, p99 %s, p99.9 %s, max %s\n", ms(l.P50), ms(l.P90), ms(l.P99), ms(l.P999), ms(l.Max))
		var names []string
		for k := range p.ByCommand {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			c := p.ByCommand[k]
			fmt.Fprintf(w, "    %-10s n=%-6d p50 %-9s p99 %-9s max %s\n", k, c.N, ms(c.P50), ms(c.P99), ms(c.Max))
		}
		secs := p.Span.Seconds()
		fmt.Fprintf(w, "  CPU (cores): server %.2f (%.2f ms per answered request), load generator %.2f, everything else on the machine %.2f, machine busy %.2f of %d\n",
			p.ServerCPUSeconds/secs, 1000*p.ServerCPUSeconds/float64(max(1, p.Answered)), p.GeneratorCPUSeconds/secs,
			max(0, p.MachineBusyCores-(p.ServerCPUSeconds+p.GeneratorCPUSeconds)/secs), p.MachineBusyCores, runtime.NumCPU())
		if len(p.RSS) > 0 {
			lo, hi := p.RSS[0].rss, p.RSS[0].rss
			for _, s := range p.RSS {
				lo, hi = min(lo, s.rss), max(hi, s.rss)
			}
			fmt.Fprintf(w, "  server RSS: start %s, min %s, max %s, end %s; VmHWM %s\n",
				mib(p.RSS[0].rss), mib(lo), mib(hi), mib(p.RSS[len(p.RSS)-1].rss), mib(p.RSS[len(p.RSS)-1].hwm))
			step := max(1, len(p.RSS)/12)
			var parts []string
			for i := 0; i < len(p.RSS); i += step {
				parts = append(parts, fmt.Sprintf("%.0fs %.0f", p.RSS[i].at.Sub(p.RSS[0].at).Seconds(), float64(p.RSS[i].rss)/(1<<20)))
			}
			fmt.Fprintf(w, "  RSS over the run (MiB): %s\n", strings.Join(parts, ", "))
		}
	}
	fmt.Fprintf(w, "\nserver peak RSS (VmHWM): %s\n", mib(r.Peak))
	fmt.Fprintf(w, "load generator CPU: %.1f s\n", r.GeneratorCPU)
	if r.FollowUps > 0 {
		fmt.Fprintf(w, "Discord follow-up messages (the rest of long answers): %d\n", r.FollowUps)
	}
	stop := "exit 0"
	if r.StopErr != nil {
		var ee interface{ ExitCode() int }
		if errors.As(r.StopErr, &ee) {
			stop = fmt.Sprintf("exit %d", ee.ExitCode())
		} else {
			stop = r.StopErr.Error()
		}
	}
	fmt.Fprintf(w, "SIGTERM → serve stopped in %s (%s)\n", r.StopTook.Round(time.Millisecond), stop)
	fmt.Fprintf(w, "serve log lines by level: %v\n", r.LogLevels)
	var msgs []string
	for m := range r.LogMessages {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		fmt.Fprintf(w, "  %5d × %s\n", r.LogMessages[m], m)
	}
	if r.LogMessages["WARN slack: response_url refused; answer not delivered"] > 0 {
		fmt.Fprintln(w, "  (the rest of a long Slack answer goes to response_url; the load test gives a loopback one, which serve's\n"+
			"   allow-list of https://hooks.slack.com/ refuses, so nothing leaves this machine)")
	}
}
