package memstore

import (
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
