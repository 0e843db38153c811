package extract

import (
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// agreementNoun reports whether w names an accord.
func agreementNoun(w string) bool {
	switch w {
	case "agreement", "agreements", "accord", "accords", "deal", "deals", "treaty", "treaties", "pact", "ceasefire",
		"cease-fire", "ceasefires", "truce", "armistice", "memorandum", "declaration", "protocol", "convention",
		"understanding", "arrangement", "roadmap", "charter", "contract", "sofa", "mou", "compact", "accords.":
		return true
	}
	return false
}

// agreementNP finds an accord's noun phrase starting within a few tokens
// after from: it returns the noun's index and the phrase's bounds, or -1.
// Named documents ("Status of Forces Agreement") count as accords; with
// signing verbs, "document" does too.
func (x *extraction) agreementNP(s *sentence, from, maxGap int, signing bool) (noun, start, end int) {
	toks := s.toks
	for k := from; k < len(toks) && k <= from+maxGap; k++ {
		w := toks[k].low
		if w == "." || w == ";" || (w == "," && k > from+1) {
			break
		}
		if m := mentionStartingAt(s.ments, k); m != nil && m.kind == mDoc && docHead(strings.ToLower(lastWord(m.text))) {
			return m.end - 1, from, x.npEnd(s, m.end)
		}
		if agreementNoun(w) || signing && (w == "document" || w == "documents" || w == "plan") {
			// Not "agreement" used as a verb complement elsewhere.
			return k, from, x.npEnd(s, k+1)
		}
	}
	return -1, -1, -1
}

// npEnd extends an accord's phrase over its complements: "(SOFA)", "with
// the US", "in the field of defence", "signed with the French Republic",
// "between the two sides on protecting civilians", "formalising the
// transfer of ...", to the end of the clause, at most 16 words.
func (x *extraction) npEnd(s *sentence, k int) int {
	toks := s.toks
	// "reached an agreement, as per an official, that the US would ...":
	// the agreement is what the that-clause says.
	if k < len(toks) && toks[k].low == "," {
		for j := k + 1; j < len(toks) && j <= k+10; j++ {
			if toks[j].low == "that" {
				e := min(len(toks), j+22)
				for m := j + 1; m < e; m++ {
					if toks[m].low == "." || toks[m].low == ";" {
						e = m
						break
					}
				}
				return e
			}
		}
	}
	end := k
	limit := min(len(toks), k+16)
	for end < limit {
		w := toks[end].low
		if w == "," || w == "." || w == ";" || w == "that" || w == "which" || w == "who" || w == "\"" || w == "during" || w == "at" || w == "after" || w == "before" || w == "as" || w == "to" && end > k {
			break
		}
		if m := mentionStartingAt(s.ments, end); false && m != nil {
			_ = m
		}
		// A time expression ends the phrase ("late on Saturday" too).
		stop := false
		for _, tx := range s.times {
			if tx.start == end || tx.start == end+1 && (w == "late" || w == "early" || w == "earlier" || w == "later") {
				stop = true
			}
		}
		if stop {
			break
		}
		end++
	}
	return end
}

// agreements finds accords reached, signed, ended, suspended or threatened.
func (x *extraction) agreements(s *sentence) []*cand {
	var out []*cand
	toks := s.toks
	add := func(t int, status string, actors, counter []*mention, npStart, npEnd int) *cand {
		c := &cand{s: s, trig: t, actors: actors, counter: counter}
		c.f.Kind = briefings.FactAgreement
		c.f.Status = status
		if npStart >= 0 && npEnd > npStart {
			c.f.Subject = strings.TrimSpace(joinText(s.text, toks[npStart:npEnd]))
			// "an agreement, as per an official, that the US would ...": what
			// was agreed is the that-clause.
			for k := npStart; k < npEnd; k++ {
				if toks[k].low == "that" && k > npStart && k+1 < npEnd {
					c.f.Subject = strings.TrimSpace(joinText(s.text, toks[k+1:npEnd]))
					break
				}
			}
			if a, b := x.purpose(s, npEnd); b > a {
				c.content = a
				// "signed an agreement on Tuesday to expand American access
				// to Philippine military bases".
				c.f.Subject += " " + strings.TrimSpace(joinText(s.text, toks[a:b]))
			}
		}
		out = append(out, c)
		return c
	}
	conditional := func(t int) bool {
		for k := t - 1; k >= 0 && k >= t-6; k-- {
			switch toks[k].low {
			case "if", "unless", "whether":
				return true
			case ",", ";":
				return false
			}
		}
		return false
	}
	for t := 0; t < len(toks); t++ {
		w := toks[t].low
		if x.claim && (w == "reached" || w == "signed" || w == "concluded" || w == "agreed") && t >= 2 && (toks[t-1].low == "was" || toks[t-1].low == "were") {
			// A claim in the passive: "The agreement was reached on 2024-09-29".
			if noun := lastAgreementNoun(toks, t-2); noun >= 0 {
				status := briefings.AgreementAgreed
				if w == "signed" {
					status = briefings.AgreementSigned
				}
				add(t, status, x.objectsIn(s, t+1, min(len(toks), t+3), "by"), nil, max(0, noun-3), noun+1)
				continue
			}
		}
		if agreementNoun(w) && t+1 < len(toks) && toks[t+1].low == "between" && t > 0 && (toks[t-1].low == "a" || toks[t-1].low == "an" || x.claim) {
			// "a peace agreement between X and Y": an accord the text
			// asserts exists.
			if ms := x.objects(s, t+1, 0, "between"); len(ms) >= 2 && !conditional(t) && !negatedBefore(toks, t) {
				st := t
				for st > 0 && !toks[st-1].punct && toks[st-1].low != "is" && toks[st-1].low != "was" && t-st < 3 {
					st--
				}
				add(t, briefings.AgreementAgreed, ms[:1], ms[1:], st, x.npEnd(s, t+1))
				continue
			}
		}
		switch w {
		case "signed", "signs", "sign":
			if w == "sign" {
				continue // "will sign", "to sign": not yet done
			}
			// Passive or participle uses refer to an accord named before
			// ("the agreement reached in Jeddah was signed by the parties",
			// "the accord ... signed with the French Republic").
			if t > 0 && (toks[t-1].low == "was" || toks[t-1].low == "were" || toks[t-1].low == "been" || agreementNoun(toks[t-1].low)) {
				continue
			}
			from := t + 1
			if from < len(toks) && (toks[from].low == "off" || toks[from].low == "on") {
				from++
			}
			noun, st, en := x.agreementNP(s, from, 5, true)
			if noun < 0 {
				continue
			}
			if _, ok := intendedBefore(toks, t); ok || negatedBefore(toks, t) {
				continue
			}
			actors := x.subject(s, t)
			counter := x.objectsIn(s, st, en, "with")
			c := add(t, briefings.AgreementSigned, actors, counter, st, en)
			if len(actors) >= 2 && actors[0].kind == mPerson && actors[1].kind == mPerson {
				// A signing by two named people is an encounter too.
				m := &cand{s: s, trig: t, actors: actors[:1], counter: actors[1:]}
				m.f.Kind = briefings.FactMeeting
				m.f.Mode = briefings.ModeInPerson
				m.f.Notes = append(m.f.Notes, "signing")
				out = append(out, m)
			}
			_ = c
		case "agreed", "agree", "agrees":
			if conditional(t) || negatedBefore(toks, t) {
				continue
			}
			if w == "agree" {
				continue
			}
			// "agreed to draw up plans", "agreed Friday on ending ...",
			// "agreed that ...".
			actors := x.subject(s, t)
			if len(actors) == 0 {
				continue
			}
			st := t + 1
			for _, tx := range s.times {
				// "agreed on Wednesday to a four-day truce".
				if tx.start == st || tx.start == st+1 && toks[st].low == "on" {
					st = tx.end
				}
			}
			for st < len(toks) && (toks[st].cap || toks[st].low == "on" || toks[st].low == "to" || toks[st].low == "that" || toks[st].low == "upon") {
				if !toks[st].cap {
					st++
					break
				}
				st++
			}
			en := min(len(toks), st+14)
			for k := st; k < en; k++ {
				if toks[k].low == "." || toks[k].low == ";" || toks[k].low == "," && k+1 < len(toks) && clauseAfterComma(toks[k+1]) {
					en = k
					break
				}
			}
			counter := x.objectsIn(s, t+1, min(len(toks), t+4), "with")
			add(t, briefings.AgreementAgreed, actors, counter, st, en).content = st
		case "reached", "struck", "clinched", "sealed", "concluded", "produced", "brokered":
			noun, st, en := x.agreementNP(s, t+1, 3, false)
			if noun < 0 || conditional(t) {
				continue
			}
			if t > 0 && agreementNoun(toks[t-1].low) {
				continue // "the agreement reached in Jeddah"
			}
			if negatedBefore(toks, t) {
				continue
			}
			actors := x.subject(s, t)
			counter := x.objectsIn(s, st, en, "between", "with")
			c := add(t, briefings.AgreementAgreed, actors, counter, st, en)
			if len(actors) == 0 && t > 0 && (toks[t-1].low == "they" || t > 1 && toks[t-2].low == "they") {
				c.pronounSubject = true
			}
			if w == "produced" && len(counter) > 0 {
				c.actors, c.counter = counter[:1], counter[1:]
			}
		case "committed", "pledged":
			// "X and Y committed to ...": a joint commitment.
			actors := x.subject(s, t)
			if len(actors) < 2 || t+1 >= len(toks) || toks[t+1].low != "to" {
				continue
			}
			add(t, briefings.AgreementAgreed, actors[:1], actors[1:], t+2, min(len(toks)-1, t+10))
		case "terminate", "terminated", "terminates", "termination", "end", "ended", "ends", "ending",
			"annul", "annulled", "annulment", "scrap", "scrapped", "cancel", "cancelled", "canceled", "cancellation",
			"revoke", "revoked", "renounce", "renounced", "denounce", "denounced", "abrogate", "abrogated",
			"suspend", "suspended", "suspension", "suspends",
			"suspending", "terminating", "annulling", "scrapping", "cancelling", "canceling", "revoking", "renouncing", "denouncing", "abrogating":
			from := t + 1
			if from < len(toks) && toks[from].low == "of" {
				from++
			}
			gap := 5
			if k := participationIn(toks, from); k > from {
				// "suspending its participation in the New START nuclear
				// arms control treaty".
				from, gap = k, 8
			}
			noun, st, en := x.agreementNP(s, from, gap, false)
			if noun < 0 || conditional(t) || negatedBefore(toks, t) {
				continue
			}
			status := briefings.AgreementTerminated
			if strings.HasPrefix(w, "suspen") {
				status = briefings.AgreementSuspended
			}
			mod, intended := intendedBefore(toks, t)
			if intended {
				if mod == briefings.Threatened {
					status = briefings.AgreementThreatened
				} else if !decisionBefore(toks, t) {
					continue
				}
			}
			if threatBefore(toks, t) {
				status = briefings.AgreementThreatened
			}
			actors := x.subject(s, t)
			if len(actors) == 0 {
				// "its decision to end the accord", "the termination of its
				// agreement": the possessor acts.
				for k := t - 1; k >= 0 && k >= t-5; k-- {
					if toks[k].low == "its" || toks[k].low == "their" {
						actors = x.possessor(s, k)
						break
					}
				}
			}
			for k := st; k < en; k++ {
				if (toks[k].low == "its" || toks[k].low == "their") && len(actors) == 0 {
					actors = x.possessor(s, k)
				}
			}
			counter := x.objectsIn(s, st, en, "with")
			if len(counter) == 0 && status == briefings.AgreementThreatened {
				// The other party may only be named in a relative clause
				// ("which determines the terms under which US military
				// personnel can operate in Chad").
				counter = x.otherParty(s, en, actors)
			}
			c := add(t, status, actors, counter, st, en)
			if status == briefings.AgreementThreatened {
				c.f.Modality = briefings.Threatened
			}
		case "abide", "comply", "obligations", "violate", "violated", "violation", "honour", "honor", "breach", "breached":
			noun, st, en := x.agreementNP(s, t+1, 6, false)
			if noun < 0 {
				continue
			}
			// An accord in force that the text refers to.
			var actors []*mention
			for _, m := range s.ments {
				if !m.sub && argKind(m) && (m.kind == mCountry || m.kind == mDemonym || m.kind == mOrg || m.kind == mGroup) {
					actors = append(actors, m)
				}
			}
			if len(distinctKeys(x, actors)) < 2 {
				continue
			}
			c := add(t, briefings.AgreementAgreed, actors[:1], actors[1:], st, en)
			c.f.Notes = append(c.f.Notes, "an accord in force the text refers to")
		case "effect", "force":
			// "The ceasefire will take effect on Monday", "entered into force".
			if !(w == "effect" && t > 0 && (toks[t-1].low == "take" || toks[t-1].low == "took" || toks[t-1].low == "takes" || toks[t-1].low == "taken" || toks[t-1].low == "taking")) &&
				!(w == "force" && t > 1 && toks[t-1].low == "into" && (toks[t-2].low == "entered" || toks[t-2].low == "came" || toks[t-2].low == "enters" || toks[t-2].low == "comes" || toks[t-2].low == "enter" || toks[t-2].low == "come")) {
				continue
			}
			noun := -1
			for k := t - 1; k >= 0 && k >= t-8; k-- {
				if agreementNoun(toks[k].low) {
					noun = k
					break
				}
			}
			if noun < 0 || conditional(t) || negatedBefore(toks, t-1) {
				continue
			}
			st := noun
			for st > 0 && noun-st < 4 && !toks[st-1].punct && !toks[st-1].cap && (toks[st-1].low == "the" || toks[st-1].low == "this" || toks[st-1].low == "new" || toks[st-1].low == "a" || !speechVerb(toks[st-1].low) && !auxOrVerb(toks[st-1].low) && toks[st-1].low != "that") {
				st--
			}
			c := add(t, briefings.AgreementEffective, nil, nil, st, noun+1)
			if mod, ok := intendedBefore(toks, t-1); ok {
				c.f.Modality = mod
			} else if hasTokenIn(toks, max(0, t-4), t, "will") {
				c.f.Modality = briefings.Intended
			}
			if !x.claim {
				c.coref = true
			}
		case "parties", "signatories", "party", "signatory":
			// "X and Y are parties to the ceasefire".
			if t+1 >= len(toks) || toks[t+1].low != "to" && toks[t+1].low != "of" {
				continue
			}
			noun, st, en := x.agreementNP(s, t+2, 3, false)
			if noun < 0 || negatedBefore(toks, t) {
				continue
			}
			actors := x.subject(s, t)
			if len(actors) == 0 {
				continue
			}
			add(t, briefings.AgreementSigned, actors[:1], actors[1:], st, en)
		case "proposed", "proposes", "offered":
			noun, st, en := x.agreementNP(s, t+1, 3, false)
			if noun < 0 || conditional(t) {
				continue
			}
			add(t, briefings.AgreementProposed, x.subject(s, t), x.objectsIn(s, st, en, "with", "to"), st, en)
		}
	}
	for _, c := range out {
		if tr, ok := x.timeFor(s, c.trig); ok && !x.futureOfDone(c, tr) {
			c.f.Time, c.explicitTime = tr, true
		}
		c.f.Place = x.placeFor(s, c.trig)
		if c.content > 0 && placeAfter(s, c.f.Place, c.content) {
			// "agreed ... to hold another meeting in Chisinau": where the
			// next meeting is, not where they agreed.
			c.f.Place = ""
		}
	}
	return out
}

// placeAfter reports whether the place is named at or after token k.
func placeAfter(s *sentence, place string, k int) bool {
	if place == "" {
		return false
	}
	for _, m := range s.ments {
		if m.start >= k && m.name != "" && (m.name == place || strings.HasPrefix(place, m.name+",") || m.country == place && m.kind == mCountry) {
			return true
		}
	}
	return false
}

// futureOfDone reports a time after publication on an accord the text says
// was already reached or signed: "agreed to hold joint patrols next year"
// dates the patrols, not the agreement.
func (x *extraction) futureOfDone(c *cand, tr briefings.TimeRef) bool {
	if x.pub.IsZero() || tr.Start.IsZero() || c.f.Modality != "" {
		return false
	}
	if c.f.Status != briefings.AgreementAgreed && c.f.Status != briefings.AgreementSigned {
		return false
	}
	pub := time.Date(x.pub.Year(), x.pub.Month(), x.pub.Day(), 0, 0, 0, 0, time.UTC)
	return tr.Start.After(pub)
}

// lastAgreementNoun returns the index of the last accord noun at or before
// k, within a few words, or -1.
func lastAgreementNoun(toks []token, k int) int {
	for i := k; i >= 0 && i >= k-5; i-- {
		if agreementNoun(toks[i].low) {
			return i
		}
	}
	return -1
}

// decisionBefore reports "decision to", "decided to", "announced ... to":
// an accord ended by decision, not merely planned.
func decisionBefore(toks []token, t int) bool {
	for k := t - 1; k >= 0 && k >= t-4; k-- {
		switch toks[k].low {
		case "decision", "decided", "decides", "voted", "announced", "announces", "move":
			return true
		}
	}
	return false
}

// threatBefore reports "threatened to", "threatening to".
func threatBefore(toks []token, t int) bool {
	for k := t - 1; k >= 0 && k >= t-3; k-- {
		if strings.HasPrefix(toks[k].low, "threat") {
			return true
		}
	}
	return false
}

// objectsIn returns the arguments introduced by one of preps inside
// [from, to).
func (x *extraction) objectsIn(s *sentence, from, to int, preps ...string) []*mention {
	for k := from; k < to && k < len(s.toks); k++ {
		for _, p := range preps {
			if s.toks[k].low == p {
				return x.objects(s, k, 0, p)
			}
		}
	}
	return nil
}

// placesIn is objectsIn for places.
func (x *extraction) placesIn(s *sentence, from, to int, preps ...string) []*mention {
	for k := from; k < to && k < len(s.toks); k++ {
		for _, p := range preps {
			if s.toks[k].low == p {
				return x.places(s, k, 0, p)
			}
		}
	}
	return nil
}

// otherParty returns the first country or body after token from that is not
// one of the actors' countries.
func (x *extraction) otherParty(s *sentence, from int, actors []*mention) []*mention {
	own := map[string]bool{}
	for _, a := range actors {
		own[a.country] = true
		own[a.name] = true
	}
	for _, m := range s.ments {
		if m.start < from || !argKind(m) {
			continue
		}
		c := m.country
		if c == "" {
			c = m.name
		}
		if c != "" && !own[c] {
			return []*mention{m}
		}
	}
	return nil
}

// distinctKeys counts the distinct parties among mentions.
func distinctKeys(x *extraction, ms []*mention) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		out[x.party(m).Key()] = true
	}
	return out
}

// purpose returns the bounds of a purpose clause right after an accord's
// phrase ending at k, past a time expression: "to expand access to the
// bases". It returns equal bounds when there is none.
func (x *extraction) purpose(s *sentence, k int) (int, int) {
	toks := s.toks
	for _, tx := range s.times {
		if tx.start == k {
			k = tx.end
		}
	}
	if k+1 >= len(toks) || toks[k].low != "to" || toks[k+1].cap || toks[k+1].punct {
		return k, k
	}
	switch toks[k+1].low {
	case "the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those", "be", "date":
		return k, k
	}
	end := min(len(toks), k+16)
	for j := k + 1; j < end; j++ {
		if w := toks[j].low; w == "," || w == "." || w == ";" || w == "\"" || w == "“" || w == "”" {
			end = j
			break
		}
	}
	return k, end
}

// clauseAfterComma reports a word after a comma that starts a new clause
// rather than continuing a list: "..., under a deal brokered by Qatar",
// "..., Michel said".
func clauseAfterComma(t token) bool {
	if t.cap {
		return true
	}
	switch t.low {
	case "under", "which", "who", "according", "saying", "said", "as", "after", "before", "while", "but", "despite",
		"officials", "the", "a", "an", "in", "on", "at", "following", "amid", "with", "ending":
		return true
	}
	return false
}

// participationIn returns the token after "(its) participation in" (or
// membership, involvement) starting at k, or k when there is none.
func participationIn(toks []token, k int) int {
	j := k
	if j < len(toks) && (toks[j].low == "its" || toks[j].low == "their" || toks[j].low == "the") {
		j++
	}
	if j+1 < len(toks) && (toks[j].low == "participation" || toks[j].low == "membership" || toks[j].low == "involvement") && (toks[j+1].low == "in" || toks[j+1].low == "of") {
		return j + 2
	}
	return k
}
