package extract

import (
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// wTrigger classifies a withdrawal trigger word.
type wTrigger int

const (
	wNone wTrigger = iota
	wNoun          // "withdrawal", "pullout", "departure", "exit"
	wVerb          // "withdraw", "leave", "pull out", "quit"
	wHandover      // "handed over the ... base to X"
	wMissionEnd    // "ending the military mission", "concluding the mission"
	wNoLonger      // "no longer present"
	wExpel         // "expelled", "expulsion"
)

func withdrawalTrigger(toks []token, t int) (wTrigger, int) {
	w := toks[t].low
	next := safeLow(toks, t+1)
	switch w {
	case "withdrawal", "withdrawals", "pullout", "pull-out", "drawdown", "departure", "exit", "evacuation", "retreat", "pullback":
		return wNoun, 1
	case "withdraw", "withdraws", "withdrew", "withdrawn", "withdrawing",
		"leave", "leaves", "left", "leaving", "depart", "departs", "departed", "quit", "quits", "quitting",
		"vacate", "vacated", "evacuate", "evacuated", "exited", "exiting":
		if w == "left" && (next == "," || next == "." || next == "wing" || next == "side" || next == "behind" || next == "over") {
			return wNone, 0
		}
		if w == "leave" || w == "leaves" {
			// "leave" as a noun ("on leave") or "leave it to".
			if t > 0 && (toks[t-1].low == "on" || toks[t-1].low == "annual" || toks[t-1].low == "sick") {
				return wNone, 0
			}
		}
		return wVerb, 1
	case "pull", "pulled", "pulling", "pulls", "draw", "drew", "drawing":
		if next == "out" || next == "back" || next == "down" {
			return wVerb, 2
		}
	case "handed", "hand", "hands", "handing":
		if next == "over" {
			return wHandover, 2
		}
	case "handover", "hand-over":
		return wNoun, 1
	case "ending", "end", "ended", "ends", "concluding", "conclude", "concluded", "concludes", "terminate", "terminating":
		// "... the (Coalition’s) military mission".
		for k := t + 1; k < len(toks) && k <= t+6; k++ {
			if toks[k].low == "mission" || toks[k].low == "missions" || toks[k].low == "presence" || toks[k].low == "deployment" || toks[k].low == "occupation" {
				return wMissionEnd, 1
			}
			if toks[k].low == "," || toks[k].low == "." || agreementNoun(toks[k].low) {
				break
			}
		}
	case "longer":
		if t > 0 && toks[t-1].low == "no" && (next == "present" || next == "in" || next == "a" || next == "part" || next == "members" || next == "member") {
			return wNoLonger, 1
		}
	case "expelled", "expel", "expels", "expelling", "expulsion":
		return wExpel, 1
	}
	return wNone, 0
}

// forceOf reads what withdraws from the words around the trigger.
func forceOf(s *sentence, from, to int) string {
	for k := max(0, from); k < to && k < len(s.toks); k++ {
		switch s.toks[k].low {
		case "ambassador", "envoy", "diplomats", "diplomat", "embassy", "diplomatic", "consulate", "mission's":
			return "diplomatic"
		case "troops", "forces", "soldiers", "military", "army", "personnel", "units", "base", "bases", "contingent",
			"mercenaries", "fighters", "battalion", "garrison", "paramilitary", "troop":
			return "military"
		}
	}
	return ""
}

// blocLike reports whether a party is an international body one can leave.
func blocLike(m *mention) bool {
	return m.kind == mOrg && m.orgType == "bloc"
}

// withdrawals finds departures of forces, missions or envoys and exits from
// blocs, with their stage.
func (x *extraction) withdrawals(s *sentence) []*cand {
	var out []*cand
	toks := s.toks
	for t := 0; t < len(toks); t++ {
		kind, n := withdrawalTrigger(toks, t)
		if kind == wNone {
			continue
		}
		after := t + n
		// Negation: "did not directly order the US military to leave Chad",
		// "is not withdrawing".
		if negatedBefore(toks, t) || negatedOrder(toks, t) {
			continue
		}
		c := &cand{s: s, trig: t}
		c.f.Kind = briefings.FactWithdrawal
		// Who leaves.
		var actors []*mention
		switch kind {
		case wNoun:
			actors = x.objectsIn(s, after, min(len(toks), after+2), "of")
			if len(actors) > 0 && (actors[0].kind == mCity || actors[0].kind == mRegion) {
				actors = nil
			}
			if len(actors) > 0 && actors[0].kind == mCountry && !actors[0].pronoun {
				// "the withdrawal of Russia from", fine; "pullout of
				// Afghanistan" names the place left.
				if !hasTokenIn(toks, actors[len(actors)-1].end, actors[len(actors)-1].end+3, "from") {
					actors = nil
				}
			}
			if len(actors) == 0 {
				actors = x.possessiveBefore(s, t)
			}
			if len(actors) == 0 {
				actors = x.subject(s, t)
			}
		case wMissionEnd:
			k := t + 1
			for k < len(toks) && toks[k].low != "mission" && toks[k].low != "missions" && toks[k].low != "presence" && toks[k].low != "deployment" && toks[k].low != "occupation" {
				k++
			}
			actors = x.possessiveBefore(s, k)
			if len(actors) == 0 {
				actors = x.objectsIn(s, k+1, min(len(toks), k+3), "of")
			}
			if len(actors) == 0 {
				for j := t + 1; j < k; j++ {
					if m := mentionStartingAt(s.ments, j); m != nil && argKind(m) {
						actors = []*mention{m}
					}
				}
			}
			if len(actors) == 0 {
				actors = x.subject(s, t)
				if len(actors) > 0 && (toks[k].low == "occupation" || toks[k].low == "presence") {
					// "It marked the end of its occupation": the possessor.
					actors = nil
				}
			}
			if len(actors) == 0 {
				continue
			}
		case wExpel:
			// "X expelled Y": Y leaves, X demands.
			actors = x.objects(s, after, 2, "")
			if kind == wExpel && strings.HasPrefix(toks[t].low, "expulsion") {
				actors = x.objectsIn(s, after, min(len(toks), after+2), "of")
			}
		default:
			actors = x.subject(s, t)
		}
		// What is left.
		var from []*mention
		switch kind {
		case wHandover:
			from = x.objectsIn(s, after, min(len(toks), after+10), "to")
			c.f.Place = x.baseName(s, after)
		case wVerb:
			if toks[t].low == "leave" || toks[t].low == "leaves" || toks[t].low == "left" || toks[t].low == "leaving" || toks[t].low == "quit" || toks[t].low == "quits" || toks[t].low == "vacate" || toks[t].low == "vacated" || toks[t].low == "exited" {
				from = x.objects(s, after, 0, "")
				if len(from) > 0 && from[0].kind == mPerson {
					from = nil
				}
			}
			if len(from) == 0 {
				from = x.objects(s, after, 6, "from", "of")
			}
		case wExpel:
			from = x.objects(s, after, 6, "from")
			if len(from) == 0 {
				from = x.subject(s, t)
			}
		default:
			from = x.objects(s, after, 8, "from")
			if len(from) == 0 && (kind == wMissionEnd || kind == wNoLonger) {
				from = x.objects(s, after, 8, "in")
			}
		}
		// "vacate a French base in N’Djamena": the base's country.
		if len(from) == 0 {
			if in := x.objects(s, after, 6, "in"); len(in) > 0 && (in[0].kind == mCountry || in[0].kind == mCapital || in[0].kind == mCity) {
				from = in
			}
		}
		// The place left may be named as several countries: one fact each.
		froms := splitFroms(from)
		stage, mod := x.withdrawalStage(s, t, kind)
		if stage == "" && mod == briefings.Asserted {
			// A mention with no stage only adds detail to a known process.
			c.coref = true
		}
		if mod == briefings.Negated {
			continue
		}
		scope := scopeOf(s, t)
		force := forceOf(s, max(0, t-4), min(len(toks), after+6))
		if len(froms) > 0 && blocLike(froms[0][0]) {
			force = "membership"
		}
		if kind == wMissionEnd || strings.Contains(s.lowText, "mission") && force == "" {
			force = "mission"
		}
		if force == "" {
			force = "military"
		}
		deadline := x.deadlineFor(s, t, min(len(toks), t+30))
		fromList := froms
		if len(fromList) == 0 {
			fromList = [][]*mention{nil}
		}
		for _, fr := range fromList {
			cc := &cand{s: s, trig: t, actors: actors, counter: fr, coref: c.coref}
			cc.f = c.f
			cc.f.Status = stage
			cc.f.Modality = mod
			cc.f.Scope = scope
			cc.f.Force = force
			cc.f.Deadline = deadline
			if tr, ok := x.timeFor(s, t); ok {
				cc.f.Time, cc.explicitTime = tr, true
			}
			out = append(out, cc)
			// "in response to Niger’s demands": the withdrawal was demanded first.
			if demander := x.inResponseToDemands(s, t); demander != nil && stage != briefings.StageDemanded {
				d := &cand{s: s, trig: t, actors: actors, counter: fr}
				d.f = cc.f
				d.f.Status = briefings.StageDemanded
				d.f.Modality = briefings.Asserted
				d.f.Notes = []string{"demanded by " + x.party(demander).Key()}
				d.f.Deadline = briefings.TimeRef{}
				out = append(out, d)
			}
		}
	}
	return out
}

func hasTokenIn(toks []token, from, to int, w string) bool {
	for k := from; k < to && k < len(toks); k++ {
		if toks[k].low == w {
			return true
		}
	}
	return false
}

// splitFroms gives each country left its own group.
func splitFroms(from []*mention) [][]*mention {
	var out [][]*mention
	for _, m := range from {
		out = append(out, []*mention{m})
	}
	return out
}

// possessiveBefore returns the possessor or modifier of a noun at t: "its
// troops", "the Coalition’s military mission", "US pullout".
func (x *extraction) possessiveBefore(s *sentence, t int) []*mention {
	toks := s.toks
	for k := t - 1; k >= 0 && k >= t-4; k-- {
		w := toks[k].low
		if w == "its" || w == "their" || w == "his" || w == "her" {
			return x.possessor(s, k)
		}
		if m := mentionEndingAt(s.ments, k+1); m != nil && argKind(m) && (m.possessive || m.kind == mDemonym || m.kind == mCountry || m.kind == mOrg) {
			return []*mention{m}
		}
		if w == "the" || w == "a" || w == "," || w == "." {
			break
		}
	}
	return nil
}

// baseName returns the name of a base in "the Port-Bouët military base".
func (x *extraction) baseName(s *sentence, from int) string {
	toks := s.toks
	for k := from; k < len(toks) && k < from+8; k++ {
		if toks[k].low == "base" {
			st := k
			for st > from && (toks[st-1].cap || toks[st-1].low == "military" || toks[st-1].low == "air" || toks[st-1].low == "naval") {
				st--
			}
			return joinText(s.text, toks[st:k+1])
		}
	}
	return ""
}

// negatedOrder reports "did not (directly) order ... to leave": the trigger
// is the complement of a negated order, so nobody was ordered out.
func negatedOrder(toks []token, t int) bool {
	for k := t - 1; k >= 0 && k >= t-10; k-- {
		switch toks[k].low {
		case "order", "ordered", "tell", "told", "ask", "asked", "force", "forced", "require", "required", "demand", "demanded":
			return negatedBefore(toks, k)
		case ".", ";":
			return false
		}
	}
	return false
}

// inResponseToDemands returns the demander in "in response to Niger’s
// demands" / "at the request of X" near the trigger.
func (x *extraction) inResponseToDemands(s *sentence, t int) *mention {
	toks := s.toks
	for k := t; k < len(toks)-1 && k < t+16; k++ {
		w := toks[k].low
		if w == "demands" || w == "demand" || w == "request" || w == "requests" || w == "insistence" {
			if k >= 2 && (toks[k-1].low == "'s" || toks[k-1].low == "the") {
				for i := len(s.ments) - 1; i >= 0; i-- {
					m := s.ments[i]
					if m.end <= k-1 && m.end >= k-2 && argKind(m) {
						return m
					}
				}
			}
			if k+2 < len(toks) && toks[k+1].low == "of" {
				for _, m := range s.ments {
					if m.start == k+2 && argKind(m) {
						return m
					}
				}
			}
		}
	}
	return nil
}

// scopeOf reads whether a withdrawal is full or partial.
func scopeOf(s *sentence, t int) string {
	toks := s.toks
	for k := max(0, t-6); k < len(toks) && k < t+14; k++ {
		switch toks[k].low {
		case "reduction", "reduce", "reduced", "drawdown", "partial", "partially", "some", "part", "gradual", "remaining":
			if toks[k].low == "remaining" && k+1 < len(toks) && (toks[k+1].low == "forces" || toks[k+1].low == "troops" || toks[k+1].low == "bases" || toks[k+1].low == "soldiers") {
				return "full"
			}
			if toks[k].low == "gradual" {
				continue
			}
			return "partial"
		case "all", "complete", "full", "entire", "total":
			return "full"
		}
	}
	return ""
}

// withdrawalStage reads the stage of a withdrawal at t from its verb form,
// auxiliaries, governing verbs and the surrounding frame.
func (x *extraction) withdrawalStage(s *sentence, t int, kind wTrigger) (string, briefings.Modality) {
	toks := s.toks
	w := toks[t].low
	prev := func(k int) string { return safeLow(toks, t-k) }
	// Conditional: "would not stay if", "if ... withdraw".
	for k := t - 1; k >= 0 && k >= t-8; k-- {
		if toks[k].low == "if" || toks[k].low == "unless" {
			return briefings.StagePlanned, briefings.Conditional
		}
		if toks[k].low == "," || toks[k].low == ";" {
			break
		}
	}
	switch kind {
	case wHandover:
		if _, ok := intendedBefore(toks, t); ok {
			return briefings.StagePlanned, briefings.Intended
		}
		return briefings.StageCompleted, briefings.Asserted
	case wNoLonger:
		return briefings.StageCompleted, briefings.Asserted
	case wExpel:
		return briefings.StageDemanded, briefings.Asserted
	}
	// Demands: "ordered/told/asked X to leave", "gave X 72 hours to leave",
	// "called for the withdrawal", "demanded the withdrawal".
	if kind == wVerb && prev(1) == "to" || kind == wNoun || kind == wMissionEnd {
		for k := t - 1; k >= 0 && k >= t-12; k-- {
			switch toks[k].low {
			case "ordered", "orders", "order", "told", "tells", "asked", "asks", "demanded", "demands", "demanding",
				"urged", "urges", "given", "gave", "gives", "invited", "inviting", "called", "calls", "calling", "pressed", "requested", "ultimatum":
				if toks[k].low == "called" || toks[k].low == "calls" || toks[k].low == "calling" {
					if k+1 < len(toks) && toks[k+1].low != "for" && toks[k+1].low != "on" {
						continue
					}
				}
				return briefings.StageDemanded, briefings.Asserted
			case ".", ";":
				k = -1
			}
		}
	}
	// "would need to vacate": implied, not decided.
	if prev(1) == "to" && (prev(2) == "need" || prev(2) == "needs" || prev(2) == "have" || prev(2) == "has") && (prev(3) == "would" || prev(3) == "will" || prev(3) == "might") {
		return briefings.StageDemanded, briefings.Implied
	}
	if prev(1) == "to" && (prev(2) == "threatened" || prev(2) == "threatens" || prev(2) == "threatening") {
		return briefings.StagePlanned, briefings.Threatened
	}
	// Agreed: "agreed to withdraw", "agreed on ending", an agreement in the
	// sentence that the withdrawal depends on, or a joint text.
	agreed := false
	for k := t - 1; k >= 0 && k >= t-24; k-- {
		switch toks[k].low {
		case "agreed", "agreement", "agree", "deal", "accord", "accords", "treaty", "declaration", "pact":
			agreed = true
		}
	}
	if kind == wMissionEnd && x.jointStatement(s) {
		agreed = true
	}
	if x.quotedDeclaration(s, t) {
		agreed = true
	}
	// Verb forms.
	future, past, progressive, perfect := false, false, false, false
	for k := t - 1; k >= 0 && k >= t-5; k-- {
		switch toks[k].low {
		case "will", "'ll", "shall":
			future = true
		case "would":
			future = true
		case "has", "have":
			perfect = true
		case "had":
			if prev(1) == "to" {
				past = true
			} else {
				perfect = true
			}
		case "is", "are", "was", "were":
			if strings.HasSuffix(w, "ing") {
				progressive = true
			}
		case ".", ";", ",":
			k = -1
		}
	}
	if agreed && (future || prev(1) == "to" || kind == wNoun || kind == wMissionEnd) {
		return briefings.StageAgreed, briefings.Asserted
	}
	// Governing verbs before "to" + verb or before a noun.
	gov := ""
	for k := t - 1; k >= 0 && k >= t-6; k-- {
		lw := toks[k].low
		switch lw {
		case "decision", "decided", "decides", "announced", "announces", "announcing", "intention", "intends", "intend",
			"plans", "plan", "planned", "planning", "set", "scheduled", "prepared", "preparing", "ready",
			"begin", "began", "begun", "start", "started", "starting", "begins", "complete", "completed", "completes",
			"completing", "expected", "likely", "undergo", "undertake", "undertaking", "following", "after", "since",
			"forced", "paused", "halted", "suspended", "froze", "frozen", "reversed", "cancelled", "canceled", "scrapped",
			"stopped", "delayed", "postponed", "see", "sees", "seek", "seeks", "want", "wants", "aims", "aim", "vowed",
			"pledged", "promised", "continue", "continuing", "continues", "resume", "resumed", "underway":
			if gov == "" {
				gov = lw
			}
		}
	}
	switch gov {
	case "paused", "halted", "suspended", "froze", "frozen", "stopped", "delayed", "postponed":
		return briefings.StagePaused, briefings.Asserted
	case "reversed", "cancelled", "canceled", "scrapped":
		return briefings.StageReversed, briefings.Asserted
	case "expected", "likely":
		return briefings.StagePlanned, briefings.Hedged
	}
	if strings.Contains(s.lowText, "under way") || strings.Contains(s.lowText, "underway") {
		if !future {
			return briefings.StageUnderWay, briefings.Asserted
		}
	}
	if future {
		return briefings.StagePlanned, briefings.Asserted
	}
	switch gov {
	case "decision", "decided", "decides", "announced", "announces", "announcing", "intention", "intends", "intend",
		"plans", "plan", "planned", "planning", "set", "scheduled", "prepared", "preparing", "ready", "vowed", "pledged", "promised", "aims", "aim", "want", "wants", "seek", "seeks":
		return briefings.StagePlanned, briefings.Asserted
	case "began", "begun", "started", "continue", "continuing", "continues", "resumed", "underway":
		return briefings.StageUnderWay, briefings.Asserted
	case "completed":
		return briefings.StageCompleted, briefings.Asserted
	case "following", "after", "forced":
		return briefings.StageCompleted, briefings.Asserted
	}
	if progressive {
		return briefings.StageUnderWay, briefings.Asserted
	}
	if kind == wVerb {
		switch {
		case perfect || past:
			return briefings.StageCompleted, briefings.Asserted
		case w == "withdrew" || w == "left" || w == "departed" || w == "quit" && prev(1) != "to" || w == "vacated" || w == "evacuated" || w == "exited" || w == "pulled" || w == "drew" || w == "withdrawn":
			return briefings.StageCompleted, briefings.Asserted
		case prev(1) == "to":
			return briefings.StagePlanned, briefings.Intended
		}
	}
	return "", briefings.Asserted
}

// jointStatement reports a joint statement or declaration framing the
// sentence: what two parties announce together is agreed.
func (x *extraction) jointStatement(s *sentence) bool {
	return strings.Contains(s.lowText, "joint statement") || strings.Contains(s.lowText, "joint declaration") || strings.Contains(s.lowText, "the two countries announced") || strings.Contains(s.lowText, "both countries announced")
}

// quotedDeclaration reports a quotation attributed to an accord ("..., the
// declaration stated"): what it says will happen is agreed.
func (x *extraction) quotedDeclaration(s *sentence, t int) bool {
	if !s.toks[t].quoted {
		return false
	}
	for _, phrase := range []string{"the declaration stated", "the declaration said", "the agreement stated", "the agreement says", "the agreement said", "the deal says", "the accord says", "the text says", "the agreement states"} {
		if strings.Contains(s.lowText, phrase) {
			return true
		}
	}
	return false
}
