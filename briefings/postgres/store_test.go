package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/postgres/pgtest"
	"github.com/briefbot/briefbot/briefings/storetest"
)

// openTest opens a store on a new schema of the test server (skipping when
// there is none).
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	dsn := pgtest.DSN(t)
	s, err := OpenOptions(t.Context(), dsn, nil, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformance(t *testing.T) {
	pgtest.BaseDSN(t)
	storetest.Run(t, func(t *testing.T) briefings.Store { return openTest(t, Options{}) })
}

func TestOpenErrors(t *testing.T) {
	const secret = "s3cret-pw"
	for _, tc := range []struct {
		name, url string
		code      briefings.Code
	}{
		{"empty", "", briefings.CodeInvalid},
		{"not a connection string", "postgres://u:" + secret + "@host:notaport/db", briefings.CodeInvalid},
		{"unknown sslmode", "postgres://u:" + secret + "@127.0.0.1:5432/db?sslmode=maybe", briefings.CodeInvalid},
		// Nothing listens on port 1 of loopback.
		{"unreachable", "postgres://u:" + secret + "@127.0.0.1:1/db?sslmode=disable&connect_timeout=2", briefings.CodeUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Open(t.Context(), tc.url, nil)
			if briefings.ErrorCode(err) != tc.code {
				t.Errorf("Open(%s) = %v; want code %s", tc.name, err, tc.code)
			}
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("Open's error shows the password: %v", err)
			}
		})
	}
	if _, err := OpenOptions(t.Context(), "postgres://u@127.0.0.1/db", nil, Options{MaxConns: -1}); briefings.ErrorCode(err) != briefings.CodeInvalid {
		t.Errorf("Open(MaxConns -1) = %v; want CodeInvalid", err)
	}
}

func TestOpenRefusedLogin(t *testing.T) {
	base := pgtest.BaseDSN(t)
	dsn, err := pgtest.WithSearchPath(base, "public")
	if err != nil {
		t.Fatal(err)
	}
	const secret = "wrong-password-xyz"
	var bad string
	if strings.HasPrefix(dsn, "postgres") {
		bad = strings.Replace(dsn, "://", "://nobody_briefbot:"+secret+"@", 1)
		if i, j := strings.Index(bad, "@"), strings.LastIndex(bad, "@"); i != j {
			// The base URL had credentials: keep only ours.
			bad = bad[:i+1] + bad[j+1:]
		}
	} else {
		bad = dsn + " user=nobody_briefbot password=" + secret
	}
	_, err = Open(t.Context(), bad, nil)
	if code := briefings.ErrorCode(err); code != briefings.CodeInvalid && code != briefings.CodeUnavailable {
		t.Errorf("Open(unknown user) = %v; want a coded error", err)
	}
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Errorf("Open(unknown user) = %v; want an error that does not show the password", err)
	}
}

func TestNoSchema(t *testing.T) {
	dsn, err := pgtest.WithSearchPath(pgtest.BaseDSN(t), "no_such_schema_briefbot")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), dsn, nil); briefings.ErrorCode(err) != briefings.CodeInvalid || !strings.Contains(err.Error(), "search_path") {
		t.Errorf("Open(missing schema) = %v; want a CodeInvalid error about search_path", err)
	}
}

func TestClosed(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := s.Ping(t.Context()); briefings.ErrorCode(err) != briefings.CodeUnavailable {
		t.Errorf("Ping after Close = %v; want CodeUnavailable", err)
	}
	if _, err := s.Stats(t.Context()); briefings.ErrorCode(err) != briefings.CodeUnavailable {
		t.Errorf("Stats after Close = %v; want CodeUnavailable", err)
	}
}

func TestClock(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.FixedZone("X", 3600))
	s := openTest(t, Options{Clock: briefings.ClockFunc(func() time.Time { return now })})
	res, err := s.AddArticle(t.Context(), briefings.Article{Title: "t", Text: "Some text."}, briefings.Facts{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 4, 4, 6, 7, 891011000, time.UTC)
	if !res.Article.Ingested.Equal(want) || res.Article.Ingested.Location() != time.UTC {
		t.Errorf("Ingested = %v; want the clock's time to the microsecond in UTC, %v", res.Article.Ingested, want)
	}
	got, err := s.Article(t.Context(), res.Article.ID)
	if err != nil || !got.Ingested.Equal(want) {
		t.Errorf("stored Ingested = %v, %v; want %v", got.Ingested, err, want)
	}
}

// TestTextPostgresCannotHold: a NUL byte is refused with a clear message
// (SQLite would keep it; Postgres text cannot), and nothing is stored.
func TestTextPostgresCannotHold(t *testing.T) {
	s := openTest(t, Options{})
	_, err := s.AddArticle(t.Context(), briefings.Article{Title: "nul", Text: "Before\x00after."}, briefings.Facts{})
	if briefings.ErrorCode(err) != briefings.CodeInvalid {
		t.Errorf("AddArticle(NUL) = %v; want CodeInvalid", err)
	}
	if st, err := s.Stats(t.Context()); err != nil || st != (briefings.Stats{}) {
		t.Errorf("Stats = %+v, %v; want nothing stored", st, err)
	}
}

// TestTwoStoresOneSchema: two stores (two pools, as two replicas have) on
// one schema add articles at once; both see everything, nothing is lost or
// stored twice, and a near-duplicate sent to both is stored once.
func TestTwoStoresOneSchema(t *testing.T) {
	dsn := pgtest.DSN(t)
	var stores [2]*Store
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range stores {
		wg.Go(func() { stores[i], errs[i] = Open(t.Context(), dsn, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("store %d: %v", i, err)
		}
		t.Cleanup(func() { stores[i].Close() })
	}
	if stores[0].SchemaVersion() != stores[1].SchemaVersion() || stores[0].SchemaVersion() == 0 {
		t.Fatalf("schema versions %d and %d after migrating at once", stores[0].SchemaVersion(), stores[1].SchemaVersion())
	}
	const each = 20
	for i := range stores {
		wg.Go(func() {
			for j := range each {
				text := fmt.Sprintf("Report %d-%d. Minister Ana Ribeiro of Valdoria met envoy number %d in the harbour city of %d.", i, j, i*100+j, j)
				a := briefings.Article{Title: fmt.Sprint("r", i, j), Source: "test", Text: text}
				f := briefings.Facts{Entities: []briefings.Entity{{ID: "person:ana-ribeiro", Name: "Ana Ribeiro", Kind: briefings.EntityPerson,
					Aliases: []string{fmt.Sprint("Alias ", i)}, Mentions: 1}}}
				if _, err := stores[i].AddArticle(t.Context(), a, f); err != nil {
					errs[i] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range stores {
		st, err := s.Stats(t.Context())
		if err != nil || st.Articles != 2*each || st.Entities != 1 {
			t.Errorf("store %d sees %+v, %v; want %d articles, 1 entity", i, st, err, 2*each)
		}
		es, err := s.Entities(t.Context(), briefings.EntityQuery{Name: "ana ribeiro"})
		if err != nil || len(es) != 1 || es[0].Mentions != 2*each || len(es[0].Aliases) != 2 {
			t.Errorf("store %d: entity = %+v, %v; want %d mentions and both aliases (no lost merge)", i, es, err, 2*each)
		}
	}
	// One new story with a headline and a paragraph of its own per copy:
	// near-duplicates of each other, sent to both stores at once.
	body := strings.Repeat("The coastal garrison withdrew its last armoured units overnight, officials in the port city said on Tuesday. ", 6)
	res := make([]briefings.AddResult, 2)
	for i := range stores {
		wg.Go(func() {
			a := briefings.Article{Title: fmt.Sprint("copy ", i), Source: "wire", Text: body + fmt.Sprintf("Copy %d adds one closing line of its own.", i)}
			res[i], errs[i] = stores[i].AddArticle(t.Context(), a, briefings.Facts{})
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if res[0].Duplicate == res[1].Duplicate || (!res[0].Duplicate && res[1].DuplicateReason != briefings.DuplicateNear) ||
		(!res[1].Duplicate && res[0].DuplicateReason != briefings.DuplicateNear) {
		t.Errorf("two near-duplicates added at once: %+v / %+v; want one stored, the other a near-duplicate of it", res[0], res[1])
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := pgtest.DSN(t)
	s, err := Open(t.Context(), dsn, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(t.Context(), "INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(t.Context(), dsn, nil)
	if briefings.ErrorCode(err) != briefings.CodeUnavailable || !strings.Contains(err.Error(), "99999") {
		t.Errorf("Open(newer schema) = %v; want a CodeUnavailable error naming version 99999", err)
	}
}

// TestStatementTimeout: a statement that runs longer than the store's
// statement timeout is cut off by the server, as unavailable.
func TestStatementTimeout(t *testing.T) {
	s := openTest(t, Options{StatementTimeout: 200 * time.Millisecond})
	_, err := s.pool.Exec(t.Context(), "SELECT pg_sleep(5)")
	if err == nil {
		t.Fatal("pg_sleep(5) finished under a 200ms statement timeout")
	}
	if code := briefings.ErrorCode(s.fail(t.Context(), "sleep", err)); code != briefings.CodeUnavailable {
		t.Errorf("a timed-out statement maps to %s (%v); want unavailable", code, err)
	}
}

// TestCanceledClaim: a claim whose context ends reports the context's error.
func TestCanceledClaim(t *testing.T) {
	s := openTest(t, Options{})
	sub, _, err := s.PutSubscription(t.Context(), briefings.Subscription{Platform: "p", Channel: "c", Zone: "UTC", Days: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	now := time.Now()
	if _, _, err := s.ClaimDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "s", Due: now}, "a", now, time.Minute); !errors.Is(err, context.Canceled) {
		t.Errorf("ClaimDelivery(canceled) = %v; want context.Canceled", err)
	}
	if err := s.FinishDelivery(ctx, briefings.Delivery{SubscriptionID: sub.ID, Slot: "s", State: briefings.DeliverySent, Claimant: "a", LeaseUntil: now}); !errors.Is(err, context.Canceled) {
		t.Errorf("FinishDelivery(canceled) = %v; want context.Canceled", err)
	}
}

// proxy forwards loopback connections to a Postgres server until it is
// stopped, which cuts every connection: the database "goes down".
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	wg     sync.WaitGroup
}

func startProxy(t *testing.T, addr, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			p.wg.Go(func() { io.Copy(up, c); up.Close() })
			p.wg.Go(func() { io.Copy(c, up); c.Close() })
		}
	})
	return p
}

func (p *proxy) stop() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

// TestDatabaseDownAndBack: while the database cannot be reached, Ping and
// queries fail as unavailable (quickly, not hanging); when it is back, the
// same store works again without being reopened.
func TestDatabaseDownAndBack(t *testing.T) {
	dsn := pgtest.DSN(t)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dsn, "postgres") || strings.HasPrefix(cfg.Host, "/") {
		t.Skip("needs a URL with a TCP host in " + pgtest.Env)
	}
	p := startProxy(t, "127.0.0.1:0", net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))))
	addr := p.ln.Addr().String()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = addr
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	s, err := Open(t.Context(), u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping through the proxy: %v", err)
	}

	p.stop()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if err := s.Ping(ctx); briefings.ErrorCode(err) != briefings.CodeUnavailable {
		t.Errorf("Ping with the database down = %v; want CodeUnavailable", err)
	}
	if _, err := s.Stats(ctx); briefings.ErrorCode(err) != briefings.CodeUnavailable {
		t.Errorf("Stats with the database down = %v; want CodeUnavailable", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("failing took %v; want the connect timeout, not a hang", d)
	}

	p = startProxy(t, addr, p.target)
	defer p.stop()
	var perr error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if perr = s.Ping(t.Context()); perr == nil {
			break
		}
	}
	if perr != nil {
		t.Fatalf("Ping after the database came back: %v", perr)
	}
	if _, err := s.Stats(t.Context()); err != nil {
		t.Errorf("Stats after the database came back: %v", err)
	}
}
