package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/briefbot/briefbot/briefings"
)

// SlotLayout is the layout of a slot key: the local wall-clock time of a
// scheduled digest in the subscription's zone, such as "2026-11-02T08:00".
const SlotLayout = "2006-01-02T15:04"

// maxZoneLen bounds the length of a time zone name (the longest IANA name
// is 32 bytes).
const maxZoneLen = 64

// maxDueSlots bounds how many slots DueSlots lists for one window, so that
// a wrong window (years long) cannot make a tick loop for ever.
const maxDueSlots = 1000

// maxClockShift bounds how far apart two instants with the same wall-clock
// time can be (a daylight saving shift is at most 2 h anywhere).
const maxClockShift = 3 * time.Hour

// Slot is one scheduled digest time of a subscription.
type Slot struct {
	// Key is the local wall-clock time in the subscription's zone
	// (SlotLayout). It is the ledger key: two instants with the same key
	// are one digest.
	Key string
	// Due is the earliest instant at which the slot falls due.
	Due time.Time
}

// ParseSchedule validates sub's schedule (zone, hour, minute and days) and
// returns robfig/cron's schedule for sub.CronSpec(). Its Location is the
// subscription's zone. Bad input gets an invalid-input error that says
// how to fix it; robfig/cron's panics on malformed CRON_TZ input are
// recovered and reported the same way.
//
// Daylight saving time follows robfig/cron, which works in the zone's wall
// clock:
//
//   - Spring forward: a local time that does not exist that day (02:00 to
//     02:59 in America/New_York on the second Sunday of March, or in
//     Europe/Berlin on the last Sunday of March) is skipped: no digest that
//     day, the next one is at the usual time the following scheduled day.
//   - Fall back: a local time that happens twice (01:00 to 01:59 in
//     America/New_York on the first Sunday of November, 02:00 to 02:59 in
//     Europe/Berlin on the last Sunday of October) is due at both instants,
//     but both have the same slot key (SlotKey), so the ledger posts it once,
//     at the first instant. A time outside the repeated hour (02:30 in New
//     York) happens once and is due once.
func ParseSchedule(sub briefings.Subscription) (cron.Schedule, error) {
	s, _, err := parseSchedule(sub)
	return s, err
}

// parseSchedule is ParseSchedule that also returns the zone.
func parseSchedule(sub briefings.Subscription) (cron.Schedule, *time.Location, error) {
	loc, err := loadZone(sub.Zone)
	if err != nil {
		return nil, nil, err
	}
	if sub.Hour < 0 || sub.Hour > 23 || sub.Minute < 0 || sub.Minute > 59 {
		return nil, nil, briefings.Errorf(briefings.CodeInvalid,
			"digest time %02d:%02d is not a time of day: use HH:MM from 00:00 to 23:59, such as 08:00", sub.Hour, sub.Minute)
	}
	if len(sub.Days) == 0 {
		return nil, nil, briefings.Errorf(briefings.CodeInvalid,
			"no digest days: use weekdays, daily, or days such as mon,wed,fri")
	}
	var seen [7]bool
	for _, d := range sub.Days {
		if d < 0 || d > 6 {
			return nil, nil, briefings.Errorf(briefings.CodeInvalid,
				"digest day %d is not a weekday number: use 0 (Sunday) to 6 (Saturday)", d)
		}
		if seen[d] {
			return nil, nil, briefings.Errorf(briefings.CodeInvalid,
				"digest day %s is listed twice: list each day once, such as mon,wed,fri", time.Weekday(d))
		}
		seen[d] = true
	}
	sched, err := parseSpec(sub.CronSpec())
	if err != nil {
		return nil, nil, err
	}
	return sched, loc, nil
}

// loadZone loads an IANA zone, refusing names that depend on the machine.
func loadZone(zone string) (*time.Location, error) {
	switch {
	case zone == "":
		return nil, briefings.Errorf(briefings.CodeInvalid,
			"no time zone: use an IANA name such as Europe/Berlin or America/New_York")
	case len(zone) > maxZoneLen:
		return nil, briefings.Errorf(briefings.CodeInvalid,
			"time zone name is too long (%d bytes): use an IANA name such as Europe/Berlin", len(zone))
	case zone == "Local" || strings.ContainsAny(zone, " \t\r\n\x00"):
		return nil, briefings.Errorf(briefings.CodeInvalid,
			"time zone %q is not an IANA name: use one such as Europe/Berlin or America/New_York", zone)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, briefings.WrapError(briefings.CodeInvalid,
			fmt.Sprintf("unknown time zone %q: use an IANA name such as Europe/Berlin or America/New_York", zone), err)
	}
	return loc, nil
}

// parseSpec parses a standard cron spec, turning robfig/cron's panics
// into errors.
func parseSpec(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched = nil
			err = briefings.Errorf(briefings.CodeInvalid,
				"digest schedule %q is malformed (%v): use a time such as 08:00 and an IANA zone such as Europe/Berlin", spec, r)
		}
	}()
	sched, err = cron.ParseStandard(spec)
	if err != nil {
		return nil, briefings.WrapError(briefings.CodeInvalid,
			fmt.Sprintf("digest schedule %q is malformed: use a time such as 08:00 and an IANA zone such as Europe/Berlin", spec), err)
	}
	return sched, nil
}

// SlotKey returns the slot key of instant t: its wall-clock time in loc,
// to the minute (SlotLayout).
func SlotKey(t time.Time, loc *time.Location) string {
	return t.In(loc).Format(SlotLayout)
}

// DueSlots lists the slots of sched that fall due in (from, to], oldest
// first, with keys in loc (the subscription's zone). Instants with the same
// key (the repeated hour when clocks fall back) are one slot, due at the
// first of them. At most 1,000 slots are listed.
func DueSlots(sched cron.Schedule, loc *time.Location, from, to time.Time) []Slot {
	var out []Slot
	for t := sched.Next(from); !t.IsZero() && !t.After(to) && len(out) < maxDueSlots; t = sched.Next(t) {
		key := SlotKey(t, loc)
		// A repeated wall-clock time comes back at most a few hours
		// later (clock shifts are at most 2 h), so only recent slots can
		// have the same key.
		dup := false
		for i := len(out) - 1; i >= 0 && t.Sub(out[i].Due) <= maxClockShift; i-- {
			if out[i].Key == key {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, Slot{Key: key, Due: t})
		}
	}
	return out
}
