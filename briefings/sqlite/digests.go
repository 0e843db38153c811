package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// Subscriptions and the delivery ledger (migration 4).
//
// Old rows are pruned when a new slot is claimed (briefings.LedgerRetention).
//
// A delivery slot is claimed by one INSERT ... ON CONFLICT DO NOTHING
// RETURNING keyed on (subscription_id, slot): of several claimants exactly
// one inserts the row. A row already in the ledger is taken over only by a
// conditional UPDATE ... WHERE (claimed with an expired lease, or
// failed_retryable with its next attempt come) ... RETURNING, which sets
// claimant, lease and attempts in the same statement, so again exactly one
// claimant wins. FinishDelivery updates the row only while the claimant
// still holds it: state claimed, the same claimant and the same lease end.
// Writes run in IMMEDIATE transactions, so claimants in other processes wait
// for each other (busy timeout) rather than fail.

const subscriptionCols = "id, platform, workspace, channel, hour, minute, zone, days, story, creator, paused, paused_reason, created, updated"

func scanSubscription(sc scanner) (briefings.Subscription, error) {
	var s briefings.Subscription
	var days string
	var created, updated int64
	if err := sc.Scan(&s.ID, &s.Platform, &s.Workspace, &s.Channel, &s.Hour, &s.Minute, &s.Zone, &days, &s.Story, &s.Creator,
		&s.Paused, &s.PausedReason, &created, &updated); err != nil {
		return briefings.Subscription{}, err
	}
	if err := json.Unmarshal([]byte(days), &s.Days); err != nil {
		return briefings.Subscription{}, fmt.Errorf("decode days of subscription %s: %w", s.ID, err)
	}
	s.Created, s.Updated = fromMicros(created), fromMicros(updated)
	return s, nil
}

// putSubscriptionSQL creates a subscription or replaces the schedule of the
// channel's: time, zone, days and story. Its id, creator, creation time and
// paused state stay.
const putSubscriptionSQL = "INSERT INTO subscriptions (" + subscriptionCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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
	days, err := json.Marshal(sub.Days)
	if err != nil {
		return briefings.Subscription{}, false, err
	}
	id := briefings.NewStoreID("sub")
	var out briefings.Subscription
	err = s.write(ctx, "put subscription", func(tx *sql.Tx) error {
		var err error
		out, err = scanSubscription(tx.QueryRowContext(ctx, putSubscriptionSQL, id, sub.Platform, sub.Workspace, sub.Channel,
			sub.Hour, sub.Minute, sub.Zone, string(days), sub.Story, sub.Creator, sub.Paused, sub.PausedReason, micros(sub.Created), micros(sub.Updated)))
		return err
	})
	if err != nil {
		return briefings.Subscription{}, false, err
	}
	return out, out.ID == id, nil
}

// subscriptionNotFound is the error for a missing subscription.
func subscriptionNotFound(what string) error {
	return briefings.WrapError(briefings.CodeNotFound, "no digest subscription "+what, briefings.ErrNotFound)
}

// SubscriptionFor returns the channel's subscription; an error with
// briefings.ErrNotFound when it has none.
func (s *Store) SubscriptionFor(ctx context.Context, platform, workspace, channel string) (briefings.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx, "SELECT "+subscriptionCols+" FROM subscriptions WHERE platform = ? AND workspace = ? AND channel = ?",
		platform, workspace, channel))
	if errors.Is(err, sql.ErrNoRows) {
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
	sub, err := scanSubscription(s.queryRow(ctx, "SELECT "+subscriptionCols+" FROM subscriptions WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
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
	return s.write(ctx, "delete subscription "+id, func(tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, "DELETE FROM subscriptions WHERE id = ?", id))(subscriptionNotFound(fmt.Sprintf("%q", id)))
	})
}

// oneRow returns a function that turns an Exec result that changed no row
// into notFound.
func oneRow(r sql.Result, err error) func(notFound error) error {
	return func(notFound error) error {
		if err != nil {
			return err
		}
		n, err := r.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return notFound
		}
		return nil
	}
}

// Subscriptions lists subscriptions in id order, after q.AfterID, at most
// q.Limit (default 100, at most 1000).
func (s *Store) Subscriptions(ctx context.Context, q briefings.SubscriptionQuery) ([]briefings.Subscription, error) {
	n, err := briefings.CheckSubscriptionQuery(q)
	if err != nil {
		return nil, err
	}
	query, args := subscriptionQuery(q, n)
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "subscriptions", err)
	}
	defer rows.Close()
	var out []briefings.Subscription
	for rows.Next() {
		sub, err := scanSubscription(rows)
		if err != nil {
			return nil, s.fail(ctx, "subscriptions", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "subscriptions", err)
	}
	return out, nil
}

// subscriptionQuery builds the SQL of a subscription query.
func subscriptionQuery(q briefings.SubscriptionQuery, n int) (string, []any) {
	var where []string
	var args []any
	for _, f := range []struct{ col, v string }{{"platform", q.Platform}, {"workspace", q.Workspace}, {"channel", q.Channel}} {
		if f.v != "" {
			where = append(where, f.col+" = ?")
			args = append(args, f.v)
		}
	}
	if q.Active {
		where = append(where, "paused = 0")
	}
	if q.AfterID != "" {
		where = append(where, "id > ?")
		args = append(args, q.AfterID)
	}
	query := "SELECT " + subscriptionCols + " FROM subscriptions"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY id LIMIT ?", append(args, n)
}

// SetPaused pauses or resumes a subscription, recording why (the reason is
// cleared on resume); an error with briefings.ErrNotFound when it does not
// exist.
func (s *Store) SetPaused(ctx context.Context, id string, paused bool, reason string) error {
	reason = briefings.PauseReason(paused, reason)
	now := micros(s.clock.Now())
	return s.write(ctx, "pause subscription "+id, func(tx *sql.Tx) error {
		return oneRow(tx.ExecContext(ctx, "UPDATE subscriptions SET paused = ?, paused_reason = ?, updated = ? WHERE id = ?", paused, reason, now, id))(
			subscriptionNotFound(fmt.Sprintf("%q", id)))
	})
}

const deliveryCols = "subscription_id, slot, due, state, manual, attempts, claimant, lease_until, next_attempt, cursor, message_id, link, error, updated"

func scanDelivery(sc scanner) (briefings.Delivery, error) {
	var d briefings.Delivery
	var state string
	var due, updated int64
	var lease, next, cursor sql.NullInt64
	if err := sc.Scan(&d.SubscriptionID, &d.Slot, &due, &state, &d.Manual, &d.Attempts, &d.Claimant, &lease, &next, &cursor,
		&d.MessageID, &d.Link, &d.Error, &updated); err != nil {
		return briefings.Delivery{}, err
	}
	d.State = briefings.DeliveryState(state)
	d.Due, d.Updated = fromMicros(due), fromMicros(updated)
	for _, t := range []struct {
		dst *time.Time
		v   sql.NullInt64
	}{{&d.LeaseUntil, lease}, {&d.NextAttempt, next}, {&d.Cursor, cursor}} {
		if t.v.Valid {
			*t.dst = fromMicros(t.v.Int64)
		}
	}
	return d, nil
}

// The statements of a claim: the insert of a new slot, the takeover of an
// expired or retryable row, and the row as it stands.
const (
	claimInsertSQL = `INSERT INTO deliveries (subscription_id, slot, due, state, manual, attempts, claimant, lease_until, updated)
	VALUES (?, ?, ?, 'claimed', ?, 1, ?, ?, ?)
	ON CONFLICT (subscription_id, slot) DO NOTHING
	RETURNING ` + deliveryCols
	claimTakeOverSQL = `UPDATE deliveries SET state = 'claimed', claimant = ?, lease_until = ?, attempts = attempts + 1, next_attempt = NULL, updated = ?
	WHERE subscription_id = ? AND slot = ?
		AND ((state = 'claimed' AND lease_until < ?) OR (state = 'failed_retryable' AND next_attempt <= ?))
	RETURNING ` + deliveryCols
	deliverySQL = "SELECT " + deliveryCols + " FROM deliveries WHERE subscription_id = ? AND slot = ?"
	// pruneLedgerSQL deletes a subscription's rows due before a cutoff,
	// except the latest sent or empty one (briefings.LedgerRetention).
	pruneLedgerSQL = `DELETE FROM deliveries WHERE subscription_id = ? AND due < ?
		AND due < (SELECT max(due) FROM deliveries WHERE subscription_id = ? AND state IN ('sent', 'empty'))`
)

// ClaimDelivery claims a slot for claimant until now+lease. A new slot is
// claimed by one insert that conflicts for every other claimant; a slot in
// the ledger is taken over only when it is claimed with a lease that ended
// before now, or failed_retryable with NextAttempt at or before now (one
// more attempt). It returns the row as claimed and true, or the row as it
// stands and false. A subscription that does not exist is an error with
// briefings.ErrNotFound.
func (s *Store) ClaimDelivery(ctx context.Context, d briefings.Delivery, claimant string, now time.Time, lease time.Duration) (briefings.Delivery, bool, error) {
	row, err := briefings.CheckClaim(d, claimant, now, lease)
	if err != nil {
		return briefings.Delivery{}, false, err
	}
	var out briefings.Delivery
	var won bool
	err = s.write(ctx, "claim delivery "+d.Slot, func(tx *sql.Tx) error {
		var err error
		out, won, err = s.claim(ctx, tx, row)
		return err
	})
	if err != nil {
		return briefings.Delivery{}, false, err
	}
	return out, won, nil
}

// claim runs a checked claim in a write transaction, with the statements
// prepared on the writer connection.
func (s *Store) claim(ctx context.Context, tx *sql.Tx, row briefings.Delivery) (briefings.Delivery, bool, error) {
	var one int
	if err := in(ctx, tx, s.ws.subExists).QueryRowContext(ctx, row.SubscriptionID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
		return briefings.Delivery{}, false, subscriptionNotFound(fmt.Sprintf("%q to deliver", row.SubscriptionID))
	} else if err != nil {
		return briefings.Delivery{}, false, err
	}
	now, lease := micros(row.Updated), micros(row.LeaseUntil)
	d, err := scanDelivery(in(ctx, tx, s.ws.claimInsert).QueryRowContext(ctx, row.SubscriptionID, row.Slot, micros(row.Due), row.Manual, row.Claimant, lease, now))
	if err == nil {
		cutoff := micros(row.Updated.Add(-briefings.LedgerRetention))
		if _, err := in(ctx, tx, s.ws.pruneLedger).ExecContext(ctx, row.SubscriptionID, cutoff, row.SubscriptionID); err != nil {
			return briefings.Delivery{}, false, fmt.Errorf("prune ledger: %w", err)
		}
		return d, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return briefings.Delivery{}, false, fmt.Errorf("insert: %w", err)
	}
	d, err = scanDelivery(in(ctx, tx, s.ws.claimTakeOver).QueryRowContext(ctx, row.Claimant, lease, now, row.SubscriptionID, row.Slot, now, now))
	if err == nil {
		return d, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return briefings.Delivery{}, false, fmt.Errorf("take over: %w", err)
	}
	d, err = scanDelivery(in(ctx, tx, s.ws.delivery).QueryRowContext(ctx, row.SubscriptionID, row.Slot))
	if err != nil {
		return briefings.Delivery{}, false, fmt.Errorf("read: %w", err)
	}
	return d, false, nil
}

// finishSQL records an outcome while the claimant holds the row.
const finishSQL = `UPDATE deliveries SET state = ?, attempts = CASE WHEN ? > 0 THEN ? ELSE attempts END, next_attempt = ?, cursor = ?,
		message_id = ?, link = ?, error = ?, updated = ?
	WHERE subscription_id = ? AND slot = ? AND state = 'claimed' AND claimant = ? AND lease_until = ?`

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
	return s.write(ctx, "finish delivery "+d.Slot, func(tx *sql.Tx) error {
		r, err := in(ctx, tx, s.ws.finish).ExecContext(ctx, string(d.State), d.Attempts, d.Attempts, nullMicros(d.NextAttempt), nullMicros(d.Cursor),
			d.MessageID, d.Link, d.Error, micros(d.Updated), d.SubscriptionID, d.Slot, d.Claimant, micros(d.LeaseUntil))
		if err != nil {
			return err
		}
		if n, err := r.RowsAffected(); err != nil || n == 1 {
			return err
		}
		cur, err := scanDelivery(in(ctx, tx, s.ws.delivery).QueryRowContext(ctx, d.SubscriptionID, d.Slot))
		if errors.Is(err, sql.ErrNoRows) {
			return briefings.WrapError(briefings.CodeNotFound, fmt.Sprintf("delivery %s of subscription %s is not in the ledger", d.Slot, d.SubscriptionID), briefings.ErrNotFound)
		}
		if err != nil {
			return err
		}
		return notHeld(d, cur)
	})
}

// notHeld is the conflict of a claimant finishing a row it no longer holds.
func notHeld(d, cur briefings.Delivery) error {
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
	rows, err := s.query(ctx, deliveriesSQL, subscriptionID, n)
	if err != nil {
		return nil, s.fail(ctx, "deliveries", err)
	}
	defer rows.Close()
	var out []briefings.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, s.fail(ctx, "deliveries", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "deliveries", err)
	}
	return out, nil
}

const (
	deliveriesSQL = "SELECT " + deliveryCols + " FROM deliveries WHERE subscription_id = ? ORDER BY due DESC, slot DESC LIMIT ?"
	// lastCursorSQL repeats the condition of the partial index
	// deliveries_delivered so that SQLite uses it.
	lastCursorSQL = `SELECT cursor FROM deliveries WHERE subscription_id = ? AND state IN ('sent', 'empty')
	ORDER BY due DESC, slot DESC LIMIT 1`
)

// LastCursor returns the cursor of the subscription's latest (by due time)
// sent or empty delivery; zero when it has none.
func (s *Store) LastCursor(ctx context.Context, subscriptionID string) (time.Time, error) {
	var cursor sql.NullInt64
	err := s.queryRow(ctx, lastCursorSQL, subscriptionID).Scan(&cursor)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !cursor.Valid) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, s.fail(ctx, "last cursor", err)
	}
	return fromMicros(cursor.Int64), nil
}
