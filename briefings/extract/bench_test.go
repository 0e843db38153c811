package extract

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/briefings"
)

// BenchmarkExtractDev extracts every article of the development corpus per
// iteration; MB/s is throughput on one core, allocs/op per corpus pass.
func BenchmarkExtractDev(b *testing.B) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "dev", "articles", "*.txt"))
	paths = append(paths, filepath.Join("..", "sample", "seed", "niger-us-withdrawal.txt"))
	var arts []briefings.Article
	size := 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		a, err := briefings.ParseArticle(filepath.Base(p), data)
		if err != nil {
			b.Fatal(err)
		}
		arts = append(arts, a)
		size += len(a.Text)
	}
	x := New()
	ctx := context.Background()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, a := range arts {
			if _, err := x.Extract(ctx, a); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(arts))/b.Elapsed().Seconds(), "articles/s")
}

// BenchmarkNew measures building the extractor's gazetteers (once per
// process).
func BenchmarkNew(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		New()
	}
}
