package briefings_test

import (
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings"
)

// history builds a status from a compact description: one letter per event
// in time order (d demanded, a agreed, u under way, c completed), upper
// case for hedged evidence.
func history(desc string) briefings.Status {
	stages := map[rune]string{'d': briefings.StageDemanded, 'a': briefings.StageAgreed, 'u': briefings.StageUnderWay, 'c': briefings.StageCompleted}
	var h []briefings.StatusEvent
	for i, r := range desc {
		e := briefings.StatusEvent{FactID: string(rune('A' + i)), Stage: stages[r|0x20], Modality: briefings.Asserted}
		if r < 'a' {
			e.Modality = briefings.Hedged
		}
		h = append(h, e)
	}
	return briefings.Status{History: h}
}

func ids(h []briefings.StatusEvent) string {
	var b strings.Builder
	for _, e := range h {
		b.WriteString(e.FactID)
	}
	return b.String()
}

func TestCompactHistory(t *testing.T) {
	tests := []struct {
		name, desc string
		limit      int
		want       string // fact ids kept, in time order
	}{
		{"no limit", "ddaau", 0, "ABCDE"},
		{"fits", "ddaau", 5, "ABCDE"},
		{"stage runs then latest", "dddddaaaaauuuuu", 6, "AFKMNO"},
		{"latest and stage-setting event when hedged news comes last", "dddaaaC", 2, "FG"},
		{"a limit of one keeps the latest", "dddaaaC", 1, "G"},
		{"latest runs when there are many", "dadadadadada", 4, "IJKL"},
		{"every run start with room", "ddddaaaauuuucccc", 8, "AEILMNOP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(briefings.CompactHistory(history(tt.desc), tt.limit))
			if got != tt.want {
				t.Errorf("CompactHistory(%q, %d) = %s; want %s", tt.desc, tt.limit, got, tt.want)
			}
		})
	}
}
