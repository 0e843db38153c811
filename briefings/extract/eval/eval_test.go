package eval

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/sample"
)

// devDir is the development corpus, read in place (never copied into the
// repository).
func devDir(t testing.TB) string {
	dir := filepath.Join("..", "..", "..", "..", "shared", "corpus", "dev")
	if _, err := os.Stat(filepath.Join(dir, "articles")); err != nil {
		t.Skipf("development corpus not found at %s (it lives beside the repository in ../shared/corpus/dev): %v", dir, err)
	}
	return dir
}

func TestDevCorpusReport(t *testing.T) {
	cases, err := LoadCorpus(devDir(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(context.Background(), extract.New(), cases)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		WriteTable(os.Stdout, r, true)
	}
}

func TestSeedReport(t *testing.T) {
	as, err := sample.Articles()
	if err != nil {
		t.Fatal(err)
	}
	g, err := LoadGold(filepath.Join("..", "testdata", "seed-gold.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(context.Background(), extract.New(), []Case{{Name: "seed", Article: as[0], Gold: g}})
	if err != nil {
		t.Fatal(err)
	}
	if testing.Verbose() {
		WriteTable(os.Stdout, r, true)
	}
}
