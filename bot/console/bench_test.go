package console_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/bot/console"
	"github.com/briefbot/briefbot/commands"
)

// bigResponse is a long timeline: n items, each with a note and a
// citation.
func bigResponse(n int) commands.Response {
	items := make([]commands.Item, n)
	for i := range items {
		c := citeNiger()
		c.Quote = fmt.Sprintf("%s (%d)", c.Quote, i)
		items[i] = commands.Item{
			Label:     fmt.Sprintf("%d Apr 2024", 1+i%28),
			Text:      "Kurt Campbell (Deputy Secretary of State, United States) met Ali Lamine Zeine (Prime Minister, Niger) in Washington, DC",
			Notes:     []string{"their second encounter that week"},
			Citations: []commands.Citation{c},
		}
	}
	return commands.Response{Kind: commands.KindTimeline, Title: "Timeline", Blocks: []commands.Block{{Type: commands.BlockFacts, Items: items}}, Sources: sources()}
}

func BenchmarkRender(b *testing.B) {
	cases := []struct {
		name string
		resp commands.Response
	}{
		{"meetings", meetingsResponse()},
		{"digest_thread", digestResponse()},
		{"timeline_200", bigResponse(200)},
		{"hostile", hostileResponse()},
	}
	for _, tc := range cases {
		for _, color := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/color=%v", tc.name, color), func(b *testing.B) {
				opts := console.RenderOptions{Color: color, Width: 100}
				b.SetBytes(int64(len(console.Render(tc.resp, opts))))
				b.ReportAllocs()
				for b.Loop() {
					_ = console.Render(tc.resp, opts)
				}
			})
		}
	}
}

// BenchmarkServe measures a piped session: read a line, parse it, call the
// handler, render and write the answer.
func BenchmarkServe(b *testing.B) {
	const lines = 1000
	script := strings.Repeat("/brief meetings campbell\n", lines)
	h := &fakeHandler{}
	b.ReportAllocs()
	for b.Loop() {
		h.reqs = h.reqs[:0]
		c := console.New(console.Config{In: strings.NewReader(script), Out: io.Discard, Width: 100}, nil)
		if err := c.Serve(b.Context(), h); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*lines), "ns/line")
}

func BenchmarkPost(b *testing.B) {
	c := console.New(console.Config{Out: io.Discard, Width: 100}, nil)
	r := digestResponse()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Post(b.Context(), "console", r); err != nil {
			b.Fatal(err)
		}
	}
}
