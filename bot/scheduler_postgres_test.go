//go:build unix

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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/postgres"
	"github.com/briefbot/briefbot/briefings/postgres/pgtest"
	"github.com/briefbot/briefbot/commands"
)

// Scheduler replicas on one Postgres database, as separate processes (the
// test binary run again as TestPostgresReplicaHelper). Each posts through a
// platform that appends one line per post to a file all share (O_APPEND:
// whole lines), so the file is the record of what reached the "chat".
//
// A replica runs phases of ticks at fake-clock times; before each phase it
// waits for the parent's go-file, after it writes a done-file, so the
// parent can act between phases (kill a replica, then let the others go on
// after its lease). One replica may be told to block in Post after some
// posts: it has claimed rows it never posts, until the parent kills it.

// The environment of a replica process.
const (
	pgReplicaEnv       = "BRIEFBOT_PGREPLICA"        // "1" in a replica
	pgReplicaDSNEnv    = "BRIEFBOT_PGREPLICA_DSN"    // the schema's connection string
	pgReplicaDirEnv    = "BRIEFBOT_PGREPLICA_DIR"    // signal files and the posts file
	pgReplicaNameEnv   = "BRIEFBOT_PGREPLICA_NAME"   // claimant
	pgReplicaPhasesEnv = "BRIEFBOT_PGREPLICA_PHASES" // phases separated by ";", tick times (RFC 3339) by ","
	pgReplicaBlockEnv  = "BRIEFBOT_PGREPLICA_BLOCK"  // block in Post after this many posts (absent: never)
	pgReplicaLeaseEnv  = "BRIEFBOT_PGREPLICA_LEASE"  // the scheduler's lease
)

// pgReplicaSubs is how many subscriptions the replicas race for.
const pgReplicaSubs = 1000

// pgReplicaWait bounds every wait for another process.
const pgReplicaWait = 90 * time.Second

// replicaPlatform appends "channel nonce claimant" to a shared file per
// post. After block posts (block >= 0), every further post blocks before
// writing anything and the first one creates the blocked-file.
type replicaPlatform struct {
	posts, blocked, claimant string
	block                    int

	mu    sync.Mutex
	count int
}

func (p *replicaPlatform) Name() string { return "fake" }

func (p *replicaPlatform) Serve(ctx context.Context, h commands.Handler) error {
	<-ctx.Done()
	return nil
}

func (p *replicaPlatform) Post(ctx context.Context, channel string, r commands.Response) (MessageRef, error) {
	p.mu.Lock()
	p.count++
	n := p.count
	p.mu.Unlock()
	if p.block >= 0 && n > p.block {
		if n == p.block+1 {
			if err := os.WriteFile(p.blocked, nil, 0o600); err != nil {
				return MessageRef{}, err
			}
		}
		<-ctx.Done() // until the parent kills the process
		return MessageRef{}, ctx.Err()
	}
	f, err := os.OpenFile(p.posts, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return MessageRef{}, err
	}
	nonce := PostOptionsFrom(ctx).Nonce
	if _, err := fmt.Fprintf(f, "%s %s %s\n", channel, nonce, p.claimant); err != nil {
		_ = f.Close()
		return MessageRef{}, err
	}
	if err := f.Close(); err != nil {
		return MessageRef{}, err
	}
	return MessageRef{Platform: "fake", Channel: channel, ID: nonce}, nil
}

// TestPostgresReplicaHelper is one scheduler replica of the Postgres
// replica tests; it does nothing in a normal test run.
func TestPostgresReplicaHelper(t *testing.T) {
	if os.Getenv(pgReplicaEnv) != "1" {
		return
	}
	if err := pgReplicaMain(); err != nil {
		fmt.Fprintln(os.Stderr, "replica:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

// waitFile waits for a file to exist.
func waitFile(path string, within time.Duration) error {
	for deadline := time.Now().Add(within); ; time.Sleep(2 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s did not appear within %v", filepath.Base(path), within)
		}
	}
}

func pgReplicaMain() error {
	ctx := context.Background()
	dir, name := os.Getenv(pgReplicaDirEnv), os.Getenv(pgReplicaNameEnv)
	var phases [][]time.Time
	for _, ph := range strings.Split(os.Getenv(pgReplicaPhasesEnv), ";") {
		var ticks []time.Time
		for _, s := range strings.Split(ph, ",") {
			x, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return fmt.Errorf("tick time: %w", err)
			}
			ticks = append(ticks, x)
		}
		phases = append(phases, ticks)
	}
	block := -1
	if v := os.Getenv(pgReplicaBlockEnv); v != "" {
		var err error
		if block, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("%s: %w", pgReplicaBlockEnv, err)
		}
	}
	lease, err := time.ParseDuration(os.Getenv(pgReplicaLeaseEnv))
	if err != nil {
		return fmt.Errorf("%s: %w", pgReplicaLeaseEnv, err)
	}
	clock := newFakeClock(phases[0][0])
	store, err := postgres.OpenOptions(ctx, os.Getenv(pgReplicaDSNEnv), nil, postgres.Options{Clock: clock, MaxConns: 10})
	if err != nil {
		return err
	}
	defer store.Close()
	platform := &replicaPlatform{posts: filepath.Join(dir, "posts.txt"), blocked: filepath.Join(dir, name+".blocked"), claimant: name, block: block}
	s, err := NewScheduler(SchedulerConfig{
		Store: store, Clock: clock, Claimant: name, Concurrency: 8, PageSize: 100, Lease: lease,
		Platforms: map[string]Platform{"fake": platform},
		Compose: func(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
			return commands.Response{Kind: commands.KindDigest, Text: "digest for " + sub.Channel}, now, false, nil
		},
	}, nil)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, name+".ready"), nil, 0o600); err != nil {
		return err
	}
	var total TickReport
	for i, ticks := range phases {
		if err := waitFile(filepath.Join(dir, fmt.Sprintf("go-%d", i)), pgReplicaWait); err != nil {
			return err
		}
		for _, at := range ticks {
			clock.Set(at)
			rep, err := s.Tick(ctx)
			if err != nil {
				return err
			}
			total.add(rep)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s.done-%d", name, i)), nil, 0o600); err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(total)
}

// replica is a replica process seen from the parent.
type replica struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan error
}

// replicaRace is the shared setup of the replica tests: a schema with
// pgReplicaSubs subscriptions due at 08:00 on day.
type replicaRace struct {
	dsn, dir string
	store    *postgres.Store
	subs     map[string]briefings.Subscription // by channel
	day      time.Time
}

func newReplicaRace(t *testing.T) *replicaRace {
	t.Helper()
	if testing.Short() {
		t.Skip("starts three processes")
	}
	r := &replicaRace{dsn: pgtest.DSN(t), dir: t.TempDir(), subs: map[string]briefings.Subscription{},
		day: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}
	ctx := t.Context()
	store, err := postgres.OpenOptions(ctx, r.dsn, nil, postgres.Options{Clock: newFakeClock(r.day)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	r.store = store
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < pgReplicaSubs; i += 4 {
				sub, _, err := store.PutSubscription(ctx, briefings.Subscription{Platform: "fake", Workspace: "W1", Channel: fmt.Sprintf("C%04d", i),
					Zone: "UTC", Hour: 8, Days: []int{0, 1, 2, 3, 4, 5, 6}, Created: r.day.Add(-24 * time.Hour)})
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				r.subs[sub.Channel] = sub
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return r
}

// tick returns the fake time 08:00 plus off on the race's day.
func (r *replicaRace) tick(off time.Duration) string {
	return r.day.Add(8*time.Hour + off).Format(time.RFC3339)
}

// start starts a replica; block < 0 never blocks.
func (r *replicaRace) start(t *testing.T, name string, phases [][]string, block int, lease time.Duration) *replica {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ph := make([]string, len(phases))
	for i, p := range phases {
		ph[i] = strings.Join(p, ",")
	}
	c := &replica{name: name, done: make(chan error, 1)}
	c.cmd = exec.Command(exe, "-test.run=^TestPostgresReplicaHelper$", "-test.count=1")
	c.cmd.Env = append(os.Environ(), pgReplicaEnv+"=1", pgReplicaDSNEnv+"="+r.dsn, pgReplicaDirEnv+"="+r.dir, pgReplicaNameEnv+"="+name,
		pgReplicaPhasesEnv+"="+strings.Join(ph, ";"), pgReplicaLeaseEnv+"="+lease.String())
	if block >= 0 {
		c.cmd.Env = append(c.cmd.Env, pgReplicaBlockEnv+"="+strconv.Itoa(block))
	}
	c.cmd.Stdout, c.cmd.Stderr = &c.stdout, &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	t.Cleanup(func() {
		// A replica still running when the test ends (it failed) is killed.
		if c.cmd.ProcessState == nil {
			_ = c.cmd.Process.Kill()
			<-c.done
		}
	})
	return c
}

// signal creates the file a phase waits for.
func (r *replicaRace) signal(t *testing.T, name string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(r.dir, name), nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// await waits for signal files, failing the test (with the replicas'
// output) when one does not come or a replica exits first.
func (r *replicaRace) await(t *testing.T, reps []*replica, files ...string) {
	t.Helper()
	for deadline := time.Now().Add(pgReplicaWait); ; time.Sleep(2 * time.Millisecond) {
		all := true
		for _, f := range files {
			if _, err := os.Stat(filepath.Join(r.dir, f)); err != nil {
				all = false
			}
		}
		if all {
			return
		}
		for _, c := range reps {
			select {
			case err := <-c.done:
				c.done <- err
				t.Fatalf("%s exited (%v) before %v\nstderr:\n%s", c.name, err, files, c.stderr.String())
			default:
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v did not appear within %v", files, pgReplicaWait)
		}
	}
}

// report waits for a replica to end and returns its tick totals.
func (r *replicaRace) report(t *testing.T, c *replica) TickReport {
	t.Helper()
	var err error
	select {
	case err = <-c.done:
	case <-time.After(pgReplicaWait):
		t.Fatalf("%s did not finish within %v", c.name, pgReplicaWait)
	}
	if err != nil {
		t.Fatalf("%s: %v\nstderr:\n%s\nstdout:\n%s", c.name, err, c.stderr.String(), c.stdout.String())
	}
	lines := bytes.Split(bytes.TrimSpace(c.stdout.Bytes()), []byte("\n"))
	var rep TickReport
	if err := json.Unmarshal(lines[len(lines)-1], &rep); err != nil {
		t.Fatalf("%s report %q: %v", c.name, c.stdout.String(), err)
	}
	t.Logf("%s: %+v", c.name, rep)
	return rep
}

// posts reads the posts file: the claimant of each channel's post; it fails
// on a channel posted twice or a wrong nonce.
func (r *replicaRace) posts(t *testing.T) (byChannel map[string]string, byClaimant map[string]int) {
	t.Helper()
	f, err := os.Open(filepath.Join(r.dir, "posts.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	byChannel, byClaimant = map[string]string{}, map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		parts := strings.Fields(sc.Text())
		if len(parts) != 3 {
			t.Fatalf("bad post line %q", sc.Text())
		}
		channel, nonce, claimant := parts[0], parts[1], parts[2]
		if prev, dup := byChannel[channel]; dup {
			t.Errorf("%s posted twice: by %s and by %s", channel, prev, claimant)
		}
		byChannel[channel] = claimant
		byClaimant[claimant]++
		if want := r.subs[channel].ID + "/2026-11-02T08:00"; nonce != want {
			t.Errorf("post to %s has nonce %s, want %s", channel, nonce, want)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return byChannel, byClaimant
}

// ledger returns every subscription's ledger row of the race's slot.
func (r *replicaRace) ledger(t *testing.T) map[string]briefings.Delivery {
	t.Helper()
	out := make(map[string]briefings.Delivery, len(r.subs))
	for ch, sub := range r.subs {
		ds, err := r.store.Deliveries(t.Context(), sub.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 {
			t.Fatalf("ledger of %s: %d rows; want 1: %+v", ch, len(ds), ds)
		}
		out[ch] = ds[0]
	}
	return out
}

// TestPostgresReplicasRace: three scheduler processes on one Postgres
// database race for 1,000 due digests over three ticks each; every digest
// is posted exactly once, at the first attempt.
func TestPostgresReplicasRace(t *testing.T) {
	r := newReplicaRace(t)
	phase := []string{r.tick(10 * time.Second), r.tick(40 * time.Second), r.tick(70 * time.Second)}
	var reps []*replica
	for _, name := range []string{"replica-a", "replica-b", "replica-c"} {
		reps = append(reps, r.start(t, name, [][]string{phase}, -1, 5*time.Minute))
	}
	r.await(t, reps, "replica-a.ready", "replica-b.ready", "replica-c.ready")
	start := time.Now()
	r.signal(t, "go-0")
	sent, claimed := 0, 0
	for _, c := range reps {
		rep := r.report(t, c)
		sent += rep.Sent
		claimed += rep.Claimed
		if rep.Errors != 0 || rep.Failed != 0 {
			t.Errorf("%s: %d errors, %d failed deliveries; want none", c.name, rep.Errors, rep.Failed)
		}
	}
	t.Logf("three replicas delivered %d digests in %v", sent, time.Since(start).Round(time.Millisecond))
	byChannel, byClaimant := r.posts(t)
	if len(byChannel) != pgReplicaSubs || sent != pgReplicaSubs || claimed != pgReplicaSubs {
		t.Errorf("%d channels posted, reports say %d sent of %d claimed; want %d each, once", len(byChannel), sent, claimed, pgReplicaSubs)
	}
	t.Logf("posts by replica: %v", byClaimant)
	for ch, d := range r.ledger(t) {
		if d.State != briefings.DeliverySent || d.Attempts != 1 || d.Claimant != byChannel[ch] {
			t.Errorf("ledger of %s: %+v; want sent at the first attempt by %s, who posted it", ch, d, byChannel[ch])
		}
	}
}

// TestPostgresReplicaKilled: three replicas race for 1,000 due digests; one
// hangs in Post after 10 posts, holding the rows it claimed, and is killed
// with SIGKILL. After its lease the two others take its rows over and post
// them: every digest is still posted exactly once.
func TestPostgresReplicaKilled(t *testing.T) {
	r := newReplicaRace(t)
	const lease = time.Minute
	const block = 10
	first := []string{r.tick(10 * time.Second)}
	// The next tick comes after the victim's lease has run out.
	after := []string{r.tick(10*time.Second + lease + 30*time.Second)}
	a := r.start(t, "replica-a", [][]string{first, after}, -1, lease)
	b := r.start(t, "replica-b", [][]string{first, after}, -1, lease)
	victim := r.start(t, "replica-victim", [][]string{first}, block, lease)
	reps := []*replica{a, b, victim}
	r.await(t, reps, "replica-a.ready", "replica-b.ready", "replica-victim.ready")
	r.signal(t, "go-0")
	r.await(t, reps, "replica-a.done-0", "replica-b.done-0", "replica-victim.blocked")

	// The victim holds claimed rows it never posted.
	held := map[string]bool{}
	for ch, d := range r.ledger(t) {
		if d.Claimant == victim.name && d.State == briefings.DeliveryClaimed {
			held[ch] = true
		}
	}
	if len(held) == 0 {
		t.Fatal("the blocked replica holds no claimed rows")
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var exitErr *exec.ExitError
	if err := <-victim.done; !errors.As(err, &exitErr) || exitErr.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("the victim ended with %v; want killed by SIGKILL", err)
	}
	victim.done <- nil
	t.Logf("killed %s holding %d claimed rows", victim.name, len(held))

	r.signal(t, "go-1")
	repA, repB := r.report(t, a), r.report(t, b)
	byChannel, byClaimant := r.posts(t)
	t.Logf("posts by replica: %v", byClaimant)
	if len(byChannel) != pgReplicaSubs {
		t.Errorf("%d channels posted; want all %d, once", len(byChannel), pgReplicaSubs)
	}
	if byClaimant[victim.name] != block {
		t.Errorf("the victim posted %d digests; want the %d before it hung", byClaimant[victim.name], block)
	}
	if repA.Sent+repB.Sent != pgReplicaSubs-block {
		t.Errorf("the survivors sent %d+%d; want %d", repA.Sent, repB.Sent, pgReplicaSubs-block)
	}
	for ch, d := range r.ledger(t) {
		switch {
		case d.State != briefings.DeliverySent || d.Claimant != byChannel[ch]:
			t.Errorf("ledger of %s: %+v; want sent by %s, who posted it", ch, d, byChannel[ch])
		case held[ch] && (d.Attempts != 2 || d.Claimant == victim.name):
			t.Errorf("ledger of %s, held by the victim: %+v; want taken over (attempt 2) and sent by a survivor", ch, d)
		case !held[ch] && d.Attempts != 1:
			t.Errorf("ledger of %s: %+v; want sent at the first attempt", ch, d)
		}
	}
}
