package memstore

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) briefings.Store {
		s := New(Options{})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestRulesMatchSQLite keeps this package's copy of the store rules equal to
// the SQLite store's (see the note at the top of prepare.go).
func TestRulesMatchSQLite(t *testing.T) {
	mine, err := os.ReadFile("prepare.go")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := os.ReadFile("../sqlite/prepare.go")
	if err != nil {
		t.Fatal(err)
	}
	theirs = bytes.Replace(theirs, []byte("package sqlite\n"), []byte("package memstore\n"), 1)
	if !bytes.Equal(mine, theirs) {
		t.Error("prepare.go differs from briefings/sqlite/prepare.go; copy it over: sed 's/^package sqlite$/package memstore/' ../sqlite/prepare.go > prepare.go")
	}
}

func TestClock(t *testing.T) {
	now := time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.FixedZone("X", 3600))
	s := New(Options{Clock: briefings.ClockFunc(func() time.Time { return now })})
	res, err := s.AddArticle(t.Context(), briefings.Article{Title: "t", Text: "Some text."}, briefings.Facts{})
	if err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 4, 4, 6, 7, 891011000, time.UTC)
	if !res.Article.Ingested.Equal(want) || res.Article.Ingested.Location() != time.UTC {
		t.Errorf("Ingested = %v; want the clock's time to the microsecond in UTC, %v", res.Article.Ingested, want)
	}
}

func TestClosed(t *testing.T) {
	s := New(Options{})
	s.Close()
	if err := s.Ping(t.Context()); briefings.ErrorCode(err) != briefings.CodeUnavailable {
		t.Errorf("Ping after Close = %v; want CodeUnavailable", err)
	}
	if _, err := s.Stats(t.Context()); err == nil {
		t.Error("Stats after Close succeeded")
	}
}
