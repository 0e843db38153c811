// Package commandstest provides the answers to /brief commands on the
// embedded sample corpus, for the golden tests of every platform's
// renderer (Slack, Discord, console).
package commandstest

import (
	"context"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/briefings/sample"
	"github.com/briefbot/briefbot/commands"
)

// Case is a command and the golden file name of its answer.
type Case struct {
	Name    string
	Command string
}

// SeedCases are the commands whose answers every platform pins with golden
// files: each briefing question, help, and three bad inputs.
func SeedCases() []Case {
	return []Case{
		{"seed-summary", "summary"},
		{"seed-meetings", "meetings"},
		{"seed-status-withdrawal", "status withdrawal"},
		{"seed-situation-chad", "situation chad"},
		{"seed-timeline", "timeline"},
		{"seed-who-campbell", "who campbell"},
		{"seed-ask-niger", `ask "what did Niger want?"`},
		{"seed-sources", "sources"},
		{"seed-help", "help"},
		{"seed-help-status", "help status"},
		{"seed-bad-unknown-command", "statu"},
		{"seed-bad-missing-country", "situation"},
		{"seed-bad-unknown-country", "situation atlantis"},
	}
}

// SeedRouter returns a router over an in-memory store holding the sample
// corpus, at a fixed time.
func SeedRouter(t testing.TB) *commands.Router {
	t.Helper()
	clock := briefings.ClockFunc(func() time.Time { return time.Date(2024, 4, 21, 9, 0, 0, 0, time.UTC) })
	st := memstore.New(memstore.Options{Clock: clock})
	svc := briefings.NewService(st, extract.New(), clock, nil)
	arts, err := sample.Articles()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		if _, err := svc.Ingest(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	return commands.NewRouter(svc, nil, nil)
}

// SeedResponses answers every seed case.
func SeedResponses(t testing.TB) map[string]commands.Response {
	t.Helper()
	r := SeedRouter(t)
	out := map[string]commands.Response{}
	for _, c := range SeedCases() {
		resp, err := r.Handle(context.Background(), commands.Request{Platform: "test", Workspace: "W", Channel: "C", User: "U", Text: c.Command, Now: time.Date(2024, 4, 21, 9, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatalf("%s: %v", c.Command, err)
		}
		out[c.Name] = resp
	}
	return out
}
