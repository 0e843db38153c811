package commands

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// DigestDeps is what the digest and subscription commands need; the
// runtime wires the store and the scheduler in.
type DigestDeps struct {
	Store briefings.SubscriptionStore
	// Next validates a subscription's schedule and returns its next due
	// time after now.
	Next func(sub briefings.Subscription, now time.Time) (time.Time, error)
	// Preview composes the channel's next digest without recording it.
	Preview func(ctx context.Context, sub briefings.Subscription) (Response, error)
	// DeliverNow posts the channel's digest now, recorded as manual.
	DeliverNow func(ctx context.Context, sub briefings.Subscription) (briefings.Delivery, error)
	// DefaultZone is the zone used when neither the command nor the
	// platform gives one.
	DefaultZone string
	Clock       briefings.Clock
}

// DigestHandlers returns the handlers of subscribe, unsubscribe,
// subscriptions, pause, resume, digest preview, digest now and history.
func DigestHandlers(d DigestDeps) Extra {
	if d.Clock == nil {
		d.Clock = briefings.SystemClock{}
	}
	if d.DefaultZone == "" {
		d.DefaultZone = "UTC"
	}
	return Extra{
		"subscribe":      d.subscribe,
		"unsubscribe":    d.unsubscribe,
		"subscriptions":  d.subscriptions,
		"pause":          func(ctx context.Context, req Request) (Response, error) { return d.setPaused(ctx, req, true) },
		"resume":         func(ctx context.Context, req Request) (Response, error) { return d.setPaused(ctx, req, false) },
		"digest preview": d.preview,
		"digest now":     d.digestNow,
		"history":        d.history,
	}
}

// info is a short ephemeral answer.
func info(title, text string, items ...Item) Response {
	r := Response{Kind: KindSubscription, Title: title, Visibility: Ephemeral}
	r.Blocks = append(r.Blocks, Block{Type: BlockHeader, Text: title}, Block{Type: BlockSection, Text: text})
	if len(items) > 0 {
		r.Blocks = append(r.Blocks, Block{Type: BlockFacts, Items: items})
	}
	r.Text = PlainText(r)
	return r
}

func (d DigestDeps) now() time.Time { return d.Clock.Now() }

func (d DigestDeps) subscribe(ctx context.Context, req Request) (Response, error) {
	hour, minute := 8, 0
	if t := req.Option("time"); t != "" {
		h, m, err := ParseTimeOfDay(t)
		if err != nil {
			return Response{}, err
		}
		hour, minute = h, m
	}
	zone := d.DefaultZone
	if req.TimeZone != "" {
		zone = req.TimeZone
	}
	if z := req.Option("timezone"); z != "" {
		parsed, err := ParseZone(z)
		if err != nil {
			return Response{}, err
		}
		zone = parsed
	}
	days := []int{1, 2, 3, 4, 5}
	if ds := req.Option("days"); ds != "" {
		parsed, err := ParseDays(ds)
		if err != nil {
			return Response{}, err
		}
		days = parsed
	}
	now := d.now()
	sub := briefings.Subscription{Platform: req.Platform, Workspace: req.Workspace, Channel: req.Channel,
		Hour: hour, Minute: minute, Zone: zone, Days: days, Creator: req.User, Created: now, Updated: now}
	next, err := d.Next(sub, now)
	if err != nil {
		return Response{}, briefings.WrapError(briefings.CodeInvalid, "That schedule cannot be used: "+err.Error()+". For example `/brief subscribe 07:30 Europe/Berlin weekdays`.", err)
	}
	saved, created, err := d.Store.PutSubscription(ctx, sub)
	if err != nil {
		return Response{}, fmt.Errorf("save subscription: %w", err)
	}
	verb := "Subscribed"
	if !created {
		verb = "Updated"
	}
	loc, _ := time.LoadLocation(saved.Zone)
	text := fmt.Sprintf("%s: this channel gets a digest of what is new at %s. The next one is due %s.", verb, saved.Schedule(), next.In(loc).Format("Mon 2 Jan 15:04 MST"))
	if saved.Paused {
		text += " The subscription is paused; `/brief resume` starts it again."
	}
	return info("Digest subscription", text+" Change it with `/brief subscribe HH:MM zone days`; stop it with `/brief unsubscribe`."), nil
}

// forChannel returns the channel's subscription, or a helpful error.
func (d DigestDeps) forChannel(ctx context.Context, req Request) (briefings.Subscription, error) {
	sub, err := d.Store.SubscriptionFor(ctx, req.Platform, req.Workspace, req.Channel)
	if errors.Is(err, briefings.ErrNotFound) || briefings.ErrorCode(err) == briefings.CodeNotFound {
		return briefings.Subscription{}, &briefings.Error{Code: briefings.CodeNotFound, Msg: "This channel has no digest subscription. Start one with `/brief subscribe` (08:00 on weekdays) or for example `/brief subscribe 07:30 Europe/Berlin daily`."}
	}
	if err != nil {
		return briefings.Subscription{}, fmt.Errorf("read subscription: %w", err)
	}
	return sub, nil
}

func (d DigestDeps) unsubscribe(ctx context.Context, req Request) (Response, error) {
	sub, err := d.forChannel(ctx, req)
	if err != nil {
		return Response{}, err
	}
	if err := d.Store.DeleteSubscription(ctx, sub.ID); err != nil {
		return Response{}, fmt.Errorf("delete subscription: %w", err)
	}
	return info("Digest subscription", "Unsubscribed: this channel gets no more digests. `/brief subscribe` starts them again."), nil
}

func (d DigestDeps) setPaused(ctx context.Context, req Request, paused bool) (Response, error) {
	sub, err := d.forChannel(ctx, req)
	if err != nil {
		return Response{}, err
	}
	if sub.Paused == paused {
		if paused {
			return info("Digest subscription", "The digest is already paused. `/brief resume` starts it again."), nil
		}
		return info("Digest subscription", "The digest is not paused; it runs at "+sub.Schedule()+"."), nil
	}
	reason := ""
	if paused {
		reason = "paused by " + req.User
	}
	if err := d.Store.SetPaused(ctx, sub.ID, paused, reason); err != nil {
		return Response{}, fmt.Errorf("pause subscription: %w", err)
	}
	if paused {
		return info("Digest subscription", "Paused: no digests until `/brief resume`."), nil
	}
	next, err := d.Next(sub, d.now())
	text := "Resumed: digests at " + sub.Schedule() + "."
	if err == nil {
		loc, _ := time.LoadLocation(sub.Zone)
		text += " The next one is due " + next.In(loc).Format("Mon 2 Jan 15:04 MST") + "."
	}
	return info("Digest subscription", text), nil
}

func subscriptionItem(s briefings.Subscription) Item {
	it := Item{Label: s.Schedule(), Text: s.Platform + " " + s.Channel}
	if s.Story != "" {
		it.Notes = append(it.Notes, "story: "+s.Story)
	}
	if s.Paused {
		n := "paused"
		if s.PausedReason != "" {
			n += ": " + s.PausedReason
		}
		it.Notes = append(it.Notes, n)
	}
	if s.Creator != "" {
		it.Notes = append(it.Notes, "created by "+s.Creator+" on "+s.Created.UTC().Format("2 Jan 2006"))
	}
	return it
}

func (d DigestDeps) subscriptions(ctx context.Context, req Request) (Response, error) {
	if req.Flag("all") {
		if !req.Admin {
			return Response{}, &briefings.Error{Code: briefings.CodeForbidden, Msg: "Only the bot's admins can list every subscription; `/brief subscriptions` shows this channel's."}
		}
		subs, err := d.Store.Subscriptions(ctx, briefings.SubscriptionQuery{Platform: req.Platform, Workspace: req.Workspace, Limit: 50})
		if err != nil {
			return Response{}, fmt.Errorf("list subscriptions: %w", err)
		}
		if len(subs) == 0 {
			return info("Digest subscriptions", "No channel in this workspace has a digest subscription."), nil
		}
		var items []Item
		for _, s := range subs {
			items = append(items, subscriptionItem(s))
		}
		return info("Digest subscriptions", fmt.Sprintf("%d channels have digests (at most 50 shown).", len(subs)), items...), nil
	}
	sub, err := d.forChannel(ctx, req)
	if err != nil {
		return Response{}, err
	}
	return info("Digest subscription", "This channel's digest:", subscriptionItem(sub)), nil
}

func (d DigestDeps) preview(ctx context.Context, req Request) (Response, error) {
	sub, err := d.Store.SubscriptionFor(ctx, req.Platform, req.Workspace, req.Channel)
	if err != nil && !errors.Is(err, briefings.ErrNotFound) && briefings.ErrorCode(err) != briefings.CodeNotFound {
		return Response{}, fmt.Errorf("read subscription: %w", err)
	}
	if err != nil {
		// No subscription yet: preview what one would say.
		now := d.now()
		sub = briefings.Subscription{Platform: req.Platform, Workspace: req.Workspace, Channel: req.Channel, Hour: 8, Zone: d.DefaultZone, Days: []int{1, 2, 3, 4, 5}, Created: now}
	}
	r, err := d.Preview(ctx, sub)
	if err != nil {
		return Response{}, err
	}
	r.Visibility = Ephemeral
	return r, nil
}

func (d DigestDeps) digestNow(ctx context.Context, req Request) (Response, error) {
	sub, err := d.forChannel(ctx, req)
	if err != nil {
		return Response{}, err
	}
	del, err := d.DeliverNow(ctx, sub)
	if err != nil {
		return Response{}, err
	}
	text := "Digest posted"
	switch del.State {
	case briefings.DeliveryEmpty:
		text = "Nothing new since the last digest; nothing was posted."
	case briefings.DeliverySent:
		if del.Link != "" {
			text += ": " + del.Link
		} else {
			text += "."
		}
	default:
		text = "The digest could not be posted (" + string(del.State) + "): " + del.Error
	}
	return info("Digest", text), nil
}

func (d DigestDeps) history(ctx context.Context, req Request) (Response, error) {
	sub, err := d.forChannel(ctx, req)
	if err != nil {
		return Response{}, err
	}
	dels, err := d.Store.Deliveries(ctx, sub.ID, 10)
	if err != nil {
		return Response{}, fmt.Errorf("read history: %w", err)
	}
	if len(dels) == 0 {
		return info("Digest history", "No digest has been due yet. The schedule is "+sub.Schedule()+"."), nil
	}
	loc, err := time.LoadLocation(sub.Zone)
	if err != nil {
		loc = time.UTC
	}
	var items []Item
	for _, del := range dels {
		it := Item{Label: del.Due.In(loc).Format("Mon 2 Jan 15:04"), Text: deliveryText(del)}
		if del.Attempts > 1 {
			it.Notes = append(it.Notes, fmt.Sprintf("%d attempts", del.Attempts))
		}
		if del.Manual {
			it.Notes = append(it.Notes, "manual (/brief digest now)")
		}
		items = append(items, it)
	}
	return info("Digest history", "The last digests of this channel, newest first ("+sub.Schedule()+"):", items...), nil
}

func deliveryText(d briefings.Delivery) string {
	switch d.State {
	case briefings.DeliverySent:
		if d.Link != "" {
			return "sent: " + d.Link
		}
		return "sent"
	case briefings.DeliveryEmpty:
		return "skipped: nothing new"
	case briefings.DeliveryMissed:
		return "missed: the bot was not running within the grace window"
	case briefings.DeliveryFailedRetryable:
		return "failed, will retry: " + d.Error
	case briefings.DeliveryFailedPermanent:
		return "failed: " + d.Error
	case briefings.DeliveryClaimed:
		return "being delivered"
	}
	return strings.TrimSpace(string(d.State) + " " + d.Error)
}

// FromDigest lays a digest out as a Response: the header message holds the
// lead and the status changes; the new facts, the status board and the
// sources follow in a thread (replies) where the platform supports it.
func FromDigest(a briefings.Answer) Response {
	head := a
	head.Sections = nil
	var rest []briefings.Section
	for _, s := range a.Sections {
		if s.Heading == "Status changes" {
			head.Sections = append(head.Sections, s)
		} else {
			rest = append(rest, s)
		}
	}
	head.Sources = nil
	r := FromAnswer(head, InChannel)
	r.Kind = KindDigest
	if len(rest) > 0 {
		body := briefings.Answer{Kind: "digest", Title: "Details", Sections: rest, Sources: a.Sources}
		t := FromAnswer(body, InChannel)
		t.Kind = KindDigest
		r.Thread = append(r.Thread, t)
	}
	return r
}
