package bot

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// maxSharedDigests bounds the digests SharedCompose keeps for one minute;
// beyond it, digests are composed without sharing.
const maxSharedDigests = 4096

// SharedCompose wraps compose so that the digests due in the same minute
// with the same inputs are composed once: subscriptions with equal key(sub)
// (what the composer reads of a subscription, e.g. story and zone for
// briefings.Service.Digest) and equal since share one composition, and
// callers that arrive while it runs wait for it. Such digests are the rule
// after the first one: every subscription's cursor moves to the newest
// article it covered.
//
// The shared composition is made with the first caller's subscription and
// now; results are kept until the minute of now changes, errors are not
// kept. The shared Response must be treated as read-only, as renderers do.
func SharedCompose(compose ComposeFunc, key func(briefings.Subscription) string) ComposeFunc {
	sc := &sharedComposer{compose: compose, key: key, flights: map[string]*flight{}}
	return sc.Compose
}

type sharedComposer struct {
	compose ComposeFunc
	key     func(briefings.Subscription) string

	mu      sync.Mutex
	minute  time.Time
	flights map[string]*flight
}

// flight is one composition, done when done is closed.
type flight struct {
	done   chan struct{}
	resp   commands.Response
	cursor time.Time
	empty  bool
	err    error
}

// Compose is the shared ComposeFunc.
func (c *sharedComposer) Compose(ctx context.Context, sub briefings.Subscription, since, now time.Time) (commands.Response, time.Time, bool, error) {
	k := c.key(sub) + "\x00" + strconv.FormatInt(since.UnixNano(), 10)
	minute := now.Truncate(time.Minute)
	c.mu.Lock()
	if !minute.Equal(c.minute) {
		c.minute = minute
		c.flights = map[string]*flight{}
	}
	f, ok := c.flights[k]
	if !ok {
		if len(c.flights) >= maxSharedDigests {
			c.mu.Unlock()
			return c.compose(ctx, sub, since, now)
		}
		f = &flight{done: make(chan struct{})}
		c.flights[k] = f
	}
	flights := c.flights
	c.mu.Unlock()
	if ok {
		select {
		case <-f.done:
			return f.resp, f.cursor, f.empty, f.err
		case <-ctx.Done():
			return commands.Response{}, time.Time{}, false, ctx.Err()
		}
	}
	func() {
		defer close(f.done)
		defer func() {
			if r := recover(); r != nil {
				// Waiters fail too; the caller's panic goes on to the
				// scheduler's recovery.
				f.err = fmt.Errorf("digest composer: %w: %v", errPanic, r)
				c.forget(flights, k)
				panic(r)
			}
		}()
		f.resp, f.cursor, f.empty, f.err = c.compose(ctx, sub, since, now)
	}()
	if f.err != nil {
		c.forget(flights, k)
	}
	return f.resp, f.cursor, f.empty, f.err
}

// forget drops a failed flight so that the next caller composes again.
func (c *sharedComposer) forget(flights map[string]*flight, k string) {
	c.mu.Lock()
	delete(flights, k)
	c.mu.Unlock()
}
