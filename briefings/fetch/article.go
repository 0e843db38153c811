package fetch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode"

	readability "codeberg.org/readeck/go-readability/v2"
	"codeberg.org/readeck/go-readability/v2/render"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/net/publicsuffix"

	"github.com/briefbot/briefbot/briefings"
)

// Where a page's publication date came from (Page.PublishedFrom).
const (
	// FromArticleMeta is <meta property="article:published_time">.
	FromArticleMeta = "article:published_time"
	// FromJSONLD is the datePublished of a schema.org JSON-LD article.
	FromJSONLD = "JSON-LD datePublished"
	// FromItemprop is a microdata <meta itemprop="datePublished">.
	FromItemprop = "itemprop datePublished"
	// FromTimeElement is a <time datetime> element of the article.
	FromTimeElement = "<time datetime>"
	// FromOtherMeta is another date meta tag (Dublin Core, parsely, ...).
	FromOtherMeta = "date meta tag"
)

// Page is an article read from a web page, with what the fetcher learnt
// about it on the way.
type Page struct {
	// Article is the article: title, canonical URL as Source and URL,
	// publication date (zero when unknown), readable text, hash and id.
	Article briefings.Article
	// FinalURL is the URL the page was served from, after redirects.
	FinalURL string
	// PublishedFrom names the metadata the publication date came from
	// (one of the From constants); empty when the date is unknown.
	PublishedFrom string
	// Notes are things a person ingesting the page should know, such as
	// "publication date unknown: ...".
	Notes []string
}

// FetchArticle fetches an HTML page and returns its article: the readable
// text without navigation and boilerplate, the title, the publication date
// from the page's metadata (zero, and so unknown, when it has none), and the
// canonical URL as Source and URL, with Hash and ID derived from the text.
// Ingested and Story are left for the store. FetchPage also tells where
// the date came from and what was noticed on the way.
func (f *Fetcher) FetchArticle(ctx context.Context, rawURL string) (briefings.Article, error) {
	p, err := f.FetchPage(ctx, rawURL)
	if err != nil {
		return briefings.Article{}, err
	}
	return p.Article, nil
}

// FetchPage fetches an HTML page and reads its article; see FetchArticle.
func (f *Fetcher) FetchPage(ctx context.Context, rawURL string) (Page, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return Page{}, err
	}
	resp, err := f.get(ctx, u, kindPage, nil)
	if err != nil {
		return Page{}, err
	}
	return f.parsePage(ctx, resp.url, resp.body, resp.ctype)
}

// ParseArticle reads the article of an HTML document already in hand (a
// saved page, a test fixture): pageURL is where it was served from and
// resolves relative links; contentType may be empty, and names the charset
// when the document does not. Input is bounded by Options.MaxBytes.
func (f *Fetcher) ParseArticle(pageURL string, body []byte, contentType string) (Page, error) {
	u, err := parseURL(pageURL)
	if err != nil {
		return Page{}, err
	}
	if int64(len(body)) > f.opts.MaxBytes {
		return Page{}, briefings.Errorf(briefings.CodeInvalid, "the page %s is %s, more than the %s limit", display(u), sizeString(int64(len(body))), sizeString(f.opts.MaxBytes))
	}
	return f.parsePage(context.Background(), u, body, contentType)
}

func (f *Fetcher) parsePage(ctx context.Context, u *url.URL, body []byte, contentType string) (Page, error) {
	if enc, name, _ := charset.DetermineEncoding(body, contentType); name != "utf-8" {
		decoded, err := enc.NewDecoder().Bytes(body)
		if err != nil {
			return Page{}, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("the page %s could not be decoded from %s", display(u), name), err)
		}
		body = decoded
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return Page{}, briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("the page %s is not readable HTML", display(u)), err)
	}
	meta := scanMeta(doc, f.opts.MaxElements)
	if meta.elements > f.opts.MaxElements {
		return Page{}, briefings.Errorf(briefings.CodeInvalid, "the page %s has more than %d HTML elements; it is too large to read as an article", display(u), f.opts.MaxElements)
	}

	title, text, err := readable(doc, u)
	if err != nil {
		return Page{}, err
	}
	if words := len(strings.Fields(text)); words < minArticleWords {
		return Page{}, briefings.Errorf(briefings.CodeInvalid, "found no readable article text in %s (%d words, fewer than %d); it may be an index page, or need JavaScript to show its text", display(u), words, minArticleWords)
	}
	if len(text) > briefings.MaxArticleBytes {
		return Page{}, briefings.Errorf(briefings.CodeInvalid, "the article text of %s is %s, more than the %s an article may have", display(u), sizeString(int64(len(text))), sizeString(briefings.MaxArticleBytes))
	}

	p := Page{FinalURL: u.String()}
	canonical := u.String()
	if c, note := meta.canonicalURL(u); c != "" {
		canonical = c
	} else if note != "" {
		p.Notes = append(p.Notes, note)
	}
	if title == "" {
		p.Notes = append(p.Notes, "the page has no title")
	}
	published, from, notes := meta.published(f.opts.Clock.Now())
	p.Notes = append(p.Notes, notes...)
	if from == "" {
		p.Notes = append(p.Notes, "publication date unknown: the page has no article:published_time, JSON-LD datePublished or <time datetime>; relative dates in it cannot be resolved")
	}
	p.PublishedFrom = from
	hash := briefings.ContentHash(text)
	p.Article = briefings.Article{
		ID:        briefings.ArticleID(hash),
		Title:     title,
		Source:    canonical,
		URL:       canonical,
		Published: published,
		Text:      text,
		Hash:      hash,
	}
	f.logger.DebugContext(ctx, "read article", "url", logURL(u), "title", title, "chars", len(text), "published_from", from)
	return p, nil
}

// readable runs readability on doc and returns the title and the text, one
// paragraph per line. A panic in the parser is a bug (CodeInternal, which
// the fuzz target reports) that must cost one page, not the process.
func readable(doc *html.Node, u *url.URL) (title, text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			title, text = "", ""
			err = briefings.WrapError(briefings.CodeInternal, fmt.Sprintf("could not read the article in %s", display(u)), fmt.Errorf("readability panic: %v", r))
		}
	}()
	parser := readability.NewParser()
	parser.Logger = slog.New(slog.DiscardHandler)
	ra, err := parser.ParseAndMutate(doc, u)
	if err != nil {
		return "", "", briefings.WrapError(briefings.CodeInvalid, fmt.Sprintf("could not find the article in %s", display(u)), err)
	}
	if ra.Node != nil {
		text = paragraphs(render.InnerText(ra.Node))
	}
	return oneLine(ra.Title()), text, nil
}

// paragraphs normalizes rendered text to one paragraph per line: runs of
// white space inside a line fold to one space and empty lines go.
func paragraphs(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for line := range strings.SplitSeq(s, "\n") {
		line = oneLine(line)
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	return b.String()
}

// oneLine folds every run of white space (including no-break spaces) to one
// space and trims the ends.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// minArticleWords is the fewest words a page's readable text must have to
// count as an article; a short news brief has two or three sentences.
const minArticleWords = 20

// Bounds on what the metadata scan keeps from one page.
const (
	maxJSONLD      = 16
	maxJSONLDBytes = 256 << 10
	maxTimes       = 64
)

// pageMeta is the metadata the readability parser does not give: where the
// date came from, the canonical URL and <time> elements.
type pageMeta struct {
	elements  int
	meta      map[string]string // first value of each meta property/name/itemprop, lower-cased key
	canonical string            // href of the first link rel=canonical
	jsonLD    []string          // raw JSON-LD scripts
	times     []timeElem
}

type timeElem struct {
	datetime  string
	published bool // itemprop=datePublished, pubdate, or a class naming publication
	inArticle bool // inside <article> or <main>
}

// scanMeta walks doc once, iteratively, and collects metadata. It stops
// counting elements past limit.
func scanMeta(doc *html.Node, limit int) pageMeta {
	m := pageMeta{meta: make(map[string]string)}
	type frame struct {
		n         *html.Node
		inArticle bool
	}
	stack := []frame{{n: doc}}
	for len(stack) > 0 {
		fr := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		n, inArticle := fr.n, fr.inArticle
		if n.Type == html.ElementNode {
			m.elements++
			if m.elements > limit {
				return m
			}
			switch n.DataAtom {
			case atom.Meta:
				content := strings.TrimSpace(attr(n, "content"))
				if content != "" {
					for _, key := range []string{attr(n, "property"), attr(n, "name"), attr(n, "itemprop")} {
						key = strings.ToLower(strings.TrimSpace(key))
						if _, seen := m.meta[key]; key != "" && !seen {
							m.meta[key] = content
						}
					}
				}
			case atom.Link:
				if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
					m.canonical = strings.TrimSpace(attr(n, "href"))
				}
			case atom.Script:
				if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") && len(m.jsonLD) < maxJSONLD {
					if t := textOf(n); len(t) <= maxJSONLDBytes {
						m.jsonLD = append(m.jsonLD, t)
					}
				}
				continue // no elements inside
			case atom.Time:
				if dt := strings.TrimSpace(attr(n, "datetime")); dt != "" && len(m.times) < maxTimes {
					_, pubdate := attrOK(n, "pubdate")
					class := strings.ToLower(attr(n, "class"))
					m.times = append(m.times, timeElem{
						datetime:  dt,
						published: strings.EqualFold(attr(n, "itemprop"), "datePublished") || pubdate || strings.Contains(class, "publish"),
						inArticle: inArticle,
					})
				}
			case atom.Article, atom.Main:
				inArticle = true
			}
		}
		// Push children in reverse so they are visited in document order.
		for c := n.LastChild; c != nil; c = c.PrevSibling {
			stack = append(stack, frame{n: c, inArticle: inArticle})
		}
	}
	return m
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val, true
		}
	}
	return "", false
}

func hasToken(list, token string) bool {
	for _, t := range strings.Fields(list) {
		if strings.EqualFold(t, token) {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// canonicalURL returns the page's canonical URL (link rel=canonical, else
// og:url) resolved against base, or a note saying why it was ignored. A
// canonical URL on another site is ignored: a page must not be able to
// claim another site's article.
func (m pageMeta) canonicalURL(base *url.URL) (string, string) {
	for _, raw := range []string{m.canonical, m.meta["og:url"]} {
		if raw == "" {
			continue
		}
		ref, err := url.Parse(raw)
		if err != nil {
			return "", fmt.Sprintf("ignored the malformed canonical URL %q", shorten(raw))
		}
		c := base.ResolveReference(ref)
		c.Fragment, c.RawFragment = "", ""
		if checkURL(c) != nil {
			return "", fmt.Sprintf("ignored the canonical URL %s: not an http or https URL", shorten(c.String()))
		}
		if !sameSite(c, base) {
			return "", fmt.Sprintf("ignored the canonical URL %s: it is on another site than %s", display(c), base.Hostname())
		}
		if len(c.String()) > maxURLLength {
			return "", "ignored a canonical URL longer than the URL limit"
		}
		return c.String(), ""
	}
	return "", ""
}

// sameSite reports whether a and b share a registrable domain (example.co.uk
// for www.example.co.uk and news.example.co.uk), or an IP literal host.
func sameSite(a, b *url.URL) bool {
	ha, hb := strings.ToLower(a.Hostname()), strings.ToLower(b.Hostname())
	if ha == hb {
		return true
	}
	sa, errA := publicsuffix.EffectiveTLDPlusOne(ha)
	sb, errB := publicsuffix.EffectiveTLDPlusOne(hb)
	return errA == nil && errB == nil && sa == sb
}

// published returns the publication date, where it came from, and notes
// on dates that were found but not used. Dates after now plus a day of
// time-zone slack, or before 1990, are implausible and ignored.
func (m pageMeta) published(now time.Time) (time.Time, string, []string) {
	var notes []string
	try := func(raw, from string) (time.Time, bool) {
		if raw == "" {
			return time.Time{}, false
		}
		t, ok := parseDate(raw)
		if !ok {
			notes = append(notes, fmt.Sprintf("ignored the unreadable %s %q", from, shorten(raw)))
			return time.Time{}, false
		}
		if t.Year() < 1990 || t.After(now.Add(36*time.Hour)) {
			notes = append(notes, fmt.Sprintf("ignored the implausible %s %s", from, t.Format(time.RFC3339)))
			return time.Time{}, false
		}
		return t, true
	}
	if t, ok := try(m.meta["article:published_time"], FromArticleMeta); ok {
		return t, FromArticleMeta, notes
	}
	for _, raw := range m.jsonLD {
		if t, ok := try(jsonLDPublished(raw), FromJSONLD); ok {
			return t, FromJSONLD, notes
		}
	}
	if t, ok := try(m.meta["datepublished"], FromItemprop); ok {
		return t, FromItemprop, notes
	}
	// <time datetime>: one marked as the publication time, else the first
	// inside the article, else the only one on the page.
	for _, pass := range []func(timeElem) bool{
		func(te timeElem) bool { return te.published },
		func(te timeElem) bool { return te.inArticle },
		func(timeElem) bool { return len(m.times) == 1 },
	} {
		for _, te := range m.times {
			if pass(te) {
				if t, ok := try(te.datetime, FromTimeElement); ok {
					return t, FromTimeElement, notes
				}
			}
		}
	}
	for _, key := range []string{"dc.date.issued", "dc.date", "dcterms.issued", "dcterms.created", "date", "pubdate", "publish-date", "parsely-pub-date", "sailthru.date"} {
		if t, ok := try(m.meta[key], FromOtherMeta); ok {
			return t, FromOtherMeta, notes
		}
	}
	return time.Time{}, "", notes
}

// jsonLDPublished returns the datePublished of the first article-like
// object in a JSON-LD script (top level, in an array, or in @graph), else of
// any object that has one.
func jsonLDPublished(raw string) string {
	raw = strings.TrimSpace(raw)
	raw = strings.TrimSuffix(strings.TrimPrefix(raw, "<![CDATA["), "]]>")
	var v any
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return ""
	}
	var objects []map[string]any
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		if depth > 4 || len(objects) > 256 {
			return
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				walk(e, depth+1)
			}
		case map[string]any:
			objects = append(objects, x)
			if g, ok := x["@graph"]; ok {
				walk(g, depth+1)
			}
		}
	}
	walk(v, 0)
	fallback := ""
	for _, o := range objects {
		dp, _ := o["datePublished"].(string)
		if dp == "" {
			continue
		}
		if isArticleType(o["@type"]) {
			return dp
		}
		if fallback == "" {
			fallback = dp
		}
	}
	return fallback
}

func isArticleType(t any) bool {
	switch x := t.(type) {
	case string:
		return strings.HasSuffix(x, "Article") || strings.HasSuffix(x, "Posting") || x == "Report"
	case []any:
		for _, e := range x {
			if isArticleType(e) {
				return true
			}
		}
	}
	return false
}

// parseDate reads the date forms found in page metadata. A date without a
// zone is taken as UTC.
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < 8 || len(s) > 64 {
		return time.Time{}, false
	}
	for _, layout := range [...]string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05.999999999Z0700",
		"2006-01-02T15:04Z07:00",
		"2006-01-02T15:04:05",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02T15:04",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05",
		"2006-01-02 15:04",
		"2006-01-02",
		"20060102",
		time.RFC1123Z,
		time.RFC1123,
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
