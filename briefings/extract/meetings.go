package extract

import (
	"github.com/briefbot/briefbot/briefings"
)

// excludedCounterpart reports whether a "spoke to" object is the press,
// which makes a press call, not a meeting.
func pressWord(w string) bool {
	switch w {
	case "reporters", "journalists", "press", "media", "correspondents", "newsmen", "reporter", "journalist":
		return true
	}
	return false
}

// meetingMode reads the mode of an encounter from its sentence: a phone or
// video call, or in person. A call with reporters is not the meeting's mode.
func meetingMode(s *sentence) string {
	for i, t := range s.toks {
		switch t.low {
		case "phone", "telephone", "phoned", "telephoned":
			return briefings.ModePhone
		case "video", "videoconference", "video-conference", "virtual", "virtually", "online", "zoom":
			return briefings.ModeVideo
		case "call", "calls":
			press := false
			for k := i - 1; k >= 0 && k >= i-4; k-- {
				if pressWord(s.toks[k].low) || s.toks[k].low == "conference" {
					press = true
				}
			}
			if i > 0 && (s.toks[i-1].low == "a" || s.toks[i-1].low == "the") && !press {
				return briefings.ModePhone
			}
		}
	}
	return ""
}

// meetings finds encounters between parties in a sentence.
func (x *extraction) meetings(s *sentence) []*cand {
	var out []*cand
	toks := s.toks
	add := func(t int, actors, counter []*mention, coref bool) *cand {
		c := &cand{s: s, trig: t, actors: actors, counter: counter, coref: coref}
		c.f.Kind = briefings.FactMeeting
		c.f.Mode = meetingMode(s)
		out = append(out, c)
		return c
	}
	for t := 0; t < len(toks); t++ {
		w := toks[t].low
		switch w {
		case "met", "meet", "meets", "meeting", "meetings", "talks", "discussions", "consultations",
			"spoke", "speaks", "talked", "summit", "ceremony", "encounter", "visit", "visited", "hosted",
			"summoned", "discussed", "call", "received", "welcomed", "see":
		default:
			continue
		}
		// "travelled north to see Norway's Ingrid Solberg", "flew to Kyiv
		// to meet Zelensky": the trip was made, so was the meeting.
		if (w == "see" || w == "meet") && t > 0 && toks[t-1].low == "to" {
			if v := travelledBefore(toks, t-1); v >= 0 && !negatedBefore(toks, v) {
				var guests []*mention
				for _, m := range s.ments {
					// "to see Norway's Ingrid Solberg": past the possessive.
					if m.kind == mPerson && m.roleStart > t && m.roleStart <= t+4 && !clauseBreakIn(toks, t+1, m.roleStart) {
						guests = append(guests, m)
						break
					}
				}
				host := x.subject(s, v)
				if len(host) > 0 && host[0].kind != mPerson {
					// "Aino Virtanen, Finland's foreign minister, travelled":
					// the person the apposition describes.
					if p := x.lastPersonBefore(s, v); p != nil {
						host = []*mention{p}
					}
				}
				if len(guests) > 0 && len(host) > 0 {
					add(t, host, guests, false)
				}
				continue
			}
		}
		if w == "see" {
			continue
		}
		// Planned, requested, refused or denied encounters are not meetings;
		// requested and refused ones are kept as such.
		if mod, ok := intendedBefore(toks, t); ok && mod != briefings.Hedged {
			if mod == briefings.Requested && (w == "meet" || w == "talks") {
				c := &cand{s: s, trig: t, actors: x.requester(s, t), counter: x.objects(s, t+1, 6, "with", ""), aside: true}
				c.f.Kind = briefings.FactMeeting
				c.f.Modality = briefings.Requested
				if notGrantedAfter(toks, t) {
					c.f.Notes = []string{"not granted"}
				}
				out = append(out, c)
			}
			continue
		}
		if negatedBefore(toks, t) || notGrantedAfter(toks, t) && (w == "meet" || w == "met") {
			if w == "met" || w == "meet" {
				c := &cand{s: s, trig: t, actors: x.subject(s, t), counter: x.objects(s, t+1, 6, "with", ""), aside: true}
				c.f.Kind = briefings.FactMeeting
				c.f.Modality = briefings.Negated
				out = append(out, c)
			}
			continue
		}
		switch w {
		case "met", "meets":
			actors := x.subject(s, t)
			counter := x.objects(s, t+1, 6, "with")
			if len(counter) == 0 {
				counter = x.objects(s, t+1, 1, "")
			}
			add(t, actors, counter, false)
		case "meet":
			// Only "X and Y meet" as a present fact; other uses are modal.
			continue
		case "meeting", "meetings":
			if t+1 < len(toks) && toks[t+1].low == "between" {
				ms := x.objects(s, t+1, 1, "between")
				if len(ms) >= 2 {
					add(t, ms[:1], ms[1:], false)
					continue
				}
			}
			if t > 0 && toks[t-1].low == "'s" {
				if poss := mentionEndingAt(s.ments, t-1); poss != nil && argKind(poss) {
					add(t, []*mention{poss}, x.objects(s, t+1, 1, "with"), false)
					continue
				}
			}
			if t >= 2 && toks[t-1].low == "a" && (toks[t-2].low == "at" || toks[t-2].low == "in") || t >= 3 && toks[t-2].low == "a" && toks[t-3].low == "at" {
				// "signed ... at a meeting in Jeddah": the clause's parties.
				actors := x.subject(s, t)
				counter := x.withArgs(s, actors, t)
				add(t, actors, counter, false)
				continue
			}
			if t >= 1 && (toks[t-1].low == "spring" || toks[t-1].low == "annual" || toks[t-1].low == "ministerial") {
				continue
			}
			if with := x.objects(s, t+1, 1, "with"); len(with) > 0 {
				add(t, x.subject(s, t), with, false)
				continue
			}
			c := add(t, nil, x.objects(s, t+1, 3, "by"), true)
			c.f.Mode = ""
		case "talks", "discussions", "consultations":
			held := t > 0 && (toks[t-1].low == "held" || toks[t-1].low == "hold" || toks[t-1].low == "holds" || toks[t-1].low == "holding" || toks[t-1].low == "had")
			with := x.objects(s, t+1, 6, "with")
			if held || len(with) > 0 {
				if !held && t > 0 && (toks[t-1].low == "ongoing" || toks[t-1].low == "continued" || toks[t-1].low == "further" || toks[t-1].low == "future") {
					continue
				}
				verb := t
				if held {
					verb = t - 1 // "... and held talks": the subject of "held"
				}
				add(t, x.subject(s, verb), with, false)
				continue
			}
			add(t, nil, nil, true)
		case "spoke", "speaks", "talked":
			counter := x.objects(s, t+1, 4, "with", "to")
			if len(counter) == 0 {
				continue
			}
			if t+1 < len(toks) && (pressWord(toks[t+1].low) || t+2 < len(toks) && pressWord(toks[t+2].low)) {
				continue
			}
			c := add(t, x.subject(s, t), counter, false)
			if c.f.Mode == "" {
				c.f.Mode = "spoke"
			}
		case "call":
			if t > 0 && (toks[t-1].low == "phone" || toks[t-1].low == "telephone" || toks[t-1].low == "video") {
				counter := x.objects(s, t+1, 2, "with")
				c := add(t, x.subject(s, t), counter, len(counter) == 0)
				if len(counter) == 0 {
					c.actors = nil
				}
			}
		case "summit":
			var actors []*mention
			if t > 0 {
				for k := t - 1; k >= 0 && k >= t-4; k-- {
					if toks[k].low == "its" || toks[k].low == "their" {
						actors = x.possessor(s, k)
						break
					}
					if m := mentionEndingAt(s.ments, k+1); m != nil && argKind(m) && m.possessive {
						actors = []*mention{m}
						break
					}
				}
			}
			if len(actors) == 0 {
				actors = x.subject(s, t)
			}
			c := add(t, actors, nil, false)
			c.f.Notes = append(c.f.Notes, "summit")
		case "ceremony":
			actors := x.subject(s, t)
			counter := x.withArgs(s, actors, t)
			if by := x.objects(s, t+1, 2, "by"); len(by) > 0 {
				counter = append(counter, by...)
			}
			add(t, actors, counter, false)
		case "encounter":
			c := add(t, nil, nil, true)
			if t > 0 {
				switch toks[t-1].low {
				case "second":
					c.ordinal = 2
				case "third":
					c.ordinal = 3
				}
			}
		case "visit":
			if by := x.objects(s, t+1, 1, "by"); len(by) > 0 {
				add(t, by, nil, false)
				continue
			}
			if t > 0 && toks[t-1].low == "'s" {
				if poss := mentionEndingAt(s.ments, t-1); poss != nil && argKind(poss) {
					add(t, []*mention{poss}, nil, false)
				}
			}
		case "visited":
			actors := x.subject(s, t)
			obj := x.objects(s, t+1, 1, "")
			var counter []*mention
			for _, m := range obj {
				if m.kind == mPerson || m.kind == mGroup {
					counter = append(counter, m)
				}
			}
			add(t, actors, counter, false)
		case "hosted":
			add(t, x.subject(s, t), x.objects(s, t+1, 1, ""), false).hosted = true
		case "received", "welcomed":
			// "Cavusoglu received his Russian counterpart Sergei Lavrov": a
			// host and guests, who must be people ("received a letter",
			// "welcomed the decision" are no meetings).
			if t > 0 && (toks[t-1].low == "was" || toks[t-1].low == "were" || toks[t-1].low == "been") {
				continue
			}
			var guests []*mention
			for _, m := range x.objects(s, t+1, 1, "") {
				if m.kind == mPerson {
					guests = append(guests, m)
				}
			}
			host := x.subject(s, t)
			if len(guests) == 0 || len(host) == 0 || host[0].kind != mPerson {
				continue
			}
			add(t, host, guests, false).hosted = true
		case "summoned":
			var c *cand
			if t > 0 && (toks[t-1].low == "was" || toks[t-1].low == "were" || toks[t-1].low == "been") {
				c = add(t, x.subject(s, t), x.objects(s, t+1, 10, "by"), false)
			} else {
				// "Diop summoned the Algerian ambassador".
				c = add(t, x.subject(s, t), x.objects(s, t+1, 2, ""), false)
			}
			c.f.Mode = briefings.ModeUnspecified
		case "discussed":
			actors := x.subject(s, t)
			if len(actors) >= 2 {
				add(t, actors[:1], actors[1:], false)
			} else {
				add(t, nil, nil, true)
			}
		}
	}
	for _, c := range out {
		if c.f.Mode == "" {
			c.f.Mode = briefings.ModeInPerson
		}
		if tr, ok := x.timeFor(s, c.trig); ok {
			c.f.Time, c.explicitTime = tr, true
		}
		c.f.Place = x.placeFor(s, c.trig)
	}
	return out
}

// requester returns who asked for a meeting: the possessor of "her
// requests to meet", else the person last named.
func (x *extraction) requester(s *sentence, t int) []*mention {
	for k := t - 1; k >= 0 && k >= t-4; k-- {
		switch s.toks[k].low {
		case "her", "his", "their", "its":
			if p := x.lastPersonBefore(s, k); p != nil {
				return []*mention{p}
			}
		}
	}
	return x.subject(s, t)
}

// withArgs returns the mentions introduced by "with" between the actors and
// token t ("signed a deal with Taliban insurgents at a ceremony").
func (x *extraction) withArgs(s *sentence, actors []*mention, t int) []*mention {
	from := 0
	if len(actors) > 0 {
		from = actors[len(actors)-1].end
	}
	for k := from; k < t; k++ {
		if s.toks[k].low == "with" {
			return x.objects(s, k, 1, "with")
		}
	}
	return nil
}

// travelledBefore returns the index of a past travel verb shortly before
// k ("travelled", "flew", "went", "arrived", "came"), or -1.
func travelledBefore(toks []token, k int) int {
	for j := k - 1; j >= 0 && j >= k-6; j-- {
		switch toks[j].low {
		case "travelled", "traveled", "flew", "went", "arrived", "came", "drove", "journeyed":
			return j
		case ".", ";", ",":
			return -1
		}
	}
	return -1
}
