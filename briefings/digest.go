package briefings

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Subscription is one channel's daily digest.
type Subscription struct {
	ID string `json:"id"`
	// Platform, Workspace and Channel say where the digest is posted.
	Platform  string `json:"platform"`
	Workspace string `json:"workspace"`
	Channel   string `json:"channel"`
	// Hour and Minute are the local time of day.
	Hour   int `json:"hour"`
	Minute int `json:"minute"`
	// Zone is the IANA time zone of the local time.
	Zone string `json:"zone"`
	// Days are the weekdays (0 = Sunday) the digest is posted on, sorted.
	Days []int `json:"days"`
	// Story limits the digest to one story or name ("" = everything).
	Story   string `json:"story,omitempty"`
	Creator string `json:"creator,omitempty"`
	// Paused subscriptions are not delivered; PausedReason says why (a
	// person paused it, or the platform refused the channel).
	Paused       bool      `json:"paused"`
	PausedReason string    `json:"paused_reason,omitempty"`
	Created      time.Time `json:"created"`
	Updated      time.Time `json:"updated"`
}

// CronSpec is the subscription's schedule in robfig/cron's standard form
// with its zone: "CRON_TZ=Europe/Berlin 30 7 * * 1,2,3,4,5".
func (s Subscription) CronSpec() string {
	days := make([]string, 0, len(s.Days))
	for _, d := range s.Days {
		days = append(days, strconv.Itoa(d))
	}
	dow := strings.Join(days, ",")
	if len(s.Days) == 7 {
		dow = "*"
	}
	return fmt.Sprintf("CRON_TZ=%s %d %d * * %s", s.Zone, s.Minute, s.Hour, dow)
}

// DaysText writes the day set for people: "weekdays", "daily", "Mon, Wed".
func (s Subscription) DaysText() string {
	return DaysText(s.Days)
}

// DaysText writes a day set for people.
func DaysText(days []int) string {
	d := append([]int(nil), days...)
	sort.Ints(d)
	key := fmt.Sprint(d)
	switch key {
	case "[0 1 2 3 4 5 6]":
		return "daily"
	case "[1 2 3 4 5]":
		return "weekdays"
	case "[0 6]":
		return "weekends"
	}
	names := []string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
	var out []string
	for _, x := range d {
		if x >= 0 && x < 7 {
			out = append(out, names[x])
		}
	}
	return strings.Join(out, ", ")
}

// Schedule writes the subscription's schedule for people: "08:00
// Europe/Berlin, weekdays".
func (s Subscription) Schedule() string {
	return fmt.Sprintf("%02d:%02d %s, %s", s.Hour, s.Minute, s.Zone, s.DaysText())
}

// DeliveryState is where a digest delivery stands.
type DeliveryState string

// The delivery states. A row is claimed by one scheduler, then ends sent,
// empty (nothing new: skipped), failed_retryable (tried again after a
// backoff), failed_permanent (no more attempts; the subscription is paused
// when the platform refused the channel), or missed (the due time passed
// while no scheduler ran, beyond the grace window).
const (
	DeliveryClaimed         DeliveryState = "claimed"
	DeliverySent            DeliveryState = "sent"
	DeliveryEmpty           DeliveryState = "empty"
	DeliveryFailedRetryable DeliveryState = "failed_retryable"
	DeliveryFailedPermanent DeliveryState = "failed_permanent"
	DeliveryMissed          DeliveryState = "missed"
)

// Final reports whether no more attempts will be made.
func (s DeliveryState) Final() bool {
	switch s {
	case DeliverySent, DeliveryEmpty, DeliveryFailedPermanent, DeliveryMissed:
		return true
	}
	return false
}

// Delivery is one digest slot of one subscription: the ledger row that
// makes sure each slot is posted at most once.
type Delivery struct {
	SubscriptionID string `json:"subscription_id"`
	// Slot is the local time of the scheduled digest, such as
	// "2026-11-02T08:00" (manual digests: "manual-" and a time).
	Slot string `json:"slot"`
	// Due is the instant the slot fell due.
	Due   time.Time     `json:"due"`
	State DeliveryState `json:"state"`
	// Manual is set for /brief digest now.
	Manual bool `json:"manual,omitempty"`
	// Attempts counts posting attempts.
	Attempts int `json:"attempts"`
	// Claimant is the scheduler instance that holds the row; LeaseUntil is
	// when another may take it over if it has not finished.
	Claimant   string    `json:"claimant,omitempty"`
	LeaseUntil time.Time `json:"lease_until,omitzero"`
	// NextAttempt is when a failed_retryable row may be tried again.
	NextAttempt time.Time `json:"next_attempt,omitzero"`
	// Cursor is the ingestion time up to which the digest covered news;
	// the next digest starts after it.
	Cursor time.Time `json:"cursor,omitzero"`
	// MessageID and Link identify the posted message.
	MessageID string    `json:"message_id,omitempty"`
	Link      string    `json:"link,omitempty"`
	Error     string    `json:"error,omitempty"`
	Updated   time.Time `json:"updated"`
}

// SubscriptionQuery selects subscriptions.
type SubscriptionQuery struct {
	Platform, Workspace, Channel string
	// Active keeps unpaused subscriptions only.
	Active bool
	// AfterID pages through subscriptions in id order.
	AfterID string
	Limit   int
}

// SubscriptionStore keeps subscriptions and their delivery ledger.
type SubscriptionStore interface {
	// PutSubscription creates the channel's subscription or replaces its
	// schedule (one subscription per platform, workspace and channel). It
	// reports whether it was created.
	PutSubscription(ctx context.Context, s Subscription) (Subscription, bool, error)
	// SubscriptionFor returns the channel's subscription; ErrNotFound when
	// there is none.
	SubscriptionFor(ctx context.Context, platform, workspace, channel string) (Subscription, error)
	// SubscriptionByID returns one subscription; ErrNotFound when absent.
	SubscriptionByID(ctx context.Context, id string) (Subscription, error)
	// DeleteSubscription removes a subscription and its ledger.
	DeleteSubscription(ctx context.Context, id string) error
	// Subscriptions lists subscriptions in id order.
	Subscriptions(ctx context.Context, q SubscriptionQuery) ([]Subscription, error)
	// SetPaused pauses or resumes a subscription, recording why.
	SetPaused(ctx context.Context, id string, paused bool, reason string) error

	// ClaimDelivery claims a slot for claimant until now+lease. A new slot
	// is claimed by one insert that conflicts for every other claimant. A
	// slot already in the ledger is taken over only when it is claimed with
	// an expired lease, or failed_retryable with NextAttempt passed. It
	// returns the row as claimed and true; or, when another holds or
	// finished it, the row as it stands and false.
	ClaimDelivery(ctx context.Context, d Delivery, claimant string, now time.Time, lease time.Duration) (Delivery, bool, error)
	// FinishDelivery records the outcome of a claimed row (state, attempts,
	// message, error, cursor, next attempt). It fails with CodeConflict when
	// the claimant no longer holds the row.
	FinishDelivery(ctx context.Context, d Delivery) error
	// Deliveries returns a subscription's ledger, newest due first.
	Deliveries(ctx context.Context, subscriptionID string, limit int) ([]Delivery, error)
	// LastCursor returns the cursor of the subscription's latest sent or
	// empty delivery; zero when it has none.
	LastCursor(ctx context.Context, subscriptionID string) (time.Time, error)
}
