package extract

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// timexKind tells how a time expression relates to events.
type timexKind int

const (
	// tPoint is a date or period when something happened or will happen.
	tPoint timexKind = iota
	// tDuration is a span ("within a year", "72 hours").
	tDuration
	// tDeadline is a limit ("by the end of March", "until September 2026").
	tDeadline
	// tSince is a start ("since Wednesday", "since 1978").
	tSince
	// tVague is an expression that does not resolve ("recently").
	tVague
)

// timex is a time expression in a sentence.
type timex struct {
	start, end int // token range
	kind       timexKind
	ref        briefings.TimeRef
	// forward is set when the text points to the future ("will take effect
	// on Monday").
	forward bool
	// weekday is set for expressions resolved from a day name, which need
	// the past bias and may be re-anchored inside quotations.
	weekday bool
	// quotedToday is set for "today" inside a quotation, resolved against
	// the day the words were spoken.
	quotedToday bool
	// anchorRel is set for "hours after/before", which take the day of the
	// nearest dated event.
	anchorRel bool
}

// monthOf returns the month a word names ("january", "jan", "jan.").
func monthOf(w string) (time.Month, bool) {
	switch w {
	case "january", "jan", "jan.":
		return time.January, true
	case "february", "feb", "feb.":
		return time.February, true
	case "march", "mar.":
		return time.March, true
	case "april", "apr", "apr.":
		return time.April, true
	case "may":
		return time.May, true
	case "june", "jun", "jun.":
		return time.June, true
	case "july", "jul", "jul.":
		return time.July, true
	case "august", "aug", "aug.":
		return time.August, true
	case "september", "sep", "sep.", "sept", "sept.":
		return time.September, true
	case "october", "oct", "oct.":
		return time.October, true
	case "november", "nov", "nov.":
		return time.November, true
	case "december", "dec", "dec.":
		return time.December, true
	}
	return 0, false
}

// weekdayOf returns the weekday a word names.
func weekdayOf(w string) (time.Weekday, bool) {
	switch w {
	case "sunday":
		return time.Sunday, true
	case "monday":
		return time.Monday, true
	case "tuesday":
		return time.Tuesday, true
	case "wednesday":
		return time.Wednesday, true
	case "thursday":
		return time.Thursday, true
	case "friday":
		return time.Friday, true
	case "saturday":
		return time.Saturday, true
	}
	return 0, false
}

// numberWord returns the value of a number word ("a" and "an" are one;
// "several" and "few" are known but have no value).
func numberWord(w string) (int, bool) {
	switch w {
	case "a", "an", "one":
		return 1, true
	case "two", "couple":
		return 2, true
	case "three":
		return 3, true
	case "four":
		return 4, true
	case "five":
		return 5, true
	case "six":
		return 6, true
	case "seven":
		return 7, true
	case "eight":
		return 8, true
	case "nine":
		return 9, true
	case "ten":
		return 10, true
	case "eleven":
		return 11, true
	case "twelve":
		return 12, true
	case "thirteen":
		return 13, true
	case "fourteen":
		return 14, true
	case "fifteen":
		return 15, true
	case "sixteen":
		return 16, true
	case "seventeen":
		return 17, true
	case "eighteen":
		return 18, true
	case "nineteen":
		return 19, true
	case "twenty":
		return 20, true
	case "thirty":
		return 30, true
	case "forty":
		return 40, true
	case "fifty":
		return 50, true
	case "sixty":
		return 60, true
	case "ninety":
		return 90, true
	case "hundred":
		return 100, true
	case "several", "few":
		return 0, true
	}
	return 0, false
}

// unitOf maps a time unit word to its ISO 8601 duration letter and whether it
// is a time (T) unit.
func unitOf(w string) (letter string, timeUnit bool, ok bool) {
	w = strings.TrimSuffix(w, "s")
	switch w {
	case "second":
		return "S", true, true
	case "minute":
		return "M", true, true
	case "hour":
		return "H", true, true
	case "day":
		return "D", false, true
	case "week":
		return "W", false, true
	case "month":
		return "M", false, true
	case "year":
		return "Y", false, true
	case "decade":
		return "Y", false, true
	}
	return "", false, false
}

func number(w string) (int, bool) {
	if w == "" {
		return 0, false
	}
	if w[0] >= '0' && w[0] <= '9' {
		if strings.IndexByte(w, ',') >= 0 {
			w = strings.ReplaceAll(w, ",", "")
		}
		n, err := strconv.Atoi(w)
		return n, err == nil
	}
	n, ok := numberWord(w)
	return n, ok && n > 0
}

func isYear(w string) (int, bool) {
	if len(w) != 4 || w[0] < '1' || w[0] > '2' {
		return 0, false
	}
	n, err := strconv.Atoi(w)
	if err != nil || n < 1900 || n > 2099 {
		return 0, false
	}
	return n, true
}

func dayNum(w string) (int, bool) {
	if w == "" || w[0] < '0' || w[0] > '9' || len(w) > 5 {
		return 0, false
	}
	w = strings.TrimRight(w, ",")
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		w = strings.TrimSuffix(w, suf)
	}
	n, err := strconv.Atoi(w)
	if err != nil || n < 1 || n > 31 {
		return 0, false
	}
	return n, true
}

func day(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC) }

func dayRef(t time.Time) briefings.TimeRef {
	t = day(t)
	return briefings.TimeRef{Value: t.Format("2006-01-02"), Precision: briefings.PrecisionDay, Start: t, End: t}
}

func weekRef(t time.Time) briefings.TimeRef {
	y, w := t.ISOWeek()
	// Monday of that ISO week.
	start := day(t).AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
	return briefings.TimeRef{Value: fmt.Sprintf("%d-W%02d", y, w), Precision: briefings.PrecisionWeek, Start: start, End: start.AddDate(0, 0, 6)}
}

func monthRef(y int, m time.Month) briefings.TimeRef {
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return briefings.TimeRef{Value: start.Format("2006-01"), Precision: briefings.PrecisionMonth, Start: start, End: start.AddDate(0, 1, -1)}
}

func yearRef(y int) briefings.TimeRef {
	start := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return briefings.TimeRef{Value: strconv.Itoa(y), Precision: briefings.PrecisionYear, Start: start, End: start.AddDate(1, 0, -1)}
}

// seasonRef resolves a season of a year (northern hemisphere) to the year,
// with the season's months as its range.
func seasonRef(y int, season string) briefings.TimeRef {
	var m time.Month
	switch season {
	case "spring":
		m = time.March
	case "summer":
		m = time.June
	case "autumn", "fall":
		m = time.September
	default: // winter starts in December of the year before
		m = time.December
		y--
	}
	start := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	r := briefings.TimeRef{Value: strconv.Itoa(start.AddDate(0, 1, 0).Year()), Precision: briefings.PrecisionSeason, Start: start, End: start.AddDate(0, 3, -1)}
	r.Note = season + " " + strconv.Itoa(start.AddDate(0, 1, 0).Year())
	return r
}

func durationRef(n int, letter string, timeUnit bool, decade bool) briefings.TimeRef {
	if decade {
		n *= 10
	}
	v := "P"
	if timeUnit {
		v += "T"
	}
	v += strconv.Itoa(n) + letter
	return briefings.TimeRef{Value: v, Precision: briefings.PrecisionDuration}
}

// addDuration adds an ISO duration value (as produced by durationRef) to t.
func addDuration(t time.Time, v string) (time.Time, bool) {
	if !strings.HasPrefix(v, "P") || strings.HasPrefix(v, "PT") {
		return t, false
	}
	n, err := strconv.Atoi(v[1 : len(v)-1])
	if err != nil {
		return t, false
	}
	switch v[len(v)-1] {
	case 'D':
		return t.AddDate(0, 0, n), true
	case 'W':
		return t.AddDate(0, 0, 7*n), true
	case 'M':
		return t.AddDate(0, n, 0), true
	case 'Y':
		return t.AddDate(n, 0, 0), true
	}
	return t, false
}

// nearestMonthDay resolves a month and day without a year to the occurrence
// nearest the reference date.
func nearestMonthDay(ref time.Time, m time.Month, d int) time.Time {
	best := time.Time{}
	bestDist := time.Duration(1<<63 - 1)
	for y := ref.Year() - 1; y <= ref.Year()+1; y++ {
		t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		if t.Month() != m {
			continue // Feb 29 in a common year
		}
		dist := t.Sub(ref)
		if dist < 0 {
			dist = -dist
		}
		if dist < bestDist {
			best, bestDist = t, dist
		}
	}
	return best
}

// weekdayBefore returns the latest given weekday on or before ref.
func weekdayBefore(ref time.Time, wd time.Weekday) time.Time {
	diff := (int(ref.Weekday()) - int(wd) + 7) % 7
	return day(ref).AddDate(0, 0, -diff)
}

// weekdayAfter returns the next given weekday on or after ref.
func weekdayAfter(ref time.Time, wd time.Weekday) time.Time {
	diff := (int(wd) - int(ref.Weekday()) + 7) % 7
	return day(ref).AddDate(0, 0, diff)
}

// forwardCue reports whether the words before a time expression point to
// the future ("will take effect on Monday", "starting Monday").
func forwardCue(toks []token, i int) bool {
	for k := i - 1; k >= 0 && k >= i-8; k-- {
		switch toks[k].low {
		case "will", "starting", "start", "starts", "from", "next", "until", "till", "'ll", "shall", "scheduled", "due", "expected", "begin", "begins", "effect":
			return true
		case ".", ";", "said", "says", "told":
			return false
		}
	}
	return false
}

// timePreposition reports prepositions a time expression takes with it.
func timePreposition(w string) bool {
	switch w {
	case "on", "in", "at", "by", "since", "until", "till", "before", "after", "from", "during", "throughout", "within", "over", "for":
		return true
	}
	return false
}

// findTimes finds the time expressions in a sentence and resolves them
// against the publication date pub (zero when unknown).
func findTimes(toks []token, pub time.Time) []timex {
	var out []timex
	used := make([]bool, len(toks))
	emit := func(i, j int, kind timexKind, r briefings.TimeRef) *timex {
		// Take a preceding preposition (and "no later than", "just hours").
		s := i
		if s > 0 && timePreposition(toks[s-1].low) {
			s--
			if s > 0 && (toks[s].low == "than" || toks[s].low == "over") {
				// handled below
			}
		}
		if s >= 3 && toks[s-1].low == "than" && toks[s-2].low == "later" && toks[s-3].low == "no" {
			s -= 3
		}
		for k := s; k < j; k++ {
			used[k] = true
		}
		if kind == tPoint && s < i {
			switch toks[s].low {
			case "by", "until", "till", "before", "no":
				kind = tDeadline
			}
		}
		out = append(out, timex{start: s, end: j, kind: kind, ref: r})
		return &out[len(out)-1]
	}
	for i := 0; i < len(toks); i++ {
		if used[i] {
			continue
		}
		w := toks[i].low
		next := func(k int) string {
			if i+k < len(toks) {
				return toks[i+k].low
			}
			return ""
		}
		// ISO date 2024-09-29.
		if len(w) == 10 && w[4] == '-' && w[7] == '-' {
			if t, err := time.Parse("2006-01-02", w); err == nil {
				emit(i, i+1, tPoint, dayRef(t))
				continue
			}
		}
		// "the end of the year", "the end of next month".
		if w == "end" && i > 0 && toks[i-1].low == "the" && next(1) == "of" && !pub.IsZero() {
			var r briefings.TimeRef
			switch next(2) + " " + next(3) {
			case "the year", "this year":
				r = yearRef(pub.Year())
			case "next year":
				r = yearRef(pub.Year() + 1)
			case "the month", "this month":
				r = monthRef(pub.Year(), pub.Month())
			case "next month":
				p := time.Date(pub.Year(), pub.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
				r = monthRef(p.Year(), p.Month())
			}
			if r.Value != "" {
				emit(i-1, i+4, tDeadline, r)
				continue
			}
		}
		// "the end of <Month> [Year]" → deadline month.
		if w == "end" && i > 0 && toks[i-1].low == "the" && next(1) == "of" {
			if m, ok := monthOf(next(2)); ok && toks[i+2].cap {
				y, hasYear := isYear(next(3))
				j := i + 3
				if hasYear {
					j++
				} else {
					y = pub.Year()
					if !pub.IsZero() && m < pub.Month() {
						y++
					}
				}
				if pub.IsZero() && !hasYear {
					continue
				}
				s := i - 1
				tx := emit(s, j, tDeadline, monthRef(y, m))
				_ = tx
				continue
			}
		}
		// Month names.
		if m, ok := monthOf(w); ok && toks[i].cap && !(w == "may" && !looksLikeMonthContext(toks, i)) && !(w == "march" && !looksLikeMonthContext(toks, i)) {
			// Month Day[,] [Year]
			if d, ok := dayNum(next(1)); ok {
				j := i + 2
				k := j
				if k < len(toks) && toks[k].low == "," {
					k++
				}
				if y, ok := isYear(safeLow(toks, k)); ok {
					t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
					emit(i, k+1, tPoint, dayRef(t))
					continue
				}
				if pub.IsZero() {
					continue
				}
				emit(i, j, tPoint, dayRef(nearestMonthDay(pub, m, d)))
				continue
			}
			// Month Year
			if y, ok := isYear(next(1)); ok {
				kind := tPoint
				if i > 0 && (toks[i-1].low == "until" || toks[i-1].low == "by" || toks[i-1].low == "till") {
					kind = tDeadline
				}
				emit(i, i+2, kind, monthRef(y, m))
				continue
			}
			// Day Month [Year]: handled when we meet the day number.
			if i > 0 && (toks[i-1].low == "in" || toks[i-1].low == "since" || toks[i-1].low == "by" || toks[i-1].low == "until" || toks[i-1].low == "last" || toks[i-1].low == "next" || toks[i-1].low == "early" || toks[i-1].low == "late" || toks[i-1].low == "mid") && !pub.IsZero() {
				// "in March", "last March": the nearest such month, past bias.
				y := pub.Year()
				if m > pub.Month() {
					y--
				}
				if toks[i-1].low == "next" || (toks[i-1].low == "by" || toks[i-1].low == "until") && m < pub.Month() {
					y = pub.Year()
					if m <= pub.Month() {
						y++
					}
				}
				s := i
				if toks[i-1].low == "last" || toks[i-1].low == "next" || toks[i-1].low == "early" || toks[i-1].low == "late" || toks[i-1].low == "mid" {
					s = i - 1
				}
				kind := tPoint
				if toks[i-1].low == "by" || toks[i-1].low == "until" {
					kind = tDeadline
				}
				emit(s, i+1, kind, monthRef(y, m))
				continue
			}
		}
		// Day Month [Year]: "31 December", "9 March 2024".
		if d, ok := dayNum(w); ok && i+1 < len(toks) {
			if m, ok := monthOf(next(1)); ok && toks[i+1].cap {
				if y, ok := isYear(next(2)); ok {
					emit(i, i+3, tPoint, dayRef(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)))
					continue
				}
				if !pub.IsZero() {
					emit(i, i+2, tPoint, dayRef(nearestMonthDay(pub, m, d)))
				}
				continue
			}
		}
		// Weekdays.
		if wd, ok := weekdayOf(w); ok && toks[i].cap {
			if pub.IsZero() {
				continue
			}
			j := i + 1
			// "Sunday, January 28, 2024" or "Saturday (May 20)": the explicit date wins.
			if sub := findTimes(toks[j:min(len(toks), j+7)], pub); len(sub) > 0 && sub[0].start <= 2 && sub[0].ref.Precision == briefings.PrecisionDay {
				end := j + sub[0].end
				if end < len(toks) && toks[end].low == ")" {
					end++
				}
				tx := emit(i, end, tPoint, sub[0].ref)
				tx.weekday = false
				continue
			}
			// A time of day such as "9:45 pm" belongs to the expression.
			if j < len(toks) && strings.Contains(toks[j].low, ":") {
				j++
				if j < len(toks) && (toks[j].low == "pm" || toks[j].low == "am" || toks[j].low == "p.m." || toks[j].low == "a.m.") {
					j++
				}
			}
			fwd := forwardCue(toks, i)
			var t time.Time
			if fwd {
				t = weekdayAfter(pub, wd)
			} else {
				t = weekdayBefore(pub, wd)
			}
			kind := tPoint
			if i > 0 && toks[i-1].low == "since" {
				kind = tSince
			}
			tx := emit(i, j, kind, dayRef(t))
			tx.forward, tx.weekday = fwd, true
			continue
		}
		// today / yesterday / tomorrow / tonight.
		switch w {
		case "today", "tonight", "yesterday", "tomorrow":
			if pub.IsZero() {
				continue
			}
			t := pub
			if w == "yesterday" {
				t = pub.AddDate(0, 0, -1)
			} else if w == "tomorrow" {
				t = pub.AddDate(0, 0, 1)
			}
			tx := emit(i, i+1, tPoint, dayRef(t))
			tx.quotedToday = toks[i].quoted && (w == "today" || w == "tonight")
			continue
		}
		// "earlier in the day", sentence-initial "Earlier,".
		if w == "earlier" && next(1) == "in" && next(2) == "the" && next(3) == "day" && !pub.IsZero() {
			emit(i, i+4, tPoint, dayRef(pub))
			continue
		}
		// "earlier in the week", "later in the month": the publication's.
		if (w == "earlier" || w == "later") && next(1) == "in" && next(2) == "the" && !pub.IsZero() {
			switch next(3) {
			case "week":
				emit(i, i+4, tPoint, weekRef(pub))
				continue
			case "month":
				emit(i, i+4, tPoint, monthRef(pub.Year(), pub.Month()))
				continue
			case "year":
				emit(i, i+4, tPoint, yearRef(pub.Year()))
				continue
			}
		}
		if w == "earlier" && i == 0 && next(1) == "," && !pub.IsZero() {
			r := dayRef(pub)
			r.Note = "earlier the same day"
			emit(i, i+1, tPoint, r)
			continue
		}
		// this/last/next week|month|year, earlier/later this week.
		if (w == "this" || w == "last" || w == "next" || w == "past") && !pub.IsZero() {
			unit := next(1)
			s := i
			if i >= 1 && (toks[i-1].low == "earlier" || toks[i-1].low == "later") && w == "this" {
				s = i - 1
			}
			var r briefings.TimeRef
			okUnit := true
			switch unit {
			case "week":
				switch w {
				case "this":
					r = weekRef(pub)
				case "last", "past":
					r = weekRef(pub.AddDate(0, 0, -7))
				case "next":
					r = weekRef(pub.AddDate(0, 0, 7))
				}
			case "month":
				switch w {
				case "this":
					r = monthRef(pub.Year(), pub.Month())
				case "last", "past":
					p := time.Date(pub.Year(), pub.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -1, 0)
					r = monthRef(p.Year(), p.Month())
				case "next":
					p := time.Date(pub.Year(), pub.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
					r = monthRef(p.Year(), p.Month())
				}
			case "year":
				switch w {
				case "this":
					r = yearRef(pub.Year())
				case "last", "past":
					r = yearRef(pub.Year() - 1)
				case "next":
					r = yearRef(pub.Year() + 1)
				}
			case "weekend":
				sat := weekdayBefore(pub, time.Saturday)
				if w == "next" {
					sat = weekdayAfter(pub.AddDate(0, 0, 1), time.Saturday)
				}
				r = dayRef(sat)
				r.End = sat.AddDate(0, 0, 1)
				r.Note = "weekend of " + sat.Format("2006-01-02")
			case "summer", "spring", "autumn", "fall", "winter":
				y := pub.Year()
				switch w {
				case "last", "past":
					// The latest such season that has ended (or begun) before publication.
					cand := seasonRef(y, unit)
					if !cand.Start.Before(pub) || w == "last" && !cand.End.Before(pub) {
						cand = seasonRef(y-1, unit)
					}
					r = cand
				case "this":
					r = seasonRef(y, unit)
				case "next":
					cand := seasonRef(y, unit)
					if !cand.Start.After(pub) {
						cand = seasonRef(y+1, unit)
					}
					r = cand
				}
			default:
				okUnit = false
			}
			if okUnit && r.Value != "" {
				emit(s, i+2, tPoint, r)
				i++
				continue
			}
		}
		// N units ago.
		if n, ok := number(w); ok && i+2 < len(toks) {
			if letter, tu, ok := unitOf(next(1)); ok && next(2) == "ago" && !pub.IsZero() {
				var r briefings.TimeRef
				switch letter {
				case "Y":
					mult := 1
					if strings.HasPrefix(next(1), "decade") {
						mult = 10
					}
					r = yearRef(pub.Year() - n*mult)
				case "M":
					if tu {
						r = dayRef(pub)
					} else {
						p := time.Date(pub.Year(), pub.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -n, 0)
						r = monthRef(p.Year(), p.Month())
					}
				case "W":
					r = weekRef(pub.AddDate(0, 0, -7*n))
				case "D":
					r = dayRef(pub.AddDate(0, 0, -n))
				default:
					r = dayRef(pub)
				}
				emit(i, i+3, tPoint, r)
				i += 2
				continue
			}
		}
		// Durations: "within a year", "72 hours", "seven-day", "48-hour",
		// "over the next twelve months", "after more than 18 years",
		// "over the past two decades".
		if tx, ok := durationAt(toks, i, pub); ok {
			for k := tx.start; k < tx.end; k++ {
				used[k] = true
			}
			out = append(out, tx)
			i = tx.end - 1
			continue
		}
		// "hours after", "hours before": same day as a nearby dated event.
		if (w == "hours" || w == "hour") && (next(1) == "after" || next(1) == "before") {
			s := i
			if i > 0 && (toks[i-1].low == "just" || toks[i-1].low == "only" || toks[i-1].low == "a" || toks[i-1].low == "few") {
				s = i - 1
			}
			out = append(out, timex{start: s, end: i + 2, kind: tPoint, anchorRel: true,
				ref: briefings.TimeRef{Precision: briefings.PrecisionDay}})
			for k := s; k < i+2; k++ {
				used[k] = true
			}
			continue
		}
		// Vague expressions.
		if v, n := vagueAt(toks, i); v {
			out = append(out, timex{start: i, end: i + n, kind: tVague, ref: briefings.TimeRef{Precision: briefings.PrecisionUnknown, Note: "vague; not resolved to a date"}})
			for k := i; k < i+n; k++ {
				used[k] = true
			}
			i += n - 1
			continue
		}
		// Decades: "the 2000s".
		if strings.HasSuffix(w, "0s") && len(w) == 5 {
			if y, ok := isYear(w[:4]); ok {
				s := i
				if i > 0 && toks[i-1].low == "the" {
					s = i - 1
				}
				tx := emit(s, i+1, tVague, briefings.TimeRef{Precision: briefings.PrecisionDecade, Note: fmt.Sprintf("the decade %d–%d, not a single date", y, y+9)})
				tx.ref.Start = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
				tx.ref.End = time.Date(y+9, 12, 31, 0, 0, 0, 0, time.UTC)
				tx.ref.Start, tx.ref.End = time.Time{}, time.Time{}
				continue
			}
		}
		// Bare years: "in 1960", "since 1978", "throughout 2025", "in 2020 and 2021".
		if y, ok := isYear(w); ok && !toks[i].punct {
			prev := ""
			if i > 0 {
				prev = toks[i-1].low
			}
			nextW := next(1)
			if isYearContext(prev, nextW, toks, i) {
				kind := tPoint
				switch prev {
				case "since":
					kind = tSince
				case "until", "by":
					kind = tDeadline
				}
				emit(i, i+1, kind, yearRef(y))
				continue
			}
		}
	}
	return out
}

// isFunction reports words that end a noun phrase.
func isFunction(w string) bool {
	switch w {
	case "and", "or", "but", "is", "are", "was", "were", "will", "would", "has", "have", "had", "that", "which", "who", "after", "before", "starting", "ceasefire", "truce":
		return true
	}
	return false
}

func safeLow(toks []token, k int) string {
	if k < len(toks) && k >= 0 {
		return toks[k].low
	}
	return ""
}

// looksLikeMonthContext tells the month "May"/"March" from the verb "may"
// and the noun "march": a month is followed by a day number or a year, or
// preceded by a preposition.
func looksLikeMonthContext(toks []token, i int) bool {
	if i+1 < len(toks) {
		if _, ok := dayNum(toks[i+1].low); ok {
			return true
		}
		if _, ok := isYear(toks[i+1].low); ok {
			return true
		}
	}
	if i > 0 {
		switch toks[i-1].low {
		case "in", "since", "until", "by", "last", "next", "early", "late", "mid", "of", "(":
			return i == 0 || toks[i].cap
		}
		if _, ok := dayNum(toks[i-1].low); ok {
			return true
		}
	}
	return false
}

func isYearContext(prev, next string, toks []token, i int) bool {
	switch prev {
	case "in", "since", "until", "by", "throughout", "of", "during", "and", "from", "to", "early", "late", "mid", "before", "after", ",", "(":
		// "2,000 troops" never reaches here (comma inside the token).
		switch next {
		case "troops", "soldiers", "people", "forces", "personnel", "fighters", "men", "km", "kilometres", "kilometers", "miles", "dollars", "euros":
			return false
		}
		return true
	}
	return false
}

// vagueAt recognizes expressions that refer to an unspecified time.
func vagueAt(toks []token, i int) (bool, int) {
	w := toks[i].low
	get := func(k int) string { return safeLow(toks, i+k) }
	switch {
	case w == "recently":
		return true, 1
	case w == "in" && get(1) == "recent" && (get(2) == "months" || get(2) == "weeks" || get(2) == "years" || get(2) == "days"):
		return true, 3
	case w == "in" && get(1) == "earlier" && (get(2) == "remarks" || get(2) == "comments" || get(2) == "statements"):
		return true, 3
	}
	return false, 0
}

// durationAt recognizes a duration starting at token i.
func durationAt(toks []token, i int, pub time.Time) (timex, bool) {
	get := func(k int) string { return safeLow(toks, i+k) }
	s := i
	k := i
	lead := false
	// Leading prepositions and quantifiers.
	switch get(0) {
	case "within", "for", "over", "after", "in", "during":
		lead = true
		k++
	}
	if lead {
		for k < len(toks) && (toks[k].low == "the" || toks[k].low == "next" || toks[k].low == "past" || toks[k].low == "last" || toks[k].low == "more" || toks[k].low == "than" || toks[k].low == "nearly" || toks[k].low == "almost" || toks[k].low == "about" || toks[k].low == "around" || toks[k].low == "some" || toks[k].low == "over" || toks[k].low == "under" || toks[k].low == "less") {
			k++
		}
	}
	if k >= len(toks) {
		return timex{}, false
	}
	w := toks[k].low
	// Hyphenated adjective: "seven-day", "48-hour".
	if a, b, ok := strings.Cut(w, "-"); ok {
		if n, ok := number(a); ok {
			if letter, tu, ok := unitOf(b); ok && !strings.HasSuffix(b, "s") {
				end := k + 1
				// "48-hour notification period": keep the nouns with it.
				for end < len(toks) && end < k+3 && !toks[end].punct && !toks[end].cap && !isPrep(toks[end].low) && !isFunction(toks[end].low) {
					end++
				}
				return timex{start: k, end: end, kind: tDuration, ref: durationRef(n, letter, tu, b == "decade")}, true
			}
		}
	}
	n, ok := number(w)
	if !ok || k+1 >= len(toks) {
		return timex{}, false
	}
	if (w == "a" || w == "an") && !lead {
		return timex{}, false
	}
	letter, tu, ok := unitOf(toks[k+1].low)
	if !ok {
		return timex{}, false
	}
	// "one week", "72 hours" need a real number when there is no preposition;
	// "the 20th anniversary" is not a duration.
	if !lead {
		if _, isNum := numberWord(w); !isNum {
			if _, err := strconv.Atoi(strings.ReplaceAll(w, ",", "")); err != nil {
				return timex{}, false
			}
		}
	}
	// "in three years" only after a count: "the seventh ... in three years".
	end := k + 2
	r := durationRef(n, letter, tu, strings.HasPrefix(toks[k+1].low, "decade"))
	tx := timex{start: s, end: end, kind: tDuration, ref: r}
	if get(0) == "within" {
		tx.kind = tDeadline
		// "within 135 days of Saturday's signing": a date.
		if end < len(toks) && toks[end].low == "of" && !pub.IsZero() {
			sub := findTimes(toks[end+1:min(len(toks), end+4)], pub)
			if len(sub) > 0 && sub[0].start == 0 && sub[0].ref.Precision == briefings.PrecisionDay {
				if t, ok := addDuration(sub[0].ref.Start, r.Value); ok {
					e := end + 1 + sub[0].end
					// Take the noun after a possessive: "Saturday's signing".
					if e < len(toks) && toks[e].low == "'s" {
						e++
						if e < len(toks) && !toks[e].punct {
							e++
						}
					}
					dr := dayRef(t)
					dr.Note = "deadline: " + r.Value + " after " + sub[0].ref.Value
					return timex{start: s, end: e, kind: tDeadline, ref: dr}, true
				}
			}
		}
	}
	return tx, true
}
