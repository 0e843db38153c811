package console_test

import (
	"testing"

	"github.com/briefbot/briefbot/bot/console/consoletest"
	"github.com/briefbot/briefbot/commands/commandstest"
)

// TestSeedGoldens pins the rendered console output of every seed answer of
// the commands issue — summary, meetings, status withdrawal, situation
// chad, timeline, who campbell, ask, sources, help, and three bad inputs
// (go test ./bot/console -update regenerates them).
func TestSeedGoldens(t *testing.T) {
	for name, resp := range commandstest.SeedResponses(t) {
		t.Run(name, func(t *testing.T) { consoletest.Golden(t, "testdata", name, resp, *update) })
	}
}
