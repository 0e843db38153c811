package fetch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// fakePublic is a public address that the test dial function routes to a
// loopback test server: "the internet" of these tests. Nothing is ever sent
// to it.
const fakePublic = "93.184.216.34"

// fakeResolver answers from a map; an unknown name does not exist.
type fakeResolver map[string][]string

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	ips, ok := r[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	out := make([]netip.Addr, 0, len(ips))
	for _, ip := range ips {
		out = append(out, netip.MustParseAddr(ip))
	}
	return out, nil
}

// testDialer is the only way the tests reach a network: it dials loopback
// addresses, routes fakePublic to the loopback server given, and fails the
// test on any other address, so that even a broken guard sends no packet
// anywhere but loopback.
type testDialer struct {
	t      *testing.T
	public string // host:port of the loopback server behind fakePublic

	mu    sync.Mutex
	dials []string
}

func (d *testDialer) Dial(ctx context.Context, network, address string) (net.Conn, error) {
	d.mu.Lock()
	d.dials = append(d.dials, address)
	d.mu.Unlock()
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		d.t.Errorf("dial to an address that is not ip:port: %q", address)
		return nil, err
	}
	var nd net.Dialer
	switch {
	case ap.Addr().String() == fakePublic && d.public != "":
		return nd.DialContext(ctx, network, d.public)
	case ap.Addr().Unmap().IsLoopback():
		return nd.DialContext(ctx, network, address)
	}
	d.t.Errorf("the fetcher dialled %s, which is not loopback: the guard let it through", address)
	return nil, fmt.Errorf("test dialer: %s is not loopback", address)
}

func (d *testDialer) Dials() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.dials...)
}

// loopback is the allow-list the tests use to reach their own servers.
func loopback() []netip.Prefix {
	return []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
}

// testLogger writes the fetcher's logs to the test log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// newLoopbackFetcher returns a fetcher that may reach loopback test servers.
func newLoopbackFetcher(t testing.TB, opts Options) *Fetcher {
	t.Helper()
	opts.AllowCIDRs = loopback()
	if opts.Resolver == nil {
		opts.Resolver = fakeResolver{}
	}
	if opts.Dial == nil {
		if tt, ok := t.(*testing.T); ok {
			opts.Dial = (&testDialer{t: tt}).Dial
		}
	}
	f := New(opts, testLogger(t))
	t.Cleanup(f.Close)
	return f
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// wantError checks that err is a *briefings.Error with code whose message
// contains every part.
func wantError(t *testing.T, err error, code briefings.Code, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want a %s error containing %q", code, parts)
	}
	var be *briefings.Error
	if !errors.As(err, &be) {
		t.Fatalf("error %v (%T) is not a *briefings.Error", err, err)
	}
	if be.Code != code {
		t.Errorf("error code = %s, want %s (message %q)", be.Code, code, be.Msg)
	}
	for _, p := range parts {
		if !strings.Contains(be.Msg, p) {
			t.Errorf("error message %q does not contain %q", be.Msg, p)
		}
	}
}

// hostPort returns the host:port of a test server.
func hostPort(t testing.TB, srv *httptest.Server) string {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// waitDone waits for a handler to finish, failing the test after a while.
func waitDone(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the test server handler did not finish")
	}
}

// serveBytes returns a handler serving body with a content type.
func serveBytes(ctype string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if ctype != "" {
			w.Header().Set("Content-Type", ctype)
		} else {
			w.Header()["Content-Type"] = nil // no header, and no sniffing by net/http
		}
		_, _ = w.Write(body)
	}
}
