package extract

import (
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// others finds demands, ended cooperation, coups, complaints, deployments
// and statements: facts a situation report needs beyond the main kinds.
func (x *extraction) others(s *sentence) []*cand {
	var out []*cand
	toks := s.toks
	add := func(kind briefings.FactKind, t int, actors, counter []*mention, subjStart int) {
		c := &cand{s: s, trig: t, actors: actors, counter: counter}
		c.f.Kind = kind
		end := min(len(toks), subjStart+16)
		for k := subjStart; k < end; k++ {
			if toks[k].low == ";" || toks[k].low == "." || toks[k].low == "\"" && k > subjStart+2 {
				end = k
				break
			}
		}
		if subjStart < end {
			c.f.Subject = strings.Trim(joinText(s.text, toks[subjStart:end]), " ,.\"“”")
		}
		if tr, ok := x.timeFor(s, t); ok {
			c.f.Time, c.explicitTime = tr, true
		}
		c.f.Place = x.placeFor(s, t)
		out = append(out, c)
	}
	for t := 0; t < len(toks); t++ {
		w := toks[t].low
		switch w {
		case "demanded", "demands", "demanding", "urged", "urges", "ordered", "orders":
			if negatedBefore(toks, t) {
				continue
			}
			if (w == "demands" || w == "orders") && t > 0 {
				switch toks[t-1].low {
				case "'s", "'", "the", "their", "its", "his", "her", "our", "these", "those", "such", "of":
					continue // a noun: "the authorities’ demands"
				}
			}
			add(briefings.FactDemand, t, x.subject(s, t), x.objects(s, t+1, 1, ""), t+1)
		case "called":
			if t+1 < len(toks) && (toks[t+1].low == "for" || toks[t+1].low == "on") && !negatedBefore(toks, t) {
				actors, counter := x.subject(s, t), x.objects(s, t+2, 1, "")
				if t > 0 && (toks[t-1].low == "been" || toks[t-1].low == "was" || toks[t-1].low == "were") {
					// "has been called for ... by ECOWAS": the agent demands,
					// the subject is what is demanded about.
					counter = actors
					actors = x.objectsIn(s, t+2, len(toks), "by")
				}
				add(briefings.FactDemand, t, actors, counter, t+2)
			}
		case "told":
			// "the junta told France to stop interfering".
			obj := x.objects(s, t+1, 1, "")
			if len(obj) > 0 && obj[0].end+1 < len(toks) && toks[obj[0].end].low == "to" && !pressWord(toks[t+1].low) {
				add(briefings.FactDemand, t, x.subject(s, t), obj, obj[0].end+1)
			}
		case "cooperation", "ties", "relations":
			// "ending military cooperation with France", "broke off ties".
			for k := t - 1; k >= 0 && k >= t-3; k-- {
				switch toks[k].low {
				case "ending", "end", "ended", "ends", "terminate", "terminated", "terminating", "suspend", "suspended",
					"cut", "severed", "sever", "severing", "broke", "break", "breaking", "broken", "scrap", "scrapped", "cutting", "off":
					if toks[k].low == "off" {
						continue
					}
					if negatedBefore(toks, k) {
						break
					}
					actors := x.subject(s, k)
					add(briefings.FactTermination, k, actors, x.objects(s, t+1, 2, "with"), k)
				}
			}
		case "support", "aid", "assistance":
			// "US support for Afghanistan ends with ...".
			for k := t + 1; k < len(toks) && k <= t+5; k++ {
				if toks[k].low == "ends" || toks[k].low == "ended" || toks[k].low == "end" && k > 0 && toks[k-1].low == "will" {
					if !negatedBefore(toks, k) {
						actors := x.possessiveBefore(s, t)
						add(briefings.FactTermination, k, actors, x.objectsIn(s, t+1, k, "for", "to"), max(0, t-1))
					}
					break
				}
				if toks[k].punct {
					break
				}
			}
		case "intervention", "invasion", "offensive", "operation":
			for k := t - 1; k >= 0 && k >= t-4; k-- {
				switch toks[k].low {
				case "launched", "launches", "ordered", "orders", "began", "started", "mounted", "authorised", "authorized":
					if !negatedBefore(toks, k) {
						if _, ok := intendedBefore(toks, k); !ok {
							add(briefings.FactDeployment, t, x.subject(s, k), x.objects(s, t+1, 3, "in", "into", "against"), max(0, k))
						}
					}
				}
			}
		case "coup", "coups", "putsch":
			actors := x.subject(s, t)
			if len(actors) > 0 && actors[0].kind != mGroup {
				actors = nil
			}
			add(briefings.FactCoup, t, actors, x.objects(s, t+1, 6, "ousted", "against", "overthrew", "toppled"), max(0, t-3))
		case "seized", "seize", "seizes", "seizing", "took", "grabbed", "grab":
			if t+1 < len(toks) && toks[t+1].low == "power" && !negatedBefore(toks, t) {
				if _, ok := intendedBefore(toks, t); ok {
					continue
				}
				actors := x.subject(s, t)
				add(briefings.FactCoup, t, actors, nil, max(0, t-4))
			}
		case "ousted", "overthrew", "toppled", "deposed":
			if t+1 < len(toks) && !toks[t+1].cap && toks[t+1].low != "the" && toks[t+1].low != "president" {
				continue
			}
			add(briefings.FactCoup, t, x.subject(s, t), x.objects(s, t+1, 1, ""), t)
		case "complaint", "complained", "protested":
			c := len(out)
			add(briefings.FactComplaint, t, x.subject(s, t), nil, t+1)
			// What the complaint says: the rest of the sentence.
			if k := hasWord(s, "alleging", "accusing", "saying", "claiming"); k > t {
				end := min(len(toks), k+30)
				out[c].f.Subject = strings.Trim(joinText(s.text, toks[k:end]), " ,.")
			}
		case "deployed", "deployments", "deployment", "stationed", "hosts", "hosting":
			if t > 0 && (toks[t-1].low == "ending" || toks[t-1].low == "end" || toks[t-1].low == "ended" || t > 2 && (toks[t-2].low == "ending" || toks[t-3].low == "ending")) {
				continue
			}
			if w == "hosts" || w == "hosting" {
				if !strings.Contains(s.lowText, "troops") && !strings.Contains(s.lowText, "soldiers") {
					continue
				}
			}
			actors := x.subject(s, t)
			if m := mentionEndingAt(s.ments, t); m != nil && m.kind == mGroup {
				// "US troops stationed in Niger".
				actors = []*mention{m}
			}
			add(briefings.FactDeployment, t, actors, x.objects(s, t+1, 4, "in", "to"), max(0, t-3))
		}
	}
	// One fact per kind and sentence: "a military coup that ousted the
	// president" is one coup.
	var kept []*cand
	for _, c := range out {
		dup := false
		for _, k := range kept {
			if k.f.Kind == c.f.Kind {
				dup = true
				k.actors = appendUnique(k.actors, c.actors)
				k.counter = appendUnique(k.counter, c.counter)
			}
		}
		if !dup {
			kept = append(kept, c)
		}
	}
	out = kept
	// A statement: a named speaker and what they said.
	if sp := x.speaker(s); len(sp) > 0 && (sp[0].kind == mPerson || sp[0].kind == mOrg || sp[0].kind == mGroup) {
		c := &cand{s: s, trig: sp[0].start, actors: sp}
		c.f.Kind = briefings.FactStatement
		c.f.Subject = strings.Trim(statementText(s, sp[0]), " ,.\"“”")
		if tr, ok := x.timeFor(s, sp[0].start); ok {
			c.f.Time, c.explicitTime = tr, true
		}
		out = append(out, c)
	}
	return out
}

func appendUnique(dst, src []*mention) []*mention {
	for _, m := range src {
		found := false
		for _, d := range dst {
			if d == m {
				found = true
			}
		}
		if !found {
			dst = append(dst, m)
		}
	}
	return dst
}

// statementText is what a speaker said: the sentence without the
// attribution, cut to a readable length.
func statementText(s *sentence, sp *mention) string {
	toks := s.toks
	start, end := 0, len(toks)
	if r := sp.roleStart; r > 1 && toks[r-1].low == "," && sp.end+1 < len(toks) && speechVerb(toks[sp.end].low) && toks[sp.end+1].low == "," {
		// "The withdrawal began on Thursday, the ministry said, adding
		// that units were moving": both halves are what was said.
		before := strings.TrimSpace(joinText(s.text, toks[:r-1]))
		k := sp.end + 2
		if k < len(toks) && (toks[k].low == "adding" || toks[k].low == "saying") {
			k++
			if k < len(toks) && toks[k].low == "that" {
				k++
			}
			if k < len(toks) {
				return before + "; " + joinText(s.text, toks[k:min(len(toks), k+30)])
			}
		}
		return before
	}
	if sp.start > len(toks)/2 {
		end = sp.roleStart
		// "..., the State Department said": not the article or comma.
		for end > 0 && (toks[end-1].low == "the" || toks[end-1].low == "a" || toks[end-1].low == ",") {
			end--
		}
	} else {
		start = sp.end
		for start < len(toks) && (speechVerb(toks[start].low) || toks[start].low == "that" || toks[start].low == ",") {
			start++
		}
		for _, tx := range s.times {
			if tx.start == start {
				start = tx.end
			}
		}
		if start < len(toks) && toks[start].low == "that" {
			start++
		}
	}
	if end-start > 30 {
		end = start + 30
	}
	if start >= end {
		return s.text
	}
	return joinText(s.text, toks[start:end])
}
