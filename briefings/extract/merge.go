package extract

import (
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// merge resolves what facts refer to, joins facts that tell the same event
// twice and drops those that lack what makes them facts.
func (x *extraction) merge(cs []*cand) []*cand {
	var split []*cand
	for _, c := range cs {
		x.resolveGroups(c)
		c.f.Actors = x.parties(c.actors)
		c.f.Counterparts = x.parties(c.counter)
		if c.each && len(c.f.Actors) > 1 {
			for _, a := range c.f.Actors[1:] {
				d := *c
				d.f.Actors = []briefings.Party{a}
				split = append(split, &d)
			}
			c.f.Actors = c.f.Actors[:1]
		}
	}
	cs = append(cs, split...)
	cs = x.mergeMeetings(cs)
	cs = x.mergeAgreements(cs)
	cs = x.mergeWithdrawals(cs)
	cs = x.mergeThreats(cs)
	for _, c := range cs {
		if c.dropped {
			continue
		}
		// Undated facts in a sentence that continues a dated story take
		// that date, unless the sentence says it is background.
		if c.f.Time.IsZero() && !background(c.s) && c.f.Kind != briefings.FactWithdrawal {
			if tr, ok := x.inheritedTime(c.s); ok {
				c.f.Time = tr
			}
		}
	}
	return cs
}

// background reports a sentence about earlier events ("had previously
// produced", "earlier ceasefire deals").
func background(s *sentence) bool {
	for _, t := range s.toks {
		switch t.low {
		case "previously", "earlier", "formerly", "previous", "had":
			return true
		}
	}
	return false
}

// resolveGroups replaces "both countries", "the two sides", "they" and
// similar references with what they stand for.
func (x *extraction) resolveGroups(c *cand) {
	fix := func(ms []*mention) []*mention {
		var out []*mention
		for _, m := range ms {
			if backReference(m) && c.f.Kind == briefings.FactAgreement {
				// "the two leaders signed": the people of the sentence's
				// meeting, resolved with the agreement's other parties.
				c.pronounSubject = true
				lt := strings.ToLower(m.text)
				c.pair = strings.Contains(lt, "two") || strings.Contains(lt, "both")
				switch m.role {
				case "countries", "nations", "states", "governments":
					c.pairCountries = true
				}
				continue
			}
			if backReference(m) {
				if prev := x.previousParties(c); len(prev) > 0 {
					out = append(out, prev...)
					continue
				}
			}
			out = append(out, m)
		}
		return out
	}
	// "both countries are expected to undergo military withdrawal from the
	// country": the two countries named before other than the one left.
	if c.f.Kind == briefings.FactWithdrawal && len(c.actors) == 1 && c.actors[0].kind == mGroup && c.actors[0].role == "countries" {
		lt := lower(c.actors[0].text)
		if strings.Contains(lt, "both") || strings.Contains(lt, "two") {
			if two := x.lastCountries(c.s, 2, c.counter); len(two) == 2 {
				c.actors = two
				c.each = true
				return
			}
		}
	}
	c.actors = fix(c.actors)
	c.counter = fix(c.counter)
	// "both countries are expected to undergo military withdrawal": the
	// subject of a withdrawal names two countries.
	if len(c.actors) == 0 && c.f.Kind == briefings.FactWithdrawal {
		low := c.s.lowText
		if strings.Contains(low, "both countries") || strings.Contains(low, "the two countries") {
			c.actors = x.lastCountries(c.s, 2, c.counter)
			c.each = true
		}
	}
}

// backReference reports a group that names parties already mentioned:
// "the two sides", "both leaders", "the parties", "both countries".
func backReference(m *mention) bool {
	if m.kind != mGroup {
		return false
	}
	if m.role == "sides" || m.role == "parties" {
		return true
	}
	lt := strings.ToLower(m.text)
	if !strings.Contains(lt, "both") && !strings.Contains(lt, "two") {
		return false
	}
	switch m.role {
	case "leaders", "ministers", "countries", "governments", "nations", "presidents", "delegations", "states":
		return true
	}
	return false
}

// previousParties returns the parties of the latest fact before c in the
// article, or of c's own sentence's meeting.
func (x *extraction) previousParties(c *cand) []*mention {
	return x.prevParties[c.s.idx]
}

// lastCountries returns the last n distinct countries mentioned before
// sentence s (in s and the sentence before), skipping those in exclude.
func (x *extraction) lastCountries(s *sentence, n int, exclude []*mention) []*mention {
	skip := map[string]bool{}
	for _, m := range exclude {
		skip[m.country] = true
	}
	for _, f := range x.fromHistory {
		skip[f] = true
	}
	var out []*mention
	seen := map[string]bool{}
	for si := s.idx - 1; si >= 0 && si >= s.idx-2 && len(out) < n; si-- {
		ms := x.sents[si].ments
		for k := len(ms) - 1; k >= 0 && len(out) < n; k-- {
			m := ms[k]
			if (m.kind == mCountry || m.kind == mDemonym) && !skip[m.country] && !seen[m.country] {
				seen[m.country] = true
				out = append(out, m)
			}
		}
	}
	return out
}

// personKeys returns the folded names of a fact's people, or of its bodies
// when it names no one.
func personKeys(ps []briefings.Party) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		if p.Kind == briefings.EntityPerson {
			out[foldKey(lower(p.Name))] = true
		}
	}
	return out
}

func partyCountries(ps []briefings.Party) map[string]bool {
	out := map[string]bool{}
	for _, p := range ps {
		if p.Country != "" {
			out[p.Country] = true
		}
		if p.Kind == briefings.EntityCountry {
			out[p.Name] = true
		}
	}
	return out
}

func overlaps(a, b map[string]bool) bool {
	for k := range a {
		if b[k] {
			return true
		}
	}
	return false
}

func addParties(dst []briefings.Party, src []briefings.Party) []briefings.Party {
	for _, p := range src {
		dup := false
		for i, q := range dst {
			if q.Key() == p.Key() && q.Kind == p.Kind || q.Kind == briefings.EntityPerson && p.Kind == briefings.EntityPerson && q.Name == p.Name {
				dup = true
				if dst[i].Role == "" {
					dst[i].Role = p.Role
				}
				if dst[i].Country == "" {
					dst[i].Country = p.Country
				}
			}
		}
		if !dup {
			dst = append(dst, p)
		}
	}
	return dst
}

// allParties returns actors and counterparts of a candidate.
func allParties(c *cand) []briefings.Party {
	return append(append([]briefings.Party(nil), c.f.Actors...), c.f.Counterparts...)
}

// absorb merges meeting b into meeting a.
func absorb(a, b *cand) {
	a.f.Counterparts = addParties(a.f.Counterparts, b.f.Actors)
	a.f.Counterparts = addParties(a.f.Counterparts, b.f.Counterparts)
	// Keep actors first: remove counterparts that are actors.
	var cp []briefings.Party
	for _, p := range a.f.Counterparts {
		dup := false
		for _, q := range a.f.Actors {
			if q.Key() == p.Key() && q.Name == p.Name {
				dup = true
			}
		}
		if !dup {
			cp = append(cp, p)
		}
	}
	a.f.Counterparts = cp
	if a.f.Place == "" || b.f.Place != "" && strings.Contains(b.f.Place, ", "+a.f.Place) {
		// Keep the more exact place: "Niamey, Niger" over "Niger".
		a.f.Place = b.f.Place
	}
	if b.explicitTime && (!a.explicitTime || moreExact(b.f.Time, a.f.Time) && within(b.f.Time, a.f.Time)) {
		a.f.Time, a.explicitTime = b.f.Time, true
	}
	if b.f.Mode == briefings.ModePhone || b.f.Mode == briefings.ModeVideo {
		a.f.Mode = b.f.Mode
	}
	if b.s != a.s {
		a.f.Support = appendEvidence(a.f.Support, b.s)
	}
	a.f.Notes = append(a.f.Notes, b.f.Notes...)
	b.dropped = true
}

func appendEvidence(list []briefings.Evidence, s *sentence) []briefings.Evidence {
	for _, e := range list {
		if e.Sentence == s.idx {
			return list
		}
	}
	return append(list, briefings.Evidence{Sentence: s.idx, Text: s.text})
}

func precisionRank(p briefings.Precision) int {
	switch p {
	case briefings.PrecisionDay:
		return 5
	case briefings.PrecisionWeek:
		return 4
	case briefings.PrecisionMonth:
		return 3
	case briefings.PrecisionSeason:
		return 2
	case briefings.PrecisionYear:
		return 1
	}
	return 0
}

func moreExact(a, b briefings.TimeRef) bool {
	return precisionRank(a.Precision) > precisionRank(b.Precision)
}

// within reports whether a's period lies inside b's (or b is unresolved).
func within(a, b briefings.TimeRef) bool {
	if !b.Resolved() {
		return true
	}
	if !a.Resolved() {
		return false
	}
	return !a.Start.Before(b.Start) && !a.End.After(b.End)
}

// compatibleTimes reports whether two dated mentions can be one event.
func compatibleTimes(a, b briefings.TimeRef) bool {
	if !a.Resolved() || !b.Resolved() {
		return true
	}
	return within(a, b) || within(b, a)
}

// mergeMeetings joins the mentions of one encounter: coreferent "the talks",
// the same people met again in a later sentence, a body-level report and a
// named one, a visit and the meeting it led to.
func (x *extraction) mergeMeetings(cs []*cand) []*cand {
	phone := false
	for _, c := range cs {
		if c.f.Kind == briefings.FactMeeting && c.f.Mode == briefings.ModePhone {
			phone = true
		}
	}
	var ms []*cand
	for _, c := range cs {
		if c.f.Kind != briefings.FactMeeting {
			continue
		}
		if c.f.Mode == "spoke" {
			// "X spoke with Y": by phone when the article calls it a call,
			// in person when it says where they were, else unspecified.
			c.f.Mode = briefings.ModeUnspecified
			switch {
			case phone:
				c.f.Mode = briefings.ModePhone
			case c.f.Place != "" || x.presentTogether(c.s):
				c.f.Mode = briefings.ModeInPerson
			}
		}
		ms = append(ms, c)
	}
	full := func(c *cand) bool { return len(allParties(c)) >= 2 }
	// 1. Same people: one meeting (unless the times clash).
	for i, a := range ms {
		if a.dropped || a.coref {
			continue
		}
		ka := personKeys(allParties(a))
		for _, b := range ms[i+1:] {
			if b.dropped || b.coref {
				continue
			}
			kb := personKeys(allParties(b))
			if len(ka) == 0 || len(kb) == 0 {
				continue
			}
			common := 0
			for k := range kb {
				if ka[k] {
					common++
				}
			}
			if common >= min(2, len(kb), len(ka)) && common >= 1 && compatibleTimes(a.f.Time, b.f.Time) {
				absorb(a, b)
			}
		}
	}
	// 2. A report without names next to one with names, sharing a country or
	// with adjacent sentences: one meeting.
	for i, a := range ms {
		if a.dropped || a.coref {
			continue
		}
		for j, b := range ms {
			if i == j || b.dropped || b.coref {
				continue
			}
			if len(personKeys(allParties(a))) == 0 && len(personKeys(allParties(b))) > 0 {
				near := b.s.idx-a.s.idx <= 2 && b.s.idx-a.s.idx >= -2
				if near && (overlaps(partyCountries(allParties(a)), partyCountries(allParties(b))) || len(allParties(a)) == 0 || !full(a)) && compatibleTimes(a.f.Time, b.f.Time) {
					// Keep the earlier sentence's position but the named parties.
					a.f.Actors, a.f.Counterparts = b.f.Actors, b.f.Counterparts
					bt, bx := b.f.Time, b.explicitTime
					b.f.Actors, b.f.Counterparts = nil, nil
					absorb(a, b)
					if !a.explicitTime && bx {
						a.f.Time, a.explicitTime = bt, true
					}
				}
			}
		}
	}
	// 3. Coreferent mentions and one-sided ones join the nearest meeting.
	for _, b := range ms {
		if b.dropped || (!b.coref && full(b)) {
			continue
		}
		var best *cand
		for _, a := range ms {
			if a == b || a.dropped || a.coref || !full(a) && !isSummit(a) {
				continue
			}
			if a.s.idx > b.s.idx+1 {
				continue
			}
			if best == nil || abs(a.s.idx-b.s.idx) < abs(best.s.idx-b.s.idx) || abs(a.s.idx-b.s.idx) == abs(best.s.idx-b.s.idx) && a.s.idx < b.s.idx {
				best = a
			}
		}
		if best == nil {
			if !b.coref && (isSummit(b) || x.claim) {
				continue
			}
			b.dropped = true
			continue
		}
		ordinal := b.ordinal
		bTime := b.f.Time
		if b.coref {
			// A coreferent mention's time ("second encounter this week")
			// does not move the meeting; its place does not either unless
			// the meeting has none.
			b.explicitTime = false
		}
		absorb(best, b)
		if ordinal >= 2 {
			// "their second encounter this week": an earlier encounter in
			// the same period.
			e := &cand{s: b.s, trig: b.trig, explicitTime: true}
			e.f.Kind = briefings.FactMeeting
			e.f.Actors, e.f.Counterparts = best.f.Actors, best.f.Counterparts
			e.f.Mode = best.f.Mode
			e.f.Time = bTime
			e.f.Notes = []string{"the earlier of their encounters in this period; its day and place are not given"}
			best.f.Notes = append(best.f.Notes, "their second encounter "+strings.ToLower(bTime.Text))
			cs = append(cs, e)
		}
	}
	// 4. Meetings of bodies only: the named representatives of those bodies
	// in the next sentences took part.
	for _, a := range ms {
		if a.dropped || len(personKeys(allParties(a))) > 0 {
			continue
		}
		keys := map[string]bool{}
		for _, p := range allParties(a) {
			keys[p.Key()] = true
			if p.Country != "" {
				keys[p.Country] = true
			}
		}
		var add []briefings.Party
		for si := a.s.idx + 1; si < len(x.sents) && si <= a.s.idx+2; si++ {
			for _, m := range x.sents[si].ments {
				if m.kind != mPerson || m.pronoun || m.ent == nil || m.role == "" {
					continue
				}
				p := x.party(m)
				if keys[p.Country] || keys[strings.TrimSpace(p.Country)] {
					add = append(add, p)
				}
			}
		}
		if len(add) >= 2 {
			a.f.Counterparts = addParties(a.f.Counterparts, add)
			// People replace the bodies they represent.
			var people []briefings.Party
			for _, p := range allParties(a) {
				if p.Kind == briefings.EntityPerson {
					people = append(people, p)
				}
			}
			a.f.Actors, a.f.Counterparts = people[:1], people[1:]
		}
	}
	// 5. Participants in one list: the first is the actor. "His Kenyan
	// counterpart" holds the other participant's title: "Foreign Minister
	// Cavusoglu received his Russian counterpart Sergei Lavrov" makes
	// Lavrov Russia's foreign minister.
	for _, a := range ms {
		if a.dropped {
			continue
		}
		hostRole := ""
		for _, p := range a.f.Actors {
			if p.Kind == briefings.EntityPerson && p.Role != "" && !strings.EqualFold(p.Role, "counterpart") {
				hostRole = p.Role
				break
			}
		}
		for i := range a.f.Counterparts {
			if strings.EqualFold(a.f.Counterparts[i].Role, "counterpart") {
				a.f.Counterparts[i].Role = "counterpart"
				if hostRole != "" {
					a.f.Counterparts[i].Role = hostRole
				}
			}
		}
		if len(a.f.Counterparts) == 0 && len(a.f.Actors) >= 2 {
			a.f.Actors, a.f.Counterparts = a.f.Actors[:1], a.f.Actors[1:]
		}
		if len(allParties(a)) < 2 && !isSummit(a) && !(x.claim && len(allParties(a)) == 1 && !a.coref) {
			a.dropped = true
		}
	}
	return cs
}

// presentTogether reports words that put the parties in one place ("was in
// Niamey", "visited", "travelled to").
func (x *extraction) presentTogether(s *sentence) bool {
	for _, t := range s.toks {
		switch t.low {
		case "visited", "visit", "travelled", "traveled", "arrived", "hosted", "met":
			return true
		}
	}
	return false
}

func isSummit(c *cand) bool {
	for _, n := range c.f.Notes {
		if n == "summit" {
			return len(c.f.Actors) > 0
		}
	}
	return false
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// mergeAgreements resolves pronoun parties and drops repeated mentions.
func (x *extraction) mergeAgreements(cs []*cand) []*cand {
	var prev *cand
	for _, c := range cs {
		if c.dropped || c.f.Kind != briefings.FactAgreement {
			continue
		}
		if len(allParties(c)) == 0 || c.pronounSubject {
			// "they reached an agreement": the people of the sentence's
			// meeting, or of the previous agreement.
			if m := x.meetingNear(cs, c.s, 2); m != nil {
				c.f.Actors, c.f.Counterparts = m.f.Actors, m.f.Counterparts
				if c.f.Place == "" {
					c.f.Place = m.f.Place
				}
				if c.pair && len(m.f.Counterparts) == 2 && len(m.f.Actors) == 1 && m.hosted {
					// "X hosted A and B ... The two leaders agreed": the
					// guests agreed, not the host.
					c.f.Actors, c.f.Counterparts = m.f.Counterparts[:1], m.f.Counterparts[1:]
				}
			} else if prev != nil {
				c.f.Actors, c.f.Counterparts = prev.f.Actors, prev.f.Counterparts
			}
		}
		if c.pairCountries {
			// "The two countries agreed": the countries of the parties.
			c.f.Actors, c.f.Counterparts = asCountries(c.f.Actors, c.f.Counterparts)
		}
		if len(c.f.Counterparts) == 0 && len(c.f.Actors) >= 2 {
			c.f.Actors, c.f.Counterparts = c.f.Actors[:1], c.f.Actors[1:]
		}
		if len(allParties(c)) == 0 && !x.claim {
			c.dropped = true
			continue
		}
		prev = c
	}
	// Two agreements from one sentence with the same status: keep the first.
	for i, a := range cs {
		if a.dropped || a.f.Kind != briefings.FactAgreement {
			continue
		}
		for _, b := range cs[i+1:] {
			if !b.dropped && b.f.Kind == briefings.FactAgreement && b.s == a.s && b.f.Status == a.f.Status {
				b.dropped = true
			}
		}
	}
	return cs
}

// meetingNear returns the meeting reported in sentence s or, failing that,
// the latest one in the back sentences before it.
func (x *extraction) meetingNear(cs []*cand, s *sentence, back int) *cand {
	var best *cand
	for _, c := range cs {
		if c.f.Kind != briefings.FactMeeting || c.dropped || c.s.idx > s.idx || c.s.idx < s.idx-back {
			continue
		}
		if c.s == s {
			return c
		}
		if best == nil || c.s.idx > best.s.idx {
			best = c
		}
	}
	return best
}

// meetingIn returns the meeting reported in sentence s.
func (x *extraction) meetingIn(cs []*cand, s *sentence) *cand {
	for _, c := range cs {
		if c.f.Kind == briefings.FactMeeting && c.s == s && !c.dropped {
			return c
		}
	}
	return nil
}

// mergeWithdrawals completes withdrawals from context and joins repeated
// mentions of one process.
func (x *extraction) mergeWithdrawals(cs []*cand) []*cand {
	var last *cand
	for _, c := range cs {
		if c.dropped || c.f.Kind != briefings.FactWithdrawal {
			continue
		}
		// A person ordering a withdrawal stands for their country's forces.
		for i, p := range c.f.Actors {
			if p.Kind == briefings.EntityPerson && p.Country != "" {
				c.f.Actors[i] = briefings.Party{Name: p.Country, Kind: briefings.EntityCountry, Country: p.Country}
			}
		}
		if x.claim {
			continue
		}
		// "Around 300 troops remain ...": unnamed forces are the ones the
		// text is about.
		if len(c.f.Actors) == 1 && c.f.Actors[0].Kind == "" && c.f.Actors[0].Country == "" && last != nil {
			c.f.Actors = last.f.Actors
		}
		if len(c.f.Actors) == 0 && last != nil {
			c.f.Actors = last.f.Actors
		}
		if len(c.f.Counterparts) == 0 {
			if host := x.hostCountry(c); host != "" {
				c.f.Counterparts = []briefings.Party{{Name: host, Kind: briefings.EntityCountry, Country: host}}
			} else if last != nil {
				c.f.Counterparts = last.f.Counterparts
			}
		}
		if len(c.f.Counterparts) > 0 && c.f.Force != "membership" && x.isBloc(c.f.Counterparts[0].Name) {
			c.f.Force = "membership"
		}
		if len(c.f.Actors) > 0 && len(c.f.Counterparts) > 0 {
			last = c
			x.fromHistory = append(x.fromHistory, c.f.Counterparts[0].Key())
		}
	}
	// Two withdrawals are one process when their actors share a country or
	// body, and they leave the same place with the same kind of force.
	same := func(a, b *cand) bool {
		if a.f.Force != b.f.Force || partyCountryKey(a.f.Counterparts[0]) != partyCountryKey(b.f.Counterparts[0]) {
			return false
		}
		for _, p := range a.f.Actors {
			for _, q := range b.f.Actors {
				if partyCountryKey(p) == partyCountryKey(q) {
					return true
				}
			}
		}
		return false
	}
	for i, a := range cs {
		if a.dropped || a.f.Kind != briefings.FactWithdrawal {
			continue
		}
		if x.claim {
			// A withdrawal the claim only names ("with the troop
			// withdrawal") is not what it claims, unless it says something
			// of it ("is unconditional", "all").
			if len(a.f.Actors) == 0 || a.f.Status == "" && a.f.Condition != "none" && a.f.Scope != "full" {
				a.dropped = true
			}
			continue
		}
		if len(a.f.Actors) == 0 || len(a.f.Counterparts) == 0 || a.f.Status == "" {
			a.dropped = true
			continue
		}
		// Actors that are the place left are a misreading.
		if partyCountryKey(a.f.Actors[0]) == partyCountryKey(a.f.Counterparts[0]) {
			a.dropped = true
			continue
		}
		for _, b := range cs[i+1:] {
			if b.dropped || b.f.Kind != briefings.FactWithdrawal || len(b.f.Actors) == 0 || len(b.f.Counterparts) == 0 {
				continue
			}
			if !same(a, b) {
				continue
			}
			sameStage := a.f.Status == b.f.Status
			if sameStage && a.f.Modality == b.f.Modality && (a.f.Deadline.Value == "" || b.f.Deadline.Value == "" || a.f.Deadline.Value == b.f.Deadline.Value) {
				if a.f.Deadline.IsZero() {
					a.f.Deadline = b.f.Deadline
				}
				a.f.Support = appendEvidence(a.f.Support, b.s)
				b.dropped = true
				continue
			}
			// Hedged talk does not add a stage to a process the text asserts.
			if b.f.Modality == briefings.Hedged && a.f.Modality == briefings.Asserted {
				b.dropped = true
			}
		}
	}
	for _, c := range cs {
		if !c.dropped && c.f.Kind == briefings.FactWithdrawal && c.coref && !x.claim {
			c.dropped = true
		}
	}
	// A background mention ("following the departure of US troops") yields
	// to what the text says plainly about the same process.
	for _, a := range cs {
		if a.dropped || !a.weak || a.f.Kind != briefings.FactWithdrawal {
			continue
		}
		for _, b := range cs {
			if b != a && !b.dropped && !b.weak && b.f.Kind == briefings.FactWithdrawal && len(b.f.Actors) > 0 && len(b.f.Counterparts) > 0 &&
				partyCountryKey(b.f.Actors[0]) == partyCountryKey(a.f.Actors[0]) && partyCountryKey(b.f.Counterparts[0]) == partyCountryKey(a.f.Counterparts[0]) {
				a.dropped = true
				break
			}
		}
	}
	return cs
}

// isBloc reports whether name is an international body (which one leaves
// as a member).
func (x *extraction) isBloc(name string) bool {
	for _, o := range x.orgs {
		if o.name == name {
			return o.orgType == "bloc"
		}
	}
	return false
}

// partyCountryKey is the country a party stands for, or its name.
func partyCountryKey(p briefings.Party) string {
	if p.Kind == briefings.EntityOrganization || p.Kind == briefings.EntityPerson {
		return p.Name
	}
	if p.Country != "" {
		return p.Country
	}
	return p.Name
}

// hostCountry guesses the country a withdrawal leaves when the sentence
// does not say: the last country named before it that is not the actor's.
func (x *extraction) hostCountry(c *cand) string {
	own := map[string]bool{}
	for _, p := range c.f.Actors {
		own[p.Country] = true
		own[p.Name] = true
	}
	for si := c.s.idx; si >= 0 && si >= c.s.idx-2; si-- {
		ms := x.sents[si].ments
		for k := len(ms) - 1; k >= 0; k-- {
			m := ms[k]
			if si == c.s.idx && m.start > c.trig {
				continue
			}
			if (m.kind == mCountry || m.kind == mDemonym) && !own[m.country] {
				return m.country
			}
		}
	}
	return ""
}

// mergeThreats joins threats against the same target in one article.
func (x *extraction) mergeThreats(cs []*cand) []*cand {
	for i, a := range cs {
		if a.dropped || a.f.Kind != briefings.FactThreat {
			continue
		}
		if len(a.f.Actors) == 0 {
			a.dropped = true
			continue
		}
		for _, b := range cs[i+1:] {
			if b.dropped || b.f.Kind != briefings.FactThreat {
				continue
			}
			if len(a.f.Counterparts) > 0 && len(b.f.Counterparts) > 0 && partyCountryKey(a.f.Counterparts[0]) == partyCountryKey(b.f.Counterparts[0]) {
				// Keep the more specific actor (a named body over a group).
				if len(b.f.Actors) > 0 && b.f.Actors[0].Kind != "" && a.f.Actors[0].Kind == "" {
					a.f.Actors = b.f.Actors
				}
				a.f.Support = appendEvidence(a.f.Support, b.s)
				b.dropped = true
			}
		}
	}
	return cs
}

// asCountries replaces each party by its country, keeping the first
// appearance of each: the officials of a meeting stand for their states.
func asCountries(actors, counter []briefings.Party) (a, b []briefings.Party) {
	seen := map[string]bool{}
	conv := func(ps []briefings.Party) []briefings.Party {
		var out []briefings.Party
		for _, p := range ps {
			c := p.Country
			if p.Kind == briefings.EntityCountry {
				c = p.Name
			}
			if c == "" || seen[c] {
				continue
			}
			seen[c] = true
			out = append(out, briefings.Party{Name: c, Kind: briefings.EntityCountry, Country: c})
		}
		return out
	}
	a, b = conv(actors), conv(counter)
	if len(a) == 0 && len(b) == 0 {
		return actors, counter
	}
	return a, b
}
