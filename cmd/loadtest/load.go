package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// command is one entry of the mix: a /brief subcommand as Slack text and
// as Discord interaction options.
type command struct {
	// name groups the command's figures ("who", "meetings", ...).
	name string
	// slack is the text after /brief.
	slack string
	// discord is the interaction's options (JSON).
	discord string
}

// weighted is a command group with its share of the requests.
type weighted struct {
	name     string
	perMille int
	variants []command
}

// opt is a Discord subcommand with one string option.
func opt(sub, name, value string) string {
	if value == "" {
		return `[{"name":"` + sub + `","type":1,"options":[]}]`
	}
	return `[{"name":"` + sub + `","type":1,"options":[{"name":"` + name + `","type":3,"value":"` + value + `"}]}]`
}

// commandGroups are the /brief subcommands the load test can send, with
// their variants (names and countries of the synthetic corpus).
func commandGroups() map[string][]command {
	names := []string{"Adeyemi", "Bauer", "Diallo", "Kone", "Traore", "Campbell"}
	places := []string{"Niger", "Chad", "Mali", "Kenya", "Iraq"}
	g := map[string][]command{}
	for _, n := range names {
		g["who"] = append(g["who"], command{"who", "who " + n, opt("who", "name", n)})
		g["meetings"] = append(g["meetings"], command{"meetings", "meetings " + n, opt("meetings", "name", n)})
	}
	g["meetings"] = append(g["meetings"], command{"meetings", "meetings", opt("meetings", "", "")})
	for _, c := range places {
		g["situation"] = append(g["situation"], command{"situation", "situation " + c, opt("situation", "country", c)})
		g["timeline"] = append(g["timeline"], command{"timeline", "timeline " + c, opt("timeline", "story", c)})
		g["status"] = append(g["status"], command{"status", "status " + c, opt("status", "topic", c)})
	}
	g["status"] = append(g["status"], command{"status", "status withdrawal", opt("status", "topic", "withdrawal")})
	g["sources"] = []command{{"sources", "sources", opt("sources", "", "")}}
	g["summary"] = []command{{"summary", "summary", opt("summary", "", "")}, {"summary", "summary Niger", opt("summary", "story", "Niger")}}
	g["help"] = []command{{"help", "help", opt("help", "", "")}, {"help", "help status", opt("help", "command", "status")}}
	for _, q := range []string{"what did Niger want?", "who met in Doha?", "when did the troops leave Mali?"} {
		g["ask"] = append(g["ask"], command{"ask", `ask "` + q + `"`, opt("ask", "question", q)})
	}
	return g
}

// defaultMix weights the subcommands as a busy workspace might: mostly
// lookups (who, meetings, sources, help: well under a millisecond of CPU
// each over 10,000 articles), with the heavy answers (situation,
// timeline, summary, ask: 8-20 ms; status: about 200 ms; see
// BenchmarkAnswerLatency) a few per mille. At 1,000 requests/s this is
// about one core of answers.
const defaultMix = "who=360,meetings=300,sources=190,help=120,situation=8,timeline=8,summary=8,ask=5,status=1"

// parseMix reads "name=perMille,..." (the shares must add up to 1000).
func parseMix(s string) ([]weighted, error) {
	groups := commandGroups()
	var out []weighted
	total := 0
	for _, part := range strings.Split(s, ",") {
		name, w, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(w)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("-mix: %q is not name=per-mille such as who=350", part)
		}
		vs, known := groups[name]
		if !known {
			var names []string
			for k := range groups {
				names = append(names, k)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("-mix: unknown subcommand %q; use %s", name, strings.Join(names, ", "))
		}
		if n > 0 {
			out = append(out, weighted{name: name, perMille: n, variants: vs})
		}
		total += n
	}
	if total != 1000 {
		return nil, fmt.Errorf("-mix: the shares add up to %d; they must add up to 1000 (per mille)", total)
	}
	return out, nil
}

// schedule returns the command of each of n requests: every group gets its
// share, spread evenly (deterministic), variants in turn.
func schedule(mix []weighted, n int) []command {
	out := make([]command, 0, n)
	credit := make([]float64, len(mix))
	next := make([]int, len(mix))
	for len(out) < n {
		best := 0
		for i, w := range mix {
			credit[i] += float64(w.perMille)
			if credit[i] > credit[best] {
				best = i
			}
		}
		credit[best] -= 1000
		w := mix[best]
		out = append(out, w.variants[next[best]%len(w.variants)])
		next[best]++
	}
	return out
}

// outcome is what one request got.
type outcome struct {
	cmd     string
	latency time.Duration // from the scheduled send time to the last byte
	kind    string        // "" when answered, else the error kind
}

// phaseResult is one platform's run.
type phaseResult struct {
	Platform         string
	Rate             float64
	Duration         time.Duration
	Scheduled        int
	Sent             int
	Answered         int
	Errors           map[string]int
	SendSpan         time.Duration // first to last send
	Span             time.Duration // first scheduled send to last answer
	Latency          percentiles
	ByCommand        map[string]percentiles
	MaxSendLag       time.Duration // how late the generator sent a request
	ServerCPUSeconds float64
	// GeneratorCPUSeconds is the load generator's CPU, MachineBusyCores
	// the whole machine's (server, generator and everything else).
	GeneratorCPUSeconds float64
	MachineBusyCores    float64
	RSS                 []procSample
}

// percentiles of a latency distribution.
type percentiles struct {
	N                        int
	P50, P90, P99, P999, Max time.Duration
}

func percentilesOf(ds []time.Duration) percentiles {
	if len(ds) == 0 {
		return percentiles{}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(q float64) time.Duration { return ds[int(q*float64(len(ds)-1)+0.5)] }
	return percentiles{N: len(ds), P50: at(0.50), P90: at(0.90), P99: at(0.99), P999: at(0.999), Max: ds[len(ds)-1]}
}

// target sends one kind of signed request to serve.
type target struct {
	platform string
	build    func(i int, c command, now time.Time) (*http.Request, error)
	check    func(status int, body []byte) string
}

func slackTarget(base, secret string) target {
	return target{
		platform: "slack",
		build: func(i int, c command, now time.Time) (*http.Request, error) {
			body := url.Values{"token": {"x"}, "team_id": {"T1"}, "channel_id": {"C" + strconv.Itoa(1+i%50)}, "user_id": {"U" + strconv.Itoa(1+i%200)},
				"command": {"/brief"}, "text": {c.slack}, "response_url": {"http://127.0.0.1:9/commands/T1/" + strconv.Itoa(i)}, "trigger_id": {strconv.Itoa(i)}}.Encode()
			ts := strconv.FormatInt(now.Unix(), 10)
			mac := hmac.New(sha256.New, []byte(secret))
			io.WriteString(mac, "v0:"+ts+":"+body)
			req, err := http.NewRequest(http.MethodPost, base+"/slack/commands", strings.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Slack-Request-Timestamp", ts)
			req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
			return req, nil
		},
		check: func(status int, body []byte) string {
			switch {
			case status != http.StatusOK:
				return "http_" + strconv.Itoa(status)
			case bytes.Contains(body, []byte("Working on it")):
				return "late_answer" // acknowledged; the answer would go through response_url
			case bytes.Contains(body, []byte("is busy")):
				return "busy"
			case bytes.Contains(body, []byte("Something went wrong")):
				return "internal_error"
			case !bytes.Contains(body, []byte(`"response_type":`)):
				return "bad_body"
			}
			return ""
		},
	}
}

func discordTarget(base string, priv ed25519.PrivateKey) target {
	return target{
		platform: "discord",
		build: func(i int, c command, now time.Time) (*http.Request, error) {
			id := strconv.Itoa(1000000 + i)
			body := `{"type":2,"id":"` + id + `","application_id":"123456789012345678","token":"itok-` + id + `","version":1,"guild_id":"9","channel_id":"` +
				strconv.Itoa(100+i%50) + `","member":{"user":{"id":"` + strconv.Itoa(1+i%200) + `","username":"u"},"permissions":"0"},` +
				`"data":{"id":"3","name":"brief","type":1,"options":` + c.discord + `}}`
			ts := strconv.FormatInt(now.Unix(), 10)
			sig := ed25519.Sign(priv, []byte(ts+body))
			req, err := http.NewRequest(http.MethodPost, base+"/discord/interactions", strings.NewReader(body))
			if err != nil {
				return nil, err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
			req.Header.Set("X-Signature-Timestamp", ts)
			return req, nil
		},
		check: func(status int, body []byte) string {
			switch {
			case status != http.StatusOK:
				return "http_" + strconv.Itoa(status)
			case bytes.Contains(body, []byte(`"type":5`)):
				return "late_answer" // deferred; the answer would be a follow-up
			case bytes.Contains(body, []byte("many questions right now")), bytes.Contains(body, []byte("restarting")):
				return "busy"
			case bytes.Contains(body, []byte("Something went wrong")):
				return "internal_error"
			case !bytes.Contains(body, []byte(`"type":4`)):
				return "bad_body"
			}
			return ""
		},
	}
}

// maxInFlight bounds the requests the generator has open at once; a
// request due while that many are open is counted as an error
// ("client_saturated") and not sent, so the generator stays open-loop.
const maxInFlight = 4096

// runPhase sends n = rate×duration requests at a fixed rate (open loop:
// the send times do not depend on the answers) and waits for every answer
// (each bounded by the client's timeout).
func runPhase(ctx context.Context, client *http.Client, t target, cmds []command, rate float64) ([]outcome, time.Duration, time.Duration, time.Duration) {
	n := len(cmds)
	results := make([]outcome, n)
	interval := time.Duration(float64(time.Second) / rate)
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	var lastMu sync.Mutex
	var lastAnswer time.Time
	var maxLag time.Duration
	start := time.Now().Add(20 * time.Millisecond)
	var lastSend time.Time
	for i := 0; i < n; i++ {
		due := start.Add(time.Duration(i) * interval)
		if d := time.Until(due); d > 0 {
			time.Sleep(d)
		}
		if ctx.Err() != nil {
			for j := i; j < n; j++ {
				results[j] = outcome{cmd: cmds[j].name, kind: "not_sent"}
			}
			break
		}
		now := time.Now()
		lastSend = now
		if lag := now.Sub(due); lag > maxLag {
			maxLag = lag
		}
		select {
		case sem <- struct{}{}:
		default:
			results[i] = outcome{cmd: cmds[i].name, kind: "client_saturated"}
			continue
		}
		wg.Add(1)
		go func(i int, due time.Time) {
			defer wg.Done()
			defer func() { <-sem }()
			c := cmds[i]
			req, err := t.build(i, c, time.Now())
			if err != nil {
				results[i] = outcome{cmd: c.name, kind: "build"}
				return
			}
			resp, err := client.Do(req)
			if err != nil {
				results[i] = outcome{cmd: c.name, kind: "transport", latency: time.Since(due)}
				return
			}
			body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			end := time.Now()
			kind := t.check(resp.StatusCode, body)
			if err != nil {
				kind = "transport"
			}
			results[i] = outcome{cmd: c.name, kind: kind, latency: end.Sub(due)}
			lastMu.Lock()
			if end.After(lastAnswer) {
				lastAnswer = end
			}
			lastMu.Unlock()
		}(i, due)
	}
	wg.Wait()
	return results, lastSend.Sub(start), lastAnswer.Sub(start), maxLag
}

// summarize turns outcomes into a phase result.
func summarize(platform string, rate float64, d time.Duration, res []outcome, sendSpan, span, lag time.Duration) phaseResult {
	pr := phaseResult{Platform: platform, Rate: rate, Duration: d, Scheduled: len(res), Errors: map[string]int{},
		SendSpan: sendSpan, Span: span, MaxSendLag: lag, ByCommand: map[string]percentiles{}}
	var all []time.Duration
	byCmd := map[string][]time.Duration{}
	for _, o := range res {
		if o.kind != "not_sent" && o.kind != "client_saturated" {
			pr.Sent++
		}
		if o.kind != "" {
			pr.Errors[o.kind]++
			continue
		}
		pr.Answered++
		all = append(all, o.latency)
		byCmd[o.cmd] = append(byCmd[o.cmd], o.latency)
	}
	pr.Latency = percentilesOf(all)
	for k, v := range byCmd {
		pr.ByCommand[k] = percentilesOf(v)
	}
	return pr
}

// ErrorCount is the number of requests that were not answered in time
// and in full.
func (p phaseResult) ErrorCount() int {
	n := 0
	for _, v := range p.Errors {
		n += v
	}
	return n
}
