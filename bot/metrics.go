package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// Command outcomes, the outcome label of briefbot_commands_total.
const (
	// OutcomeOK is a command that was answered.
	OutcomeOK = "ok"
	// OutcomeUserError is a command refused for its input or its caller:
	// invalid, not found, forbidden or conflicting.
	OutcomeUserError = "user_error"
	// OutcomeInternalError is a command that failed on the bot's side: a
	// bug, a dependency down, a timeout.
	OutcomeInternalError = "internal_error"
)

// Ingest outcomes, the outcome label of briefbot_articles_ingested_total.
const (
	IngestAdded     = "added"
	IngestDuplicate = "duplicate"
	IngestFailed    = "failed"
)

// UnknownCommand is the command label of requests that named no command
// of the table (they are answered with help).
const UnknownCommand = "unknown"

// maxLabelValues bounds the distinct values the metrics accept for one
// label whose values come from outside (command names, platform names,
// failure reasons); later values are counted as "other".
const maxLabelValues = 64

// maxLabelLen bounds one label value.
const maxLabelLen = 48

// commandBuckets are the command latency histogram's upper bounds in
// seconds: from half a millisecond (a cached lookup) to the platforms'
// answer budgets and beyond.
var commandBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15}

// Metrics is briefbot's Prometheus instrumentation, registered on a
// registry the caller owns (never the global default one). A nil *Metrics
// records nothing, so code paths without metrics (briefbot chat) need no
// checks.
//
// The series:
//
//	briefbot_commands_total{command,outcome}        commands handled
//	briefbot_command_duration_seconds{command}      handling time (histogram)
//	briefbot_digests_total{state}                   digest deliveries recorded, by ledger state
//	briefbot_platform_post_errors_total{platform,reason}  failed posts to a chat platform
//	briefbot_articles_ingested_total{outcome}       articles offered to the store
type Metrics struct {
	reg        *prometheus.Registry
	commands   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	digests    *prometheus.CounterVec
	postErrors *prometheus.CounterVec
	ingested   *prometheus.CounterVec

	commandNames labelValues
	platforms    labelValues
	reasons      labelValues
}

// NewMetrics creates briefbot's collectors and registers them on reg. It
// fails when reg already holds collectors with the same names.
func NewMetrics(reg *prometheus.Registry) (*Metrics, error) {
	if reg == nil {
		return nil, errors.New("metrics: no registry")
	}
	m := &Metrics{
		reg: reg,
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_commands_total",
			Help: "Commands handled, by command and outcome (ok, user_error, internal_error).",
		}, []string{"command", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "briefbot_command_duration_seconds",
			Help:    "Time to handle a command (parse, query, compose), by command.",
			Buckets: commandBuckets,
		}, []string{"command"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_digests_total",
			Help: "Digest deliveries recorded in the ledger, by state (sent, empty, failed_retryable, failed_permanent, missed).",
		}, []string{"state"}),
		postErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_platform_post_errors_total",
			Help: "Failed posts to a chat platform, by platform and reason (rate_limited, not_in_channel, server_error, ...).",
		}, []string{"platform", "reason"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "briefbot_articles_ingested_total",
			Help: "Articles offered to the store, by outcome (added, duplicate, failed).",
		}, []string{"outcome"}),
	}
	for _, c := range []prometheus.Collector{m.commands, m.latency, m.digests, m.postErrors, m.ingested} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("metrics: register: %w", err)
		}
	}
	// The fixed label values start at zero, so that rates and alerts work
	// before the first event.
	for _, s := range []briefings.DeliveryState{briefings.DeliverySent, briefings.DeliveryEmpty,
		briefings.DeliveryFailedRetryable, briefings.DeliveryFailedPermanent, briefings.DeliveryMissed} {
		m.digests.WithLabelValues(string(s))
	}
	for _, o := range []string{IngestAdded, IngestDuplicate, IngestFailed} {
		m.ingested.WithLabelValues(o)
	}
	return m, nil
}

// Registry returns the registry the metrics are registered on.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// Handler returns the /metrics handler for the registry: the Prometheus
// text format (or OpenMetrics when asked), at most a few scrapes at once,
// each cut off after 10 seconds. Collection errors are logged.
func (m *Metrics) Handler(logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slog.NewLogLogger(logger.Handler(), slog.LevelError),
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            m.reg,
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
	})
}

// CommandOutcome classifies a command's error: nil is ok; the coded
// errors a user can act on (invalid, not found, forbidden, conflict) are
// user errors; everything else (internal, unavailable, a timeout, an
// uncoded error) is an internal error.
func CommandOutcome(err error) string {
	if err == nil {
		return OutcomeOK
	}
	var be *briefings.Error
	if errors.As(err, &be) {
		switch be.Code {
		case briefings.CodeInvalid, briefings.CodeNotFound, briefings.CodeForbidden, briefings.CodeConflict:
			return OutcomeUserError
		}
	}
	return OutcomeInternalError
}

// ObserveCommand counts one handled command and its duration. command is
// the canonical name from the command table ("" when the request named no
// known command); err is what it failed with, nil on success. Its
// signature is commands.Observer's.
func (m *Metrics) ObserveCommand(_ context.Context, command string, err error, d time.Duration) {
	if m == nil {
		return
	}
	name := UnknownCommand
	if command != "" {
		name = m.commandNames.value(command)
	}
	m.commands.WithLabelValues(name, CommandOutcome(err)).Inc()
	m.latency.WithLabelValues(name).Observe(d.Seconds())
}

// ObserveDelivery counts a digest delivery recorded in the ledger in its
// final or retry state.
func (m *Metrics) ObserveDelivery(d briefings.Delivery) {
	if m == nil {
		return
	}
	switch d.State {
	case briefings.DeliverySent, briefings.DeliveryEmpty, briefings.DeliveryFailedRetryable,
		briefings.DeliveryFailedPermanent, briefings.DeliveryMissed:
		m.digests.WithLabelValues(string(d.State)).Inc()
	}
}

// ObservePostError counts a failed post to platform. A *PostError gives
// its reason; other errors count as "unclassified".
func (m *Metrics) ObservePostError(platform string, err error) {
	if m == nil || err == nil {
		return
	}
	reason := "unclassified"
	var pe *PostError
	if errors.As(err, &pe) && pe.Reason != "" {
		reason = pe.Reason
		if pe.Platform != "" {
			platform = pe.Platform
		}
	}
	m.postErrors.WithLabelValues(m.platforms.value(platform), m.reasons.value(reason)).Inc()
}

// ObserveIngest counts one article offered to the store: added,
// duplicate, or failed when err is not nil.
func (m *Metrics) ObserveIngest(res briefings.AddResult, err error) {
	if m == nil {
		return
	}
	switch {
	case err != nil:
		m.ingested.WithLabelValues(IngestFailed).Inc()
	case res.Duplicate:
		m.ingested.WithLabelValues(IngestDuplicate).Inc()
	default:
		m.ingested.WithLabelValues(IngestAdded).Inc()
	}
}

// InstrumentStore returns st with its writes counted: every AddArticle as
// an ingest outcome, and every recorded FinishDelivery as a digest state.
// Counting at the store sees every path that ingests (commands, feeds, the
// CLI) and every delivery (scheduled and manual) without their callers'
// help. A nil *Metrics returns st itself.
func (m *Metrics) InstrumentStore(st briefings.Store) briefings.Store {
	if m == nil || st == nil {
		return st
	}
	return &countingStore{Store: st, m: m}
}

// countingStore counts ingests and delivery outcomes of the store it
// wraps.
type countingStore struct {
	briefings.Store
	m *Metrics
}

// AddArticle implements briefings.ArticleStore.
func (s *countingStore) AddArticle(ctx context.Context, a briefings.Article, f briefings.Facts) (briefings.AddResult, error) {
	res, err := s.Store.AddArticle(ctx, a, f)
	s.m.ObserveIngest(res, err)
	return res, err
}

// FinishDelivery implements briefings.SubscriptionStore; only an outcome
// the ledger recorded is counted.
func (s *countingStore) FinishDelivery(ctx context.Context, d briefings.Delivery) error {
	if err := s.Store.FinishDelivery(ctx, d); err != nil {
		return err
	}
	s.m.ObserveDelivery(d)
	return nil
}

// InstrumentPlatform returns p with its failed posts counted by reason. A
// WebhookPlatform stays one. A nil *Metrics returns p itself.
func (m *Metrics) InstrumentPlatform(p Platform) Platform {
	if m == nil || p == nil {
		return p
	}
	cp := countingPlatform{Platform: p, m: m}
	if wp, ok := p.(WebhookPlatform); ok {
		return countingWebhookPlatform{countingPlatform: cp, routes: wp}
	}
	return cp
}

// countingPlatform counts the failed posts of the platform it wraps.
type countingPlatform struct {
	Platform
	m *Metrics
}

// Post implements Platform.
func (p countingPlatform) Post(ctx context.Context, channel string, r commands.Response) (MessageRef, error) {
	ref, err := p.Platform.Post(ctx, channel, r)
	if err != nil {
		p.m.ObservePostError(p.Platform.Name(), err)
	}
	return ref, err
}

// Unwrap returns the platform without instrumentation, for checks of
// optional interfaces (readiness).
func (p countingPlatform) Unwrap() Platform { return p.Platform }

// countingWebhookPlatform is a counted WebhookPlatform.
type countingWebhookPlatform struct {
	countingPlatform
	routes WebhookPlatform
}

// Routes implements WebhookPlatform.
func (p countingWebhookPlatform) Routes(h commands.Handler) map[string]http.Handler {
	return p.routes.Routes(h)
}

// labelValues bounds the distinct values of one label: values are
// cleaned (lower case letters, digits, '_', '-', ' ' and '.'; at most
// maxLabelLen bytes), and past maxLabelValues distinct ones, new values
// become "other", so that no outside input can grow the series without
// bound.
type labelValues struct {
	mu   sync.Mutex
	seen map[string]struct{}
}

func (l *labelValues) value(v string) string {
	v = cleanLabel(v)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.seen[v]; ok {
		return v
	}
	if l.seen == nil {
		l.seen = make(map[string]struct{})
	}
	if len(l.seen) >= maxLabelValues {
		return "other"
	}
	l.seen[v] = struct{}{}
	return v
}

func cleanLabel(v string) string {
	if v == "" {
		return "none"
	}
	var b strings.Builder
	for i := 0; i < len(v) && b.Len() < maxLabelLen; i++ {
		c := v[i]
		switch {
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-', c == ' ', c == '.':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}
