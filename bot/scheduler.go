package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// ComposeFunc builds a subscription's digest from the news ingested after
// since, as of now. It returns the response to post, the cursor (the
// ingestion time the digest covers news up to; the next digest starts
// after it) and whether nothing was new.
type ComposeFunc func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (resp commands.Response, cursor time.Time, empty bool, err error)

// SchedulerConfig configures a Scheduler. Zero durations and counts take
// the defaults given on each field.
type SchedulerConfig struct {
	// Store keeps the subscriptions and the delivery ledger (required).
	Store briefings.SubscriptionStore
	// Compose builds a digest (required).
	Compose ComposeFunc
	// Platforms are the chat platforms digests are posted to, keyed by
	// their Name().
	Platforms map[string]Platform
	// Clock tells the time for due times, claims and backoff; the system
	// clock when nil.
	Clock briefings.Clock
	// Claimant identifies this scheduler in the ledger; hostname-pid-random
	// when empty. Every replica needs its own.
	Claimant string
	// Tick is how often Run looks for due digests (default 30 s, at least
	// 1 s).
	Tick time.Duration
	// Grace is how late a digest may still be posted (default 2 h). A slot
	// due longer ago is recorded missed, and nothing is posted for it.
	Grace time.Duration
	// Lookback is how far back a tick looks for slots (default 24 h, at
	// least Grace+Tick): slots older than Grace that no scheduler recorded
	// (the bot was down) are recorded missed within it; older ones are not
	// looked at.
	Lookback time.Duration
	// Lease is how long a claim holds a slot (default 5 min); a claim not
	// finished by then (a crash) is taken over by another scheduler. One
	// delivery (compose and post) is cut off at 90% of it.
	Lease time.Duration
	// MaxAttempts bounds the attempts of one slot (default 5); the last
	// failure is recorded failed_permanent.
	MaxAttempts int
	// RetryBase and RetryMax bound the exponential backoff between
	// attempts (defaults 1 min and 15 min). A platform's Retry-After is
	// honoured when it is longer, up to Grace.
	RetryBase, RetryMax time.Duration
	// PostEmpty posts "no new developments" when nothing is new, instead
	// of recording the slot empty without a post.
	PostEmpty bool
	// Concurrency bounds the subscriptions delivered at once (default 8).
	Concurrency int
	// PageSize is how many subscriptions a tick reads at a time (default
	// 500, at most briefings.MaxSubscriptionLimit).
	PageSize int
}

// Scheduler defaults and bounds.
const (
	DefaultTick        = 30 * time.Second
	DefaultGrace       = 2 * time.Hour
	DefaultLookback    = 24 * time.Hour
	DefaultLease       = 5 * time.Minute
	DefaultMaxAttempts = 5
	DefaultRetryBase   = time.Minute
	DefaultRetryMax    = 15 * time.Minute
	DefaultConcurrency = 8
	DefaultPageSize    = 500

	maxPageSize     = 1000 // briefings.MaxSubscriptionLimit
	maxLease        = 24 * time.Hour
	maxConcurrency  = 1024
	maxAttemptsCap  = 100
	maxClaimantLen  = 256
	maxLookback     = 31 * 24 * time.Hour
	ledgerScanLimit = 50
	// maxRemembered bounds the slots a scheduler remembers between ticks
	// (an optimisation only: forgetting costs one claim attempt).
	maxRemembered = 1 << 20
	// maxSchedules bounds the parsed schedules kept (distinct specs).
	maxSchedules = 1 << 14
)

// TickReport counts what one tick did.
type TickReport struct {
	// Subscriptions is the number of active subscriptions looked at.
	Subscriptions int
	// Due is the number of slots the tick tried to claim: new slots, retries
	// whose time came, and slots another scheduler may have abandoned.
	Due int
	// Claimed slots were won by this scheduler; Skipped ones were held or
	// finished by another (or by an earlier tick).
	Claimed, Skipped int
	// The outcomes of the claimed slots.
	Sent, Empty, Failed, Missed int
	// Errors counts store failures and invalid schedules; those slots are
	// tried again on a later tick.
	Errors int
	// Overlapped is set when the previous tick was still running: this one
	// did nothing.
	Overlapped bool
	// Elapsed is the tick's duration (measured in real time).
	Elapsed time.Duration
}

func (r *TickReport) add(o TickReport) {
	r.Subscriptions += o.Subscriptions
	r.Due += o.Due
	r.Claimed += o.Claimed
	r.Skipped += o.Skipped
	r.Sent += o.Sent
	r.Empty += o.Empty
	r.Failed += o.Failed
	r.Missed += o.Missed
	r.Errors += o.Errors
}

// Scheduler posts digests when they fall due. Every replica runs one; the
// delivery ledger in the store decides which one posts a slot, so a slot
// is posted at most once however many schedulers run, crash or restart.
//
// A tick reads the active subscriptions page by page and, for each, lists
// the slots due since now-Lookback (and after the subscription was created
// or last changed). A slot this scheduler knows to be finished, or not yet
// retryable, is passed over; any other is claimed in the ledger. The
// winner of a claim records the slot missed when it fell due more than
// Grace ago, and otherwise composes the digest (news since the last sent
// or empty digest) and posts it:
//
//   - nothing new: recorded empty (or posted, with PostEmpty);
//   - posted: recorded sent with the message id and link;
//   - a retryable failure (rate limit, server error, missing platform, a
//     compose error, a panic): recorded failed_retryable with the next
//     attempt after an exponential backoff (at least the platform's
//     Retry-After), and failed_permanent after MaxAttempts;
//   - a permanent failure (bot removed, channel gone, token revoked):
//     recorded failed_permanent, the subscription paused with the reason,
//     and the channel told once where the platform still allows it.
type Scheduler struct {
	cfg SchedulerConfig
	log *slog.Logger

	running atomic.Bool

	mu     sync.Mutex
	scheds map[scheduleKey]parsedSchedule
	known  map[slotID]knownSlot
}

type parsedSchedule struct {
	sched cron.Schedule
	loc   *time.Location
}

type slotID struct{ sub, slot string }

// knownSlot is what the scheduler knows of a slot: finished, or not worth
// claiming before retryAt.
type knownSlot struct {
	due     time.Time
	final   bool
	retryAt time.Time
}

// NewScheduler checks cfg, fills its defaults and returns a Scheduler. A
// nil logger discards.
func NewScheduler(cfg SchedulerConfig, logger *slog.Logger) (*Scheduler, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Store == nil {
		return nil, errors.New("scheduler: no subscription store")
	}
	if cfg.Compose == nil {
		return nil, errors.New("scheduler: no digest composer (Compose)")
	}
	for name, p := range cfg.Platforms {
		if p == nil {
			return nil, fmt.Errorf("scheduler: platform %q is nil", name)
		}
		if p.Name() != name {
			return nil, fmt.Errorf("scheduler: platform %q is registered as %q; key platforms by Name()", p.Name(), name)
		}
	}
	if cfg.Clock == nil {
		cfg.Clock = briefings.SystemClock{}
	}
	if cfg.Claimant == "" {
		cfg.Claimant = defaultClaimant()
	}
	if len(cfg.Claimant) > maxClaimantLen {
		return nil, fmt.Errorf("scheduler: claimant is %d bytes long; at most %d are allowed", len(cfg.Claimant), maxClaimantLen)
	}
	durations := []struct {
		name     string
		v        *time.Duration
		def, min time.Duration
		max      time.Duration
	}{
		{"Tick", &cfg.Tick, DefaultTick, time.Second, 24 * time.Hour},
		{"Grace", &cfg.Grace, DefaultGrace, time.Minute, 7 * 24 * time.Hour},
		{"Lease", &cfg.Lease, DefaultLease, time.Second, maxLease},
		{"RetryBase", &cfg.RetryBase, DefaultRetryBase, time.Second, 24 * time.Hour},
		{"RetryMax", &cfg.RetryMax, DefaultRetryMax, time.Second, 24 * time.Hour},
		{"Lookback", &cfg.Lookback, DefaultLookback, time.Minute, maxLookback},
	}
	for _, d := range durations {
		if *d.v == 0 {
			*d.v = d.def
		}
		if *d.v < d.min || *d.v > d.max {
			return nil, fmt.Errorf("scheduler: %s %v is out of range; use %v to %v (0 for the default %v)", d.name, *d.v, d.min, d.max, d.def)
		}
	}
	if cfg.RetryBase > cfg.RetryMax {
		return nil, fmt.Errorf("scheduler: RetryBase %v is longer than RetryMax %v", cfg.RetryBase, cfg.RetryMax)
	}
	if cfg.Lookback < cfg.Grace+cfg.Tick {
		return nil, fmt.Errorf("scheduler: Lookback %v is shorter than Grace+Tick (%v); a late slot could be neither posted nor recorded missed", cfg.Lookback, cfg.Grace+cfg.Tick)
	}
	counts := []struct {
		name          string
		v             *int
		def, min, max int
	}{
		{"MaxAttempts", &cfg.MaxAttempts, DefaultMaxAttempts, 1, maxAttemptsCap},
		{"Concurrency", &cfg.Concurrency, DefaultConcurrency, 1, maxConcurrency},
		{"PageSize", &cfg.PageSize, DefaultPageSize, 1, maxPageSize},
	}
	for _, c := range counts {
		if *c.v == 0 {
			*c.v = c.def
		}
		if *c.v < c.min || *c.v > c.max {
			return nil, fmt.Errorf("scheduler: %s %d is out of range; use %d to %d (0 for the default %d)", c.name, *c.v, c.min, c.max, c.def)
		}
	}
	platforms := make(map[string]Platform, len(cfg.Platforms))
	for k, v := range cfg.Platforms {
		platforms[k] = v
	}
	cfg.Platforms = platforms
	return &Scheduler{
		cfg:    cfg,
		log:    logger,
		scheds: make(map[scheduleKey]parsedSchedule),
		known:  make(map[slotID]knownSlot),
	}, nil
}

// defaultClaimant is hostname-pid-random.
func defaultClaimant() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "briefbot"
	}
	if len(host) > 64 {
		host = host[:64]
	}
	var b [4]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Claimant returns the scheduler's ledger identity.
func (s *Scheduler) Claimant() string { return s.cfg.Claimant }

// Run ticks every cfg.Tick, starting at once, until ctx ends; then it stops
// the ticker and waits for a running tick, which finishes the deliveries it
// started and starts no more. robfig/cron drives the ticks (in real time;
// due times come from the configured clock), with cron.Recover and
// cron.SkipIfStillRunning around each.
func (s *Scheduler) Run(ctx context.Context) error {
	cl := cronLogger{s.log}
	c := cron.New(cron.WithLocation(time.UTC), cron.WithLogger(cl),
		cron.WithChain(cron.Recover(cl), cron.SkipIfStillRunning(cl)))
	job := cron.FuncJob(func() {
		rep, err := s.Tick(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.Error("digest tick failed", "err", err, "due", rep.Due, "sent", rep.Sent)
		case rep.Due > 0 || rep.Errors > 0:
			s.log.Info("digest tick", "due", rep.Due, "claimed", rep.Claimed, "sent", rep.Sent, "empty", rep.Empty,
				"failed", rep.Failed, "missed", rep.Missed, "skipped", rep.Skipped, "errors", rep.Errors, "elapsed", rep.Elapsed)
		}
	})
	id := c.Schedule(cron.Every(s.cfg.Tick), job)
	// The wrapped job shares SkipIfStillRunning's guard with the ticks cron
	// starts; the first tick runs at once (catching up after a restart).
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

// cronLogger adapts slog to robfig/cron's logger: its routine messages
// are debug, a skipped tick a warning, errors (recovered panics) errors.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	if msg == "skip" {
		l.log.Warn("digest tick skipped: the previous one is still running")
		return
	}
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}

// Tick delivers what is due now, once. It returns at once with Overlapped
// set when another tick is running. When ctx ends, deliveries already
// started are finished (within 90% of the lease) and no others start. The
// error is a failure to read the subscriptions; failures of single
// deliveries are recorded in the ledger, logged and counted.
func (s *Scheduler) Tick(ctx context.Context) (TickReport, error) {
	start := time.Now()
	if !s.running.CompareAndSwap(false, true) {
		s.log.Warn("digest tick skipped: the previous one is still running")
		return TickReport{Overlapped: true}, nil
	}
	defer s.running.Store(false)

	now := s.cfg.Clock.Now()
	from := now.Add(-s.cfg.Lookback)
	s.forget(from)

	var (
		total TickReport
		mu    sync.Mutex
		wg    sync.WaitGroup
		jobs  = make(chan briefings.Subscription)
	)
	for range s.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var rep TickReport
			for sub := range jobs {
				s.subscription(ctx, sub, from, now, &rep)
			}
			mu.Lock()
			total.add(rep)
			mu.Unlock()
		}()
	}
	subs, err := s.feed(ctx, jobs)
	wg.Wait()
	total.Subscriptions = subs
	total.Elapsed = time.Since(start)
	return total, err
}

// feed sends the active subscriptions to jobs, page by page, and closes
// it (also when the store panics, so that the workers end).
func (s *Scheduler) feed(ctx context.Context, jobs chan<- briefings.Subscription) (n int, err error) {
	defer close(jobs)
	after := ""
	for ctx.Err() == nil {
		page, err := s.cfg.Store.Subscriptions(ctx, briefings.SubscriptionQuery{Active: true, AfterID: after, Limit: s.cfg.PageSize})
		if err != nil {
			return n, fmt.Errorf("digest tick: list subscriptions after %q: %w", after, err)
		}
		for _, sub := range page {
			if sub.Paused {
				continue
			}
			select {
			case jobs <- sub:
				n++
			case <-ctx.Done():
				return n, nil
			}
		}
		if len(page) < s.cfg.PageSize {
			return n, nil
		}
		last := page[len(page)-1].ID
		if last <= after {
			return n, fmt.Errorf("digest tick: the store returned subscriptions out of id order (%q after %q); stopped paging", last, after)
		}
		after = last
	}
	return n, nil
}

// subscription delivers one subscription's due slots, oldest first.
func (s *Scheduler) subscription(ctx context.Context, sub briefings.Subscription, from, now time.Time, rep *TickReport) {
	defer func() {
		if r := recover(); r != nil {
			rep.Errors++
			s.log.Error("digest scheduler panic", "subscription", sub.ID, "panic", r, "stack", string(debug.Stack()))
		}
	}()
	ps, err := s.schedule(sub)
	if err != nil {
		rep.Errors++
		s.log.Error("digest schedule is invalid", "subscription", sub.ID, "spec", sub.CronSpec(), "err", err)
		return
	}
	if sub.Created.After(from) {
		from = sub.Created
	}
	if sub.Updated.After(from) {
		from = sub.Updated
	}
	for _, sl := range DueSlots(ps.sched, ps.loc, from, now) {
		if ctx.Err() != nil {
			return
		}
		if !s.worthClaiming(sub.ID, sl.Key, s.cfg.Clock.Now()) {
			continue
		}
		rep.Due++
		s.slot(ctx, sub, sl, rep)
	}
}

// slot claims one scheduled slot and, when won, delivers it or records it
// missed.
func (s *Scheduler) slot(ctx context.Context, sub briefings.Subscription, sl Slot, rep *TickReport) {
	now := s.cfg.Clock.Now()
	want := briefings.Delivery{SubscriptionID: sub.ID, Slot: sl.Key, Due: sl.Due, State: briefings.DeliveryClaimed}
	d, ok, err := s.cfg.Store.ClaimDelivery(ctx, want, s.cfg.Claimant, now, s.cfg.Lease)
	if err != nil {
		rep.Errors++
		s.log.Error("digest claim failed", "subscription", sub.ID, "slot", sl.Key, "err", err)
		return
	}
	if !ok {
		rep.Skipped++
		s.learn(ctx, sub.ID, sl, d, now)
		return
	}
	rep.Claimed++
	d = s.claimed(d, want)
	if late := now.Sub(sl.Due); late > s.cfg.Grace {
		d.State = briefings.DeliveryMissed
		msg := fmt.Sprintf("due %s ago, beyond the %s grace window: not posted", late.Round(time.Minute), s.cfg.Grace)
		if d.Error != "" {
			msg += " (last error: " + d.Error + ")"
		}
		d.Error = msg
		d.MessageID, d.Link = "", ""
		s.finish(ctx, d)
		rep.Missed++
		return
	}
	d = s.deliver(ctx, sub, d)
	switch d.State {
	case briefings.DeliverySent:
		rep.Sent++
	case briefings.DeliveryEmpty:
		rep.Empty++
	default:
		rep.Failed++
	}
}

// claimed completes the row a store returned for a won claim with what the
// scheduler asked for, so a store that returns less still finishes right.
func (s *Scheduler) claimed(d, want briefings.Delivery) briefings.Delivery {
	if d.SubscriptionID == "" {
		d.SubscriptionID = want.SubscriptionID
	}
	if d.Slot == "" {
		d.Slot = want.Slot
	}
	if d.Due.IsZero() {
		d.Due = want.Due
	}
	if d.Claimant == "" {
		d.Claimant = s.cfg.Claimant
	}
	if d.Attempts < 1 {
		d.Attempts = 1
	}
	d.Manual = d.Manual || want.Manual
	return d
}

// deliver composes and posts a claimed row and records the outcome. It
// never panics: a panicking composer or platform is a retryable failure.
func (s *Scheduler) deliver(ctx context.Context, sub briefings.Subscription, d briefings.Delivery) briefings.Delivery {
	// A delivery that has started is finished even when ctx ends, so its
	// row is not left claimed; it is cut off before the lease runs out.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.Lease*9/10)
	defer cancel()

	resp, cursor, empty, err := s.compose(dctx, sub)
	if err != nil {
		return s.failed(dctx, sub, d, fmt.Errorf("compose: %w", err), composeFailure(err))
	}
	d.Cursor = cursor
	if empty && !s.cfg.PostEmpty {
		d.State, d.Error = briefings.DeliveryEmpty, ""
		s.finish(dctx, d)
		return d
	}
	if empty && resp.Text == "" && len(resp.Blocks) == 0 {
		resp = commands.Response{Kind: commands.KindDigest, Title: "Briefing digest", Text: "No new developments since the last digest."}
	}
	p, ok := s.cfg.Platforms[sub.Platform]
	if !ok {
		err := fmt.Errorf("no %q platform is configured in this bot, so the digest cannot be posted to channel %s", sub.Platform, sub.Channel)
		return s.failed(dctx, sub, d, err, err.Error())
	}
	ref, err := s.post(WithPostOptions(dctx, PostOptions{Nonce: sub.ID + "/" + d.Slot}), p, sub.Channel, resp)
	if err != nil {
		return s.failed(dctx, sub, d, err, postFailure(err))
	}
	d.State = briefings.DeliverySent
	d.MessageID, d.Link, d.Error = ref.ID, ref.Link, ""
	s.finish(dctx, d)
	return d
}

// since is where a subscription's next digest starts: the cursor of its
// last sent or empty digest, or a day before it was created.
func (s *Scheduler) since(ctx context.Context, sub briefings.Subscription) (time.Time, error) {
	if sub.ID != "" {
		c, err := s.cfg.Store.LastCursor(ctx, sub.ID)
		if err != nil {
			return time.Time{}, fmt.Errorf("last digest cursor: %w", err)
		}
		if !c.IsZero() {
			return c, nil
		}
	}
	created := sub.Created
	if created.IsZero() {
		created = s.cfg.Clock.Now()
	}
	return created.Add(-24 * time.Hour), nil
}

// compose calls cfg.Compose, turning a panic into an error.
func (s *Scheduler) compose(ctx context.Context, sub briefings.Subscription) (resp commands.Response, cursor time.Time, empty bool, err error) {
	since, err := s.since(ctx, sub)
	if err != nil {
		return commands.Response{}, time.Time{}, false, err
	}
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("digest composer panic", "subscription", sub.ID, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("digest composer: %w: %v", errPanic, r)
		}
	}()
	return s.cfg.Compose(ctx, sub, since, s.cfg.Clock.Now())
}

// post calls p.Post, turning a panic into an error.
func (s *Scheduler) post(ctx context.Context, p Platform, channel string, r commands.Response) (ref MessageRef, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			s.log.Error("platform post panic", "platform", p.Name(), "channel", channel, "panic", rec, "stack", string(debug.Stack()))
			err = fmt.Errorf("%s post: %w: %v", p.Name(), errPanic, rec)
		}
	}()
	return p.Post(ctx, channel, r)
}

// composeFailure is what the ledger (and /brief history) says about a
// compose error: the message of a coded error meant for people, otherwise
// nothing internal.
func composeFailure(err error) string {
	var be *briefings.Error
	if errors.As(err, &be) && be.Code != briefings.CodeInternal && be.Msg != "" {
		return "the digest could not be composed: " + be.Msg
	}
	if errors.Is(err, errPanic) {
		return "the digest could not be composed: internal error in the bot (details are in its log)"
	}
	return "the digest could not be composed: internal error (details are in the bot's log)"
}

// postFailure is what the ledger says about a post error: a classified
// PostError says itself (it never holds a token); others are summarized.
func postFailure(err error) string {
	var pe *PostError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	if errors.Is(err, errPanic) {
		return "posting failed: internal error in the bot (details are in its log)"
	}
	return "posting failed: " + err.Error()
}

// errPanic marks errors made from recovered panics.
var errPanic = errors.New("panic")

// failed records a failed attempt: permanent post errors pause the
// subscription; others are retried after a backoff until MaxAttempts.
// Manual digests are not retried. public is what the ledger records; err,
// with the details, is logged.
func (s *Scheduler) failed(ctx context.Context, sub briefings.Subscription, d briefings.Delivery, err error, public string) briefings.Delivery {
	now := s.cfg.Clock.Now()
	d.Error = public
	d.MessageID, d.Link, d.Cursor = "", "", time.Time{}
	var pe *PostError
	isPost := errors.As(err, &pe)
	switch {
	case isPost && pe.Permanent:
		d.State = briefings.DeliveryFailedPermanent
		s.log.Error("digest post failed permanently; pausing the subscription", "subscription", sub.ID, "slot", d.Slot, "attempt", d.Attempts, "err", err)
		s.finish(ctx, d)
		s.pause(ctx, sub, d, pe)
		return d
	case d.Manual:
		d.State = briefings.DeliveryFailedPermanent
		d.Error += " (a manual digest is not retried; ask again with /brief digest now)"
	case d.Attempts >= s.cfg.MaxAttempts:
		d.State = briefings.DeliveryFailedPermanent
		d.Error = fmt.Sprintf("gave up after %d attempts: %s", d.Attempts, d.Error)
	default:
		var wait time.Duration
		if isPost {
			wait = pe.RetryAfter
		}
		d.State = briefings.DeliveryFailedRetryable
		d.NextAttempt = now.Add(s.backoff(d.Attempts, wait))
	}
	s.log.Error("digest delivery failed", "subscription", sub.ID, "slot", d.Slot, "attempt", d.Attempts,
		"state", d.State, "next_attempt", d.NextAttempt, "err", err)
	s.finish(ctx, d)
	return d
}

// backoff is the wait after the attempts-th failed attempt: RetryBase
// doubled per attempt up to RetryMax, at least the platform's Retry-After,
// at most Grace (a later retry would be past the grace window anyway).
func (s *Scheduler) backoff(attempts int, retryAfter time.Duration) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < attempts && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	d = max(d, retryAfter)
	return min(d, s.cfg.Grace)
}

// pause pauses a subscription after a permanent failure and tries once to
// tell the channel why.
func (s *Scheduler) pause(ctx context.Context, sub briefings.Subscription, d briefings.Delivery, pe *PostError) {
	platform := pe.Platform
	if platform == "" {
		platform = sub.Platform
	}
	reason := fmt.Sprintf("%s refused the digest post (%s) on %s", platform, pe.Reason, s.cfg.Clock.Now().UTC().Format("2 Jan 2006 15:04 MST"))
	if err := s.cfg.Store.SetPaused(ctx, sub.ID, true, reason); err != nil {
		s.log.Error("pausing the subscription failed", "subscription", sub.ID, "slot", d.Slot, "err", err)
	}
	p, ok := s.cfg.Platforms[sub.Platform]
	if !ok {
		return
	}
	text := fmt.Sprintf("Digests for this channel are paused: %s. Once the bot can post here again, run /brief resume.", reason)
	notice := commands.Response{Kind: commands.KindSubscription, Title: "Digest paused", Text: text,
		Blocks: []commands.Block{{Type: commands.BlockHeader, Text: "Digest paused"}, {Type: commands.BlockSection, Text: text}}}
	nctx := WithPostOptions(ctx, PostOptions{Nonce: sub.ID + "/" + d.Slot + "/paused"})
	if _, err := s.post(nctx, p, sub.Channel, notice); err != nil {
		s.log.Info("could not tell the channel its digest is paused", "subscription", sub.ID, "slot", d.Slot, "err", err)
	}
}

// finish records a row's outcome and remembers it.
func (s *Scheduler) finish(ctx context.Context, d briefings.Delivery) {
	d.Claimant = s.cfg.Claimant
	d.Updated = s.cfg.Clock.Now()
	if err := s.cfg.Store.FinishDelivery(ctx, d); err != nil {
		if briefings.ErrorCode(err) == briefings.CodeConflict {
			s.log.Warn("digest delivery was taken over before it finished (lease expired)", "subscription", d.SubscriptionID, "slot", d.Slot, "state", d.State, "err", err)
		} else {
			s.log.Error("recording the digest delivery failed", "subscription", d.SubscriptionID, "slot", d.Slot, "state", d.State, "err", err)
		}
		return
	}
	if !d.Manual {
		s.remember(d)
	}
}

// DeliverNow posts a subscription's digest now, once, recorded as a manual
// delivery (slot "manual-" and the time). A failed post is recorded and
// returned as the delivery's state and error; the error is for failures
// to claim (another manual digest in the same second) or read the ledger.
func (s *Scheduler) DeliverNow(ctx context.Context, sub briefings.Subscription) (briefings.Delivery, error) {
	now := s.cfg.Clock.Now()
	want := briefings.Delivery{SubscriptionID: sub.ID, Slot: "manual-" + now.UTC().Format(time.RFC3339), Due: now,
		State: briefings.DeliveryClaimed, Manual: true}
	d, ok, err := s.cfg.Store.ClaimDelivery(ctx, want, s.cfg.Claimant, now, s.cfg.Lease)
	if err != nil {
		return briefings.Delivery{}, fmt.Errorf("claim the manual digest: %w", err)
	}
	if !ok {
		return briefings.Delivery{}, briefings.Errorf(briefings.CodeConflict,
			"a digest for this channel is being posted right now; try again in a few seconds")
	}
	return s.deliver(ctx, sub, s.claimed(d, want)), nil
}

// Preview composes the subscription's next digest without recording or
// posting anything.
func (s *Scheduler) Preview(ctx context.Context, sub briefings.Subscription) (commands.Response, error) {
	resp, _, _, err := s.compose(ctx, sub)
	if err != nil {
		return commands.Response{}, fmt.Errorf("preview the digest: %w", err)
	}
	return resp, nil
}

// scheduleKey identifies a schedule without formatting its spec: the
// days in their order, -1 after the last.
type scheduleKey struct {
	zone         string
	hour, minute int
	days         [7]int8
}

// schedule returns sub's parsed schedule, cached.
func (s *Scheduler) schedule(sub briefings.Subscription) (parsedSchedule, error) {
	key := scheduleKey{zone: sub.Zone, hour: sub.Hour, minute: sub.Minute, days: [7]int8{-1, -1, -1, -1, -1, -1, -1}}
	cacheable := len(sub.Days) <= len(key.days)
	for i, d := range sub.Days {
		if !cacheable || d < 0 || d > 6 {
			cacheable = false // parseSchedule says what is wrong
			break
		}
		key.days[i] = int8(d)
	}
	if cacheable {
		s.mu.Lock()
		ps, ok := s.scheds[key]
		s.mu.Unlock()
		if ok {
			return ps, nil
		}
	}
	sched, loc, err := parseSchedule(sub)
	if err != nil {
		return parsedSchedule{}, err
	}
	ps := parsedSchedule{sched: sched, loc: loc}
	if cacheable {
		s.mu.Lock()
		if len(s.scheds) >= maxSchedules {
			clear(s.scheds)
		}
		s.scheds[key] = ps
		s.mu.Unlock()
	}
	return ps, nil
}

// worthClaiming reports whether a slot may need this scheduler at now.
func (s *Scheduler) worthClaiming(sub, slot string, now time.Time) bool {
	s.mu.Lock()
	k, ok := s.known[slotID{sub, slot}]
	s.mu.Unlock()
	return !ok || (!k.final && !now.Before(k.retryAt))
}

// remember records the outcome of a row this scheduler finished.
func (s *Scheduler) remember(d briefings.Delivery) {
	k := knownSlot{due: d.Due, final: d.State.Final(), retryAt: d.NextAttempt}
	s.mu.Lock()
	if len(s.known) >= maxRemembered {
		clear(s.known)
	}
	s.known[slotID{d.SubscriptionID, d.Slot}] = k
	s.mu.Unlock()
}

// learn notes a slot another scheduler holds or finished, to know whether
// and when it may need claiming again: never when finished, when the lease
// runs out when claimed, at the next attempt when it failed. row is what
// the lost claim returned: the row as it stands, when the store says; else
// the ledger is read.
func (s *Scheduler) learn(ctx context.Context, subID string, sl Slot, row briefings.Delivery, now time.Time) {
	k := knownSlot{due: sl.Due, retryAt: now.Add(s.cfg.Lease)}
	if row.Slot != sl.Key || row.State == "" {
		row = briefings.Delivery{}
		rows, err := s.cfg.Store.Deliveries(ctx, subID, ledgerScanLimit)
		if err != nil {
			s.log.Warn("reading the digest ledger failed", "subscription", subID, "slot", sl.Key, "err", err)
		}
		for _, d := range rows {
			if d.Slot == sl.Key {
				row = d
				break
			}
		}
	}
	switch {
	case row.State.Final():
		k.final = true
	case row.State == briefings.DeliveryClaimed && !row.LeaseUntil.IsZero():
		k.retryAt = row.LeaseUntil
	case row.State == briefings.DeliveryFailedRetryable && !row.NextAttempt.IsZero():
		k.retryAt = row.NextAttempt
	}
	s.mu.Lock()
	if len(s.known) >= maxRemembered {
		clear(s.known)
	}
	s.known[slotID{subID, sl.Key}] = k
	s.mu.Unlock()
}

// forget drops what is remembered of slots due before from: ticks no
// longer look at them.
func (s *Scheduler) forget(from time.Time) {
	s.mu.Lock()
	for id, k := range s.known {
		if k.due.Before(from) {
			delete(s.known, id)
		}
	}
	s.mu.Unlock()
}
