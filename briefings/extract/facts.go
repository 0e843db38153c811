package extract

import (
	"sort"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// cand is a fact being built, with the mentions behind it.
type cand struct {
	f    briefings.Fact
	s    *sentence
	trig int
	// actors and counter are the mentions of the fact's parties.
	actors, counter []*mention
	// explicitTime is set when the sentence itself dates the fact.
	explicitTime bool
	// coref is set for a definite reference to an earlier fact ("the
	// agreement", "the talks"): it only adds details to that fact.
	coref bool
	// pronounSubject is set when the actors are a pronoun ("they").
	pronounSubject bool
	// pair is set when the subject is "the two leaders" or "both sides".
	pair bool
	// content is the first token of what an accord says ("agreed to ...",
	// "an agreement to ..."), 0 when unknown: places there are not where
	// the accord was made.
	content int
	// pairCountries is set when that subject is "the two countries".
	pairCountries bool
	// hosted is set for a meeting whose actor hosted the counterparts.
	hosted bool
	// ordinal is the n of "their second encounter".
	ordinal int
	dropped bool
	// weak is set for a stage read only from a nominal background
	// reference ("following the departure of US troops").
	weak bool
	// each is set when the actors act separately ("both countries are
	// expected to withdraw"): one fact per actor.
	each bool
	// aside is set for what the text says did not happen or was only
	// asked for ("did not order ... to leave", "requests to meet ... were
	// not granted"): kept as such, never merged with what happened.
	aside bool
}

// extractFacts runs every detector over every sentence, then merges facts
// that are the same event told twice.
func (x *extraction) extractFacts() {
	var cs []*cand
	x.prevParties = map[int][]*mention{}
	var last []*mention
	for _, s := range x.sents {
		x.prevParties[s.idx] = last
		n := len(cs)
		cs = append(cs, x.meetings(s)...)
		cs = append(cs, x.agreements(s)...)
		cs = append(cs, x.withdrawals(s)...)
		cs = append(cs, x.threats(s)...)
		cs = append(cs, x.others(s)...)
		for _, c := range cs[n:] {
			if len(c.actors)+len(c.counter) >= 2 && c.f.Kind != briefings.FactWithdrawal {
				last = append(append([]*mention(nil), c.actors...), c.counter...)
			}
		}
	}
	var aside []*cand
	var main []*cand
	for _, c := range cs {
		if c.aside {
			aside = append(aside, c)
		} else {
			main = append(main, c)
		}
	}
	cs = x.merge(main)
	for _, c := range aside {
		c.f.Actors = x.parties(c.actors)
		c.f.Counterparts = x.parties(c.counter)
		if len(c.f.Actors)+len(c.f.Counterparts) > 0 && !x.claim {
			cs = append(cs, c)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].s.idx != cs[j].s.idx {
			return cs[i].s.idx < cs[j].s.idx
		}
		return cs[i].trig < cs[j].trig
	})
	for _, c := range cs {
		if c.dropped {
			continue
		}
		f := c.f
		f.Evidence = briefings.Evidence{Sentence: c.s.idx, Text: c.s.text}
		f.Mentions = x.mentionNames(c.s)
		if f.Attribution == "" && f.Kind != briefings.FactStatement {
			f.Attribution = x.attribution(c)
		}
		if f.Condition == "" && (f.Kind == briefings.FactWithdrawal || f.Kind == briefings.FactAgreement) {
			f.Condition = conditionOf(c.s)
		}
		if f.Summary == "" {
			f.Summary = summarize(f)
		}
		if f.Confidence == 0 {
			f.Confidence = 0.7
		}
		ff := f
		x.facts = append(x.facts, &ff)
	}
}

// mentionNames lists the canonical names an evidence sentence mentions.
func (x *extraction) mentionNames(s *sentence) []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, m := range s.ments {
		switch m.kind {
		case mPerson:
			if m.ent != nil {
				add(m.ent.name)
			}
			add(m.country)
		case mCountry, mDemonym:
			add(m.country)
		case mCapital, mCity:
			add(m.name)
			add(m.country)
		case mOrg, mRegion:
			add(m.name)
		case mGroup:
			for _, c := range m.countries {
				add(c)
			}
			add(m.name)
		}
	}
	return out
}

// attribution returns who reports the fact in its sentence ("..., the
// readout said", "according to a State Department official", "sources
// told AFP"), unless that is one of the fact's own actors.
func (x *extraction) attribution(c *cand) string {
	toks := c.s.toks
	var sp []*mention
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].low == "according" && toks[i+1].low == "to" || toks[i].low == "as" && toks[i+1].low == "per" {
			sp = x.objects(c.s, i+1, 0, "to", "per")
			if len(sp) == 0 {
				// "as per a State Department official": an unnamed source.
				end := min(len(toks), i+7)
				for k := i + 2; k < end; k++ {
					if toks[k].low == "," || toks[k].low == "." {
						end = k
						break
					}
				}
				return strings.TrimSpace(joinText(c.s.text, toks[i+2:end]))
			}
			break
		}
	}
	if len(sp) == 0 {
		sp = x.speaker(c.s)
	}
	if len(sp) == 0 {
		for i, t := range toks {
			if (t.low == "sources" || t.low == "source") && i+1 < len(toks) && speechVerb(toks[i+1].low) {
				st := i
				for st > 0 && !toks[st-1].punct && !isPrep(toks[st-1].low) && toks[st-1].low != "the" && i-st < 4 {
					st--
				}
				return joinText(c.s.text, toks[st:i+1])
			}
		}
		return ""
	}
	for _, a := range append(append([]*mention(nil), c.actors...), c.counter...) {
		if a == sp[0] || a.ent != nil && a.ent == sp[0].ent {
			return ""
		}
	}
	return partyLabel(x.party(sp[0]))
}

// conditionOf returns what a withdrawal or accord depends on: "in return
// for insurgent guarantees", "subject to conditions on the ground"; "none"
// when the text says it is unconditional.
func conditionOf(s *sentence) string {
	toks := s.toks
	for i, t := range toks {
		if t.low == "unconditional" || t.low == "unconditionally" {
			return "none"
		}
		start := -1
		switch {
		case t.low == "in" && i+2 < len(toks) && (toks[i+1].low == "return" || toks[i+1].low == "exchange") && toks[i+2].low == "for":
			start = i
		case t.low == "subject" && i+1 < len(toks) && toks[i+1].low == "to":
			start = i
		case t.low == "conditional" && i+1 < len(toks) && toks[i+1].low == "on":
			start = i
		case t.low == "provided" && i+1 < len(toks) && toks[i+1].low == "that":
			start = i
		}
		if start < 0 {
			continue
		}
		end := min(len(toks), start+12)
		for k := start + 2; k < end; k++ {
			if toks[k].low == "," || toks[k].low == "." || toks[k].low == ";" || toks[k].low == "\"" {
				end = k
				break
			}
		}
		return joinText(s.text, toks[start:end])
	}
	return ""
}

// isPrep reports whether w is a preposition that keeps the next noun
// phrase from being a subject.
func isPrep(w string) bool {
	switch w {
	case "of", "with", "from", "to", "in", "at", "on", "by", "for", "against", "between", "about", "over",
		"under", "into", "during", "after", "before", "following", "near", "per", "toward", "towards",
		"across", "among", "amid", "than", "like", "including", "via", "without", "through", "within", "regarding", "despite":
		return true
	}
	return false
}

// argKind reports whether a mention can be a party to a fact.
func argKind(m *mention) bool {
	switch m.kind {
	case mPerson, mCountry, mDemonym, mOrg, mGroup:
		return true
	case mCapital:
		return m.role != "dateline" && !m.modifier
	}
	return false
}

// attributionBoundary reports whether token k ends a reporting frame
// ("X said", "... that") so that subjects lie after it.
func attributionBoundary(toks []token, k int) bool {
	switch toks[k].low {
	case "said", "says", "stated", "that", "which", ";", ":", "whereby", "added", "while", "when", "because", "although", "though", "whereas":
		return true
	case "as":
		// "as the withdrawal got under way": a clause, not "as a result".
		return k+1 < len(toks) && (toks[k+1].low == "the" || toks[k+1].low == "it" || toks[k+1].low == "they")
	}
	return false
}

// precededByPrep reports whether mention m follows a preposition (possibly
// through determiners and adjectives).
func precededByPrep(toks []token, m *mention) bool {
	k := m.roleStart - 1
	for k >= 0 {
		switch toks[k].low {
		case "the", "a", "an", "its", "their", "his", "her", "all", "some", "both", "three", "two", "other":
			k--
			continue
		}
		break
	}
	if k >= 1 && toks[k].low == "of" {
		switch toks[k-1].low {
		case "thousands", "hundreds", "dozens", "tens", "millions", "some", "most", "all", "many", "several", "part", "none", "each", "both", "governments", "government", "leaders", "ministers", "delegations", "representatives", "heads":
			return false
		}
	}
	return k >= 0 && isPrep(toks[k].low)
}

// subject returns the mentions that act before token t: the nearest
// argument not inside a prepositional phrase, with any mentions
// coordinated with it ("Burkina Faso, Mali, and Niger").
func (x *extraction) subject(s *sentence, t int) []*mention {
	toks := s.toks
	lo := 0
	for k := t - 1; k >= 0; k-- {
		if attributionBoundary(toks, k) {
			lo = k + 1
			break
		}
	}
	var cands []*mention
	for _, m := range s.ments {
		if m.sub || !argKind(m) || m.start < lo || m.end > t {
			continue
		}
		if precededByPrep(toks, m) {
			continue
		}
		if m.possessive && m.kind != mPerson && m.kind != mOrg && m.kind != mCountry && m.kind != mCapital {
			continue
		}
		cands = append(cands, m)
	}
	if len(cands) == 0 {
		return x.pronounSubject(s, lo, t)
	}
	last := cands[len(cands)-1]
	if coordinatedVerb(toks, t) && len(cands) > 1 {
		// "The two sides discussed Taiwan ... and agreed": the subject of
		// the first verb, not its last object.
		first := cands[0]
		out := []*mention{first}
		for _, m := range cands[1:] {
			if coordinatedBetween(toks, out[len(out)-1].end, m.roleStart) {
				out = append(out, m)
				continue
			}
			break
		}
		return out
	}
	// A possessive before a noun ("Campbell’s meeting") is the actor of
	// that noun; a possessive country before a group is part of it.
	out := []*mention{last}
	for k := len(cands) - 2; k >= 0; k-- {
		if coordinatedBetween(toks, cands[k].end, out[0].roleStart) {
			out = append([]*mention{cands[k]}, out...)
			continue
		}
		break
	}
	return out
}

// pronounSubject resolves "it", "they" or "we" acting between lo and t:
// "Germany announced that it will withdraw" — it is Germany.
func (x *extraction) pronounSubject(s *sentence, lo, t int) []*mention {
	toks := s.toks
	p := -1
	for k := t - 1; k >= lo && k >= t-4; k-- {
		switch toks[k].low {
		case "it", "they", "we":
			p = k
		}
		if p >= 0 {
			break
		}
	}
	if p < 0 {
		return nil
	}
	plural := toks[p].low != "it"
	for i := len(s.ments) - 1; i >= 0; i-- {
		m := s.ments[i]
		if m.end > p || m.sub || precededByPrep(toks, m) {
			continue
		}
		switch m.kind {
		case mCountry, mOrg, mCapital:
			if plural {
				if ch := x.coordinatedChain(s, m); len(ch) > 1 {
					return ch
				}
				continue
			}
			return []*mention{m}
		case mDemonym:
			if !plural {
				return []*mention{m}
			}
		case mGroup:
			if m.plural == plural {
				// "France and its European allies announced that they".
				if ch := x.coordinatedChain(s, m); plural && len(ch) > 1 {
					return ch
				}
				return []*mention{m}
			}
		}
	}
	if s.idx > 0 {
		prev := x.sents[s.idx-1]
		return x.subject(prev, len(prev.toks))
	}
	return nil
}

// coordinatedChain returns m with the arguments coordinated before it.
func (x *extraction) coordinatedChain(s *sentence, m *mention) []*mention {
	out := []*mention{m}
	for i := len(s.ments) - 1; i >= 0; i-- {
		p := s.ments[i]
		if p.end > out[0].start || p.sub || !argKind(p) {
			continue
		}
		if coordinatedBetween(s.toks, p.end, out[0].roleStart) {
			out = append([]*mention{p}, out...)
			continue
		}
		break
	}
	return out
}

// coordinatedBetween reports whether only coordination separates tokens
// [a, b): ",", "and", "or", determiners.
func coordinatedBetween(toks []token, a, b int) bool {
	if a > b {
		return false
	}
	sawLink := false
	for k := a; k < b; k++ {
		switch toks[k].low {
		case ",", "and", "or", "&":
			sawLink = true
		case "the", "a", "its", "their", "paramilitary", "military", "president", "'s":
		default:
			return false
		}
	}
	return sawLink || a == b
}

// objects returns the mentions after token t introduced by one of preps
// ("with", "between", ...); "" in preps accepts a mention directly after
// the trigger (a transitive verb). Coordinated mentions are included;
// appositions ("Barmou, the defense chief of Niger’s junta and three other
// colonels") are skipped.
func (x *extraction) objects(s *sentence, t int, maxGap int, preps ...string) []*mention {
	return x.objectsOf(s, t, maxGap, argKind, preps...)
}

// places is objects for the place something leaves or happens in: cities
// and regions count too.
func (x *extraction) places(s *sentence, t int, maxGap int, preps ...string) []*mention {
	return x.objectsOf(s, t, maxGap, func(m *mention) bool {
		return argKind(m) || m.kind == mCity || m.kind == mRegion || m.kind == mCapital
	}, preps...)
}

func (x *extraction) objectsOf(s *sentence, t int, maxGap int, accept func(*mention) bool, preps ...string) []*mention {
	toks := s.toks
	start := -1
	direct := false
	for _, p := range preps {
		if p == "" {
			direct = true
		}
	}
	for k := t; k < len(toks) && k <= t+maxGap; k++ {
		w := toks[k].low
		if w == "." || w == ";" {
			break
		}
		for _, p := range preps {
			if p != "" && w == p {
				start = k + 1
				break
			}
		}
		if start >= 0 {
			break
		}
	}
	if start < 0 && direct {
		start = t
	}
	if start < 0 {
		return nil
	}
	// "with his Nigerien counterpart, General Salifou Mody": the person
	// the apposition names, from the country the description gives.
	if k, country := counterpartApposition(s, start); k > start {
		if p := mentionStartingAtRole(s.ments, k); p != nil && p.kind == mPerson && accept(p) {
			if p.country == "" {
				p.country = country
			}
			return []*mention{p}
		}
	}
	var out []*mention
	var first *mention
	for _, m := range s.ments {
		if m.sub || !accept(m) || m.start < start {
			continue
		}
		// The first argument must come soon after the preposition.
		if m.roleStart-start > 4 || clauseBreakIn(toks, start, m.roleStart) {
			// "from Nagorno-Karabakh, a claim Yerevan rejects": Yerevan is
			// not what follows "from".
			break
		}
		first = m
		break
	}
	if first == nil {
		return nil
	}
	out = append(out, first)
	cur := first
	for {
		next := x.nextCoordinated(s, cur)
		if next == nil {
			break
		}
		out = append(out, next)
		cur = next
	}
	return dropAppositions(s, out)
}

// dropAppositions removes an unnamed person-like group immediately
// followed by the person it describes ("the elected president, Mohamed
// Bazoum").
func dropAppositions(s *sentence, ms []*mention) []*mention {
	var out []*mention
	for i, m := range ms {
		if m.kind == mGroup && personRole(m.role) && i+1 < len(ms) && ms[i+1].kind == mPerson && ms[i+1].start == m.end+1 && m.end < len(s.toks) && s.toks[m.end].low == "," {
			continue
		}
		out = append(out, m)
	}
	return out
}

// nextCoordinated returns the argument coordinated after m, skipping an
// apposition that follows it.
func (x *extraction) nextCoordinated(s *sentence, m *mention) *mention {
	toks := s.toks
	k := m.end
	if k < len(toks) && toks[k].low == "'s" {
		return nil
	}
	// Skip an apposition: ", the defense chief of Niger’s junta".
	if k+1 < len(toks) && toks[k].low == "," && (toks[k+1].low == "the" || toks[k+1].low == "a") {
		j := k + 1
		for j < len(toks) && toks[j].low != "and" && toks[j].low != "," && toks[j].low != "." && toks[j].low != "or" {
			j++
		}
		k = j
	}
	if k >= len(toks) {
		return nil
	}
	linked := false
	for k < len(toks) && (toks[k].low == "," || toks[k].low == "and" || toks[k].low == "or" || toks[k].low == "with") {
		if toks[k].low == "with" && linked {
			break
		}
		linked = true
		k++
	}
	if !linked {
		return nil
	}
	from := k
	for k < len(toks) && (toks[k].low == "the" || toks[k].low == "his" || toks[k].low == "her" || toks[k].low == "their") {
		k++
	}
	for _, n := range s.ments {
		if n.sub || !argKind(n) || n.start < from {
			continue
		}
		if n.roleStart <= k {
			return n
		}
		return nil
	}
	return nil
}

// party converts a mention to a fact party.
func (x *extraction) party(m *mention) briefings.Party {
	switch m.kind {
	case mPerson:
		p := briefings.Party{Name: m.name, Kind: briefings.EntityPerson, Role: m.role, Country: m.country}
		if m.ent != nil {
			p.Name = m.ent.name
			if p.Role == "" {
				p.Role = m.ent.role()
			}
			if p.Country == "" {
				p.Country = m.ent.country
			}
			p.Entity = string(briefings.EntityPerson) + ":" + briefings.Slug(m.ent.name)
			if r := m.ent.role(); r != "" && len(r) > len(p.Role) {
				p.Role = r
			}
		}
		return p
	case mCountry, mDemonym:
		return briefings.Party{Name: m.country, Kind: briefings.EntityCountry, Country: m.country, Entity: string(briefings.EntityCountry) + ":" + briefings.Slug(m.country)}
	case mCapital:
		if m.role != "government" && m.role != "" || m.role == "" && m.possessive == false && !argKind(m) {
			return briefings.Party{Name: m.name, Kind: briefings.EntityPlace, Country: m.country}
		}
		return briefings.Party{Name: m.country, Kind: briefings.EntityCountry, Country: m.country, Entity: string(briefings.EntityCountry) + ":" + briefings.Slug(m.country)}
	case mOrg:
		return briefings.Party{Name: m.name, Kind: briefings.EntityOrganization, Country: m.country, Entity: string(briefings.EntityOrganization) + ":" + briefings.Slug(m.name)}
	case mCity:
		return briefings.Party{Name: m.name, Kind: briefings.EntityPlace, Country: m.country}
	case mGroup:
		name := groupName(m)
		p := briefings.Party{Name: name, Role: m.role, Country: m.country}
		if m.name != "" && (m.role == "official" || m.role == "officials" || m.role == "spokesman") {
			p.Country = m.country
		}
		return p
	}
	return briefings.Party{Name: m.text}
}

// groupName is the name shown for an unnamed body: its phrase without a
// leading article, with a pronoun's country made explicit.
func groupName(m *mention) string {
	t := m.text
	for _, art := range []string{"the ", "The ", "a ", "A ", "its ", "Its ", "their ", "Their "} {
		t = strings.TrimPrefix(t, art)
	}
	if m.pronoun && m.country != "" && !strings.Contains(t, m.country) {
		return briefings.ShortName(m.country) + " " + t
	}
	if m.name != "" && !strings.Contains(t, m.name) {
		return m.name + " " + t
	}
	return t
}

func (x *extraction) parties(ms []*mention) []briefings.Party {
	var out []briefings.Party
	seen := map[string]bool{}
	for _, m := range ms {
		if m.kind == mGroup && m.pronoun && len(m.countries) > 1 && (m.role == "states" || m.role == "countries" || m.role == "nations" || m.role == "members") {
			// "the three member states": the countries themselves.
			for _, c := range m.countries {
				if !seen[c+"|"+c] {
					seen[c+"|"+c] = true
					out = append(out, briefings.Party{Name: c, Kind: briefings.EntityCountry, Country: c, Entity: string(briefings.EntityCountry) + ":" + briefings.Slug(c)})
				}
			}
			continue
		}
		p := x.party(m)
		k := p.Name + "|" + p.Country
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// timeFor returns the time expression that dates an event at token t: the
// nearest point in time in the sentence, else the day of the last dated
// event in the preceding sentences of the article (for undated sentences
// that continue a story).
func (x *extraction) timeFor(s *sentence, t int) (briefings.TimeRef, bool) {
	best := -1
	bestD := 1 << 30
	for k, tx := range s.times {
		if tx.kind != tPoint || !tx.ref.Resolved() {
			continue
		}
		d := tx.start - t
		if d < 0 {
			d = t - tx.end
		}
		if d < bestD {
			best, bestD = k, d
		}
	}
	if best >= 0 {
		tx := s.times[best]
		r := tx.ref
		r.Text = joinText(s.text, s.toks[tx.start:tx.end])
		r.Sentence = s.idx
		return r, true
	}
	return briefings.TimeRef{}, false
}

// inheritedTime is the date of the last dated past event before sentence s,
// looking back a few sentences.
func (x *extraction) inheritedTime(s *sentence) (briefings.TimeRef, bool) {
	for si := s.idx - 1; si >= 0 && si >= s.idx-4; si-- {
		p := x.sents[si]
		for k := len(p.times) - 1; k >= 0; k-- {
			tx := p.times[k]
			if tx.kind != tPoint || !tx.ref.Resolved() || tx.forward {
				continue
			}
			if tx.ref.Precision != briefings.PrecisionDay && tx.ref.Precision != briefings.PrecisionWeek {
				continue
			}
			if !x.pub.IsZero() && tx.ref.Start.After(x.pub) {
				continue
			}
			r := tx.ref
			r.Text = joinText(p.text, p.toks[tx.start:tx.end])
			r.Sentence = p.idx
			r.Note = "dated from the sentence before"
			return r, true
		}
	}
	return briefings.TimeRef{}, false
}

// deadlineFor returns a deadline or duration expression in the sentence: a
// dated deadline first, else the first deadline or duration.
func (x *extraction) deadlineFor(s *sentence, from, to int) briefings.TimeRef {
	for _, tx := range s.times {
		if tx.start < from || tx.start > to {
			continue
		}
		if tx.kind == tDeadline && tx.ref.Resolved() {
			r := tx.ref
			r.Text = joinText(s.text, s.toks[tx.start:tx.end])
			r.Sentence = s.idx
			return r
		}
	}
	for _, tx := range s.times {
		if tx.start < from || tx.start > to {
			continue
		}
		if tx.kind == tDeadline || tx.kind == tDuration {
			r := tx.ref
			r.Text = joinText(s.text, s.toks[tx.start:tx.end])
			r.Sentence = s.idx
			return r
		}
	}
	return briefings.TimeRef{}
}

// placeFor finds where an event at token t happened: "in Doha", "at a
// meeting in the Saudi port city of Jeddah", "on the margins of the Arctic
// Council Ministerial", "was in Niamey". Datelines are not places.
func (x *extraction) placeFor(s *sentence, t int) string {
	toks := s.toks
	// "on the margins of X", "on the sidelines of X".
	for k := 0; k+3 < len(toks); k++ {
		if (toks[k].low == "margins" || toks[k].low == "sidelines" || toks[k].low == "margin" || toks[k].low == "sideline") && toks[k+1].low == "of" {
			j := k + 2
			end := j
			for end < len(toks) && (toks[end].cap || toks[end].low == "the" || toks[end].low == "of") {
				end++
			}
			if end > j {
				return strings.TrimSuffix(joinText(s.text, toks[k:end]), ".")
			}
		}
	}
	var best *mention
	bestD := 1 << 30
	// "travelled to Kyiv ... and met", "visited Niamey ... and held
	// talks": where the visitor went.
	for i := 0; i+1 < len(toks); i++ {
		if w := toks[i].low; w == "visited" || w == "visiting" {
			for _, m := range s.ments {
				if m.start == i+1 && (m.kind == mCity || m.kind == mCapital) {
					if m.country != "" && !strings.Contains(m.name, m.country) {
						return m.name + ", " + m.country
					}
					return m.name
				}
			}
		}
		switch toks[i].low {
		case "travelled", "traveled", "flew", "went", "arrived", "came":
			if toks[i+1].low == "to" || toks[i+1].low == "in" {
				for _, m := range s.ments {
					if m.start == i+2 && (m.kind == mCity || m.kind == mCapital || m.kind == mCountry) {
						if m.kind == mCountry {
							return m.country
						}
						return m.name
					}
				}
			}
		}
	}
	for _, m := range s.ments {
		if m.role == "dateline" {
			continue
		}
		if m.kind != mCity && m.kind != mCapital && m.kind != mCountry && m.kind != mRegion {
			continue
		}
		k := m.roleStart - 1
		for k >= 0 && (toks[k].low == "the" || toks[k].low == "port" || toks[k].low == "city" || toks[k].low == "capital" || toks[k].low == "of" || toks[k].low == "saudi" || toks[k].cap && k > 0 && toks[k-1].low == "the") {
			if toks[k].low == "of" && k > 0 && (toks[k-1].low == "city" || toks[k-1].low == "capital" || toks[k-1].low == "town") {
				k--
				continue
			}
			if toks[k].low == "of" {
				break
			}
			k--
		}
		if k < 0 || (toks[k].low != "in" && toks[k].low != "at") {
			continue
		}
		// "troops in Niger", "presence in Africa": a country after "in" is
		// a place only for events, and only near the trigger.
		d := m.start - t
		if d < 0 {
			d = -d
		}
		if m.kind == mCountry || m.kind == mRegion {
			d += 8
		}
		if d < bestD {
			best, bestD = m, d
		}
	}
	if best == nil {
		return ""
	}
	name := best.name
	if best.kind == mCountry {
		name = best.country
	}
	// "Abuja, Nigeria": keep the country that follows a city.
	if best.end+1 < len(toks) && toks[best.end].low == "," {
		for _, m := range s.ments {
			if m.start == best.end+1 && m.kind == mCountry {
				return name + ", " + m.country
			}
		}
	}
	country := best.country
	if country == "" && best.name == x.dateline {
		// "ANTALYA, Turkey — ... in Antalya": the dateline's country.
		country = x.datelineCountry
	}
	if (best.kind == mCity || best.kind == mCapital) && country != "" && !strings.Contains(name, country) && best.name != "Washington, DC" {
		return name + ", " + country
	}
	return name
}

// negatedBefore reports whether a negation governs the trigger at t:
// "did not", "never", "no", "refused to", "declined to" in the few words
// before it.
func negatedBefore(toks []token, t int) bool {
	for k := t - 1; k >= 0 && k >= t-4; k-- {
		switch toks[k].low {
		case "no":
			if k+1 < len(toks) && toks[k+1].low == "longer" {
				continue
			}
			return true
		case "not", "n't", "never", "neither", "nor", "refused", "declined", "denied", "without":
			return true
		case ",", ";", ".":
			return false
		}
	}
	return false
}

// notGrantedAfter reports whether the clause after t says the thing did not
// happen: "were not granted", "was rejected", "did not take place".
func notGrantedAfter(toks []token, t int) bool {
	for k := t; k < len(toks) && k < t+16; k++ {
		switch toks[k].low {
		case "granted", "held", "happen", "place":
			if k >= 2 && (toks[k-1].low == "not" || toks[k-2].low == "not" || toks[k-1].low == "n't") {
				return true
			}
		case "rejected", "refused", "denied", "cancelled", "canceled", "postponed", "called":
			if toks[k].low == "called" && (k+1 >= len(toks) || toks[k+1].low != "off") {
				continue
			}
			return true
		case ";":
			return false
		}
	}
	return false
}

// intendedBefore reports whether the trigger is only wanted, planned,
// requested or future: "requests to meet", "are to meet", "will meet",
// "plans to", "expected to".
func intendedBefore(toks []token, t int) (briefings.Modality, bool) {
	// "to hold talks", "to meet": an infinitive is not an event that
	// happened.
	if t >= 1 && toks[t-1].low == "to" || t >= 2 && toks[t-2].low == "to" && (toks[t-1].low == "hold" || toks[t-1].low == "have" || toks[t-1].low == "sign" || toks[t-1].low == "begin" || toks[t-1].low == "start" || toks[t-1].low == "undergo" || toks[t-1].low == "undertake") {
		k := t - 1
		if toks[k].low != "to" {
			k--
		}
		if k > 0 {
			switch toks[k-1].low {
			case "expected", "likely", "unlikely", "set":
				return briefings.Hedged, true
			case "requests", "request", "requested", "asked", "invitation", "invited":
				return briefings.Requested, true
			case "threatened", "threatening", "threatens", "threaten":
				return briefings.Threatened, true
			}
		}
		return briefings.Intended, true
	}
	for k := t - 1; k >= 0 && k >= t-5; k-- {
		switch toks[k].low {
		case "will", "'ll", "shall", "would", "could", "might", "may", "should":
			if toks[k].low == "would" || toks[k].low == "could" || toks[k].low == "might" || toks[k].low == "may" || toks[k].low == "should" {
				return briefings.Hedged, true
			}
			return briefings.Intended, true
		case "to":
			if k > 0 {
				switch toks[k-1].low {
				case "requests", "request", "requested", "asked", "wants", "want", "wanted", "hopes", "hope", "hoped",
					"plans", "plan", "planned", "intends", "intend", "intended", "seeks", "seek", "sought", "offered",
					"invited", "invitation", "agreed", "agree", "due", "set", "scheduled", "expected", "likely", "are", "is",
					"was", "were", "going", "tried", "attempt", "attempts", "bid", "proposal", "proposed", "ready", "willing", "need", "needs":
					if toks[k-1].low == "requests" || toks[k-1].low == "request" || toks[k-1].low == "requested" || toks[k-1].low == "asked" || toks[k-1].low == "invitation" || toks[k-1].low == "invited" {
						return briefings.Requested, true
					}
					if toks[k-1].low == "expected" || toks[k-1].low == "likely" {
						return briefings.Hedged, true
					}
					return briefings.Intended, true
				}
			}
		case ",", ";", ".", "and", "but":
			return "", false
		}
	}
	return "", false
}

// summarize writes a one-line summary of a fact.
func summarize(f briefings.Fact) string {
	names := func(ps []briefings.Party) string {
		var out []string
		for _, p := range ps {
			out = append(out, partyLabel(p))
		}
		return joinAnd(out)
	}
	var b strings.Builder
	switch f.Kind {
	case briefings.FactMeeting:
		b.WriteString(names(f.Actors))
		switch f.Mode {
		case briefings.ModePhone:
			b.WriteString(" spoke by phone with ")
		case briefings.ModeVideo:
			b.WriteString(" held a video call with ")
		default:
			b.WriteString(" met ")
		}
		b.WriteString(names(f.Counterparts))
	case briefings.FactAgreement:
		b.WriteString(names(f.Parties()))
		switch f.Status {
		case briefings.AgreementSigned:
			b.WriteString(" signed ")
		case briefings.AgreementTerminated:
			b.WriteString(": ended ")
		case briefings.AgreementThreatened:
			b.WriteString(": threatened to end ")
		case briefings.AgreementSuspended:
			b.WriteString(": suspended ")
		case briefings.AgreementProposed:
			b.WriteString(": proposed ")
		default:
			b.WriteString(" agreed: ")
		}
		b.WriteString(f.Subject)
	case briefings.FactWithdrawal:
		b.WriteString(names(f.Actors))
		b.WriteString(" withdrawal from ")
		b.WriteString(names(f.Counterparts))
		b.WriteString(": ")
		b.WriteString(f.Status)
	case briefings.FactThreat:
		b.WriteString(names(f.Actors))
		b.WriteString(" threatened ")
		b.WriteString(names(f.Counterparts))
		if f.Subject != "" {
			b.WriteString(": ")
			b.WriteString(f.Subject)
		}
	default:
		b.WriteString(names(f.Actors))
		if f.Subject != "" {
			b.WriteString(": ")
			b.WriteString(f.Subject)
		}
	}
	return strings.TrimSpace(b.String())
}

// partyLabel is "Name (Role, Country)" as the text gives it.
func partyLabel(p briefings.Party) string {
	var extra []string
	if p.Role != "" && p.Kind == briefings.EntityPerson {
		extra = append(extra, p.Role)
	}
	if p.Country != "" && p.Country != p.Name && (p.Kind == briefings.EntityPerson || p.Kind == "") && !strings.Contains(p.Name, briefings.ShortName(p.Country)) {
		extra = append(extra, p.Country)
	}
	if len(extra) == 0 {
		return p.Name
	}
	return p.Name + " (" + strings.Join(extra, ", ") + ")"
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// hasWord reports whether the sentence has one of the words (lower case).
func hasWord(s *sentence, words ...string) int {
	for i, t := range s.toks {
		for _, w := range words {
			if t.low == w {
				return i
			}
		}
	}
	return -1
}

// possessor resolves a possessive pronoun ("its", "their") at token k to the
// nearest organization, country or group before it in the sentence, or the
// subject of the sentence before.
func (x *extraction) possessor(s *sentence, k int) []*mention {
	for i := len(s.ments) - 1; i >= 0; i-- {
		m := s.ments[i]
		if m.end > k || m.sub {
			continue
		}
		switch m.kind {
		case mOrg, mCountry, mGroup, mCapital, mDemonym:
			return []*mention{m}
		}
	}
	if s.idx > 0 {
		p := x.sents[s.idx-1]
		if subj := x.subject(p, len(p.toks)); len(subj) > 0 {
			return subj
		}
	}
	return nil
}

// clauseBreakIn reports a comma, semicolon, colon, parenthesis or dash in
// tokens [a, b).
func clauseBreakIn(toks []token, a, b int) bool {
	for k := a; k < b && k < len(toks); k++ {
		switch toks[k].low {
		case ",", ";", ":", "(", "—", "–":
			return true
		}
	}
	return false
}

// coordinatedVerb reports a verb at t that shares its subject with an
// earlier verb: "... and agreed", "..., and also warned".
func coordinatedVerb(toks []token, t int) bool {
	k := t - 1
	for k >= 0 {
		switch toks[k].low {
		case "also", "then", "later", "subsequently", "jointly", "separately":
			k--
			continue
		}
		break
	}
	if k < 1 || toks[k].low != "and" {
		return false
	}
	// The word before "and" ends a verb phrase, not a list of names
	// ("Russia and Ukraine agreed"): it is no name, unless a date ("in
	// December and held talks").
	prev := toks[k-1]
	if prev.low == "," && k >= 2 {
		prev = toks[k-2]
	}
	return !prev.cap || isCalendarWord(prev.low)
}

// counterpartApposition reads "his (Nigerien) counterpart, " at k and
// returns the token after the comma with the demonym's country; it returns
// k when the words are not there.
func counterpartApposition(s *sentence, k int) (int, string) {
	toks := s.toks
	j := k
	if j < len(toks) && (toks[j].low == "his" || toks[j].low == "her" || toks[j].low == "their" || toks[j].low == "its") {
		j++
	}
	country := ""
	if m := mentionStartingAt(s.ments, j); m != nil && (m.kind == mDemonym || m.kind == mCountry) {
		country = m.country
		j = m.end
	}
	if j+1 < len(toks) && (toks[j].low == "counterpart" || toks[j].low == "counterparts") && toks[j+1].low == "," {
		return j + 2, country
	}
	return k, ""
}

// mentionStartingAtRole returns the mention whose role or name starts at k.
func mentionStartingAtRole(ms []*mention, k int) *mention {
	for _, m := range ms {
		if m.roleStart == k || m.start == k {
			return m
		}
	}
	return nil
}
