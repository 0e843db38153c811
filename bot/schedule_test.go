package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func daily(zone string, hour, minute int) briefings.Subscription {
	return briefings.Subscription{ID: "s1", Platform: "fake", Channel: "C1", Zone: zone, Hour: hour, Minute: minute, Days: []int{0, 1, 2, 3, 4, 5, 6}}
}

func TestParseScheduleRejectsBadInput(t *testing.T) {
	tests := []struct {
		name string
		sub  briefings.Subscription
		want string // part of the message
	}{
		{"no zone", daily("", 8, 0), "no time zone"},
		{"unknown zone", daily("Mars/Olympus_Mons", 8, 0), `unknown time zone "Mars/Olympus_Mons"`},
		{"machine zone", daily("Local", 8, 0), "not an IANA name"},
		{"zone with a space", daily("Europe/Berlin 1", 8, 0), "not an IANA name"},
		{"zone path escape", daily("../../etc/passwd", 8, 0), "unknown time zone"},
		{"long zone", daily(strings.Repeat("A", 65), 8, 0), "too long"},
		{"hour 24", daily("UTC", 24, 0), "is not a time of day"},
		{"negative minute", daily("UTC", 8, -1), "is not a time of day"},
		{"minute 60", daily("UTC", 8, 60), "is not a time of day"},
		{"no days", briefings.Subscription{Zone: "UTC", Hour: 8}, "no digest days"},
		{"day 7", briefings.Subscription{Zone: "UTC", Hour: 8, Days: []int{1, 7}}, "digest day 7"},
		// Seven entries with repeats would become "*" (every day) in CronSpec.
		{"repeated days", briefings.Subscription{Zone: "UTC", Hour: 8, Days: []int{1, 1, 1, 1, 1, 1, 1}}, "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.sub)
			if err == nil {
				t.Fatalf("ParseSchedule(%+v) = %v, want an error", tt.sub, s)
			}
			if briefings.ErrorCode(err) != briefings.CodeInvalid {
				t.Errorf("code = %v, want invalid (%v)", briefings.ErrorCode(err), err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

func TestParseSpecRecoversRobfigPanic(t *testing.T) {
	// robfig/cron v3.0.1 slices out of range on a CRON_TZ without a space.
	_, err := parseSpec("CRON_TZ=Europe/Berlin")
	if err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Fatalf("parseSpec = %v, want a malformed-schedule error", err)
	}
	if _, err := parseSpec("CRON_TZ=Europe/Berlin 61 8 * * *"); err == nil {
		t.Fatal("minute 61 accepted")
	}
}

func TestParseScheduleNext(t *testing.T) {
	tests := []struct {
		name string
		sub  briefings.Subscription
		from time.Time
		want time.Time
	}{
		{"weekdays from Friday evening", briefings.Subscription{Zone: "Europe/Berlin", Hour: 7, Minute: 30, Days: []int{1, 2, 3, 4, 5}},
			time.Date(2026, 11, 6, 18, 0, 0, 0, time.UTC), time.Date(2026, 11, 9, 6, 30, 0, 0, time.UTC)},
		{"Sunday only", briefings.Subscription{Zone: "America/New_York", Hour: 8, Days: []int{0}},
			time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 8, 13, 0, 0, 0, time.UTC)},
		{"UTC daily", daily("UTC", 0, 0), time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSchedule(tt.sub)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Next(tt.from); !got.Equal(tt.want) {
				t.Errorf("Next(%v) = %v, want %v", tt.from, got.UTC(), tt.want)
			}
		})
	}
}

// TestDueSlotsDST pins the daylight saving rules documented on
// ParseSchedule: what robfig/cron gives, and how slot keys merge the
// repeated hour.
func TestDueSlotsDST(t *testing.T) {
	type slot struct {
		key string
		due string // RFC 3339 in UTC
	}
	tests := []struct {
		name       string
		zone       string
		hour, min  int
		from, to   string // local dates in the zone, whole days
		wantSlots  []slot
		wantInstnt int // instants robfig gives in the window
	}{
		{
			name: "New York 02:30 spring forward is skipped", zone: "America/New_York", hour: 2, min: 30,
			from: "2026-03-07", to: "2026-03-09",
			wantSlots:  []slot{{"2026-03-07T02:30", "2026-03-07T07:30:00Z"}, {"2026-03-09T02:30", "2026-03-09T06:30:00Z"}},
			wantInstnt: 2,
		},
		{
			name: "Berlin 02:30 spring forward is skipped", zone: "Europe/Berlin", hour: 2, min: 30,
			from: "2026-03-28", to: "2026-03-30",
			wantSlots:  []slot{{"2026-03-28T02:30", "2026-03-28T01:30:00Z"}, {"2026-03-30T02:30", "2026-03-30T00:30:00Z"}},
			wantInstnt: 2,
		},
		{
			name: "New York 02:30 fall back happens once", zone: "America/New_York", hour: 2, min: 30,
			from: "2026-10-31", to: "2026-11-02",
			wantSlots: []slot{{"2026-10-31T02:30", "2026-10-31T06:30:00Z"}, {"2026-11-01T02:30", "2026-11-01T07:30:00Z"},
				{"2026-11-02T02:30", "2026-11-02T07:30:00Z"}},
			wantInstnt: 3,
		},
		{
			name: "Berlin 02:30 fall back: two instants, one slot", zone: "Europe/Berlin", hour: 2, min: 30,
			from: "2026-10-24", to: "2026-10-26",
			wantSlots: []slot{{"2026-10-24T02:30", "2026-10-24T00:30:00Z"}, {"2026-10-25T02:30", "2026-10-25T00:30:00Z"},
				{"2026-10-26T02:30", "2026-10-26T01:30:00Z"}},
			wantInstnt: 4,
		},
		{
			name: "New York 01:30 fall back: two instants, one slot", zone: "America/New_York", hour: 1, min: 30,
			from: "2026-10-31", to: "2026-11-02",
			wantSlots: []slot{{"2026-10-31T01:30", "2026-10-31T05:30:00Z"}, {"2026-11-01T01:30", "2026-11-01T05:30:00Z"},
				{"2026-11-02T01:30", "2026-11-02T06:30:00Z"}},
			wantInstnt: 4,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustZone(t, tt.zone)
			sched, err := ParseSchedule(daily(tt.zone, tt.hour, tt.min))
			if err != nil {
				t.Fatal(err)
			}
			from, _ := time.ParseInLocation("2006-01-02", tt.from, loc)
			to, _ := time.ParseInLocation("2006-01-02", tt.to, loc)
			to = to.Add(23 * time.Hour)
			instants := 0
			for x := sched.Next(from); !x.After(to); x = sched.Next(x) {
				instants++
			}
			if instants != tt.wantInstnt {
				t.Errorf("robfig/cron gives %d instants, want %d", instants, tt.wantInstnt)
			}
			got := DueSlots(sched, loc, from, to)
			if len(got) != len(tt.wantSlots) {
				t.Fatalf("DueSlots = %v, want %v", got, tt.wantSlots)
			}
			for i, w := range tt.wantSlots {
				if got[i].Key != w.key || got[i].Due.UTC().Format(time.RFC3339) != w.due {
					t.Errorf("slot %d = %s at %s, want %s at %s", i, got[i].Key, got[i].Due.UTC().Format(time.RFC3339), w.key, w.due)
				}
			}
		})
	}
}

func TestDueSlotsWindow(t *testing.T) {
	loc := mustZone(t, "Europe/Berlin")
	sched, err := ParseSchedule(daily("Europe/Berlin", 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 11, 2, 8, 0, 0, 0, loc)
	tests := []struct {
		name     string
		from, to time.Time
		want     int
	}{
		{"to is inclusive", due.Add(-time.Minute), due, 1},
		{"from is exclusive", due, due.Add(time.Hour), 0},
		{"empty window", due.Add(time.Minute), due.Add(-time.Minute), 0},
		{"a week", due.Add(-time.Second), due.Add(6 * 24 * time.Hour), 7},
		{"bounded", due.Add(-time.Second), due.AddDate(5, 0, 0), maxDueSlots},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DueSlots(sched, loc, tt.from, tt.to); len(got) != tt.want {
				t.Errorf("DueSlots(%v, %v) has %d slots, want %d", tt.from, tt.to, len(got), tt.want)
			}
		})
	}
	if k := SlotKey(due.UTC(), loc); k != "2026-11-02T08:00" {
		t.Errorf("SlotKey = %s", k)
	}
}
