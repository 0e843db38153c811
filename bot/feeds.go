package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/fetch"
)

// FeedFetcher fetches feeds, conditionally, and the pages their items link
// to; *fetch.Fetcher implements it.
type FeedFetcher interface {
	FetchFeed(ctx context.Context, url string, cond fetch.Conditional) (fetch.FeedResult, error)
	FetchArticle(ctx context.Context, url string) (briefings.Article, error)
}

// IngestFunc stores an article with its facts; (*briefings.Service).Ingest
// is one.
type IngestFunc func(ctx context.Context, a briefings.Article) (briefings.AddResult, error)

// FeedPollerConfig configures a FeedPoller. Zero durations and counts take
// the defaults given on each field.
type FeedPollerConfig struct {
	// Store keeps the feeds, their claims and their seen items (required).
	Store briefings.FeedStore
	// Fetcher fetches feeds and pages (required).
	Fetcher FeedFetcher
	// Ingest stores an item's article (required).
	Ingest IngestFunc
	// Clock tells the time for due feeds, claims and backoff; the system
	// clock when nil.
	Clock briefings.Clock
	// Claimant identifies this poller in the store's claims;
	// hostname-pid-random when empty. Every replica needs its own.
	Claimant string
	// Tick is how often Run looks for due feeds (default 1 min, 1 s to 1 h).
	Tick time.Duration
	// Lease is how long a claim holds a feed (default 10 min, at most
	// briefings.MaxLease): a poller that dies mid-poll leaves the feed to
	// another after it. One poll is cut off at 90% of it.
	Lease time.Duration
	// Batch is how many due feeds are claimed at a time (default 16).
	Batch int
	// Concurrency bounds the feeds polled at once (default 4, at most 64);
	// within a feed, items are read one after the other, so it also bounds
	// the pages fetched at once.
	Concurrency int
	// MaxItems bounds the new items read in one poll of a feed (default
	// 30); the rest wait for the next poll, which comes one Tick later.
	MaxItems int
	// MaxBackoff bounds the wait after failed polls (default 24 h).
	MaxBackoff time.Duration
	// ItemAttempts is how often an item whose page failed for a passing
	// reason (a timeout, a 5xx, a 429) is tried (default 3). Retries are
	// kept in this process's memory: a restart forgets them.
	ItemAttempts int
}

// Feed poller defaults and bounds.
const (
	DefaultFeedTick         = time.Minute
	DefaultFeedLease        = 10 * time.Minute
	DefaultFeedBatch        = 16
	DefaultFeedConcurrency  = 4
	DefaultFeedMaxItems     = 30
	DefaultFeedMaxBackoff   = 24 * time.Hour
	DefaultFeedItemAttempts = 3

	maxFeedConcurrency = 64
	// maxFeedsPerTick bounds the feeds one tick polls; the rest are left
	// to the next.
	maxFeedsPerTick = 1000
	// maxPendingItems bounds the items kept for a retry, across feeds.
	maxPendingItems = 10_000
	// maxItemProblems bounds the item problems a feed's last error lists.
	maxItemProblems = 3
	// finishTimeout bounds recording a poll's outcome, also at shutdown.
	finishTimeout = 10 * time.Second
	// itemStopGrace is how long an item being read may take to finish
	// once the poller is stopping.
	itemStopGrace = 5 * time.Second
	// maxItemDateAhead is how far in the future a feed item's date may be
	// and still stand for an article without one.
	maxItemDateAhead = 24 * time.Hour
)

// FeedTickReport counts what one tick of the feed poller did.
type FeedTickReport struct {
	// Claimed feeds were due and taken by this poller.
	Claimed int
	// Polled counts the feeds fetched; NotModified those that answered 304
	// to the conditional request; Failed those whose poll failed (and
	// back off).
	Polled, NotModified, Failed int
	// NewItems counts the items read: those not seen before, and retries
	// of those whose page failed for a passing reason; Added, Duplicates
	// and ItemErrors count what became of them.
	NewItems, Added, Duplicates, ItemErrors int
	// Overlapped is set when the previous tick was still running: this one
	// did nothing.
	Overlapped bool
	// Elapsed is the tick's duration (real time).
	Elapsed time.Duration
}

func (r *FeedTickReport) add(o FeedTickReport) {
	r.Polled += o.Polled
	r.NotModified += o.NotModified
	r.Failed += o.Failed
	r.NewItems += o.NewItems
	r.Added += o.Added
	r.Duplicates += o.Duplicates
	r.ItemErrors += o.ItemErrors
}

// FeedPoller reads the feeds the bot follows as they fall due, the way the
// Scheduler posts digests: robfig/cron ticks, and the store decides who
// does what. A tick claims due feeds (ClaimDueFeeds moves their next poll
// to the end of a lease, so that no other replica takes them meanwhile)
// and polls each:
//
//   - the feed is fetched with the validators of the last poll (ETag,
//     Last-Modified); 304 Not Modified costs nothing more;
//   - its items are checked one by one against the seen items
//     (NewFeedItems records an item as seen as it is checked, so that a
//     poll cut short leaves the rest for the next), at most MaxItems new
//     ones per poll; each new item's page is fetched, given the item's date
//     when it has none, and ingested (the store links duplicates);
//   - the outcome is recorded with FinishFeedPoll: validators, the next
//     poll (Every later; one Tick later while new items are left over,
//     without validators so that the feed is read whole), the articles
//     added, and on failure an exponential backoff: Every doubled per
//     failure in a row, at least the server's Retry-After, at most
//     MaxBackoff.
//
// An item page that fails for good (404, no article text, a refused
// address) is skipped and named in the feed's last error; one that fails
// for a passing reason ends the poll (the site is struggling: the feed
// backs off) and is tried again at the next polls, ItemAttempts times.
type FeedPoller struct {
	cfg FeedPollerConfig
	log *slog.Logger

	running atomic.Bool

	mu      sync.Mutex
	pending map[string][]pendingItem // feed id → items to retry
	npend   int
}

// pendingItem is an item whose page failed for a passing reason.
type pendingItem struct {
	item     fetch.FeedItem
	attempts int
}

// NewFeedPoller checks cfg, fills its defaults and returns a FeedPoller. A
// nil logger discards.
func NewFeedPoller(cfg FeedPollerConfig, logger *slog.Logger) (*FeedPoller, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.Store == nil:
		return nil, errors.New("feed poller: no feed store")
	case cfg.Fetcher == nil:
		return nil, errors.New("feed poller: no fetcher")
	case cfg.Ingest == nil:
		return nil, errors.New("feed poller: no ingest function")
	}
	if cfg.Clock == nil {
		cfg.Clock = briefings.SystemClock{}
	}
	if cfg.Claimant == "" {
		cfg.Claimant = defaultClaimant()
	}
	if len(cfg.Claimant) > maxClaimantLen {
		return nil, fmt.Errorf("feed poller: claimant is %d bytes long; at most %d are allowed", len(cfg.Claimant), maxClaimantLen)
	}
	durations := []struct {
		name          string
		v             *time.Duration
		def, min, max time.Duration
	}{
		{"Tick", &cfg.Tick, DefaultFeedTick, time.Second, time.Hour},
		{"Lease", &cfg.Lease, DefaultFeedLease, 10 * time.Second, briefings.MaxLease},
		{"MaxBackoff", &cfg.MaxBackoff, DefaultFeedMaxBackoff, time.Minute, 7 * 24 * time.Hour},
	}
	for _, d := range durations {
		if *d.v == 0 {
			*d.v = d.def
		}
		if *d.v < d.min || *d.v > d.max {
			return nil, fmt.Errorf("feed poller: %s %v is out of range; use %v to %v (0 for the default %v)", d.name, *d.v, d.min, d.max, d.def)
		}
	}
	counts := []struct {
		name          string
		v             *int
		def, min, max int
	}{
		{"Batch", &cfg.Batch, DefaultFeedBatch, 1, briefings.MaxFeedLimit},
		{"Concurrency", &cfg.Concurrency, DefaultFeedConcurrency, 1, maxFeedConcurrency},
		{"MaxItems", &cfg.MaxItems, DefaultFeedMaxItems, 1, briefings.MaxFeedItemsPerCall},
		{"ItemAttempts", &cfg.ItemAttempts, DefaultFeedItemAttempts, 1, 20},
	}
	for _, c := range counts {
		if *c.v == 0 {
			*c.v = c.def
		}
		if *c.v < c.min || *c.v > c.max {
			return nil, fmt.Errorf("feed poller: %s %d is out of range; use %d to %d (0 for the default %d)", c.name, *c.v, c.min, c.max, c.def)
		}
	}
	return &FeedPoller{cfg: cfg, log: logger, pending: map[string][]pendingItem{}}, nil
}

// Claimant returns the poller's identity in the store's claims.
func (p *FeedPoller) Claimant() string { return p.cfg.Claimant }

// Run ticks every cfg.Tick, starting at once, until ctx ends; then it
// stops the ticker and waits for a running tick, whose fetches end with
// ctx. robfig/cron drives the ticks, with cron.Recover and
// cron.SkipIfStillRunning around each.
func (p *FeedPoller) Run(ctx context.Context) error {
	cl := feedCronLogger{p.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	job := cron.FuncJob(func() {
		rep, err := p.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			p.log.Error("feed tick failed", "err", err, "claimed", rep.Claimed, "added", rep.Added)
		case rep.Claimed > 0:
			p.log.Info("feed tick", "claimed", rep.Claimed, "polled", rep.Polled, "not_modified", rep.NotModified,
				"failed", rep.Failed, "new_items", rep.NewItems, "added", rep.Added, "duplicates", rep.Duplicates,
				"item_errors", rep.ItemErrors, "elapsed", rep.Elapsed)
		}
	})
	id := c.Schedule(cron.Every(p.cfg.Tick), job)
	first := c.Entry(id).WrappedJob
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		first.Run()
	}()
	c.Start()
	<-ctx.Done()
	<-c.Stop().Done()
	wg.Wait()
	return nil
}

// feedCronLogger adapts slog to robfig/cron's logger.
type feedCronLogger struct{ log *slog.Logger }

func (l feedCronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("feed tick skipped: the previous one is still running")
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l feedCronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}

// Tick polls the feeds due now, once. It returns at once with Overlapped
// set when another tick is running. The error is a failure to claim
// feeds; failures of single polls are recorded on the feed, logged and
// counted.
func (p *FeedPoller) Tick(ctx context.Context) (FeedTickReport, error) {
	start := time.Now()
	if !p.running.CompareAndSwap(false, true) {
		p.log.Warn("feed tick skipped: the previous one is still running")
		return FeedTickReport{Overlapped: true}, nil
	}
	defer p.running.Store(false)
	var total FeedTickReport
	for ctx.Err() == nil && total.Claimed < maxFeedsPerTick {
		n := min(p.cfg.Batch, maxFeedsPerTick-total.Claimed)
		feeds, err := p.cfg.Store.ClaimDueFeeds(ctx, p.cfg.Claimant, p.cfg.Clock.Now(), p.cfg.Lease, n)
		if err != nil {
			total.Elapsed = time.Since(start)
			return total, fmt.Errorf("claim due feeds: %w", err)
		}
		total.Claimed += len(feeds)
		p.pollAll(ctx, feeds, &total)
		if len(feeds) < n {
			break
		}
	}
	total.Elapsed = time.Since(start)
	return total, nil
}

// pollAll polls feeds with at most Concurrency at once.
func (p *FeedPoller) pollAll(ctx context.Context, feeds []briefings.Feed, total *FeedTickReport) {
	jobs := make(chan briefings.Feed)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for range min(p.cfg.Concurrency, len(feeds)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rep FeedTickReport
			for f := range jobs {
				p.pollSafely(ctx, f, &rep)
			}
			mu.Lock()
			total.add(rep)
			mu.Unlock()
		}()
	}
	for _, f := range feeds {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
}

// pollSafely polls one feed; a panic is logged and the feed recorded as
// failed.
func (p *FeedPoller) pollSafely(ctx context.Context, f briefings.Feed, rep *FeedTickReport) {
	defer func() {
		if r := recover(); r != nil {
			p.log.Error("feed poll panic", "feed", f.URL, "panic", r, "stack", string(debug.Stack()))
			rep.Failed++
			p.finish(ctx, p.failed(f, p.cfg.Clock.Now(), errors.New("internal error in the bot (details are in its log)")))
		}
	}()
	p.poll(ctx, f, rep)
}

// poll reads one claimed feed and records the outcome.
func (p *FeedPoller) poll(ctx context.Context, f briefings.Feed, rep *FeedTickReport) {
	pctx, cancel := context.WithTimeout(ctx, p.cfg.Lease*9/10)
	defer cancel()
	// An item being read when the poller stops may finish (its id is
	// already recorded as seen); no other starts.
	ictx, icancel := withGrace(pctx, itemStopGrace)
	defer icancel()
	now := p.cfg.Clock.Now()
	rep.Polled++
	st := itemState{feed: f}

	// Items that failed for a passing reason at an earlier poll first.
	for _, pi := range p.takePending(f.ID) {
		if st.stop != nil {
			p.keepPending(f.ID, pi)
			continue
		}
		p.item(ictx, &st, pi, rep)
	}
	var res fetch.FeedResult
	if st.stop == nil {
		var err error
		res, err = p.cfg.Fetcher.FetchFeed(pctx, f.URL, fetch.Conditional{ETag: f.ETag, LastModified: f.LastModified})
		switch {
		case err != nil && ctx.Err() == nil:
			rep.Failed++
			out := p.failed(st.feed, now, err)
			p.finish(ctx, out)
			p.log.Warn("feed poll failed", "feed", f.URL, "failures", out.Failures, "next_poll", out.NextPoll, "err", err)
			return
		case err != nil:
			st.stop = err
		case res.NotModified:
			rep.NotModified++
		default:
			p.items(pctx, ictx, &st, res.Items, rep)
		}
	}
	out := st.feed
	out.LastPolled = now
	switch {
	case st.stop != nil && ctx.Err() != nil:
		// The bot is stopping: the feed is due again at once, and read
		// whole, with nothing counted against it.
		out.NextPoll = now
		out.ETag, out.LastModified = "", ""
	case st.stop != nil:
		// An item's page failed for a passing reason: the site is
		// struggling, so the feed backs off; the items not checked yet
		// are read whole at the next poll.
		rep.Failed++
		out = p.failed(out, now, st.stop)
		out.ETag, out.LastModified = "", ""
	case st.leftOver:
		// New items are left over: read the whole feed again soon.
		out.Failures, out.LastError = 0, st.problems()
		out.ETag, out.LastModified = "", ""
		out.NextPoll = now.Add(p.cfg.Tick)
	default:
		out.Failures, out.LastError = 0, st.problems()
		out.ETag, out.LastModified = res.Cond.ETag, res.Cond.LastModified
		if res.NotModified && out.ETag == "" && out.LastModified == "" {
			out.ETag, out.LastModified = f.ETag, f.LastModified
		}
		out.NextPoll = now.Add(f.Every)
	}
	p.finish(ctx, out)
}

// itemState is what a poll learnt from its items so far.
type itemState struct {
	feed     briefings.Feed
	read     int // new items read
	leftOver bool
	stop     error
	problem  []string
	more     int
}

func (st *itemState) note(msg string) {
	if len(st.problem) < maxItemProblems {
		st.problem = append(st.problem, msg)
		return
	}
	st.more++
}

func (st *itemState) problems() string {
	if len(st.problem) == 0 {
		return ""
	}
	s := "items skipped: " + strings.Join(st.problem, "; ")
	if st.more > 0 {
		s += fmt.Sprintf("; and %d more", st.more)
	}
	return s
}

// items checks a feed's items in order and reads the new ones, until
// MaxItems were read, an item's page fails for a passing reason or ctx
// ends; ictx is the context items are read with.
func (p *FeedPoller) items(ctx, ictx context.Context, st *itemState, items []fetch.FeedItem, rep *FeedTickReport) {
	for _, it := range items {
		if st.stop != nil || ctx.Err() != nil {
			if ctx.Err() != nil && st.stop == nil {
				st.stop = ctx.Err()
			}
			return
		}
		if st.read >= p.cfg.MaxItems {
			st.leftOver = true
			return
		}
		fresh, err := p.cfg.Store.NewFeedItems(ctx, st.feed.ID, []string{it.GUID})
		if err != nil {
			st.stop = fmt.Errorf("record the feed's items: %w", err)
			return
		}
		if len(fresh) == 0 {
			continue
		}
		st.read++
		p.item(ictx, st, pendingItem{item: it}, rep)
	}
}

// item reads one new item's page and ingests it.
func (p *FeedPoller) item(ctx context.Context, st *itemState, pi pendingItem, rep *FeedTickReport) {
	rep.NewItems++
	pi.attempts++
	it := pi.item
	art, err := p.cfg.Fetcher.FetchArticle(ctx, it.Link)
	if err == nil {
		if !art.PublishedKnown() && !it.Published.IsZero() && !it.Published.After(p.cfg.Clock.Now().Add(maxItemDateAhead)) {
			art.Published = it.Published
		}
		if strings.TrimSpace(art.Title) == "" {
			art.Title = it.Title
		}
		var res briefings.AddResult
		res, err = p.cfg.Ingest(ctx, art)
		if err == nil {
			if res.Duplicate {
				rep.Duplicates++
			} else {
				rep.Added++
				st.feed.Items++
			}
			return
		}
	}
	rep.ItemErrors++
	if passing(err) {
		if pi.attempts < p.cfg.ItemAttempts {
			p.keepPending(st.feed.ID, pi)
		} else {
			st.note(fmt.Sprintf("%s (gave up after %d attempts: %s)", it.Link, pi.attempts, publicError(err)))
		}
		st.stop = err
		p.log.Warn("feed item failed; the feed backs off", "feed", st.feed.URL, "item", it.Link, "attempt", pi.attempts, "err", err)
		return
	}
	st.note(it.Link + ": " + publicError(err))
	p.log.Info("feed item skipped", "feed", st.feed.URL, "item", it.Link, "err", err)
}

// withGrace returns a context with parent's deadline that ends grace
// after parent is canceled, rather than at once.
func withGrace(parent context.Context, grace time.Duration) (context.Context, context.CancelFunc) {
	base := context.WithoutCancel(parent)
	ctx, cancel := context.WithCancel(base)
	if d, ok := parent.Deadline(); ok {
		var cancelDeadline context.CancelFunc
		ctx, cancelDeadline = context.WithDeadline(ctx, d)
		inner := cancel
		cancel = func() { cancelDeadline(); inner() }
	}
	stop := context.AfterFunc(parent, func() { time.AfterFunc(grace, cancel) })
	return ctx, func() { stop(); cancel() }
}

// passing reports whether an error may go away by itself: the server or
// the store is unavailable, or the fetch timed out or was cut short.
func passing(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var se *fetch.HTTPStatusError
	if errors.As(err, &se) {
		return se.StatusCode == 429 || se.StatusCode >= 500
	}
	return briefings.ErrorCode(err) == briefings.CodeUnavailable
}

// publicError is what a feed's last error says about err: the message of
// a coded error, which is meant for people, else a generic phrase.
func publicError(err error) string {
	var be *briefings.Error
	if errors.As(err, &be) && be.Code != briefings.CodeInternal && be.Msg != "" {
		return be.Msg
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timed out"
	}
	if errors.Is(err, context.Canceled) {
		return "interrupted (the bot was stopping)"
	}
	return "internal error (details are in the bot's log)"
}

// failed is a feed after a failed poll: one failure more, the error, and
// the next poll after the backoff.
func (p *FeedPoller) failed(f briefings.Feed, now time.Time, err error) briefings.Feed {
	f.Failures++
	f.LastError = publicError(err)
	f.LastPolled = now
	var retryAfter time.Duration
	var se *fetch.HTTPStatusError
	if errors.As(err, &se) {
		retryAfter = se.RetryAfter
	}
	f.NextPoll = now.Add(p.backoff(f.Every, f.Failures, retryAfter))
	return f
}

// backoff is the wait after the failures-th failed poll in a row: the
// polling interval doubled per failure after the first, at least the
// server's Retry-After, at most MaxBackoff.
func (p *FeedPoller) backoff(every time.Duration, failures int, retryAfter time.Duration) time.Duration {
	d := max(every, time.Minute)
	for i := 1; i < failures && d < p.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = max(d, retryAfter)
	return min(d, p.cfg.MaxBackoff)
}

// finish records a poll's outcome, even when ctx has ended (shutdown), so
// the feed is not left claimed until its lease runs out.
func (p *FeedPoller) finish(ctx context.Context, f briefings.Feed) {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if err := p.cfg.Store.FinishFeedPoll(fctx, f); err != nil {
		if briefings.ErrorCode(err) == briefings.CodeNotFound {
			p.log.Info("feed removed while it was polled", "feed", f.URL)
			p.takePending(f.ID)
			return
		}
		p.log.Error("recording the feed poll failed", "feed", f.URL, "err", err)
	}
}

// takePending removes and returns a feed's items to retry.
func (p *FeedPoller) takePending(feedID string) []pendingItem {
	p.mu.Lock()
	defer p.mu.Unlock()
	items := p.pending[feedID]
	delete(p.pending, feedID)
	p.npend -= len(items)
	return items
}

// keepPending keeps an item to retry at the feed's next poll, unless too
// many are kept already.
func (p *FeedPoller) keepPending(feedID string, pi pendingItem) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.npend >= maxPendingItems {
		p.log.Warn("too many feed items waiting for a retry; dropping one", "item", pi.item.Link)
		return
	}
	p.pending[feedID] = append(p.pending[feedID], pi)
	p.npend++
}
