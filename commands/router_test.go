package commands_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
	"github.com/briefbot/briefbot/briefings/memstore"
	"github.com/briefbot/briefbot/briefings/sample"
	"github.com/briefbot/briefbot/commands"
)

// seeded returns a router over a store holding the sample article.
func seeded(t *testing.T) *commands.Router {
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

func ask(t *testing.T, r *commands.Router, text string) commands.Response {
	t.Helper()
	resp, err := r.Handle(context.Background(), commands.Request{Platform: "test", Text: text, Now: time.Now()})
	if err != nil {
		t.Fatalf("%s: %v", text, err)
	}
	return resp
}

func TestSeedAnswers(t *testing.T) {
	r := seeded(t)
	tests := []struct {
		cmd  string
		kind commands.Kind
		vis  commands.Visibility
		has  []string
		not  []string
	}{
		{"summary", commands.KindSummary, commands.InChannel, []string{"Kurt Campbell", "Ali Lamine Zeine", "agreed", "Status of Forces Agreement"}, nil},
		{"meetings", commands.KindMeetings, commands.InChannel,
			[]string{"Kurt Campbell (Deputy Secretary of State, US) met Ali Lamine Zeine (Prime Minister, Niger) in Washington, DC", "19 Apr 2024", "second encounter", "week of 15 Apr 2024"}, nil},
		{"meetings chad", commands.KindMeetings, commands.InChannel, []string{"No meetings recorded for Chad", "/brief situation chad"}, nil},
		{"status withdrawal", commands.KindStatus, commands.InChannel,
			[]string{"agreed 19 Apr 2024 — US military withdrawal from Niger", "history: demanded 19 Apr 2024 → agreed 19 Apr 2024", "Department of Defense regarding the timeline", "diplomatic presence in Niger", "expected (planned) reported 20 Apr 2024 — France military withdrawal from Niger", "deadline: within a year"}, nil},
		{"situation chad", commands.KindSituation, commands.InChannel,
			[]string{"Situation: Chad", "threatened to end the Status of Forces Agreement", "no order for US military to leave Chad", "implied", "N’Djamena"}, []string{"Chad ordered"}},
		{"timeline", commands.KindTimeline, commands.InChannel, []string{"summer 2023", "Mar 2024", "week of 8 Apr 2024", "19 Apr 2024"}, nil},
		{"who campbell", commands.KindWho, commands.InChannel, []string{"Kurt Campbell", "Deputy Secretary of State, US", "Meetings"}, nil},
		{`ask "what did Niger want?"`, commands.KindAsk, commands.InChannel, []string{"demanded", "Niger’s demands"}, nil},
		{"sources", commands.KindSources, commands.InChannel, []string{"US to withdraw troops from Niger after talks with Prime Minister Zeine", "20 Apr 2024"}, nil},
		{"help", commands.KindHelp, commands.Ephemeral, []string{"/brief meetings [name]", "/brief situation <country>"}, nil},
		{"meetings --private", commands.KindMeetings, commands.Ephemeral, []string{"Kurt Campbell"}, nil},
		{"", commands.KindSummary, commands.InChannel, []string{"Briefing"}, nil},
		// Bad input gets help, never silence.
		{"statu", commands.KindError, commands.Ephemeral, []string{"Did you mean `status`?"}, nil},
		{"situation", commands.KindError, commands.Ephemeral, []string{"`situation` needs a country", "/brief situation chad"}, nil},
		{"situation atlantis", commands.KindError, commands.Ephemeral, []string{`No article mentions a country called "atlantis"`, "Niger"}, nil},
		{"who nobody-at-all", commands.KindError, commands.Ephemeral, []string{"No one called"}, nil},
		{"sources --loud", commands.KindError, commands.Ephemeral, []string{"unknown flag --loud"}, nil},
		{"ingest https://example.com/a", commands.KindError, commands.Ephemeral, []string{"Only the bot's admins"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			resp := ask(t, r, tt.cmd)
			text := commands.PlainText(resp)
			if resp.Kind != tt.kind || resp.Visibility != tt.vis {
				t.Errorf("kind %q visibility %v, want %q %v\n%s", resp.Kind, resp.Visibility, tt.kind, tt.vis, text)
			}
			for _, h := range tt.has {
				if !strings.Contains(text, h) {
					t.Errorf("answer lacks %q:\n%s", h, text)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(text, n) {
					t.Errorf("answer has %q:\n%s", n, text)
				}
			}
			if resp.Text == "" {
				t.Error("no fallback text")
			}
		})
	}
}

// Two development articles about one process, published on different
// dates: status shows the later stage with both dates in its history.
func TestStatusAcrossDevArticles(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus", "dev", "articles")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("development corpus not found at %s: %v", dir, err)
	}
	st := memstore.New(memstore.Options{})
	svc := briefings.NewService(st, extract.New(), nil, nil)
	// The later article first: the order of ingestion must not matter.
	for _, name := range []string{"02-biden-ghani-call-afghan-withdrawal.txt", "01-us-taliban-doha-agreement.txt"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		a, err := briefings.ParseArticle(name, data)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Ingest(context.Background(), a); err != nil {
			t.Fatal(err)
		}
	}
	r := commands.NewRouter(svc, nil, nil)
	text := commands.PlainText(ask(t, r, "status afghanistan"))
	for _, want := range []string{"planned 1 May 2021 — US military withdrawal from Afghanistan", "history: agreed (reported 29 Feb 2020) → planned 1 May 2021"} {
		if !strings.Contains(text, want) {
			t.Errorf("status lacks %q:\n%s", want, text)
		}
	}
}
