package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/storetest"
)

// openTest opens a store on a new file in a temporary directory.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	s, err := OpenOptions(t.Context(), filepath.Join(t.TempDir(), "briefbot.db"), nil, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) briefings.Store { return openTest(t, Options{}) })
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) briefings.Store {
		s, err := Open(t.Context(), MemoryPath, nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}
