package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckLoopback(t *testing.T) {
	cases := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},
		{"127.0.0.2:8080", true},
		{"[::1]:8080", true},
		{"localhost:9000", true},
		{"10.0.0.1:8080", false},
		{"192.168.1.10:80", false},
		{"0.0.0.0:8080", false},
		{"example.org:80", false},
		{":8080", false},
		{"127.0.0.1", false},
		{"127.0.0.1:http", false},
	}
	for _, c := range cases {
		if err := checkLoopback(c.addr); (err == nil) != c.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", c.addr, err, c.ok)
		}
	}
}

// Flags outside the bounds are refused with the bound in the message.
func TestParseOptionsBounds(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "10.1.2.3:80"}, "not a loopback address"},
		{[]string{"-rate", "0"}, "-rate"},
		{[]string{"-rate", "100000"}, "-rate"},
		{[]string{"-duration", "1h"}, "-duration"},
		{[]string{"-rate", "5000", "-duration", "10m"}, "at most 3000000"},
		{[]string{"-articles", "0"}, "-articles"},
		{[]string{"-platforms", "slack,irc"}, "-platforms"},
		{[]string{"extra"}, "unexpected arguments"},
	}
	for _, c := range cases {
		_, err := parseOptions(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
	o, err := parseOptions(nil, io.Discard)
	if err != nil || o.rate != 1000 || o.duration != time.Minute || o.articles != 10000 || len(o.platforms) != 2 {
		t.Errorf("defaults: %+v %v", o, err)
	}
}

// The mix is parsed, must add up to 1000, and a schedule of 1000
// requests gives each subcommand exactly its share.
func TestMixSchedule(t *testing.T) {
	mix, err := parseMix(defaultMix)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, c := range schedule(mix, 1000) {
		counts[c.name]++
		if c.slack == "" || !strings.HasPrefix(c.discord, `[{"name":"`) {
			t.Fatalf("incomplete command %+v", c)
		}
	}
	for _, w := range mix {
		if counts[w.name] != w.perMille {
			t.Errorf("%s: %d of 1000, want %d", w.name, counts[w.name], w.perMille)
		}
	}
	for _, bad := range []string{"who=500", "who=500,nothing=500", "who=x", "who=1000,status=-1"} {
		if _, err := parseMix(bad); err == nil {
			t.Errorf("parseMix(%q) accepted", bad)
		}
	}
}

func TestPercentiles(t *testing.T) {
	var ds []time.Duration
	for i := 1000; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	p := percentilesOf(ds)
	if p.N != 1000 || p.P50 != 501*time.Millisecond || p.P99 != 990*time.Millisecond || p.Max != time.Second {
		t.Errorf("%+v", p)
	}
	if got := percentilesOf(nil); got.N != 0 {
		t.Errorf("empty: %+v", got)
	}
}

// A short run of the whole load test (build, database, serve, both
// platforms, memory sampling, SIGTERM) at 100 requests/s for 2 s, so that
// the program cannot rot: every request is answered, and serve stops
// cleanly.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds briefbot and a database: skipped in -short mode")
	}
	o, err := parseOptions([]string{"-rate", "100", "-duration", "2s", "-warmup", "500ms", "-articles", "150",
		"-db", filepath.Join(t.TempDir(), "load.db"), "-repo", filepath.Join("..", ".."), "-sample", "200ms"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	rep, err := load(context.Background(), o, &progress)
	if err != nil {
		t.Fatalf("%v\n%s", err, progress.String())
	}
	var out strings.Builder
	writeReport(&out, o, rep)
	t.Log(out.String())
	if rep.Articles < 150 {
		t.Errorf("%d articles", rep.Articles)
	}
	if len(rep.Phases) != 2 {
		t.Fatalf("%d phases", len(rep.Phases))
	}
	for _, p := range rep.Phases {
		if p.ErrorCount() != 0 || p.Answered != 200 {
			t.Errorf("%s: %d answered, errors %v", p.Platform, p.Answered, p.Errors)
		}
		if len(p.RSS) < 3 || p.RSS[0].rss <= 0 || p.Latency.P99 <= 0 {
			t.Errorf("%s: %d memory samples, p99 %s", p.Platform, len(p.RSS), p.Latency.P99)
		}
	}
	if rep.StopErr != nil || rep.Peak <= 0 {
		t.Errorf("stop: %v, peak %d", rep.StopErr, rep.Peak)
	}
	for _, want := range []string{"slack: 200 requests", "discord: 200 requests", "errors: 0", "p99", "VmHWM", "SIGTERM"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}
