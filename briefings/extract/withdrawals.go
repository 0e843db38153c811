package extract

import (
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// wTrigger classifies a withdrawal trigger word.
type wTrigger int

const (
	wNone       wTrigger = iota
	wNoun                // "withdrawal", "pullout", "departure", "exit"
	wVerb                // "withdraw", "leave", "pull out", "quit"
	wHandover            // "handed over the ... base to X"
	wMissionEnd          // "ending the military mission", "concluding the mission"
	wNoLonger            // "no longer present"
	wExpel               // "expelled", "expulsion"
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
	case "out":
		// "ordered French troops out of the country".
		if next != "of" {
			return wNone, 0
		}
		for k := t - 1; k >= 0 && k >= t-6; k-- {
			switch toks[k].low {
			case "ordered", "orders", "order", "told", "forced", "kicked", "pushed", "drove", "threw", "thrown", "ordering":
				return wVerb, 1
			case ".", ";", ",":
				return wNone, 0
			}
		}
	case "handed", "hand", "hands", "handing":
		if next == "over" {
			return wHandover, 2
		}
	case "handover", "hand-over":
		return wNoun, 1
	case "reduction", "reductions", "reduce", "reduced", "reducing", "cut", "cuts", "scale", "scaled":
		// "reduction of troops", "reduce its forces", "scaled back its presence".
		for k := t + 1; k < len(toks) && k <= t+4; k++ {
			switch toks[k].low {
			case "troops", "forces", "soldiers", "presence", "troop", "contingent", "personnel":
				if w == "reduction" || w == "reductions" || w == "cut" || w == "cuts" {
					return wNoun, 1
				}
				return wVerb, 1
			}
		}
	case "close", "closes", "closed", "closing", "shut", "shuts", "shutting":
		// "close its diplomatic presence", "closed its embassy", "shut the base".
		for k := t + 1; k < len(toks) && k <= t+4; k++ {
			switch toks[k].low {
			case "presence", "embassy", "consulate", "base", "bases", "mission":
				return wMissionEnd, 1
			}
		}
	case "returning", "returned", "return", "returns":
		// "fighters are returning home", "troops returned to Russia".
		if next == "home" || next == "to" {
			for k := t - 1; k >= 0 && k >= t-5; k-- {
				switch toks[k].low {
				case "troops", "forces", "soldiers", "fighters", "personnel", "units", "mercenaries", "contingent":
					return wVerb, 1
				}
			}
		}
	case "ending", "end", "ended", "ends", "concluding", "conclude", "concluded", "concludes", "terminate", "terminating":
		// "Russia's military presence has ended", "operations end by ...".
		for k := t - 1; k >= 0 && k >= t-4; k-- {
			switch toks[k].low {
			case "presence", "mission", "operations", "deployment", "occupation":
				return wMissionEnd, 1
			}
		}
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
		if t > 0 && toks[t-1].low == "no" {
			for k := t + 1; k < len(toks) && k <= t+3; k++ {
				switch toks[k].low {
				case "present", "part", "members", "member", "stationed", "deployed", "based":
					return wNoLonger, 1
				}
			}
			if next == "in" {
				return wNoLonger, 1
			}
		}
	case "expelled", "expel", "expels", "expelling", "expulsion":
		return wExpel, 1
	}
	return wNone, 0
}

// actorForce reads what withdraws from the actors' own nouns ("the French
// ambassador", "US troops").
func actorForce(actors []*mention) string {
	for _, a := range actors {
		if a.kind != mGroup {
			continue
		}
		switch a.role {
		case "ambassador", "envoy", "diplomats", "embassy":
			return "diplomatic"
		case "troops", "forces", "soldiers", "military", "army":
			return "military"
		}
	}
	return ""
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
			// "did not directly order the US military to leave Chad": kept as
			// what did not happen.
			c := &cand{s: s, trig: t, actors: x.subject(s, t), counter: placeLike(x.places(s, after, 6, "", "from")), aside: true}
			c.f.Kind = briefings.FactWithdrawal
			c.f.Status = briefings.StageDemanded
			c.f.Modality = briefings.Negated
			if len(c.actors) > 0 && len(c.counter) > 0 {
				out = append(out, c)
			}
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
			for k < len(toks) && toks[k].low != "mission" && toks[k].low != "missions" && toks[k].low != "presence" && toks[k].low != "deployment" && toks[k].low != "occupation" && toks[k].low != "embassy" && toks[k].low != "consulate" && toks[k].low != "base" && toks[k].low != "bases" {
				k++
			}
			if k >= len(toks) {
				// The noun comes before the verb.
				for k = t - 1; k > 0 && toks[k].low != "presence" && toks[k].low != "mission" && toks[k].low != "operations" && toks[k].low != "deployment" && toks[k].low != "occupation"; k-- {
				}
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
			// "the decision of X to withdraw", "their intention to withdraw":
			// the holder of the intention acts.
			if k := intentionNounBefore(toks, t); k >= 0 {
				if of := x.objectsIn(s, k+1, min(len(toks), k+2), "of"); len(of) > 0 {
					actors = of
				} else if poss := x.possessiveBefore(s, k); len(poss) > 0 {
					actors = poss
				}
			}
		}
		// What is left.
		var from []*mention
		switch kind {
		case wHandover:
			from = x.placesIn(s, after, min(len(toks), after+10), "to")
			c.f.Place = x.baseName(s, after)
		case wVerb:
			if name := x.objectPhrase(s, after); name != "" {
				c.f.Place = name
			}
			if toks[t].low == "leave" || toks[t].low == "leaves" || toks[t].low == "left" || toks[t].low == "leaving" || toks[t].low == "quit" || toks[t].low == "quits" || toks[t].low == "vacate" || toks[t].low == "vacated" || toks[t].low == "exited" {
				from = x.places(s, after, 0, "")
				if len(from) > 0 && from[0].kind == mPerson {
					from = nil
				}
			}
			if len(from) == 0 {
				from = x.places(s, after, 6, "from", "of")
			}
		case wExpel:
			from = x.places(s, after, 6, "from")
			if len(from) == 0 {
				from = x.subject(s, t)
			}
		default:
			from = x.places(s, after, 8, "from")
			if len(from) == 0 && (kind == wMissionEnd || kind == wNoLonger) {
				from = x.places(s, after, 8, "in")
			}
			if len(from) == 0 && kind == wMissionEnd && t > 0 {
				from = x.places(s, max(0, t-4), 4, "in")
			}
			if len(from) == 0 && kind == wNoLonger {
				// "no longer ECOWAS members".
				for _, m := range s.ments {
					if m.start > t && m.start <= t+4 && (m.kind == mOrg || m.kind == mCountry) {
						from = []*mention{m}
						break
					}
				}
			}
		}
		// "vacate a French base in N’Djamena": the base's country.
		if len(from) == 0 {
			if in := x.places(s, after, 6, "in"); len(in) > 0 && (in[0].kind == mCountry || in[0].kind == mCapital || in[0].kind == mCity) {
				from = in
			}
		}
		// Only places and bodies can be left ("in a ceremony attended by the
		// defence ministers" names no place).
		from = placeLike(from)
		if len(from) == 0 {
			// A place the gazetteer does not know: "from the west bank of the
			// Dnipro river near Kherson", "from Nagorno-Karabakh".
			if m := x.placePhrase(s, after, "from"); m != nil {
				from = []*mention{m}
			}
		}
		if len(from) == 0 && kind == wVerb {
			if in := x.places(s, after, 6, "in"); len(in) > 0 {
				from = placeLike(in)
			}
		}
		// "withdraw from the country": the country withdrawals in this text
		// leave, if one was named before.
		if len(from) == 1 && from[0].pronoun && len(x.detectedFroms) > 0 {
			from = []*mention{x.detectedFroms[len(x.detectedFroms)-1]}
		} else if len(from) > 0 {
			x.detectedFroms = append(x.detectedFroms, from...)
		}
		// The place left may be named as several countries: one fact each.
		froms := splitFroms(from)
		stage, mod, weak := x.withdrawalStage(s, t, kind)
		if stage == "" && mod == briefings.Asserted {
			// A mention with no stage only adds detail to a known process.
			c.coref = true
		}
		if mod == briefings.Negated {
			continue
		}
		scope := scopeOf(s, t)
		if w := toks[t].low; strings.HasPrefix(w, "reduc") || strings.HasPrefix(w, "cut") || w == "scale" || w == "scaled" {
			scope = "partial"
		}
		force := actorForce(actors)
		if force == "" {
			force = forceOf(s, max(0, t-4), min(len(toks), after+6))
		}
		if len(froms) > 0 && blocLike(froms[0][0]) {
			force = "membership"
		}
		if kind == wMissionEnd && (hasTokenIn(toks, max(0, t-4), min(len(toks), t+8), "mission") || hasTokenIn(toks, max(0, t-4), min(len(toks), t+8), "missions")) || force == "" && strings.Contains(s.lowText, " mission") {
			force = "mission"
		}
		if force == "" {
			force = "military"
		}
		deadline := x.deadlineFor(s, t, min(len(toks), t+30))
		condition := conditionOf(s)
		fromList := froms
		if len(fromList) == 0 {
			fromList = [][]*mention{nil}
		}
		for _, fr := range fromList {
			cc := &cand{s: s, trig: t, actors: actors, counter: fr, coref: c.coref, weak: weak}
			cc.f = c.f
			cc.f.Status = stage
			cc.f.Modality = mod
			cc.f.Scope = scope
			cc.f.Force = force
			cc.f.Deadline = deadline
			cc.f.Condition = condition
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

// intentionNounBefore returns the index of "decision", "intention", "plan"
// ... governing "to <verb>" at t, or -1.
func intentionNounBefore(toks []token, t int) int {
	if t < 2 || toks[t-1].low != "to" {
		return -1
	}
	for k := t - 2; k >= 0 && k >= t-10; k-- {
		switch toks[k].low {
		case "decision", "intention", "plan", "plans", "bid", "move", "readiness", "desire", "determination", "intent":
			return k
		case ".", ";", "that":
			return -1
		}
	}
	return -1
}

func hasTokenIn(toks []token, from, to int, w string) bool {
	for k := from; k < to && k < len(toks); k++ {
		if toks[k].low == w {
			return true
		}
	}
	return false
}

// placeLike keeps the mentions that can be a place left: countries,
// cities, regions, bodies, and unnamed groups of countries.
func placeLike(ms []*mention) []*mention {
	var out []*mention
	for _, m := range ms {
		switch m.kind {
		case mCountry, mCapital, mCity, mRegion, mOrg:
			out = append(out, m)
		case mDemonym:
			// "vacate a French base in N’Djamena": a demonym only modifies.
			continue
		case mGroup:
			if m.role == "countries" || m.role == "states" || m.role == "nations" {
				out = append(out, m)
			}
		}
	}
	return out
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

// placePhrase makes a place mention of the capitalized noun phrase after
// prep (within a few words of from): a place the gazetteer does not know.
func (x *extraction) placePhrase(s *sentence, from int, prep string) *mention {
	toks := s.toks
	for k := from; k < len(toks) && k < from+6; k++ {
		if toks[k].low != prep {
			if toks[k].punct || toks[k].low == "and" {
				return nil
			}
			continue
		}
		st := k + 1
		for st < len(toks) && (toks[st].low == "the" || toks[st].low == "a") {
			st++
		}
		end := st
		hasName := false
		for end < len(toks) && end < st+10 {
			t := toks[end]
			if t.punct && t.low != "-" || t.low == "and" || t.low == "within" || t.low == "by" || t.low == "after" || t.low == "before" || t.low == "to" || t.low == "in" && hasName {
				break
			}
			if isTimeStart(s, end) {
				break
			}
			if t.cap {
				hasName = true
			}
			end++
		}
		if !hasName || end == st {
			return nil
		}
		text := joinText(s.text, toks[st:end])
		country := ""
		for _, m := range s.ments {
			if m.start >= st && m.end <= end && m.country != "" {
				country = m.country
			}
		}
		return &mention{start: st, end: end, roleStart: st, kind: mCity, name: text, text: text, country: country}
	}
	return nil
}

// isTimeStart reports whether a time expression starts at token k.
func isTimeStart(s *sentence, k int) bool {
	for _, tx := range s.times {
		if tx.start == k {
			return true
		}
	}
	return false
}

// objectPhrase returns a base or facility left, with its place: "a French
// base in N’Djamena" (empty when the object is not such a place).
func (x *extraction) objectPhrase(s *sentence, from int) string {
	toks := s.toks
	for k := from; k < len(toks) && k < from+5; k++ {
		switch toks[k].low {
		case "base", "bases", "airbase", "camp", "embassy", "compound", "facility", "facilities":
			end := k + 1
			if end+1 < len(toks) && (toks[end].low == "in" || toks[end].low == "near" || toks[end].low == "at") {
				if m := mentionStartingAt(s.ments, end+1); m != nil {
					end = m.end
				}
			}
			return strings.TrimSpace(joinText(s.text, toks[from:end]))
		case ",", ".", ";", "and":
			return ""
		}
	}
	return ""
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

// ordersOwnForces reports "Russia's defence minister ordered troops to
// withdraw": the one who orders commands the forces that leave (unnamed
// troops, or troops of the orderer's own country).
func (x *extraction) ordersOwnForces(s *sentence, verb, t int) bool {
	if s.toks[verb].low != "ordered" && s.toks[verb].low != "orders" && s.toks[verb].low != "order" {
		return false
	}
	orderer := x.subject(s, verb)
	if len(orderer) == 0 {
		return false
	}
	oc := orderer[0].country
	if orderer[0].ent != nil && orderer[0].ent.country != "" {
		oc = orderer[0].ent.country
	}
	if oc == "" {
		return false
	}
	for _, m := range s.ments {
		if m.start > verb && m.end <= t && !m.sub {
			if m.kind == mGroup && (m.country == "" || m.country == oc) {
				return true
			}
			return false
		}
	}
	// "ordered troops to withdraw": unnamed forces are the orderer's own.
	for k := verb + 1; k < t; k++ {
		switch s.toks[k].low {
		case "troops", "forces", "soldiers", "units", "personnel":
			return true
		}
	}
	return false
}

// demandedThat reports a base-form trigger in a clause demanded of someone:
// "demanded that Armenia withdraw its forces", "insists that the troops
// leave".
func demandedThat(toks []token, t int) bool {
	switch toks[t].low {
	case "withdraw", "leave", "depart", "quit", "vacate", "evacuate", "pull", "draw":
	default:
		return false
	}
	for k := t - 1; k >= 1 && k >= t-8; k-- {
		switch toks[k].low {
		case "that":
			switch toks[k-1].low {
			case "demanded", "demands", "demanding", "demand", "insisted", "insists", "insisting", "urged", "urges",
				"asked", "asks", "requested", "requests", "required", "requires", "ordered", "orders":
				return true
			}
			return false
		case ".", ";", ",":
			return false
		}
	}
	return false
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
func (x *extraction) withdrawalStage(s *sentence, t int, kind wTrigger) (string, briefings.Modality, bool) {
	if kind == wNoun {
		// "This significant drawdown": a reference back, not news.
		for k := t - 1; k >= 0 && k >= t-3; k-- {
			w := s.toks[k].low
			if w == "this" || w == "that" || w == "these" || w == "those" || w == "such" {
				return "", briefings.Asserted, false
			}
			if s.toks[k].punct || s.toks[k].cap {
				break
			}
		}
	}
	stage, mod := x.stageOf(s, t, kind)
	if kind == wNoun && (stage == "" || stage == briefings.StageCompleted) {
		// "The withdrawal of French soldiers will be gradual": the verb after
		// a nominal subject.
		if st, ok := stageAfterNoun(s, t); ok {
			return st, briefings.Asserted, false
		}
	}
	// "following the departure of US troops": a nominal past that only
	// counts when the text says nothing firmer about the process.
	weak := false
	if kind == wNoun && stage == briefings.StageCompleted {
		for k := t - 1; k >= 0 && k >= t-3; k-- {
			if s.toks[k].low == "following" || s.toks[k].low == "after" {
				weak = true
			}
		}
	}
	return stage, mod, weak
}

// stageAfterNoun reads the verb that follows a nominal withdrawal subject.
func stageAfterNoun(s *sentence, t int) (string, bool) {
	toks := s.toks
	for k := t + 1; k < len(toks) && k <= t+9; k++ {
		switch toks[k].low {
		case "will", "'ll", "would":
			// "will be gradual", "will begin", "will take place"; not "will
			// notably impact" (an effect of it).
			v := safeLow(toks, k+1)
			if strings.HasSuffix(v, "ly") {
				v = safeLow(toks, k+2)
			}
			switch v {
			case "be", "begin", "start", "take", "happen", "occur", "continue", "end", "finish", "conclude", "last", "proceed", "resume":
				return briefings.StagePlanned, true
			}
			return "", false
		case "began", "begun", "started", "continues", "continued":
			return briefings.StageUnderWay, true
		case "completed", "concluded", "ended":
			if k > 0 && (toks[k-1].low == "was" || toks[k-1].low == "been" || toks[k-1].low == "is" || toks[k-1].low == "has") {
				return briefings.StageCompleted, true
			}
		case "is", "are", "was":
			switch safeLow(toks, k+1) {
			case "expected", "due", "scheduled", "set", "planned", "to":
				return briefings.StagePlanned, true
			case "under":
				return briefings.StageUnderWay, true
			}
		case ",", ";", ".", "that", "which":
			if k > t+1 {
				return "", false
			}
		}
	}
	return "", false
}

// stageOf reads the stage of a withdrawal at t from what precedes it.
func (x *extraction) stageOf(s *sentence, t int, kind wTrigger) (string, briefings.Modality) {
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
	if kind == wMissionEnd && t > 0 && !(safeLow(toks, t+1) == "the" || safeLow(toks, t+1) == "its" || safeLow(toks, t+1) == "their" || safeLow(toks, t+1) == "of") {
		// The noun came first: "presence has ended", "operations end by".
		switch {
		case prev(1) == "has" || prev(1) == "have" || prev(1) == "had" || w == "ended":
			return briefings.StageCompleted, briefings.Asserted
		case prev(1) == "will" || w == "end" || w == "ends":
			// "have agreed that the coalition's mission will end by ...".
			for k := t - 1; k >= 0 && k >= t-24; k-- {
				switch toks[k].low {
				case "agreed", "agreement", "agree", "deal", "accord", "pact":
					return briefings.StageAgreed, briefings.Asserted
				}
			}
			return briefings.StagePlanned, briefings.Asserted
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
	if kind == wVerb && (prev(1) == "to" || demandedThat(toks, t) || toks[t].low == "out") || kind == wNoun || kind == wMissionEnd {
		for k := t - 1; k >= 0 && k >= t-12; k-- {
			switch toks[k].low {
			case "ordered", "orders", "order", "told", "tells", "asked", "asks", "demanded", "demands", "demanding",
				"urged", "urges", "given", "gave", "gives", "invited", "inviting", "called", "calls", "calling", "pressed", "requested", "ultimatum":
				if toks[k].low == "called" || toks[k].low == "calls" || toks[k].low == "calling" {
					if k+1 < len(toks) && toks[k+1].low != "for" && toks[k+1].low != "on" {
						continue
					}
				}
				// A side ordering its own troops out decides a withdrawal;
				// another side demands it.
				if x.ordersOwnForces(s, k, t) {
					return briefings.StagePlanned, briefings.Asserted
				}
				return briefings.StageDemanded, briefings.Asserted
			case ".", ";":
				k = -1
			}
		}
	}
	// "must leave", "have to leave": an obligation someone imposes.
	if prev(1) == "must" || prev(1) == "to" && (prev(2) == "have" || prev(2) == "has") && prev(3) != "would" {
		return briefings.StageDemanded, briefings.Asserted
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
	if agreed && (future || prev(1) == "to" || kind == wNoun || kind == wMissionEnd || seeFrame(toks, t)) {
		return briefings.StageAgreed, briefings.Asserted
	}
	// Governing verbs before "to" + verb or before a noun.
	gov := ""
	for k := t - 1; k >= 0 && k >= t-11; k-- {
		lw := toks[k].low
		switch lw {
		case "decision", "decided", "decides", "announced", "announces", "announcing", "intention", "intends", "intend",
			"plans", "plan", "planned", "planning", "set", "scheduled", "prepared", "preparing", "ready",
			"begin", "began", "begun", "start", "started", "starting", "begins", "complete", "completed", "completes",
			"completing", "expected", "likely", "undergo", "undertake", "undertaking", "following", "after", "since",
			"forced", "paused", "halted", "suspended", "froze", "frozen", "reversed", "cancelled", "canceled", "scrapped",
			"stopped", "delayed", "postponed", "see", "sees", "seek", "seeks", "want", "wants", "aims", "aim", "vowed",
			"pledged", "promised", "continue", "continuing", "continues", "resume", "resumed", "underway", "marked", "marks", "marking":
			if gov == "" {
				gov = lw
			}
		}
	}
	for k := t - 1; k >= 0 && k >= t-6; k-- {
		if toks[k].low == "expected" || toks[k].low == "likely" {
			gov = "expected"
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
	case "following", "after", "forced", "marked", "marks", "marking":
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

// seeFrame reports "... to see X quit", "will see X begin to withdraw".
func seeFrame(toks []token, t int) bool {
	for k := t - 1; k >= 0 && k >= t-8; k-- {
		if toks[k].low == "see" || toks[k].low == "sees" {
			return true
		}
	}
	return false
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
