package discord

import (
	"testing"

	"github.com/briefbot/briefbot/commands/commandstest"
)

// TestSeedGoldens pins the embeds of every seed answer of the commands
// issue (go test ./bot/discord -update regenerates them).
func TestSeedGoldens(t *testing.T) {
	for name, resp := range commandstest.SeedResponses(t) {
		t.Run(name, func(t *testing.T) { goldenRender(t, name, resp) })
	}
}
