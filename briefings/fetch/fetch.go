// Package fetch turns web pages and feeds into briefings.Article values, safely.
//
// A Fetcher only speaks http and https, resolves host names itself and
// refuses to connect to loopback, private, link-local, multicast, CGNAT and
// other special-purpose addresses, checking every resolved address at dial
// time for the first request and for every redirect. Responses are bounded
// in time (connect and total timeouts), size (before and after
// decompression), redirects and content type; every refusal is a
// *briefings.Error whose message says what was refused and why.
//
// Pages are reduced to their readable text with go-readability; feeds (RSS,
// Atom, JSON Feed) are parsed with gofeed and fetched with conditional
// requests so an unchanged feed costs one 304.
package fetch

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// ProjectURL is the project's home, named in the User-Agent so that site
// operators can find out who is fetching their pages.
const ProjectURL = "https://github.com/briefbot/briefbot"

// Defaults for the zero values of Options.
const (
	// DefaultConnectTimeout bounds one connection attempt and TLS handshake.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultTimeout bounds one whole fetch, body included.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxBytes bounds a response body: 5 MB.
	DefaultMaxBytes = 5 << 20
	// DefaultMaxRedirects is how many redirects one fetch follows.
	DefaultMaxRedirects = 5
	// DefaultMaxFeedItems bounds the items taken from one feed.
	DefaultMaxFeedItems = 200
	// DefaultMaxElements bounds the HTML elements of a page to read.
	DefaultMaxElements = 100_000
)

// maxURLLength bounds the URLs the fetcher accepts.
const maxURLLength = 2048

// UserAgent returns the honest User-Agent for a briefbot version:
// "briefbot/<version> (+<project URL>)".
func UserAgent(version string) string {
	if version == "" {
		version = "dev"
	}
	return "briefbot/" + version + " (+" + ProjectURL + ")"
}

// Resolver resolves host names to addresses; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// DialFunc opens a connection to an address of the form "ip:port" that the
// fetcher has already checked. Tests inject one; the default is a
// net.Dialer whose Control hook checks the address again.
type DialFunc func(ctx context.Context, network, address string) (net.Conn, error)

// Options configures a Fetcher. The zero value of every field selects the
// default named next to it.
type Options struct {
	// ConnectTimeout bounds each connection attempt and the TLS handshake
	// (default DefaultConnectTimeout).
	ConnectTimeout time.Duration
	// Timeout bounds one whole fetch: connecting, redirects, headers and
	// reading the body (default DefaultTimeout).
	Timeout time.Duration
	// MaxBytes bounds a response body, both as sent and after
	// decompression (default DefaultMaxBytes, 5 MB).
	MaxBytes int64
	// MaxRedirects is how many redirects one fetch follows (default
	// DefaultMaxRedirects); a negative value follows none.
	MaxRedirects int
	// MaxFeedItems bounds the items taken from one feed (default
	// DefaultMaxFeedItems); the rest are counted in FeedResult.Dropped.
	MaxFeedItems int
	// MaxElements bounds the HTML elements of a page handed to the
	// readability parser (default DefaultMaxElements).
	MaxElements int
	// UserAgent is sent with every request (default UserAgent("dev")).
	UserAgent string
	// AllowHosts lists host names whose addresses may be fetched even when
	// they are private or otherwise special (intranet sources).
	AllowHosts []string
	// AllowCIDRs lists address blocks that may be fetched even when they
	// are special-purpose; tests put loopback here, nothing else should.
	AllowCIDRs []netip.Prefix
	// Resolver resolves host names (default: a net.Resolver).
	Resolver Resolver
	// Dial connects to a checked address (default: a net.Dialer that
	// checks the address again in its Control hook).
	Dial DialFunc
	// Clock tells the time of a fetch and bounds plausible publication
	// dates (default briefings.SystemClock).
	Clock briefings.Clock
}

// Fetcher fetches pages and feeds safely. It is safe for concurrent use.
type Fetcher struct {
	opts   Options
	client *http.Client
	logger *slog.Logger
}

// New returns a Fetcher. A nil logger discards the fetcher's logs.
func New(opts Options, logger *slog.Logger) *Fetcher {
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	switch {
	case opts.MaxRedirects == 0:
		opts.MaxRedirects = DefaultMaxRedirects
	case opts.MaxRedirects < 0:
		opts.MaxRedirects = 0
	}
	if opts.MaxFeedItems <= 0 {
		opts.MaxFeedItems = DefaultMaxFeedItems
	}
	if opts.MaxElements <= 0 {
		opts.MaxElements = DefaultMaxElements
	}
	if opts.UserAgent == "" {
		opts.UserAgent = UserAgent("")
	}
	if opts.Clock == nil {
		opts.Clock = briefings.SystemClock{}
	}
	if opts.Resolver == nil {
		opts.Resolver = &net.Resolver{}
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	g := newGuard(opts.AllowHosts, opts.AllowCIDRs)
	if opts.Dial == nil {
		nd := &net.Dialer{ControlContext: controlCheck(g), KeepAlive: 30 * time.Second}
		opts.Dial = nd.DialContext
	}
	d := &dialer{guard: g, resolver: opts.Resolver, dial: opts.Dial, connectTimeout: opts.ConnectTimeout}
	transport := &http.Transport{
		// Never a proxy from the environment: the guard must see the
		// address it connects to.
		Proxy:                  nil,
		DialContext:            d.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    opts.ConnectTimeout,
		DisableCompression:     true, // decompressed here, with a bound
		MaxIdleConns:           64,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	f := &Fetcher{opts: opts, logger: logger}
	f.client = &http.Client{Transport: transport, CheckRedirect: f.checkRedirect}
	return f
}

// Close releases idle connections.
func (f *Fetcher) Close() { f.client.CloseIdleConnections() }

// errTotalTimeout and errConnectTimeout are the causes of the fetcher's own deadlines.
var (
	errTotalTimeout   = errors.New("total fetch timeout")
	errConnectTimeout = errors.New("connect timeout")
)

// redirectError is a redirect the fetcher would not follow.
type redirectError struct {
	to     string
	reason string
}

func (e *redirectError) Error() string { return e.reason }

func (f *Fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > f.opts.MaxRedirects {
		return &redirectError{to: display(req.URL), reason: fmt.Sprintf("stopped after %d redirects", f.opts.MaxRedirects)}
	}
	if err := checkURL(req.URL); err != nil {
		return &redirectError{to: display(req.URL), reason: err.Error()}
	}
	return nil
}

// checkURL accepts absolute http and https URLs with a host and without credentials.
func checkURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	case "":
		return errors.New("the URL has no scheme; write it with http:// or https://")
	default:
		return fmt.Errorf("only http and https URLs are fetched, not %s", u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("the URL has no host")
	}
	if u.User != nil {
		return errors.New("URLs with a user name or password are not fetched")
	}
	return nil
}

// parseURL parses and checks a URL given by a user or a feed.
func parseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, briefings.Errorf(briefings.CodeInvalid, "no URL given; give an http or https URL")
	}
	if len(raw) > maxURLLength {
		return nil, briefings.Errorf(briefings.CodeInvalid, "the URL is %d characters long; at most %d are accepted", len(raw), maxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("%q is not a valid URL", shorten(raw)), err)
	}
	if err := checkURL(u); err != nil {
		return nil, briefings.Errorf(briefings.CodeInvalid, "refusing to fetch %s: %s", display(u), err.Error())
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// kind is what a fetch expects: a page or a feed.
type kind int

const (
	kindPage kind = iota
	kindFeed
)

// response is a fetched body that passed every check.
type response struct {
	url       *url.URL // after redirects
	status    int
	header    http.Header
	mediaType string // lower case, without parameters; sniffed when not sent
	ctype     string // the Content-Type as sent (or sniffed)
	body      []byte
}

// get fetches u and checks status, content type and size. A 304 answer is
// returned with an empty body when the request was conditional.
func (f *Fetcher) get(ctx context.Context, u *url.URL, k kind, header http.Header) (*response, error) {
	start := time.Now()
	ctx, cancel := context.WithTimeoutCause(ctx, f.opts.Timeout, errTotalTimeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("cannot build a request for %s", display(u)), err)
	}
	for key, vals := range header {
		req.Header[key] = vals
	}
	req.Header.Set("User-Agent", f.opts.UserAgent)
	req.Header.Set("Accept-Encoding", "gzip")
	if k == kindPage {
		req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
	} else {
		req.Header.Set("Accept", "application/rss+xml,application/atom+xml,application/feed+json,application/xml;q=0.9,text/xml;q=0.9,application/json;q=0.8,*/*;q=0.1")
	}

	resp, err := f.client.Do(req)
	if err != nil {
		return nil, f.requestError(ctx, u, err)
	}
	defer func() { _ = resp.Body.Close() }()
	final := resp.Request.URL

	if resp.StatusCode == http.StatusNotModified && (header.Get("If-None-Match") != "" || header.Get("If-Modified-Since") != "") {
		f.logger.DebugContext(ctx, "fetch not modified", "url", logURL(final), "duration", time.Since(start))
		return &response{url: final, status: resp.StatusCode, header: resp.Header}, nil
	}
	if err := statusError(final, resp); err != nil {
		return nil, err
	}
	if resp.ContentLength > f.opts.MaxBytes {
		return nil, briefings.Errorf(briefings.CodeInvalid, "refusing to fetch %s: it is %s, more than the %s limit", display(final), sizeString(resp.ContentLength), sizeString(f.opts.MaxBytes))
	}
	ctype := resp.Header.Get("Content-Type")
	mediaType := ""
	if ctype != "" {
		mt, _, err := mime.ParseMediaType(ctype)
		if err != nil {
			return nil, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("refusing to read %s: its Content-Type %q is malformed", display(final), shorten(ctype)), err)
		}
		mediaType = strings.ToLower(mt)
		if err := checkMediaType(final, mediaType, k); err != nil {
			return nil, err
		}
	}

	raw := &cappedReader{r: resp.Body, left: f.opts.MaxBytes}
	var body io.Reader = raw
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(raw)
		if err != nil {
			return nil, f.bodyError(ctx, final, fmt.Errorf("starting gzip: %w", err))
		}
		defer func() { _ = zr.Close() }()
		body = zr
	default:
		return nil, briefings.Errorf(briefings.CodeInvalid, "refusing to read %s: it is compressed with %q, which briefbot does not decode (only gzip)", display(final), shorten(enc))
	}
	data, err := readAtMost(body, f.opts.MaxBytes)
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("stopped reading %s at the %s limit: the response is larger (it was not ingested)", display(final), sizeString(f.opts.MaxBytes)), err)
		}
		return nil, f.bodyError(ctx, final, err)
	}
	if mediaType == "" {
		ctype = http.DetectContentType(data)
		mediaType, _, _ = mime.ParseMediaType(ctype)
		// A feed sniffs as text/xml or text/plain; check with the type it has.
		if err := checkMediaType(final, mediaType, k); err != nil {
			return nil, err
		}
	}
	f.logger.DebugContext(ctx, "fetched", "url", logURL(final), "status", resp.StatusCode, "type", mediaType, "bytes", len(data), "duration", time.Since(start))
	return &response{url: final, status: resp.StatusCode, header: resp.Header, mediaType: mediaType, ctype: ctype, body: data}, nil
}

// errTooLarge is returned when a body passes its byte limit.
var errTooLarge = errors.New("response body exceeds the size limit")

// cappedReader reads at most left bytes from r and fails with errTooLarge
// past them; it bounds the compressed stream, which the decompressed
// limit alone would not (a stream of empty gzip blocks never ends).
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errTooLarge
	}
	return n, err
}

// readAtMost reads r to its end, failing with errTooLarge when it holds more
// than limit bytes. It reads at most limit+1 bytes.
func readAtMost(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, errTooLarge
	}
	return data, nil
}

// HTTPStatusError is the cause inside the *briefings.Error returned for an
// unsuccessful HTTP status, for callers that back off (a feed poller).
type HTTPStatusError struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// RetryAfter is the server's Retry-After, zero when it sent none.
	RetryAfter time.Duration
}

// Error implements error.
func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

func statusError(u *url.URL, resp *http.Response) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	se := &HTTPStatusError{StatusCode: code}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs > 0 {
			se.RetryAfter = time.Duration(secs) * time.Second
		} else if t, err := http.ParseTime(ra); err == nil {
			se.RetryAfter = time.Until(t)
		}
	}
	status := strconv.Itoa(code) + " " + http.StatusText(code)
	switch {
	case code == http.StatusNotFound || code == http.StatusGone:
		return briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("%s answered %s; check the URL", display(u), status), se)
	case code == http.StatusTooManyRequests || code >= 500:
		return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("%s answered %s; try again later", display(u), status), se)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("%s answered %s: the page is not public, so briefbot cannot read it", display(u), status), se)
	case code == http.StatusNotModified:
		return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("%s answered %s to a request that was not conditional; try again later", display(u), status), se)
	case code >= 300 && code < 400:
		return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("%s answered %s without a usable Location", display(u), status), se)
	default:
		return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("%s answered %s", display(u), status), se)
	}
}

// checkMediaType refuses what is neither a page nor a feed, naming what it is.
func checkMediaType(u *url.URL, mt string, k kind) error {
	if k == kindPage {
		switch mt {
		case "text/html", "application/xhtml+xml":
			return nil
		}
		return briefings.Errorf(briefings.CodeInvalid, "refusing to read %s: it is %s (%s), not a web page; only HTML pages can be ingested", display(u), describeMediaType(mt), mt)
	}
	switch {
	case mt == "application/rss+xml", mt == "application/atom+xml", mt == "application/feed+json",
		mt == "application/json", mt == "application/xml", mt == "text/xml", mt == "application/rdf+xml",
		mt == "application/x-rss+xml", mt == "application/x-atom+xml", mt == "text/plain",
		strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+xml"):
		return nil
	case mt == "text/html", mt == "application/xhtml+xml":
		return nil // FetchFeed explains, naming the page's own feed when it links one
	}
	return briefings.Errorf(briefings.CodeInvalid, "refusing to read %s: it is %s (%s), not a feed; RSS, Atom and JSON feeds can be read", display(u), describeMediaType(mt), mt)
}

func describeMediaType(mt string) string {
	switch {
	case strings.HasPrefix(mt, "image/"):
		return "an image"
	case mt == "application/pdf":
		return "a PDF document"
	case strings.HasPrefix(mt, "video/"):
		return "a video"
	case strings.HasPrefix(mt, "audio/"):
		return "an audio file"
	case strings.HasPrefix(mt, "font/"):
		return "a font"
	case mt == "text/plain":
		return "plain text"
	case mt == "text/html", mt == "application/xhtml+xml":
		return "a web page"
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "json"), strings.HasSuffix(mt, "xml"):
		return "a " + mt + " document"
	}
	return "a binary file"
}

// requestError turns a failed request into a clear *briefings.Error.
func (f *Fetcher) requestError(ctx context.Context, u *url.URL, err error) error {
	target := display(u)
	var ue *url.Error
	if errors.As(err, &ue) {
		if pu, perr := url.Parse(ue.URL); perr == nil {
			target = display(pu)
		}
	}
	var ref *refusal
	if errors.As(err, &ref) {
		f.logger.WarnContext(ctx, "refused to fetch a special-purpose address", "url", target, "reason", ref.Error())
		msg := fmt.Sprintf("refusing to fetch %s: %s", target, ref.Error())
		if ref.host != "" {
			msg += "; if this is an intranet source, add its host to the fetch allow-list"
		}
		return briefings.WrapError(briefings.CodeInvalid, msg, ref)
	}
	var rd *redirectError
	if errors.As(err, &rd) {
		return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("refusing to follow the redirect from %s to %s: %s", display(u), rd.to, rd.reason), rd)
	}
	var le *lookupError
	if errors.As(err, &le) {
		var dnsErr *net.DNSError
		if errors.As(le, &dnsErr) && dnsErr.IsNotFound {
			return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("could not fetch %s: the host %s does not exist; check the URL", target, le.host), err)
		}
		if errors.Is(le, errNoAddress) {
			return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("could not fetch %s: the host %s has no addresses", target, le.host), err)
		}
	}
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuth) || errors.As(err, &hostErr) {
		return briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("could not fetch %s: its TLS certificate is not valid", target), err)
	}
	return f.bodyError(ctx, u, err)
}

// bodyError classifies a transport failure: timeouts, cancellation, resets.
func (f *Fetcher) bodyError(ctx context.Context, u *url.URL, err error) error {
	switch cause := context.Cause(ctx); {
	case errors.Is(cause, errTotalTimeout) || errors.Is(err, errTotalTimeout):
		return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("fetching %s timed out after %s; the server is too slow, try again later", display(u), f.opts.Timeout), err)
	case errors.Is(err, errConnectTimeout):
		return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("could not connect to %s within %s; try again later", u.Host, f.opts.ConnectTimeout), err)
	case ctx.Err() != nil:
		return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("fetching %s was cancelled", display(u)), err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("fetching %s timed out; try again later", display(u)), err)
	}
	return briefings.WrapError(briefings.CodeUnavailable, fmt.Sprintf("could not fetch %s: the connection failed; try again later", display(u)), err)
}

// display renders a URL for a message: without credentials, and shortened.
func display(u *url.URL) string {
	c := *u
	c.User = nil
	return shorten(c.String())
}

// shorten cuts s to a length fit for a message.
func shorten(s string) string {
	const max = 200
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// logURL renders a URL for logs: scheme, host and path only, since query
// strings of private feeds can hold tokens.
func logURL(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

// sizeString renders a byte count for a message.
func sizeString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
