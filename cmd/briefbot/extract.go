package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/extract/eval"
	"github.com/briefbot/briefbot/briefings/sample"
)

func newExtractCommand(a *app) *cobra.Command {
	var published string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "extract [--published DATE] [--json] [FILE...]",
		Short: "Extract meetings, agreements, withdrawals, threats, entities and dates from articles",
		Long: "Reads articles (with the Title/Source/Published header or plain text) and prints what the extractor finds.\n" +
			"Without files it reads the embedded sample article. --json prints the corpus gold schema, one object per article.",
		Example: "  briefbot extract\n  briefbot extract --json article.txt\n  briefbot extract --published 2024-04-20 notes.txt",
		RunE: func(cmd *cobra.Command, args []string) error {
			arts, names, err := loadArticles(args, published)
			if err != nil {
				return err
			}
			x := extract.New()
			var docs []eval.Doc
			for i, art := range arts {
				f, err := x.Extract(a.ctx, art)
				if err != nil {
					return fmt.Errorf("%s: %w", names[i], err)
				}
				d := eval.FromFacts(names[i], art, f)
				if asJSON {
					docs = append(docs, d)
					continue
				}
				writeExtraction(a.stdout, art, d)
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				enc.SetEscapeHTML(false)
				if docs == nil {
					docs = []eval.Doc{}
				}
				if err := enc.Encode(docs); err != nil {
					return fmt.Errorf("write json: %w", err)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&published, "published", "", "publication date (YYYY-MM-DD) for articles whose header has none")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON in the corpus gold schema")
	return cmd
}

// loadArticles reads article files (or the embedded sample when there are
// none), applying a default publication date.
func loadArticles(paths []string, published string) ([]briefings.Article, []string, error) {
	var arts []briefings.Article
	var names []string
	if len(paths) == 0 {
		s, err := sample.Articles()
		if err != nil {
			return nil, nil, err
		}
		for _, a := range s {
			arts = append(arts, a)
			names = append(names, a.Source)
		}
		paths = nil
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", p, err)
		}
		if info.Size() > briefings.MaxArticleBytes {
			return nil, nil, briefings.Errorf(briefings.CodeInvalid, "%s is %d bytes; an article may be at most %d", p, info.Size(), briefings.MaxArticleBytes)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, fmt.Errorf("read %s: %w", p, err)
		}
		art, err := briefings.ParseArticle(filepath.Base(p), data)
		if err != nil {
			return nil, nil, err
		}
		arts = append(arts, art)
		names = append(names, filepath.Base(p))
	}
	if published != "" {
		t, err := briefings.ParseDate(published)
		if err != nil {
			return nil, nil, fmt.Errorf("--published: %w", err)
		}
		for i := range arts {
			if !arts[i].PublishedKnown() {
				arts[i].Published = t
			}
		}
	}
	return arts, names, nil
}

// writeExtraction prints one article's extraction as readable tables.
func writeExtraction(w io.Writer, a briefings.Article, d eval.Doc) {
	pub := "unknown (relative dates are not resolved)"
	if a.PublishedKnown() {
		pub = a.Published.Format("2006-01-02")
	}
	fmt.Fprintf(w, "%s\n  source: %s · published: %s\n", a.Title, a.Source, pub)
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	section := func(name string, n int) bool {
		fmt.Fprintf(w, "\n%s (%d)\n", name, n)
		return n > 0
	}
	if section("Meetings", len(d.Meetings)) {
		fmt.Fprintln(tw, "  date\tmode\tplace\tparticipants")
		for _, m := range d.Meetings {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", orDash(m.Date), m.Mode, orDash(m.Place), strings.Join(m.Participants, "; "))
		}
		tw.Flush()
	}
	if section("Agreements", len(d.Agreements)) {
		fmt.Fprintln(tw, "  date\tstatus\tparties\tsubject")
		for _, g := range d.Agreements {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", orDash(g.Date), g.Status, strings.Join(g.Parties, "; "), clip(g.Subject, 80))
		}
		tw.Flush()
	}
	if section("Withdrawals", len(d.Withdrawals)) {
		fmt.Fprintln(tw, "  stage\tactor\tfrom\tdeadline")
		for _, wd := range d.Withdrawals {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", wd.Status, wd.Actor, wd.From, orDash(wd.Deadline))
		}
		tw.Flush()
	}
	if section("Threats", len(d.Threats)) {
		fmt.Fprintln(tw, "  date\tactor\ttarget\tthreat")
		for _, t := range d.Threats {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", orDash(t.Date), t.Actor, t.Target, clip(t.Threat, 80))
		}
		tw.Flush()
	}
	if section("Dates", len(d.Dates)) {
		for _, dt := range d.Dates {
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", dt.Text, orDash(dt.Resolved), dt.Note)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nPeople: %s\nOrganizations: %s\nPlaces: %s\n\n", strings.Join(d.Entities.People, ", "), strings.Join(d.Entities.Organizations, ", "), strings.Join(d.Entities.Places, ", "))
}

func orDash(s *string) string {
	if s == nil || *s == "" {
		return "—"
	}
	return *s
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func newEvalCommand(a *app) *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "eval DIR",
		Short: "Score the extractor against a gold corpus (DIR/articles/*.txt, DIR/gold/*.json)",
		Long: "Runs the extractor over DIR/articles/*.txt, compares with DIR/gold/*.json and prints precision, recall and F1 per kind,\n" +
			"the micro-F1 over facts, and every gold negative the extractor asserted. The matching rules are in the README.",
		Example: "  briefbot eval ../shared/corpus/dev\n  briefbot eval -v ../shared/corpus/dev",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cases, err := eval.LoadCorpus(args[0])
			if err != nil {
				return err
			}
			r, err := eval.Score(a.ctx, extract.New(), cases)
			if err != nil {
				return err
			}
			eval.WriteTable(a.stdout, r, verbose)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "list every miss, extra item and unchecked negative per article")
	return cmd
}
