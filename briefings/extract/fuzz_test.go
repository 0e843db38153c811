package extract

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// FuzzExtract feeds arbitrary text to the extractor: it must never panic,
// and every fact's evidence must be a sentence of the text.
func FuzzExtract(f *testing.F) {
	for _, s := range []string{
		"US Deputy Secretary of State Kurt Campbell held discussions with Niger’s Prime Minister Ali Lamine Zeine on Friday.",
		"“It was difficult today,” she said. They met on Monday in Niamey.",
		"Doha, Feb 29: The United States signed a historic deal with Taliban insurgents on Saturday.",
		"Mali's government gave the French ambassador 72 hours to leave the country.",
		"the the the ’s ’s “ ” ( ) , , . . . Jr. Jr. U.S. U.S.",
		"Burkina Faso, Mali, and Niger announced their decision to withdraw from ECOWAS.",
		"did not did not order to leave leave leave from from from",
		"",
	} {
		f.Add(s)
	}
	x := New()
	pub := time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			return
		}
		facts, err := x.Extract(context.Background(), briefings.Article{Text: text, Published: pub})
		if err != nil {
			if len(text) <= briefings.MaxArticleBytes {
				t.Fatalf("error on valid input: %v", err)
			}
			return
		}
		for _, fact := range facts.Facts {
			if !strings.Contains(text, fact.Evidence.Text) {
				t.Fatalf("evidence %q is not part of the text", fact.Evidence.Text)
			}
		}
	})
}
