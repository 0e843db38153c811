package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/briefbot/briefbot/bot"
	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/commands"
)

func newTestMetrics(t *testing.T) (*bot.Metrics, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	m, err := bot.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

// metricValue returns a counter's value, or a histogram's sample count,
// for the series with exactly these labels (0 when absent).
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if !labelsEqual(m.GetLabel(), labels) {
				continue
			}
			switch {
			case m.Counter != nil:
				return m.GetCounter().GetValue()
			case m.Histogram != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return 0
}

func labelsEqual(got []*dto.LabelPair, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, lp := range got {
		if want[lp.GetName()] != lp.GetValue() {
			return false
		}
	}
	return true
}

func TestCommandOutcome(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{nil, bot.OutcomeOK},
		{&briefings.Error{Code: briefings.CodeInvalid, Msg: "bad"}, bot.OutcomeUserError},
		{fmt.Errorf("wrapped: %w", &briefings.Error{Code: briefings.CodeNotFound, Msg: "none"}), bot.OutcomeUserError},
		{&briefings.Error{Code: briefings.CodeForbidden, Msg: "no"}, bot.OutcomeUserError},
		{&briefings.Error{Code: briefings.CodeConflict, Msg: "busy"}, bot.OutcomeUserError},
		{&briefings.Error{Code: briefings.CodeUnavailable, Msg: "down"}, bot.OutcomeInternalError},
		{&briefings.Error{Code: briefings.CodeInternal, Msg: "bug"}, bot.OutcomeInternalError},
		{context.DeadlineExceeded, bot.OutcomeInternalError},
		{errors.New("disk on fire"), bot.OutcomeInternalError},
	}
	for _, c := range cases {
		if got := bot.CommandOutcome(c.err); got != c.want {
			t.Errorf("CommandOutcome(%v) = %s, want %s", c.err, got, c.want)
		}
	}
}

func TestMetricsCommands(t *testing.T) {
	m, reg := newTestMetrics(t)
	ctx := context.Background()
	m.ObserveCommand(ctx, "meetings", nil, 3*time.Millisecond)
	m.ObserveCommand(ctx, "meetings", nil, 4*time.Millisecond)
	m.ObserveCommand(ctx, "who", &briefings.Error{Code: briefings.CodeNotFound, Msg: "x"}, time.Millisecond)
	m.ObserveCommand(ctx, "digest now", errors.New("boom"), time.Second)
	m.ObserveCommand(ctx, "", &briefings.Error{Code: briefings.CodeInvalid, Msg: "x"}, time.Microsecond)
	cases := []struct {
		command, outcome string
		want             float64
	}{
		{"meetings", "ok", 2},
		{"who", "user_error", 1},
		{"digest now", "internal_error", 1},
		{bot.UnknownCommand, "user_error", 1},
		{"meetings", "user_error", 0},
	}
	for _, c := range cases {
		if got := metricValue(t, reg, "briefbot_commands_total", map[string]string{"command": c.command, "outcome": c.outcome}); got != c.want {
			t.Errorf("commands{%s,%s} = %v, want %v", c.command, c.outcome, got, c.want)
		}
	}
	if got := metricValue(t, reg, "briefbot_command_duration_seconds", map[string]string{"command": "meetings"}); got != 2 {
		t.Errorf("meetings latency samples = %v, want 2", got)
	}
}

// A nil *Metrics records nothing and never panics (briefbot chat runs
// without metrics).
func TestMetricsNil(t *testing.T) {
	var m *bot.Metrics
	m.ObserveCommand(context.Background(), "who", nil, time.Millisecond)
	m.ObserveDelivery(briefings.Delivery{State: briefings.DeliverySent})
	m.ObservePostError("slack", errors.New("x"))
	m.ObserveIngest(briefings.AddResult{}, nil)
	st := memstore.New(memstore.Options{})
	if got := m.InstrumentStore(st); got != briefings.Store(st) {
		t.Error("a nil Metrics wrapped the store")
	}
	if m.Registry() != nil {
		t.Error("a nil Metrics has a registry")
	}
	if _, err := bot.NewMetrics(nil); err == nil {
		t.Error("NewMetrics(nil) succeeded")
	}
}

func TestMetricsRegisterTwice(t *testing.T) {
	_, reg := newTestMetrics(t)
	if _, err := bot.NewMetrics(reg); err == nil {
		t.Fatal("registering the metrics twice on one registry succeeded")
	}
}

// failingStore fails every write.
type failingStore struct{ briefings.Store }

func (failingStore) AddArticle(context.Context, briefings.Article, briefings.Facts) (briefings.AddResult, error) {
	return briefings.AddResult{}, errors.New("disk full")
}

func (failingStore) FinishDelivery(context.Context, briefings.Delivery) error {
	return &briefings.Error{Code: briefings.CodeConflict, Msg: "taken over"}
}

func TestMetricsInstrumentStoreIngest(t *testing.T) {
	m, reg := newTestMetrics(t)
	ctx := context.Background()
	st := m.InstrumentStore(memstore.New(memstore.Options{}))
	a := briefings.Article{Title: "One", Source: "test", Text: "The minister met the ambassador in Niamey on Friday."}
	a.Hash = briefings.ContentHash(a.Text)
	a.ID = briefings.ArticleID(a.Hash)
	if _, err := st.AddArticle(ctx, a, briefings.Facts{}); err != nil {
		t.Fatal(err)
	}
	if res, err := st.AddArticle(ctx, a, briefings.Facts{}); err != nil || !res.Duplicate {
		t.Fatalf("second add: %+v %v", res, err)
	}
	bad := m.InstrumentStore(failingStore{memstore.New(memstore.Options{})})
	if _, err := bad.AddArticle(ctx, a, briefings.Facts{}); err == nil {
		t.Fatal("failing store succeeded")
	}
	if err := bad.FinishDelivery(ctx, briefings.Delivery{State: briefings.DeliverySent}); err == nil {
		t.Fatal("failing FinishDelivery succeeded")
	}
	for outcome, want := range map[string]float64{"added": 1, "duplicate": 1, "failed": 1} {
		if got := metricValue(t, reg, "briefbot_articles_ingested_total", map[string]string{"outcome": outcome}); got != want {
			t.Errorf("ingested{%s} = %v, want %v", outcome, got, want)
		}
	}
	// A FinishDelivery the ledger refused is not counted.
	if got := metricValue(t, reg, "briefbot_digests_total", map[string]string{"state": "sent"}); got != 0 {
		t.Errorf("digests{sent} = %v after a refused finish, want 0", got)
	}
	if err := st.Ping(ctx); err != nil {
		t.Errorf("the wrapper does not pass Ping through: %v", err)
	}
}

// flakyPlatform fails posts with err, or posts when err is nil.
type flakyPlatform struct {
	name string
	err  error
}

func (p *flakyPlatform) Name() string { return p.name }
func (p *flakyPlatform) Serve(ctx context.Context, h commands.Handler) error {
	<-ctx.Done()
	return nil
}
func (p *flakyPlatform) Post(ctx context.Context, channel string, r commands.Response) (bot.MessageRef, error) {
	if p.err != nil {
		return bot.MessageRef{}, p.err
	}
	return bot.MessageRef{Platform: p.name, Channel: channel, ID: "1"}, nil
}

type flakyWebhookPlatform struct{ flakyPlatform }

func (p *flakyWebhookPlatform) Routes(h commands.Handler) map[string]http.Handler {
	return map[string]http.Handler{"POST /x": http.NotFoundHandler()}
}

// Digests delivered through an instrumented store and platforms are
// counted by ledger state, and failed posts by platform and reason.
func TestMetricsDigestsAndPostErrors(t *testing.T) {
	m, reg := newTestMetrics(t)
	ctx := context.Background()
	st := m.InstrumentStore(memstore.New(memstore.Options{}))
	ok := &flakyPlatform{name: "okchat"}
	refused := &flakyPlatform{name: "nochat", err: &bot.PostError{Platform: "nochat", Reason: "not_in_channel", Permanent: true}}
	plain := &flakyPlatform{name: "plainchat", err: errors.New("connection reset")}
	platforms := map[string]bot.Platform{}
	for _, p := range []bot.Platform{ok, refused, plain} {
		platforms[p.Name()] = m.InstrumentPlatform(p)
	}
	sch, err := bot.NewScheduler(bot.SchedulerConfig{
		Store: st,
		Compose: func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
			return commands.Response{Kind: commands.KindDigest, Text: "news"}, now, false, nil
		},
		Platforms: platforms,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	deliver := func(platform string) briefings.Delivery {
		t.Helper()
		sub, _, err := st.PutSubscription(ctx, briefings.Subscription{Platform: platform, Workspace: "W", Channel: "C1",
			Hour: 8, Zone: "UTC", Days: []int{1}, Created: now, Updated: now})
		if err != nil {
			t.Fatal(err)
		}
		d, err := sch.DeliverNow(ctx, sub)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if d := deliver("okchat"); d.State != briefings.DeliverySent {
		t.Fatalf("okchat: %s %s", d.State, d.Error)
	}
	if d := deliver("nochat"); d.State != briefings.DeliveryFailedPermanent {
		t.Fatalf("nochat: %s", d.State)
	}
	if d := deliver("plainchat"); d.State != briefings.DeliveryFailedPermanent {
		t.Fatalf("plainchat: %s", d.State)
	}
	for state, want := range map[string]float64{"sent": 1, "failed_permanent": 2, "empty": 0, "missed": 0, "failed_retryable": 0} {
		if got := metricValue(t, reg, "briefbot_digests_total", map[string]string{"state": state}); got != want {
			t.Errorf("digests{%s} = %v, want %v", state, got, want)
		}
	}
	cases := []struct {
		platform, reason string
		want             float64
	}{
		{"nochat", "not_in_channel", 2}, // the digest, then the "paused" notice
		{"plainchat", "unclassified", 1},
		{"okchat", "unclassified", 0},
	}
	for _, c := range cases {
		if got := metricValue(t, reg, "briefbot_platform_post_errors_total", map[string]string{"platform": c.platform, "reason": c.reason}); got != c.want {
			t.Errorf("post_errors{%s,%s} = %v, want %v", c.platform, c.reason, got, c.want)
		}
	}
	// A webhook platform stays one through the wrapper.
	wp := m.InstrumentPlatform(&flakyWebhookPlatform{flakyPlatform{name: "hook"}})
	w, isWebhook := wp.(bot.WebhookPlatform)
	if !isWebhook || len(w.Routes(nil)) != 1 {
		t.Error("InstrumentPlatform lost the webhook routes")
	}
	if u, ok := wp.(interface{ Unwrap() bot.Platform }); !ok || u.Unwrap().Name() != "hook" {
		t.Error("InstrumentPlatform cannot be unwrapped")
	}
}

// Label values from outside (reasons, names) are cleaned and bounded:
// past 64 distinct values they count as "other".
func TestMetricsLabelBound(t *testing.T) {
	m, reg := newTestMetrics(t)
	for i := range 200 {
		m.ObservePostError("slack", &bot.PostError{Reason: fmt.Sprintf("Weird Reason/%d", i)})
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	series, other := 0, 0.0
	for _, mf := range mfs {
		if mf.GetName() != "briefbot_platform_post_errors_total" {
			continue
		}
		for _, mt := range mf.GetMetric() {
			series++
			for _, lp := range mt.GetLabel() {
				if lp.GetName() == "reason" {
					if lp.GetValue() == "other" {
						other = mt.GetCounter().GetValue()
					}
					if strings.ContainsAny(lp.GetValue(), "/RW") {
						t.Errorf("reason %q not cleaned", lp.GetValue())
					}
				}
			}
		}
	}
	if series != 65 || other != 136 {
		t.Errorf("%d series with %v in other; want 65 (64 reasons and other) with 136", series, other)
	}
}

// The handler serves the registry in the Prometheus text format.
func TestMetricsHandler(t *testing.T) {
	m, _ := newTestMetrics(t)
	m.ObserveCommand(context.Background(), "status", nil, 20*time.Millisecond)
	srv := httptest.NewServer(m.Handler(nil))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, want := range []string{
		`briefbot_commands_total{command="status",outcome="ok"} 1`,
		`briefbot_command_duration_seconds_bucket{command="status",le="0.025"} 1`,
		`briefbot_digests_total{state="sent"} 0`,
		`briefbot_articles_ingested_total{outcome="added"} 0`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, body)
		}
	}
}
