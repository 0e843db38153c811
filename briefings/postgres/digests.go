package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// Subscriptions and the delivery ledger (migration 4).
//
// A delivery slot is claimed by one INSERT ... ON CONFLICT DO NOTHING
// RETURNING keyed on (subscription_id, slot): of several claimants exactly
// one inserts the row (the others wait for its transaction, then find the
// conflict). The same statement prunes the subscription's old rows
// (briefings.LedgerRetention). A row already in the ledger is taken over
// only by a conditional UPDATE ... WHERE (claimed with an expired lease, or
// failed_retryable with its next attempt come) ... RETURNING, which sets
// claimant, lease and attempts at once; a competing claimant waits for the
// row lock and Postgres checks the condition again on the row as the
// winner left it, so again exactly one wins. FinishDelivery updates the row
// only while the claimant still holds it: state claimed, the same claimant
// and the same lease end.

const subscriptionCols = "id, platform, workspace, channel, hour, minute, zone, days, story, creator, paused, paused_reason, created, updated"

func scanSubscription(row pgx.Row) (briefings.Subscription, error) {
	var s briefings.Subscription
	var days []int32
	var created, updated int64
	if err := row.Scan(&s.ID, &s.Platform, &s.Workspace, &s.Channel, &s.Hour, &s.Minute, &s.Zone, &days, &s.Story, &s.Creator,
		&s.Paused, &s.PausedReason, &created, &updated); err != nil {
		return briefings.Subscription{}, err
	}
	s.Days = make([]int, len(days))
	for i, d := range days {
		s.Days[i] = int(d)
	}
	s.Created, s.Updated = fromMicros(created), fromMicros(updated)
	return s, nil
}

// putSubscriptionSQL creates a subscription or replaces the schedule of the
// channel's: time, zone, days and story. Its id, creator, creation time and
// paused state stay.
const putSubscriptionSQL = "INSERT INTO subscriptions (" + subscriptionCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
	ON CONFLICT (platform, workspace, channel) DO UPDATE SET hour = excluded.hour, minute = excluded.minute, zone = excluded.zone,
		days = excluded.days, story = excluded.story, updated = excluded.updated
	RETURNING ` + subscriptionCols

// PutSubscription creates the channel's subscription or replaces its
// schedule (time, zone, days, story); it reports whether it was created. A
// replaced subscription keeps its id, creator, creation time and paused
// state. New ids are random ("sub_" and 16 characters).
func (s *Store) PutSubscription(ctx context.Context, sub briefings.Subscription) (briefings.Subscription, bool, error) {
	sub, err := briefings.CheckSubscription(sub, s.clock.Now())
	if err != nil {
		return briefings.Subscription{}, false, err
	}
	days := make([]int32, len(sub.Days))
	for i, d := range sub.Days {
		days[i] = int32(d)
	}
	id := briefings.NewStoreID("sub")
	out, err := scanSubscription(s.pool.QueryRow(ctx, putSubscriptionSQL, id, sub.Platform, sub.Workspace, sub.Channel,
		sub.Hour, sub.Minute, sub.Zone, days, sub.Story, sub.Creator, sub.Paused, sub.PausedReason, micros(sub.Created), micros(sub.Updated)))
	if err != nil {
		return briefings.Subscription{}, false, s.fail(ctx, "put subscription", err)
	}
	return out, out.ID == id, nil
}

// subscriptionNotFound is the error for a missing subscription.
func subscriptionNotFound(what string) error {
	return notFound("no digest subscription " + what)
}

// SubscriptionFor returns the channel's subscription; an error with
// briefings.ErrNotFound when it has none.
func (s *Store) SubscriptionFor(ctx context.Context, platform, workspace, channel string) (briefings.Subscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, "SELECT "+subscriptionCols+" FROM subscriptions WHERE platform = $1 AND workspace = $2 AND channel = $3",
		platform, workspace, channel))
	if errors.Is(err, pgx.ErrNoRows) {
		return briefings.Subscription{}, subscriptionNotFound(fmt.Sprintf("for %s channel %s", platform, channel))
	}
	if err != nil {
		return briefings.Subscription{}, s.fail(ctx, "subscription for channel", err)
	}
	return sub, nil
}

// SubscriptionByID returns one subscription; an error with
// briefings.ErrNotFound when it does not exist.
func (s *Store) SubscriptionByID(ctx context.Context, id string) (briefings.Subscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, "SELECT "+subscriptionCols+" FROM subscriptions WHERE id = $1", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return briefings.Subscription{}, subscriptionNotFound(fmt.Sprintf("%q", id))
	}
	if err != nil {
		return briefings.Subscription{}, s.fail(ctx, "subscription "+id, err)
	}
	return sub, nil
}

// DeleteSubscription removes a subscription and its ledger (the rows go with
// it: ON DELETE CASCADE); an error with briefings.ErrNotFound when it does
// not exist.
func (s *Store) DeleteSubscription(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, "DELETE FROM subscriptions WHERE id = $1", id)
	if err != nil {
		return s.fail(ctx, "delete subscription "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return subscriptionNotFound(fmt.Sprintf("%q", id))
	}
	return nil
}

// Subscriptions lists subscriptions in id order, after q.AfterID, at most
// q.Limit (default 100, at most 1000).
func (s *Store) Subscriptions(ctx context.Context, q briefings.SubscriptionQuery) ([]briefings.Subscription, error) {
	n, err := briefings.CheckSubscriptionQuery(q)
	if err != nil {
		return nil, err
	}
	var a sqlArgs
	query := "SELECT " + subscriptionCols + " FROM subscriptions WHERE true"
	for _, f := range []struct{ col, v string }{{"platform", q.Platform}, {"workspace", q.Workspace}, {"channel", q.Channel}} {
		if f.v != "" {
			query += " AND " + f.col + " = " + a.add(f.v)
		}
	}
	if q.Active {
		query += " AND NOT paused"
	}
	if q.AfterID != "" {
		query += " AND id > " + a.add(q.AfterID)
	}
	query += " ORDER BY id LIMIT " + a.add(n)
	rows, err := s.pool.Query(ctx, query, a...)
	if err != nil {
		return nil, s.fail(ctx, "subscriptions", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.Subscription, error) { return scanSubscription(row) })
	if err != nil {
		return nil, s.fail(ctx, "subscriptions", err)
	}
	return out, nil
}

// SetPaused pauses or resumes a subscription, recording why (the reason is
// cleared on resume); an error with briefings.ErrNotFound when it does not
// exist.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool, reason string) error {
	reason = briefings.PauseReason(paused, reason)
	tag, err := s.pool.Exec(ctx, "UPDATE subscriptions SET paused = $1, paused_reason = $2, updated = $3 WHERE id = $4",
		paused, reason, micros(s.clock.Now()), id)
	if err != nil {
		return s.fail(ctx, "pause subscription "+id, err)
	}
	if tag.RowsAffected() == 0 {
		return subscriptionNotFound(fmt.Sprintf("%q", id))
	}
	return nil
}

const deliveryCols = "subscription_id, slot, due, state, manual, attempts, claimant, lease_until, next_attempt, cursor, message_id, link, error, updated"

func scanDelivery(row pgx.Row) (briefings.Delivery, error) {
	var d briefings.Delivery
	var state string
	var due, updated int64
	var lease, next, cursor *int64
	if err := row.Scan(&d.SubscriptionID, &d.Slot, &due, &state, &d.Manual, &d.Attempts, &d.Claimant, &lease, &next, &cursor,
		&d.MessageID, &d.Link, &d.Error, &updated); err != nil {
		return briefings.Delivery{}, err
	}
	d.State = briefings.DeliveryState(state)
	d.Due, d.Updated = fromMicros(due), fromMicros(updated)
	d.LeaseUntil, d.NextAttempt, d.Cursor = fromNullMicros(lease), fromNullMicros(next), fromNullMicros(cursor)
	return d, nil
}

// The statements of a claim: the insert of a new slot (which prunes the
// subscription's rows due before $8, except the latest sent or empty one,
// when it inserts), the takeover of an expired or retryable row, and the
// row as it stands.
const (
	claimInsertSQL = `WITH ins AS (
		INSERT INTO deliveries (subscription_id, slot, due, state, manual, attempts, claimant, lease_until, updated)
		VALUES ($1, $2, $3, 'claimed', $4, 1, $5, $6, $7)
		ON CONFLICT (subscription_id, slot) DO NOTHING
		RETURNING ` + deliveryCols + `
	), pruned AS (
		DELETE FROM deliveries WHERE EXISTS (SELECT 1 FROM ins) AND subscription_id = $1 AND due < $8
			AND due < (SELECT max(due) FROM deliveries WHERE subscription_id = $1 AND state IN ('sent', 'empty'))
	)
	SELECT ` + deliveryCols + ` FROM ins`
	claimTakeOverSQL = `UPDATE deliveries SET state = 'claimed', claimant = $1, lease_until = $2, attempts = attempts + 1, next_attempt = NULL, updated = $3
	WHERE subscription_id = $4 AND slot = $5
		AND ((state = 'claimed' AND lease_until < $3) OR (state = 'failed_retryable' AND next_attempt <= $3))
	RETURNING ` + deliveryCols
	deliverySQL = "SELECT " + deliveryCols + " FROM deliveries WHERE subscription_id = $1 AND slot = $2"
)

// ClaimDelivery claims a slot for claimant until now+lease. A new slot is
// claimed by one insert that conflicts for every other claimant; a slot in
// the ledger is taken over only when it is claimed with a lease that ended
// before now, or failed_retryable with NextAttempt at or before now (one
// more attempt). It returns the row as claimed and true, or the row as it
// stands and false. A subscription that does not exist is an error with
// briefings.ErrNotFound.
//
// The three statements (insert, takeover, read) go in one round trip: the
// takeover cannot match a row this claim has just inserted (its lease ends
// after now), and the read, a statement of its own, sees the row as the
// winner left it.
func (s *Store) ClaimDelivery(ctx context.Context, d briefings.Delivery, claimant string, now time.Time, lease time.Duration) (briefings.Delivery, bool, error) {
	row, err := briefings.CheckClaim(d, claimant, now, lease)
	if err != nil {
		return briefings.Delivery{}, false, err
	}
	at, until := micros(row.Updated), micros(row.LeaseUntil)
	cutoff := micros(row.Updated.Add(-briefings.LedgerRetention))
	var inserted, takenOver, current claimResult
	b := &pgx.Batch{}
	b.Queue(claimInsertSQL, row.SubscriptionID, row.Slot, micros(row.Due), row.Manual, row.Claimant, until, at, cutoff).QueryRow(inserted.scan)
	b.Queue(claimTakeOverSQL, row.Claimant, until, at, row.SubscriptionID, row.Slot).QueryRow(takenOver.scan)
	b.Queue(deliverySQL, row.SubscriptionID, row.Slot).QueryRow(current.scan)
	err = s.pool.SendBatch(ctx, b).Close()
	switch {
	case pgCode(err) == "23503": // foreign_key_violation: no such subscription
		return briefings.Delivery{}, false, subscriptionNotFound(fmt.Sprintf("%q to deliver", row.SubscriptionID))
	case err != nil:
		return briefings.Delivery{}, false, s.fail(ctx, "claim delivery "+row.Slot, err)
	case inserted.found:
		return inserted.d, true, nil
	case takenOver.found:
		return takenOver.d, true, nil
	case current.found:
		return current.d, false, nil
	}
	// The row went between the statements: its subscription was deleted.
	return briefings.Delivery{}, false, subscriptionNotFound(fmt.Sprintf("%q to deliver", row.SubscriptionID))
}

// claimResult is the row one statement of a claim returned, if any.
type claimResult struct {
	d     briefings.Delivery
	found bool
}

func (c *claimResult) scan(row pgx.Row) error {
	d, err := scanDelivery(row)
	switch {
	case err == nil:
		c.d, c.found = d, true
	case !errors.Is(err, pgx.ErrNoRows):
		return err
	}
	return nil
}

// finishSQL records an outcome while the claimant holds the row.
const finishSQL = `UPDATE deliveries SET state = $1, attempts = CASE WHEN $2::int > 0 THEN $2 ELSE attempts END, next_attempt = $3, cursor = $4,
		message_id = $5, link = $6, error = $7, updated = $8
	WHERE subscription_id = $9 AND slot = $10 AND state = 'claimed' AND claimant = $11 AND lease_until = $12`

// FinishDelivery records the outcome of a claimed row: d is the row
// ClaimDelivery returned with State (not claimed), and as they apply
// NextAttempt, Cursor, MessageID, Link, Error and Attempts (0 keeps the
// count) filled in. It fails with CodeConflict when the claimant no longer
// holds the row (another took it over, or it was finished), with
// briefings.ErrNotFound when the row is gone.
func (s *Store) FinishDelivery(ctx context.Context, d briefings.Delivery) error {
	d, err := briefings.CheckFinish(d, s.clock.Now())
	if err != nil {
		return err
	}
	tag, err := s.pool.Exec(ctx, finishSQL, string(d.State), d.Attempts, nullMicros(d.NextAttempt), nullMicros(d.Cursor),
		d.MessageID, d.Link, d.Error, micros(d.Updated), d.SubscriptionID, d.Slot, d.Claimant, micros(d.LeaseUntil))
	if err != nil {
		return s.fail(ctx, "finish delivery "+d.Slot, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	cur, err := scanDelivery(s.pool.QueryRow(ctx, deliverySQL, d.SubscriptionID, d.Slot))
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(fmt.Sprintf("delivery %s of subscription %s is not in the ledger", d.Slot, d.SubscriptionID))
	}
	if err != nil {
		return s.fail(ctx, "finish delivery "+d.Slot, err)
	}
	return briefings.Errorf(briefings.CodeConflict, "delivery %s of subscription %s is no longer held by %s (it is %s by %s)",
		d.Slot, d.SubscriptionID, d.Claimant, cur.State, cur.Claimant)
}

// Deliveries returns a subscription's ledger, newest due first, at most
// limit rows (default 20, at most 500).
func (s *Store) Deliveries(ctx context.Context, subscriptionID string, limit int) ([]briefings.Delivery, error) {
	n, err := briefings.QueryLimit(limit, briefings.DefaultDeliveryLimit, briefings.MaxDeliveryLimit, "delivery")
	if err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, "SELECT "+deliveryCols+" FROM deliveries WHERE subscription_id = $1 ORDER BY due DESC, slot DESC LIMIT $2", subscriptionID, n)
	if err != nil {
		return nil, s.fail(ctx, "deliveries", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.Delivery, error) { return scanDelivery(row) })
	if err != nil {
		return nil, s.fail(ctx, "deliveries", err)
	}
	return out, nil
}

// lastCursorSQL repeats the condition of the partial index
// deliveries_delivered so that the planner uses it.
const lastCursorSQL = `SELECT cursor FROM deliveries WHERE subscription_id = $1 AND state IN ('sent', 'empty')
	ORDER BY due DESC, slot DESC LIMIT 1`

// LastCursor returns the cursor of the subscription's latest (by due time)
// sent or empty delivery; zero when it has none.
func (s *Store) LastCursor(ctx context.Context, subscriptionID string) (time.Time, error) {
	var cursor *int64
	err := s.pool.QueryRow(ctx, lastCursorSQL, subscriptionID).Scan(&cursor)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, s.fail(ctx, "last cursor", err)
	}
	return fromNullMicros(cursor), nil
}
