package eval

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
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

// The floors the extractor must hold on the development corpus. They are
// below today's scores, so that a change that loses ground fails here.
const (
	floorFactsF1  = 0.85
	floorPeopleF1 = 0.90
	floorDatesF1  = 0.85
)

func TestDevCorpusFloors(t *testing.T) {
	cases, err := LoadCorpus(devDir(t))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(context.Background(), extract.New(), cases)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	WriteTable(&buf, r, true)
	t.Log("\n" + buf.String())
	if f := r.Facts.F1(); f < floorFactsF1 {
		t.Errorf("facts micro-F1 %.3f, floor %.2f", f, floorFactsF1)
	}
	if f := r.Totals[KindPeople].F1(); f < floorPeopleF1 {
		t.Errorf("people F1 %.3f, floor %.2f", f, floorPeopleF1)
	}
	if f := r.Totals[KindDates].F1(); f < floorDatesF1 {
		t.Errorf("dates F1 %.3f, floor %.2f", f, floorDatesF1)
	}
	if len(r.Negatives) > 0 {
		t.Errorf("%d negatives produced: %+v", len(r.Negatives), r.Negatives)
	}
	// Most claims must be checkable, or "no negative produced" means little.
	if r.Checked < 30 {
		t.Errorf("only %d of %d negative claims could be checked", r.Checked, r.Checked+r.Unchecked)
	}
}

// Every gold item of the seed article is found, and neither negative.
func TestSeedGold(t *testing.T) {
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
	want := map[string]int{KindMeetings: 2, KindAgreements: 3, KindWithdrawals: 3, KindThreats: 1, KindDates: 8, KindPeople: 3}
	for kind, n := range want {
		c := r.Totals[kind]
		if c.TP != n || c.FN != 0 {
			t.Errorf("%s: found %d of %d (missed %d)", kind, c.TP, n, c.FN)
		}
		if c.FP != 0 {
			t.Errorf("%s: %d extra items", kind, c.FP)
		}
	}
	if r.Checked != 2 || len(r.Negatives) != 0 {
		t.Errorf("negatives: %d checked, %d produced: %+v", r.Checked, len(r.Negatives), r.Negatives)
	}
	if t.Failed() {
		var buf bytes.Buffer
		WriteTable(&buf, r, true)
		t.Log("\n" + buf.String())
	}
}

func TestFromFactsSchema(t *testing.T) {
	as, err := sample.Articles()
	if err != nil {
		t.Fatal(err)
	}
	f, err := extract.New().Extract(context.Background(), as[0])
	if err != nil {
		t.Fatal(err)
	}
	d := FromFacts("niger-us-withdrawal.txt", as[0], f)
	if len(d.Meetings) != 2 || len(d.Agreements) != 3 || len(d.Withdrawals) != 3 || len(d.Threats) != 1 {
		t.Fatalf("counts %d/%d/%d/%d, want 2/3/3/1", len(d.Meetings), len(d.Agreements), len(d.Withdrawals), len(d.Threats))
	}
	m := d.Meetings[0]
	if strings.Join(m.Participants, " | ") != "Kurt Campbell (Deputy Secretary of State, United States) | Ali Lamine Zeine (Prime Minister, Niger)" {
		t.Errorf("participants %q", m.Participants)
	}
	if m.Date == nil || *m.Date != "2024-04-19" || m.Place == nil || *m.Place != "Washington, DC" || m.Mode != "in-person" {
		t.Errorf("meeting %+v", m)
	}
	for _, w := range d.Withdrawals {
		if !strings.Contains(as[0].Text, w.Evidence) {
			t.Errorf("evidence %q is not in the article", w.Evidence)
		}
	}
	if len(d.KeyFacts) < 5 || len(d.KeyFacts) > 8 {
		t.Errorf("%d key facts, want 5 to 8", len(d.KeyFacts))
	}
}
