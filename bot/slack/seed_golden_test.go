package slack

import (
	"testing"

	"github.com/briefbot/briefbot/commands/commandstest"
)

// TestSeedGoldens pins the Block Kit of every seed answer of the commands
// issue (go test ./bot/slack -update regenerates them).
func TestSeedGoldens(t *testing.T) {
	for name, resp := range commandstest.SeedResponses(t) {
		t.Run(name, func(t *testing.T) { checkGolden(t, name, resp) })
	}
}
