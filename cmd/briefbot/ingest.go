package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Bounds of one ingest run.
const (
	// maxIngestSources bounds the files and addresses of one run.
	maxIngestSources = 100_000
	// maxIngestJobs bounds the articles read or fetched at once.
	maxIngestJobs = 32
	// maxListedFailures bounds the failures the summary repeats.
	maxListedFailures = 20
)

func newIngestCommand(a *app) *cobra.Command {
	var published string
	var jobs int
	cmd := &cobra.Command{
		Use:   "ingest FILE|DIR|URL...",
		Short: "Add articles from text files, directories (their *.txt files) and web pages",
		Long: "Reads articles (plain text, optionally with the Title/Source/Published header, or web pages at http(s) addresses),\n" +
			"extracts their facts, groups them into stories and stores them. The same article twice, or a copy of it with\n" +
			"another headline or an extra paragraph, is reported as a duplicate and linked, not stored again.\n" +
			"Web pages are fetched safely: private and loopback addresses are refused unless BRIEFBOT_FETCH_ALLOW_HOSTS\n" +
			"opens them. A progress bar shows on a terminal, one line per article otherwise; the exit status is 1 when\n" +
			"anything failed.",
		Example: "  briefbot ingest article.txt\n  briefbot ingest --published 2024-04-20 notes.txt\n  briefbot ingest ../shared/corpus/dev/articles\n" +
			"  briefbot ingest https://example.com/news/article.html",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jobs < 1 || jobs > maxIngestJobs {
				return fmt.Errorf("--jobs %d is out of range; use 1 to %d", jobs, maxIngestJobs)
			}
			if published != "" {
				if _, err := briefings.ParseDate(published); err != nil {
					return fmt.Errorf("--published: %w", err)
				}
			}
			srcs, err := expandSources(args)
			if err != nil {
				return err
			}
			return a.withRuntime(cmd, true, func(rt *runtime) error {
				return a.ingestSources(cmd.Context(), rt, srcs, published, jobs)
			})
		},
	}
	cmd.Flags().StringVar(&published, "published", "", "publication date (YYYY-MM-DD) for articles that give none")
	cmd.Flags().IntVar(&jobs, "jobs", 4, "files read and pages fetched at once (articles are stored in the order given)")
	return cmd
}

// source is a file or a web address to ingest.
type source struct {
	name string
	url  bool
}

// isWebAddress reports whether an argument is an http(s) address.
func isWebAddress(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// expandSources turns the arguments into files and addresses: a directory
// gives its *.txt files.
func expandSources(args []string) ([]source, error) {
	var out []source
	for _, p := range args {
		if isWebAddress(p) {
			out = append(out, source{name: p, url: true})
			continue
		}
		if i := strings.Index(p, "://"); i > 0 && !strings.ContainsAny(p[:i], `/\`) {
			return nil, fmt.Errorf("%s: only http and https addresses can be fetched", p)
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if !info.IsDir() {
			out = append(out, source{name: p})
			continue
		}
		files, err := filepath.Glob(filepath.Join(p, "*.txt"))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("%s has no *.txt files", p)
		}
		for _, f := range files {
			out = append(out, source{name: f})
		}
	}
	if len(out) > maxIngestSources {
		return nil, fmt.Errorf("%d articles in one run; at most %d are taken (ingest in several runs)", len(out), maxIngestSources)
	}
	return out, nil
}

// loaded is a source read into an article, or why it could not be.
type loaded struct {
	art briefings.Article
	err error
}

// articleLoader reads a source into an article: a file through
// loadArticles, a page through the fetcher.
type articleLoader struct {
	published string
	fetcher   commands.ArticleFetcher
}

func (l articleLoader) load(ctx context.Context, s source) loaded {
	if !s.url {
		arts, _, err := loadArticles([]string{s.name}, l.published)
		if err != nil {
			return loaded{err: err}
		}
		return loaded{art: arts[0]}
	}
	art, err := l.fetcher.FetchArticle(ctx, s.name)
	if err != nil {
		return loaded{err: err}
	}
	if !art.PublishedKnown() && l.published != "" {
		if t, err := briefings.ParseDate(l.published); err == nil {
			art.Published = t
		}
	}
	return loaded{art: art}
}

// ingestSources reads the sources, jobs at a time, and ingests them one
// after the other in the order given (so that stories form the same way
// whatever the timing), reporting each and a summary. A failed source
// does not stop the others; the error is errSilent when any failed.
func (a *app) ingestSources(ctx context.Context, rt *runtime, srcs []source, published string, jobs int) error {
	l := articleLoader{published: published}
	for _, s := range srcs {
		if s.url {
			f := rt.newFetcher()
			defer f.Close()
			l.fetcher = f
			break
		}
	}
	tty := isTerminal(a.stdout)
	width := 80
	if f, ok := a.stdout.(*os.File); ok && tty {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			width = w
		}
	}
	pr := newProgress(a.stdout, tty, width, len(srcs))
	elapsed := ingestAll(ctx, srcs, jobs, l.load, func(s source, ld loaded) {
		pr.start(s.name)
		if ld.err != nil {
			pr.done(s.name, ingestOutcome{err: ld.err})
			return
		}
		res, err := rt.service.Ingest(ctx, ld.art)
		o := ingestOutcome{res: res, err: err}
		if err == nil && res.Article.Story != "" {
			if st, err := rt.store.StoryByID(ctx, res.Article.Story); err == nil {
				o.story = st.Title
			}
		}
		pr.done(s.name, o)
	})
	pr.finish(elapsed)
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted after %d of %d: %w", pr.added+pr.dups+pr.failed, len(srcs), ctx.Err())
	}
	if pr.failed > 0 {
		return errSilent
	}
	return nil
}

// ingestAll loads sources with jobs workers and hands them to ingest in
// their order; at most 2×jobs loaded articles wait at any time. It
// returns the elapsed time.
func ingestAll(ctx context.Context, srcs []source, jobs int, load func(context.Context, source) loaded, ingest func(source, loaded)) time.Duration {
	start := time.Now()
	type job struct {
		s  source
		ch chan loaded
	}
	work := make(chan job)
	pending := make(chan job, 2*jobs)
	go func() {
		defer close(work)
		defer close(pending)
		for _, s := range srcs {
			j := job{s: s, ch: make(chan loaded, 1)}
			select {
			case pending <- j:
			case <-ctx.Done():
				return
			}
			select {
			case work <- j:
			case <-ctx.Done():
				j.ch <- loaded{err: ctx.Err()}
				return
			}
		}
	}()
	for range jobs {
		go func() {
			for j := range work {
				j.ch <- load(ctx, j.s)
			}
		}()
	}
	for j := range pending {
		ld := <-j.ch
		if ctx.Err() != nil {
			continue
		}
		ingest(j.s, ld)
	}
	return time.Since(start)
}

// ingestOutcome is what became of one source.
type ingestOutcome struct {
	res   briefings.AddResult
	err   error
	story string
}

// progress reports an ingest run: on a terminal, a bar redrawn in place
// with failures and duplicates printed above it; otherwise one plain line
// per article. Either way a summary ends it.
type progress struct {
	w     io.Writer
	tty   bool
	width int
	total int

	added, dups, failed int
	failures            []string
	current             string
	drawn               bool
	began               time.Time
}

func newProgress(w io.Writer, tty bool, width, total int) *progress {
	return &progress{w: w, tty: tty, width: width, total: total, began: time.Now()}
}

func (p *progress) count() int { return p.added + p.dups + p.failed }

// start shows the source being ingested.
func (p *progress) start(name string) {
	p.current = name
	if p.tty {
		p.draw()
	}
}

// done records a source's outcome.
func (p *progress) done(name string, o ingestOutcome) {
	var lines []string
	switch {
	case o.err != nil:
		p.failed++
		reason := ingestError(o.err)
		if len(p.failures) < maxListedFailures {
			p.failures = append(p.failures, name+": "+reason)
		}
		lines = append(lines, fmt.Sprintf("failed     %s: %s", name, reason))
	case o.res.Duplicate:
		p.dups++
		_, text := commands.IngestSummary(o.res, "")
		lines = append(lines, fmt.Sprintf("duplicate  %s: %s", name, text))
	default:
		p.added++
		a := o.res.Article
		line := fmt.Sprintf("added      %s: “%s”", name, a.Title)
		if a.PublishedKnown() {
			line += ", published " + a.Published.UTC().Format("2006-01-02")
		} else {
			line += ", publication date unknown (relative dates not resolved; --published sets one)"
		}
		line += fmt.Sprintf(", %d facts", o.res.Facts)
		if o.story != "" {
			line += ", story “" + o.story + "”"
		}
		if !p.tty {
			lines = append(lines, line)
			for _, ch := range o.res.Changed {
				if ch.From != "" {
					lines = append(lines, "           status: "+commands.StatusChangeText(ch))
				}
			}
		}
	}
	p.print(lines...)
}

// ingestError is the reason a source failed, as a person should read it.
func ingestError(err error) string {
	var be *briefings.Error
	if errors.As(err, &be) && be.Code != briefings.CodeInternal {
		return be.Msg
	}
	return err.Error()
}

// print writes lines above the bar.
func (p *progress) print(lines ...string) {
	if p.tty && p.drawn && len(lines) > 0 {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
	for _, l := range lines {
		fmt.Fprintln(p.w, l)
	}
	if p.tty {
		p.draw()
	}
}

// draw redraws the bar: [████░░░░] 41/100  added 38 · duplicates 1 ·
// failed 2  12.5/s  current-name, cut to the terminal's width.
func (p *progress) draw() {
	n := p.count()
	barWidth := min(30, max(10, p.width/4))
	filled := 0
	if p.total > 0 {
		filled = barWidth * n / p.total
	}
	var b strings.Builder
	b.WriteString("\r\x1b[2K[")
	b.WriteString(strings.Repeat("█", filled))
	b.WriteString(strings.Repeat("░", barWidth-filled))
	fmt.Fprintf(&b, "] %d/%d  added %d · duplicates %d · failed %d", n, p.total, p.added, p.dups, p.failed)
	if secs := time.Since(p.began).Seconds(); secs >= 1 && n > 0 {
		fmt.Fprintf(&b, "  %.1f/s", float64(n)/secs)
	}
	line := b.String()
	if p.current != "" && n < p.total {
		line += "  " + filepath.Base(p.current)
	}
	fmt.Fprint(p.w, cutRunes(line, p.width+len("\r\x1b[2K")-1))
	p.drawn = true
}

// cutRunes cuts s to at most n runes.
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// finish clears the bar and writes the summary: counts, then the failures
// with their reasons.
func (p *progress) finish(elapsed time.Duration) {
	if p.tty && p.drawn {
		fmt.Fprint(p.w, "\r\x1b[2K")
		p.drawn = false
	}
	fmt.Fprintf(p.w, "%d added, %s, %d failed", p.added, countNoun(p.dups, "duplicate", "duplicates"), p.failed)
	if p.count() < p.total {
		fmt.Fprintf(p.w, ", %d not reached", p.total-p.count())
	}
	if elapsed >= time.Second {
		fmt.Fprintf(p.w, " in %s", elapsed.Round(100*time.Millisecond))
	}
	fmt.Fprintln(p.w)
	if p.failed > 0 {
		fmt.Fprintln(p.w, "Failed:")
		for _, f := range p.failures {
			fmt.Fprintln(p.w, "  "+f)
		}
		if more := p.failed - len(p.failures); more > 0 {
			fmt.Fprintf(p.w, "  … and %d more (see the lines above)\n", more)
		}
	}
}

func countNoun(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
