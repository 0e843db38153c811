// Package sample holds briefbot's own sample corpus, embedded in the binary:
// the article a fresh installation starts with, so that /brief has
// something to answer before anyone ingests their own sources.
package sample

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"

	"github.com/briefbot/briefbot/briefings"
)

//go:embed seed/*.txt
var files embed.FS

// Articles parses and returns the embedded articles, in file-name order.
func Articles() ([]briefings.Article, error) {
	names, err := fs.Glob(files, "seed/*.txt")
	if err != nil {
		return nil, fmt.Errorf("list sample articles: %w", err)
	}
	sort.Strings(names)
	out := make([]briefings.Article, 0, len(names))
	for _, n := range names {
		data, err := files.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("read sample %s: %w", n, err)
		}
		a, err := briefings.ParseArticle(path.Base(n), data)
		if err != nil {
			return nil, fmt.Errorf("parse sample %s: %w", n, err)
		}
		out = append(out, a)
	}
	return out, nil
}
