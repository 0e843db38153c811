// Package eval scores the extractor against hand-made gold annotations in
// the corpus format (see ../shared/corpus/dev/README.md), and renders the
// extractor's output in that same schema.
package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// Meta describes the article a document is about.
type Meta struct {
	Article           string `json:"article"`
	Title             string `json:"title,omitempty"`
	Source            string `json:"source,omitempty"`
	Published         string `json:"published,omitempty"`
	PublishedEvidence string `json:"published_evidence,omitempty"`
}

// Meeting is an encounter between named parties.
type Meeting struct {
	Participants []string `json:"participants"`
	Date         *string  `json:"date"`
	Place        *string  `json:"place"`
	Mode         string   `json:"mode"`
	Evidence     string   `json:"evidence"`
	Support      []string `json:"support,omitempty"`
	Note         string   `json:"note,omitempty"`
}

// Agreement is an accord with its status.
type Agreement struct {
	Parties  []string `json:"parties"`
	Subject  string   `json:"subject"`
	Status   string   `json:"status"`
	Date     *string  `json:"date"`
	Place    *string  `json:"place"`
	Evidence string   `json:"evidence"`
	Support  []string `json:"support,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// Withdrawal is a departure with its stage.
type Withdrawal struct {
	Actor    string   `json:"actor"`
	From     string   `json:"from"`
	Status   string   `json:"status"`
	Deadline *string  `json:"deadline"`
	Evidence string   `json:"evidence"`
	Support  []string `json:"support,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// Threat is a party threatening or warning another.
type Threat struct {
	Actor    string   `json:"actor"`
	Target   string   `json:"target"`
	Threat   string   `json:"threat"`
	Date     *string  `json:"date"`
	Evidence string   `json:"evidence"`
	Support  []string `json:"support,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// Negative is a tempting reading an extractor must not produce.
type Negative struct {
	ClaimToAvoid string `json:"claim_to_avoid"`
	Evidence     string `json:"evidence"`
}

// Entities are the names in an article.
type Entities struct {
	People        []string `json:"people"`
	Organizations []string `json:"organizations"`
	Places        []string `json:"places"`
}

// Date is a time expression and its resolved value.
type Date struct {
	Text     string  `json:"text"`
	Resolved *string `json:"resolved"`
	Note     string  `json:"note,omitempty"`
}

// Doc is one article's annotations (gold) or extraction (system output) in
// the corpus's gold schema.
type Doc struct {
	Article     string       `json:"article,omitempty"`
	Meta        *Meta        `json:"meta,omitempty"`
	Meetings    []Meeting    `json:"meetings"`
	Agreements  []Agreement  `json:"agreements"`
	Withdrawals []Withdrawal `json:"withdrawals"`
	Threats     []Threat     `json:"threats"`
	Negatives   []Negative   `json:"negatives,omitempty"`
	Entities    Entities     `json:"entities"`
	Dates       []Date       `json:"dates"`
	KeyFacts    []string     `json:"key_facts"`
}

// Case is one article of a corpus with its gold.
type Case struct {
	Name    string
	Article briefings.Article
	Gold    Doc
}

// LoadCorpus reads DIR/articles/*.txt and DIR/gold/*.json (same base
// names). Articles without gold are an error: the corpus is incomplete.
func LoadCorpus(dir string) ([]Case, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "articles", "*.txt"))
	if err != nil {
		return nil, fmt.Errorf("list articles: %w", err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no articles in %s (expected %s)", dir, filepath.Join(dir, "articles", "*.txt"))
	}
	sort.Strings(paths)
	var out []Case
	for _, p := range paths {
		base := strings.TrimSuffix(filepath.Base(p), ".txt")
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read article: %w", err)
		}
		a, err := briefings.ParseArticle(filepath.Base(p), data)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		g, err := LoadGold(filepath.Join(dir, "gold", base+".json"))
		if err != nil {
			return nil, err
		}
		out = append(out, Case{Name: base, Article: a, Gold: g})
	}
	return out, nil
}

// LoadGold reads one gold file.
func LoadGold(path string) (Doc, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Doc{}, fmt.Errorf("read gold: %w", err)
	}
	var d Doc
	if err := json.Unmarshal(data, &d); err != nil {
		return Doc{}, fmt.Errorf("parse gold %s: %w", path, err)
	}
	return d, nil
}
