package extract

import (
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// threatCue finds the word that makes a sentence a threat or warning, and
// whether the threat is conditional. It returns -1 when there is none.
func threatCue(s *sentence) (int, bool) {
	toks := s.toks
	cond := -1
	for i, t := range toks {
		switch t.low {
		case "if", "unless":
			if cond < 0 {
				cond = i
			}
		case "event":
			if i >= 2 && toks[i-1].low == "the" && toks[i-2].low == "in" && cond < 0 {
				cond = i
			}
		}
	}
	for i, t := range toks {
		switch t.low {
		case "threatened", "threatens", "threatening", "threaten", "warned", "warns", "warning", "ultimatum":
			if negatedBefore(toks, i) && !(i+1 < len(toks) && toks[i+1].low == "out") {
				continue
			}
			return i, false
		case "rule", "ruled":
			// "did not rule out the use of force".
			if i+1 < len(toks) && toks[i+1].low == "out" && negatedBefore(toks, i) {
				return i, false
			}
		case "retaliate", "retaliation", "reprisals", "consequences":
			return i, cond >= 0
		case "stake":
			if i > 0 && toks[i-1].low == "at" && cond >= 0 {
				return i, true
			}
		case "force":
			if i >= 2 && toks[i-1].low == "of" && toks[i-2].low == "use" {
				return i, cond >= 0
			}
		case "firmly":
			if i > 0 && (toks[i-1].low == "act" || toks[i-1].low == "respond") {
				return i, true
			}
		case "measures":
			if cond >= 0 {
				return i, true
			}
		case "stay", "remain":
			// "French troops would not stay in Mali if the price were too high".
			if cond >= 0 && negatedBefore(toks, i) {
				return i, true
			}
		}
	}
	return -1, false
}

// threats finds threats, warnings and ultimatums.
func (x *extraction) threats(s *sentence) []*cand {
	t, cond := threatCue(s)
	if t < 0 {
		return nil
	}
	toks := s.toks
	c := &cand{s: s, trig: t}
	c.f.Kind = briefings.FactThreat
	if cond {
		c.f.Modality = briefings.Conditional
	}
	// The actor: the subject of the threatening verb, else the speaker of a
	// quotation, else the subject of the consequence ("ECOWAS will take all
	// measures").
	actors := x.subject(s, t)
	if len(actors) == 0 || actors[0].kind == mGroup && actors[0].country == "" && actors[0].name == "" {
		if sp := x.speaker(s); len(sp) > 0 {
			actors = sp
		}
	}
	if len(actors) == 0 && hasWord(s, "they") >= 0 && s.idx > 0 {
		actors = x.agentOf(x.sents[s.idx-1])
	}
	if cond {
		// A conditional warning belongs to whoever voices it.
		if sp := x.speaker(s); len(sp) > 0 && sp[0].kind == mPerson {
			actors = sp
		}
	}
	// The speaker, when a person, stands for the side that threatens.
	c.actors = actors
	// What counts as the actor's own side: a country for states and their
	// officials, only the body itself for armed groups and blocs (the RSF
	// can threaten Sudan's army).
	own := map[string]bool{}
	for _, a := range actors {
		own[a.name] = true
		if a.kind == mOrg && a.orgType != "gov" {
			continue
		}
		own[a.country] = true
		if a.ent != nil {
			own[a.ent.country] = true
		}
	}
	if !x.selfWarning(s, t, own, actors) {
		return nil
	}
	// The target: named after the cue ("against X", "in response to actions
	// by Russia", "in the Republic of Niger", "stay in Mali"), else the
	// other side of the story.
	var target []*mention
	for _, m := range s.ments {
		if m.sub || m.start <= t-8 && !cond {
			continue
		}
		if !(m.kind == mCountry || m.kind == mDemonym || m.kind == mGroup || m.kind == mOrg || m.kind == mCapital) {
			continue
		}
		key := m.country
		if key == "" {
			key = m.name
		}
		if key == "" || own[key] || isActor(actors, m) {
			continue
		}
		if m.kind == mDemonym && m.end < len(toks) && (toks[m.end].low == "citizens" || toks[m.end].low == "interests") {
			continue
		}
		if m.kind == mGroup && m.name == "" && !namesCountryInside(s, m) {
			// "any attempt to send troops to Ukraine": troops sent there
			// are not Ukraine's.
			continue
		}
		if m.start >= 2 && toks[m.start-1].low == "," && mentionEndingAt(s.ments, m.start-1) != nil && mentionEndingAt(s.ments, m.start-1).kind == mCapital {
			// "in Abuja, Nigeria": where the words were spoken.
			continue
		}
		if m.kind == mCapital && m.roleStart > 0 && (toks[m.roleStart-1].low == "in" || toks[m.roleStart-1].low == "at" || toks[m.roleStart-1].low == "from" || toks[m.roleStart-1].low == "to") {
			continue
		}
		target = []*mention{m}
		break
	}
	if len(target) == 0 {
		target = x.contextTarget(s, own)
	}
	c.counter = target
	// What is threatened: the clause after the cue, up to a relative
	// clause or the end.
	end := min(len(toks), t+24)
	for k := t + 1; k < end; k++ {
		if toks[k].low == ";" || toks[k].low == "." || k > t+5 && toks[k].low == "," && k+1 < len(toks) && (toks[k+1].low == "which" || toks[k+1].low == "who" || toks[k+1].low == "she" || toks[k+1].low == "he" || toks[k+1].low == "the") {
			end = k
			break
		}
	}
	st := t
	if cond {
		st = max(0, t-8)
		for k := t - 1; k >= 0 && k >= t-12; k-- {
			if toks[k].low == "," || toks[k].low == "\"" || toks[k].low == "“" {
				st = k + 1
				break
			}
			st = k
		}
	}
	c.f.Subject = strings.Trim(joinText(s.text, toks[st:end]), " ,.\"“”")
	if tr, ok := x.timeFor(s, t); ok {
		c.f.Time, c.explicitTime = tr, true
	}
	return []*cand{c}
}

func isActor(actors []*mention, m *mention) bool {
	for _, a := range actors {
		if a == m {
			return true
		}
	}
	return false
}

// speaker returns who a sentence's quotation or report is attributed to:
// "..., the bloc said", "X said", "she added".
func (x *extraction) speaker(s *sentence) []*mention {
	toks := s.toks
	for i := len(toks) - 1; i >= 0; i-- {
		if !speechVerb(toks[i].low) || toks[i].low == "met" || toks[i].low == "was" || toks[i].low == "is" || toks[i].low == "has" || toks[i].low == "had" {
			continue
		}
		if (toks[i].low == "spoke" || toks[i].low == "speaks" || toks[i].low == "talked") && i+1 < len(toks) {
			// "spoke by phone with", "talked to": an encounter, not words.
			switch toks[i+1].low {
			case "with", "to", "by", "on", "over":
				continue
			}
		}
		// "X said", else "..., said X" (an inverted attribution: after a
		// comma or quote, not "said his forces would ...").
		for k := len(s.ments) - 1; k >= 0; k-- {
			m := s.ments[k]
			if m.sub || !argKind(m) {
				continue
			}
			if m.end == i || m.end+1 == i && toks[m.end].low == "'s" {
				return []*mention{m}
			}
		}
		if i > 0 && (toks[i-1].punct || toks[i-1].low == "\"" || toks[i-1].low == "”") {
			for _, m := range s.ments {
				if !m.sub && argKind(m) && m.start == i+1 && !m.pronoun {
					return []*mention{m}
				}
			}
		}
		if i > 0 && (toks[i-1].low == "she" || toks[i-1].low == "he") {
			if p := x.lastPersonBefore(s, i-1); p != nil {
				return []*mention{p}
			}
		}
	}
	return nil
}

// lastPersonBefore returns the last person mention before token i in s or
// the sentences before it.
func (x *extraction) lastPersonBefore(s *sentence, i int) *mention {
	for k := len(s.ments) - 1; k >= 0; k-- {
		if m := s.ments[k]; m.kind == mPerson && m.start < i {
			return m
		}
	}
	for si := s.idx - 1; si >= 0 && si >= s.idx-3; si-- {
		ms := x.sents[si].ments
		for k := len(ms) - 1; k >= 0; k-- {
			if ms[k].kind == mPerson {
				return ms[k]
			}
		}
	}
	return nil
}

// agentOf returns who acts in a sentence: the agent of a passive ("was
// given one week ... by West African leaders"), else its subject.
func (x *extraction) agentOf(s *sentence) []*mention {
	toks := s.toks
	passive := false
	for i, t := range toks {
		if (t.low == "was" || t.low == "were" || t.low == "been") && i+1 < len(toks) && (strings.HasSuffix(toks[i+1].low, "ed") || toks[i+1].low == "given" || toks[i+1].low == "told") {
			passive = true
		}
		if passive && t.low == "by" {
			if ms := x.objects(s, i, 0, "by"); len(ms) > 0 {
				return ms
			}
		}
	}
	return x.subject(s, len(toks))
}

// contextTarget is the other side of the story when a threat names no
// target: the counterpart country of the last meeting or fact, else the
// last country named that is not the actor's.
func (x *extraction) contextTarget(s *sentence, own map[string]bool) []*mention {
	for si := s.idx; si >= 0 && si >= s.idx-4; si-- {
		ms := x.sents[si].ments
		for k := len(ms) - 1; k >= 0; k-- {
			m := ms[k]
			if si == s.idx {
				continue
			}
			if m.kind != mCountry && m.kind != mDemonym && m.kind != mGroup {
				continue
			}
			key := m.country
			if key == "" || own[key] {
				continue
			}
			return []*mention{m}
		}
	}
	return nil
}

// selfWarning tells whether a warning at cue t is a threat by its actor.
// "Warned that it would respond" and "warned that they did not rule out
// force" are; "warned that the deal would escalate tensions" is a warning
// about someone else's act and is not, unless it names consequences under
// a condition ("warned that Niger would face consequences if ...").
func (x *extraction) selfWarning(s *sentence, t int, own map[string]bool, actors []*mention) bool {
	toks := s.toks
	switch toks[t].low {
	case "warned", "warns", "warning":
	default:
		return true
	}
	if t+2 >= len(toks) || toks[t+1].low != "that" {
		return true
	}
	k := t + 2
	switch toks[k].low {
	case "it", "they", "we", "he", "she", "i":
		return true
	}
	if m := mentionStartingAt(s.ments, k); m != nil || k+1 < len(toks) && toks[k].low == "the" {
		if m == nil {
			m = mentionStartingAt(s.ments, k+1)
		}
		if m != nil && (isActor(actors, m) || own[m.country] && m.country != "" || own[m.name] && m.name != "") {
			return true
		}
	}
	cond := false
	for _, tk := range toks[t+2:] {
		switch tk.low {
		case "if", "unless":
			cond = true
		case "consequences", "measures", "force", "retaliation", "reprisals":
			if cond {
				return true
			}
		}
	}
	if cond {
		for _, tk := range toks[t+2:] {
			if tk.low == "consequences" || tk.low == "measures" || tk.low == "force" {
				return true
			}
		}
	}
	return false
}

// namesCountryInside reports whether a group's own words name its country
// ("Sudan's army", "Ukrainian troops"), rather than words around it.
func namesCountryInside(s *sentence, g *mention) bool {
	for _, m := range s.ments {
		if m != g && m.start >= g.start && m.end <= g.end && (m.kind == mCountry || m.kind == mDemonym || m.kind == mCapital) {
			return true
		}
	}
	return false
}
