package bot

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/sqlite"
	"github.com/briefbot/briefbot/commands"
)

// The environment of a helper process (TestHelperProcess).
const (
	helperEnv      = "BRIEFBOT_SCHEDULER_HELPER" // "1" in a helper
	helperDBEnv    = "BRIEFBOT_SCHEDULER_DB"
	helperPostsEnv = "BRIEFBOT_SCHEDULER_POSTS"
	helperGoEnv    = "BRIEFBOT_SCHEDULER_GO"    // file whose existence starts the ticks
	helperReadyEnv = "BRIEFBOT_SCHEDULER_READY" // file the helper creates when ready
	helperNameEnv  = "BRIEFBOT_SCHEDULER_NAME"  // claimant
	helperTicksEnv = "BRIEFBOT_SCHEDULER_TICKS" // comma-separated RFC 3339 times
)

// openSQLite opens the SQLite store at path.
func openSQLite(ctx context.Context, path string, clock briefings.Clock) (*sqlite.Store, error) {
	return sqlite.OpenOptions(ctx, path, nil, sqlite.Options{Clock: clock})
}

// filePlatform appends one line per post to a file shared by processes:
// "channel nonce claimant".
type filePlatform struct {
	path, claimant string
}

func (p filePlatform) Name() string { return "fake" }

func (p filePlatform) Serve(ctx context.Context, h commands.Handler) error {
	<-ctx.Done()
	return nil
}

func (p filePlatform) Post(ctx context.Context, channel string, r commands.Response) (MessageRef, error) {
	f, err := os.OpenFile(p.path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return MessageRef{}, err
	}
	nonce := PostOptionsFrom(ctx).Nonce
	// One write per line: O_APPEND keeps lines of two processes whole.
	if _, err := fmt.Fprintf(f, "%s %s %s\n", channel, nonce, p.claimant); err != nil {
		_ = f.Close()
		return MessageRef{}, err
	}
	if err := f.Close(); err != nil {
		return MessageRef{}, err
	}
	return MessageRef{Platform: "fake", Channel: channel, ID: nonce}, nil
}

// TestHelperProcess is one scheduler process of
// TestSchedulersRaceTwoProcesses; it does nothing in a normal test run.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	if err := helperMain(); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

func helperMain() error {
	ctx := context.Background()
	var ticks []time.Time
	for _, s := range strings.Split(os.Getenv(helperTicksEnv), ",") {
		x, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("tick time: %w", err)
		}
		ticks = append(ticks, x)
	}
	clock := newFakeClock(ticks[0])
	store, err := openSQLite(ctx, os.Getenv(helperDBEnv), clock)
	if err != nil {
		return err
	}
	defer store.Close()
	name := os.Getenv(helperNameEnv)
	s, err := NewScheduler(SchedulerConfig{
		Store: store, Clock: clock, Claimant: name, Concurrency: 4, PageSize: 50,
		Platforms: map[string]Platform{"fake": filePlatform{path: os.Getenv(helperPostsEnv), claimant: name}},
		Compose: func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
			return commands.Response{Kind: commands.KindDigest, Text: "digest for " + sub.Channel}, now, false, nil
		},
	}, nil)
	if err != nil {
		return err
	}
	if err := os.WriteFile(os.Getenv(helperReadyEnv), nil, 0o600); err != nil {
		return err
	}
	// Wait (at most 30 s) for the other process, so that both tick at once.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		if _, err := os.Stat(os.Getenv(helperGoEnv)); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("no start signal within 30 s")
		}
	}
	var total TickReport
	for _, at := range ticks {
		clock.Set(at)
		rep, err := s.Tick(ctx)
		if err != nil {
			return err
		}
		total.add(rep)
		total.Elapsed += rep.Elapsed
	}
	return json.NewEncoder(os.Stdout).Encode(total)
}

// TestSchedulersRaceTwoProcesses: two scheduler processes share one SQLite
// database and race for 200 due digests; every digest is posted exactly
// once.
func TestSchedulersRaceTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, postsPath := filepath.Join(dir, "briefbot.db"), filepath.Join(dir, "posts.txt")
	day := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	clock := newFakeClock(day)
	store, err := openSQLite(ctx, dbPath, clock)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	subs := map[string]briefings.Subscription{}
	for i := range 200 {
		sub, _, err := store.PutSubscription(ctx, briefings.Subscription{Platform: "fake", Workspace: "W1", Channel: fmt.Sprintf("C%03d", i),
			Zone: "UTC", Hour: 8, Days: everyDay, Created: day.Add(-24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		subs[sub.Channel] = sub
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	goFile := filepath.Join(dir, "go")
	var ticks []string
	for _, off := range []time.Duration{10 * time.Second, 40 * time.Second, 70 * time.Second} {
		ticks = append(ticks, day.Add(8*time.Hour+off).Format(time.RFC3339))
	}
	type child struct {
		name           string
		cmd            *exec.Cmd
		stdout, stderr bytes.Buffer
		ready          string
	}
	children := []*child{{name: "proc-a"}, {name: "proc-b"}}
	for _, c := range children {
		c.ready = filepath.Join(dir, c.name+".ready")
		c.cmd = exec.Command(exe, "-test.run=^TestHelperProcess$", "-test.count=1")
		c.cmd.Env = append(os.Environ(), helperEnv+"=1", helperDBEnv+"="+dbPath, helperPostsEnv+"="+postsPath,
			helperGoEnv+"="+goFile, helperReadyEnv+"="+c.ready, helperNameEnv+"="+c.name, helperTicksEnv+"="+strings.Join(ticks, ","))
		c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	// Start both at once when both are ready.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(time.Millisecond) {
		_, errA := os.Stat(children[0].ready)
		_, errB := os.Stat(children[1].ready)
		if errA == nil && errB == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("helpers not ready within 30 s")
		}
	}
	if err := os.WriteFile(goFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(children))
	for i, c := range children {
		wg.Go(func() { errs[i] = c.cmd.Wait() })
	}
	wg.Wait()
	sent := 0
	for i, c := range children {
		if errs[i] != nil {
			t.Fatalf("%s: %v\nstderr:\n%s\nstdout:\n%s", c.name, errs[i], c.stderr.String(), c.stdout.String())
		}
		var rep TickReport
		if err := json.Unmarshal(lastLine(c.stdout.Bytes()), &rep); err != nil {
			t.Fatalf("%s report %q: %v", c.name, c.stdout.String(), err)
		}
		t.Logf("%s: %+v", c.name, rep)
		sent += rep.Sent
	}

	f, err := os.Open(postsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]string{}
	byClaimant := map[string]int{}
	sc := bufio.NewScanner(f)
	lines := 0
	for sc.Scan() {
		lines++
		parts := strings.Fields(sc.Text())
		if len(parts) != 3 {
			t.Fatalf("bad post line %q", sc.Text())
		}
		channel, nonce, claimant := parts[0], parts[1], parts[2]
		if prev, dup := seen[channel]; dup {
			t.Errorf("%s posted twice: by %s and by %s", channel, prev, claimant)
		}
		seen[channel] = claimant
		byClaimant[claimant]++
		if want := subs[channel].ID + "/2026-11-02T08:00"; nonce != want {
			t.Errorf("post to %s has nonce %s, want %s", channel, nonce, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if lines != 200 || len(seen) != 200 || sent != 200 {
		t.Errorf("%d post lines for %d channels (reports: %d sent), want 200 each once", lines, len(seen), sent)
	}
	t.Logf("posts by process: %v", byClaimant)
	for _, sub := range subs {
		ds, err := store.Deliveries(ctx, sub.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].State != briefings.DeliverySent || ds[0].Attempts != 1 {
			t.Errorf("ledger of %s: %+v", sub.Channel, ds)
		}
	}
}

func lastLine(b []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return lines[len(lines)-1]
}
