package fetch

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// benchPage builds a realistic news page of about 48 KB: the test article
// with a long navigation menu, a large inline script, tracking markup, a
// 20-paragraph body, related links and a footer.
func benchPage(tb testing.TB) []byte {
	page := string(readTestdata(tb, "article.html"))
	var nav strings.Builder
	for i := range 80 {
		fmt.Fprintf(&nav, "<li><a href=\"/section/%d\">Section %d</a></li>\n", i, i)
	}
	page = strings.Replace(page, "</ul>\n  </nav>", nav.String()+"</ul>\n  </nav>", 1)
	script := "<script>" + strings.Repeat("window.__cfg = Object.assign(window.__cfg || {}, {ads: true, slots: ['top', 'side', 'bottom'], consent: null});\n", 300) + "</script>"
	page = strings.Replace(page, "</head>", script+"\n</head>", 1)
	sentences := []string{
		"Customs officials said the backlog of lorries would take several days to clear.",
		"Drivers at the crossing described long queues and rising costs for food and water.",
		"The joint committee is expected to publish its first findings before the end of the quarter.",
		"Traders in Lomé and Accra said prices for cement and rice had risen sharply during the closure.",
		"Diplomats from neighbouring countries followed the talks closely, wary of a wider trade dispute.",
	}
	var body strings.Builder
	for i := range 20 {
		body.WriteString("<p>")
		for j := range 4 {
			body.WriteString(sentences[(i+j)%len(sentences)])
			body.WriteByte(' ')
		}
		body.WriteString("</p>\n")
		if i%5 == 4 {
			body.WriteString(`<div class="ad-slot" data-slot="inline"><span>Advertisement</span></div>` + "\n")
		}
	}
	page = strings.Replace(page, "</article>", body.String()+"</article>", 1)
	return []byte(page)
}

// BenchmarkFetchArticle fetches and reads a realistic page from a loopback
// server: HTTP, the address guard, charset detection, html.Parse, the
// metadata scan, readability and text normalization.
//
//	go test ./briefings/fetch -run '^$' -bench FetchArticle -benchmem
func BenchmarkFetchArticle(b *testing.B) {
	page := benchPage(b)
	srv := httptest.NewServer(serveBytes("text/html; charset=utf-8", page))
	defer srv.Close()
	f := New(Options{AllowCIDRs: loopback(), Resolver: fakeResolver{}}, nil)
	defer f.Close()
	ctx := context.Background()
	if a, err := f.FetchArticle(ctx, srv.URL+"/story"); err != nil || len(a.Text) < 3000 {
		b.Fatalf("the benchmark page does not read as an article: %v (%d chars)", err, len(a.Text))
	}
	b.Run("serial", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		n := 0
		start := time.Now()
		for b.Loop() {
			if _, err := f.FetchArticle(ctx, srv.URL+"/story"); err != nil {
				b.Fatal(err)
			}
			n++
		}
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "pages/s")
	})
	b.Run("parallel", func(b *testing.B) {
		b.SetBytes(int64(len(page)))
		b.ReportAllocs()
		var n atomic.Int64
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := f.FetchArticle(ctx, srv.URL+"/story"); err != nil {
					b.Error(err)
					return
				}
				n.Add(1)
			}
		})
		b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "pages/s")
	})
}

// BenchmarkParseArticle is the extraction alone, without HTTP.
//
//	go test ./briefings/fetch -run '^$' -bench ParseArticle -benchmem
func BenchmarkParseArticle(b *testing.B) {
	page := benchPage(b)
	f := New(Options{}, nil)
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.ParseArticle("https://ledger.example/story", page, "text/html; charset=utf-8"); err != nil {
			b.Fatal(err)
		}
	}
}
