package fetch

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// TestRefusesSpecialAddresses fetches URLs, and redirects, that lead to
// loopback, private, link-local and other special addresses with the
// allow-list off. The test dialer fails the test on any dial that is not to
// loopback (or to fakePublic, which it routes to a loopback server), and a
// loopback "secret" server counts every request that reaches it.
func TestRefusesSpecialAddresses(t *testing.T) {
	var secretHits, redirects atomic.Int32
	secret := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		secretHits.Add(1)
		_, _ = io.WriteString(w, "internal data")
	}))
	defer secret.Close()
	secretPort := secret.Listener.Addr().(*net.TCPAddr).Port

	// The "public" site: reachable as public.test → fakePublic. It
	// redirects to wherever ?to= says.
	public := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if to := r.URL.Query().Get("to"); to != "" {
			redirects.Add(1)
			http.Redirect(w, r, to, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, articleHTML("", "", ""))
	}))
	defer public.Close()

	// [::1] needs an IPv6 loopback listener; fall back to the IPv4 port when
	// the machine has none (the refusal happens before any dial anyway).
	v6Port := secretPort
	if ln, err := net.Listen("tcp6", "[::1]:0"); err == nil {
		v6 := httptest.NewUnstartedServer(secret.Config.Handler)
		v6.Listener.Close()
		v6.Listener = ln
		v6.Start()
		defer v6.Close()
		v6Port = ln.Addr().(*net.TCPAddr).Port
	}

	resolver := fakeResolver{
		"public.test":    {fakePublic},
		"intranet.test":  {"10.0.0.1"},
		"metadata.test":  {"169.254.169.254"},
		"loop.test":      {"127.0.0.1"},
		"loop6.test":     {"::1"},
		"mixed.test":     {fakePublic, "10.0.0.1"},
		"mapped.test":    {"::ffff:127.0.0.1"},
		"nat64.test":     {"64:ff9b::a00:1"},
		"cgnat.test":     {"100.64.0.7"},
		"ula.test":       {"fd12:3456:789a::1"},
		"multicast.test": {"224.0.0.251"},
		"zero.test":      {"0.0.0.0"},
	}
	dialer := &testDialer{t: t, public: hostPort(t, public)}
	f := New(Options{Resolver: resolver, Dial: dialer.Dial, Timeout: 5 * time.Second}, testLogger(t))
	defer f.Close()

	loop4 := "http://127.0.0.1:" + strconv.Itoa(secretPort) + "/"
	loop6 := "http://[::1]:" + strconv.Itoa(v6Port) + "/"
	tests := []struct {
		url    string
		reason string
	}{
		{loop4, "the address 127.0.0.1 is in the loopback network (127.0.0.0/8)"},
		{loop6, "the address ::1 is in the loopback address (::1/128)"},
		{"http://10.0.0.1/", "the address 10.0.0.1 is in a private network (10.0.0.0/8)"},
		{"http://169.254.169.254/latest/meta-data/", "is in the link-local network (cloud metadata services live here) (169.254.0.0/16)"},
		{"http://intranet.test/", "intranet.test resolves to 10.0.0.1, which is in a private network (10.0.0.0/8)"},
		{"http://metadata.test/latest/meta-data/", "metadata.test resolves to 169.254.169.254"},
		{"http://loop.test:" + strconv.Itoa(secretPort) + "/", "loop.test resolves to 127.0.0.1, which is in the loopback network"},
		{"http://loop6.test:" + strconv.Itoa(v6Port) + "/", "loop6.test resolves to ::1"},
		{"http://mixed.test/", "mixed.test resolves to 10.0.0.1"},
		{"http://mapped.test:" + strconv.Itoa(secretPort) + "/", "mapped.test resolves to 127.0.0.1, which is in the loopback network"},
		{"http://nat64.test/", "embeds the IPv4 address 10.0.0.1, which is in a private network"},
		{"http://cgnat.test/", "the carrier-grade NAT shared address space (100.64.0.0/10)"},
		{"http://ula.test/", "a private network (unique local addresses) (fc00::/7)"},
		{"http://multicast.test/", "the multicast block (224.0.0.0/4)"},
		{"http://zero.test/", "the unspecified \"this network\" block (0.0.0.0/8)"},
		// Redirects from a public site to each of the above.
		{"http://public.test/?to=" + url.QueryEscape(loop4), "the address 127.0.0.1 is in the loopback network"},
		{"http://public.test/?to=" + url.QueryEscape(loop6), "the address ::1 is in the loopback address"},
		{"http://public.test/?to=" + url.QueryEscape("http://10.0.0.1/admin"), "the address 10.0.0.1 is in a private network (10.0.0.0/8)"},
		{"http://public.test/?to=" + url.QueryEscape("http://169.254.169.254/latest/meta-data/"), "the address 169.254.169.254 is in the link-local network"},
		{"http://public.test/?to=" + url.QueryEscape("http://metadata.test/"), "metadata.test resolves to 169.254.169.254"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			dialer.t = t
			before := len(dialer.Dials())
			redirectsBefore := redirects.Load()
			_, err := f.FetchArticle(context.Background(), tt.url)
			wantError(t, err, briefings.CodeInvalid, "refusing to fetch ", tt.reason)
			for _, d := range dialer.Dials()[before:] {
				if !strings.HasPrefix(d, fakePublic+":") {
					t.Errorf("the fetcher dialled %s before refusing", d)
				}
			}
			if strings.Contains(tt.url, "?to=") {
				if redirects.Load() != redirectsBefore+1 {
					t.Errorf("the public site did not redirect: the redirect path was not exercised")
				}
				if !strings.Contains(err.Error(), "refusing to fetch "+strings.TrimSuffix(mustUnescape(t, tt.url[strings.Index(tt.url, "?to=")+4:]), "/")) {
					t.Errorf("the message %q does not name the redirect target", err)
				}
			}
		})
	}
	dialer.t = t
	if n := secretHits.Load(); n != 0 {
		t.Errorf("the loopback secret server was reached %d times", n)
	}

	// The control: the public site itself is fetched, so refusals above are
	// not a fetcher that refuses everything.
	if _, err := f.FetchArticle(context.Background(), "http://public.test/story"); err != nil {
		t.Errorf("fetching the public site: %v", err)
	}
}

func mustUnescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAllowHostsOpensOnlyThatHost(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, articleHTML("", "", ""))
	}))
	defer srv.Close()
	port := strconv.Itoa(srv.Listener.Addr().(*net.TCPAddr).Port)
	dialer := &testDialer{t: t}
	f := New(Options{
		AllowHosts: []string{"Wiki.Intranet.Test."},
		Resolver:   fakeResolver{"wiki.intranet.test": {"127.0.0.1"}, "other.intranet.test": {"127.0.0.1"}},
		Dial:       dialer.Dial,
	}, testLogger(t))
	defer f.Close()
	if _, err := f.FetchArticle(context.Background(), "http://wiki.intranet.test:"+port+"/page"); err != nil {
		t.Errorf("an allowed intranet host was refused: %v", err)
	}
	_, err := f.FetchArticle(context.Background(), "http://other.intranet.test:"+port+"/page")
	wantError(t, err, briefings.CodeInvalid, "other.intranet.test resolves to 127.0.0.1", "add its host to the fetch allow-list")
	_, err = f.FetchArticle(context.Background(), "http://127.0.0.1:"+port+"/page")
	wantError(t, err, briefings.CodeInvalid, "the address 127.0.0.1 is in the loopback network")
}

func TestGuardCheck(t *testing.T) {
	g := newGuard(nil, nil)
	allowed := []string{"93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"}
	for _, a := range allowed {
		if r := g.check(netip.MustParseAddr(a)); r != nil {
			t.Errorf("check(%s) refused a public address: %v", a, r)
		}
	}
	refused := map[string]string{
		"127.0.0.1":       "loopback",
		"127.255.0.9":     "loopback",
		"::1":             "loopback",
		"::":              "unspecified",
		"0.0.0.0":         "this network",
		"10.1.2.3":        "private network (10.0.0.0/8)",
		"172.16.0.1":      "private network (172.16.0.0/12)",
		"172.31.255.255":  "private network (172.16.0.0/12)",
		"192.168.1.1":     "private network (192.168.0.0/16)",
		"100.64.0.1":      "carrier-grade NAT",
		"169.254.169.254": "link-local",
		"fe80::1":         "link-local",
		"fd00:ec2::254":   "unique local",
		"224.0.0.1":       "multicast",
		"ff02::1":         "multicast",
		"255.255.255.255": "reserved block",
		"192.0.2.1":       "documentation",
		"198.18.0.1":      "benchmarking",
		"2001:db8::1":     "documentation",
		"::ffff:10.0.0.1": "private network",
		"64:ff9b::7f00:1": "embeds the IPv4 address 127.0.0.1",
		"2002:a00:1::1":   "embeds the IPv4 address 10.0.0.1",
		"2001:0:1::1":     "Teredo",
		"::127.0.0.1":     "not a global unicast IPv6 address",
	}
	for a, want := range refused {
		r := g.check(netip.MustParseAddr(a))
		if r == nil {
			t.Errorf("check(%s) allowed a special-purpose address", a)
			continue
		}
		if !strings.Contains(r.Error(), want) {
			t.Errorf("check(%s) = %q, want it to mention %q", a, r.Error(), want)
		}
	}
	open := newGuard(nil, []netip.Prefix{netip.MustParsePrefix("10.20.0.0/16")})
	if r := open.check(netip.MustParseAddr("10.20.3.4")); r != nil {
		t.Errorf("an allowed CIDR was refused: %v", r)
	}
	if r := open.check(netip.MustParseAddr("10.21.3.4")); r == nil {
		t.Errorf("an address outside the allowed CIDR was allowed")
	}
}

// TestDefaultDialerControlRefuses shows the second line of defence: the
// default net.Dialer's Control hook refuses a loopback address before the
// socket connects, even when called without the resolver-level check.
func TestDefaultDialerControlRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			c.Close()
		}
	}()
	nd := &net.Dialer{ControlContext: controlCheck(newGuard(nil, nil))}
	_, err = nd.DialContext(context.Background(), "tcp", ln.Addr().String())
	var r *refusal
	if !errors.As(err, &r) {
		t.Fatalf("dial to %s = %v, want a refusal", ln.Addr(), err)
	}
	select {
	case <-accepted:
		t.Error("the listener accepted a connection the Control hook refused")
	case <-time.After(50 * time.Millisecond):
	}
}

func TestRefusesBadURLs(t *testing.T) {
	f := New(Options{Resolver: fakeResolver{}, Dial: (&testDialer{t: t}).Dial}, testLogger(t))
	tests := []struct{ url, want string }{
		{"", "no URL given"},
		{"ftp://files.example/a.html", "only http and https URLs are fetched, not ftp"},
		{"file:///etc/passwd", "only http and https URLs are fetched, not file"},
		{"javascript:alert(1)", "only http and https URLs are fetched, not javascript"},
		{"ledger.example/story", "the URL has no scheme"},
		{"http:///story", "the URL has no host"},
		{"https://user:secret@ledger.example/", "URLs with a user name or password are not fetched"},
		{"http://" + strings.Repeat("a", 3000) + ".example/", "at most 2048 are accepted"},
		{"http://nowhere.test/", "the host nowhere.test does not exist; check the URL"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := f.FetchArticle(context.Background(), tt.url)
			wantError(t, err, briefings.CodeInvalid, tt.want)
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("the error shows the password: %v", err)
			}
		})
	}
}

func TestRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		http.Redirect(w, r, "/loop?n="+strconv.Itoa(n+1), http.StatusFound)
	})
	mux.HandleFunc("/to-file", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
	})
	mux.HandleFunc("/hop", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		if n < 3 {
			http.Redirect(w, r, "/hop?n="+strconv.Itoa(n+1), http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, articleHTML("", "", ""))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{MaxRedirects: 3})

	if _, err := f.FetchArticle(context.Background(), srv.URL+"/hop"); err != nil {
		t.Errorf("3 redirects with a cap of 3: %v", err)
	}
	_, err := f.FetchArticle(context.Background(), srv.URL+"/loop")
	wantError(t, err, briefings.CodeInvalid, "stopped after 3 redirects")
	_, err = f.FetchArticle(context.Background(), srv.URL+"/to-file")
	wantError(t, err, briefings.CodeInvalid, "refusing to follow the redirect from "+srv.URL+"/to-file to file:///etc/passwd: only http and https URLs are fetched")
}

// streamZeros writes n bytes of zeros in 32 KB writes from one buffer,
// stopping when the client goes away; it returns what it wrote.
func streamZeros(w io.Writer, n int64) int64 {
	buf := make([]byte, 32<<10)
	var written int64
	for written < n {
		chunk := buf
		if n-written < int64(len(chunk)) {
			chunk = chunk[:n-written]
		}
		m, err := w.Write(chunk)
		written += int64(m)
		if err != nil {
			break
		}
	}
	return written
}

func TestSizeCap(t *testing.T) {
	const fifty = 50 << 20
	var written atomic.Int64
	done := make(chan struct{}, 3)
	mux := http.NewServeMux()
	mux.HandleFunc("/stream", func(w http.ResponseWriter, _ *http.Request) {
		defer func() { done <- struct{}{} }()
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html><body><p>")
		written.Store(streamZeros(w, fifty))
	})
	mux.HandleFunc("/declared", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Length", strconv.Itoa(fifty))
		// Nothing is sent: the fetcher must refuse on the header alone.
	})
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, _ *http.Request) {
		defer func() { done <- struct{}{} }()
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		streamZeros(zw, fifty)
		_ = zw.Close()
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{}) // the default 5 MB cap

	_, err := f.FetchArticle(context.Background(), srv.URL+"/stream")
	wantError(t, err, briefings.CodeInvalid, "stopped reading "+srv.URL+"/stream at the 5 MB limit: the response is larger")
	waitDone(t, done)
	if w := written.Load(); w >= fifty {
		t.Errorf("the server wrote all %d bytes: the fetcher kept reading past the cap", w)
	}

	_, err = f.FetchArticle(context.Background(), srv.URL+"/declared")
	wantError(t, err, briefings.CodeInvalid, "it is 50 MB, more than the 5 MB limit")

	_, err = f.FetchArticle(context.Background(), srv.URL+"/gzip-bomb")
	wantError(t, err, briefings.CodeInvalid, "at the 5 MB limit")
	waitDone(t, done)
}

func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/no-headers", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for {
			if _, err := io.WriteString(w, "<p>"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-release:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{Timeout: 300 * time.Millisecond})
	for _, path := range []string{"/no-headers", "/trickle"} {
		_, err := f.FetchArticle(context.Background(), srv.URL+path)
		wantError(t, err, briefings.CodeUnavailable, "fetching "+srv.URL+path+" timed out after 300ms")
	}

	// A connection that never completes hits the connect timeout.
	hang := func(ctx context.Context, _, _ string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	slow := New(Options{ConnectTimeout: 100 * time.Millisecond, Resolver: fakeResolver{"slow.test": {fakePublic}}, Dial: hang}, testLogger(t))
	_, err := slow.FetchArticle(context.Background(), "http://slow.test/")
	wantError(t, err, briefings.CodeUnavailable, "could not connect to slow.test within 100ms")

	// The caller's cancellation is reported as such, not as a timeout.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = f.FetchArticle(ctx, srv.URL+"/no-headers")
	wantError(t, err, briefings.CodeUnavailable, "was cancelled")
}

func TestRefusesNonHTML(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	mux := http.NewServeMux()
	mux.Handle("/png", serveBytes("image/png", png))
	mux.Handle("/sniffed-png", serveBytes("", png))
	mux.Handle("/pdf", serveBytes("application/pdf", []byte("%PDF-1.7")))
	mux.Handle("/bin", serveBytes("application/octet-stream", []byte{0, 1, 2}))
	mux.Handle("/video", serveBytes("video/mp4", []byte{0, 0, 0}))
	mux.Handle("/bad-type", serveBytes("text/html; charset", []byte("<p>")))
	mux.Handle("/brotli", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "br")
		_, _ = w.Write([]byte{1, 2, 3})
	}))
	mux.Handle("/unavailable", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	mux.Handle("/private", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	mux.Handle("/sniffed-html", serveBytes("", []byte(articleHTML("", "", ""))))
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := newLoopbackFetcher(t, Options{})
	tests := []struct {
		path string
		code briefings.Code
		want string
	}{
		{"/png", briefings.CodeInvalid, "it is an image (image/png), not a web page; only HTML pages can be ingested"},
		{"/sniffed-png", briefings.CodeInvalid, "it is an image (image/png), not a web page"},
		{"/pdf", briefings.CodeInvalid, "it is a PDF document (application/pdf), not a web page"},
		{"/bin", briefings.CodeInvalid, "it is a binary file (application/octet-stream)"},
		{"/video", briefings.CodeInvalid, "it is a video (video/mp4)"},
		{"/bad-type", briefings.CodeInvalid, `its Content-Type "text/html; charset" is malformed`},
		{"/brotli", briefings.CodeInvalid, `it is compressed with "br", which briefbot does not decode (only gzip)`},
		{"/unavailable", briefings.CodeUnavailable, "answered 503 Service Unavailable; try again later"},
		{"/private", briefings.CodeInvalid, "answered 403 Forbidden: the page is not public"},
		{"/missing", briefings.CodeNotFound, "answered 404 Not Found; check the URL"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := f.FetchArticle(context.Background(), srv.URL+tt.path)
			wantError(t, err, tt.code, srv.URL+tt.path, tt.want)
		})
	}
	_, err := f.FetchArticle(context.Background(), srv.URL+"/unavailable")
	var se *HTTPStatusError
	if !errors.As(err, &se) || se.StatusCode != 503 || se.RetryAfter != 2*time.Minute {
		t.Errorf("503 with Retry-After: 120 gave %#v, want an HTTPStatusError with RetryAfter 2m", se)
	}
	if _, err := f.FetchArticle(context.Background(), srv.URL+"/sniffed-html"); err != nil {
		t.Errorf("an HTML page without a Content-Type: %v", err)
	}
}
