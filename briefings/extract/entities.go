package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/briefbot/briefbot/briefings"
)

// mKind is the kind of a mention.
type mKind int

const (
	mCountry mKind = iota + 1
	mDemonym
	mCapital // a capital: the city, or the government when it acts
	mCity
	mRegion
	mOrg
	mPerson
	mGroup // an unnamed body: "Chadian officials", "the junta", "the French ambassador"
	mDoc   // a named document: "Status of Forces Agreement"
)

// mention is one reference to an entity in a sentence.
type mention struct {
	start, end int // token range of the name itself
	kind       mKind
	// name is the canonical name: the country, organization, place or person.
	name string
	// country is the country the mention belongs to or stands for.
	country string
	// role is a person's title or a group's head noun.
	role string
	// roleStart is where the role phrase begins (title and modifiers).
	roleStart int
	// possessive is set when "'s" follows.
	possessive bool
	// ent is the person or organization entity.
	ent *entity
	// text is the mention as written (for groups, the whole phrase).
	text string
	// orgType is the organization's type (bloc, gov, armed, media).
	orgType string
	// plural is set for groups of several people ("officials").
	plural bool
	// pronoun is set for mentions resolved from a pronoun or a definite
	// description ("the country", "the bloc", "she").
	pronoun bool
	// countries lists several countries for coordinated modifiers ("US and
	// Saudi mediators").
	countries []string
	// sub is set for a mention that only modifies another one ("Niger" in
	// "Niger’s Prime Minister Ali Lamine Zeine", "Chadian" in "Chadian
	// officials"); it is never an argument of a fact by itself.
	sub bool
	// extraRoles are further titles given in a chain ("president and
	// ECOWAS chairman").
	extraRoles []briefings.Role
	// modifier is set for a name used as an adjective ("the Doha accord").
	modifier bool
	// pluralRole is the plural title the person shares with the next one
	// ("Ministers of Defence A and B").
	pluralRole string
}

// entity is a person or organization known in the article.
type entity struct {
	name    string
	kind    briefings.EntityKind
	country string
	roles   []briefings.Role
	aliases map[string]bool
	given   string
	surname string
	count   int
	lastPos int // global order of the last mention, for recency
	orgType string
}

func (e *entity) addRole(title, affiliation string) {
	title = strings.TrimSpace(title)
	if title == "" {
		return
	}
	for i, r := range e.roles {
		if strings.EqualFold(r.Title, title) {
			if r.Affiliation == "" && affiliation != "" {
				e.roles[i].Affiliation = affiliation
			}
			return
		}
	}
	e.roles = append(e.roles, briefings.Role{Title: title, Affiliation: affiliation})
}

// role returns the person's main role: the first one the text gives.
func (e *entity) role() string {
	if len(e.roles) == 0 {
		return ""
	}
	return e.roles[0].Title
}

// namePart reports whether a token can be part of a personal name:
// capitalized words, and particle-prefixed ones such as "al-Burhan" or
// "d’Aquin".
func namePart(t token) bool {
	if t.punct {
		return false
	}
	if !t.cap {
		for _, p := range []string{"al-", "el-", "ad-", "as-", "bin-", "ben-", "abu-", "d'", "d’"} {
			if strings.HasPrefix(t.text, p) && len(t.text) > len(p) {
				r, _ := utf8.DecodeRuneInString(t.text[len(p):])
				return unicode.IsUpper(r)
			}
		}
		return false
	}
	r, _ := utf8.DecodeRuneInString(t.text)
	return unicode.IsLetter(r)
}

func isParticle(low string) bool {
	switch low {
	case "le", "la", "de", "del", "della", "di", "da", "du", "des", "van", "von", "der", "den", "bin", "ibn", "al", "el", "ben", "abu", "d'", "dos", "das", "ould":
		return true
	}
	return strings.HasPrefix(low, "d'") || strings.HasPrefix(low, "al-") || strings.HasPrefix(low, "el-")
}

func isNameSuffix(low string) bool {
	switch low {
	case "jr.", "jr", "sr.", "sr", "ii", "iii", "iv":
		return true
	}
	return false
}

// speechVerb reports whether w reports speech or a stance.
func speechVerb(w string) bool {
	switch w {
	case "said", "says", "told", "added", "stated", "remarked", "noted", "wrote", "announced", "emphasized",
		"emphasised", "insisted", "warned", "explained", "stressed", "declared", "tweeted", "posted",
		"spoke", "met", "visited", "called", "urged", "denied", "confirmed", "argued", "claimed", "underscored",
		"reiterated", "raised", "conveyed", "hailed", "praised", "criticised", "criticized", "welcomed", "sought", "was", "has", "had", "is":
		return true
	}
	return false
}

// groupNoun reports whether w heads a noun phrase for an unnamed body.
func groupNoun(w string) (plural bool, ok bool) {
	switch w {
	case "officials", "authorities", "leaders", "ministers", "diplomats", "mediators", "facilitators",
		"negotiators", "troops", "forces", "soldiers", "rebels", "insurgents", "militants", "generals",
		"colonels", "representatives", "delegates", "lawmakers", "parties", "sides", "allies", "partners",
		"states", "countries", "nations", "members", "governments", "chiefs", "heads", "commanders", "officers":
		return true, true
	case "government", "junta", "army", "military", "administration", "regime", "delegation",
		"ambassador", "envoy", "embassy", "official", "president", "ministry", "side", "commission",
		"airman", "soldier", "officer", "diplomat", "whistleblower", "spokesman", "spokeswoman", "spokesperson",
		"presidency", "parliament", "cabinet", "coalition":
		return false, true
	}
	return false, false
}

// ledBy returns the country of a "US-led", "Saudi-backed" modifier, or "".
func (x *extraction) ledBy(t token) string {
	for _, suf := range []string{"-led", "-backed"} {
		if !strings.HasSuffix(t.low, suf) {
			continue
		}
		for _, r := range x.lx.refs[foldKey(strings.TrimSuffix(t.low, suf))] {
			if (r.kind == refCountry || r.kind == refDemonym) && (r.country != "" || r.name != "") {
				if r.country != "" {
					return r.country
				}
				return r.name
			}
		}
	}
	return ""
}

// findMentions finds the mentions of one sentence. People are recognized
// from titles, given names, speech verbs, appositions and names already
// known in the article; organizations from the gazetteer and their head
// words; places from the gazetteer and from prepositions.
func (x *extraction) findMentions(s *sentence) {
	toks := s.toks
	used := make([]bool, len(toks))
	var ms []*mention
	// 1. Gazetteer, longest match first.
	for i := 0; i < len(toks); i++ {
		if used[i] || !toks[i].cap {
			continue
		}
		for _, ph := range x.lx.refFirst[toks[i].key] {
			n := len(ph.words)
			if i+n > len(toks) {
				continue
			}
			refs := x.lx.lookup(toks, i, i+n)
			if len(refs) == 0 {
				continue
			}
			// A name that continues with more capitalized words is a longer
			// name ("Niger Delta", "Chad Basin") unless that word is a title
			// or a known name itself.
			if i+n < len(toks) && namePart(toks[i+n]) && refs[0].kind != refDemonym && n == 1 {
				if k, _ := x.lx.titleAt(toks, i+n); k == 0 && len(x.lx.lookup(toks, i+n, i+n+1)) == 0 && !x.knownSurname(toks[i+n].text) {
					if refs[0].kind != refOrg && !(i+n+1 < len(toks) && toks[i+n+1].low == "'s") {
						break
					}
				}
			}
			r := pickRef(refs, toks, i, i+n)
			m := &mention{start: i, end: i + n, roleStart: i, text: joinText(s.text, toks[i:i+n])}
			switch r.kind {
			case refCountry:
				m.kind, m.name, m.country = mCountry, r.name, r.name
			case refDemonym:
				m.kind, m.name, m.country = mDemonym, r.name, r.name
			case refCapital:
				m.kind, m.name, m.country = mCapital, r.name, r.country
			case refCity:
				m.kind, m.name, m.country = mCity, r.name, r.country
			case refRegion, refRegionDemonym:
				m.kind, m.name = mRegion, r.name
			case refOrg:
				m.kind, m.name, m.country, m.orgType = mOrg, r.name, r.country, r.orgType
				m.ent = x.org(r.name, r.country, r.orgType, m.text)
			}
			for k := i; k < i+n; k++ {
				used[k] = true
			}
			ms = append(ms, m)
			i += n - 1
			break
		}
	}
	// 2. Titles mark the words after them as names.
	titleEnd := make([]int, len(toks)) // titleEnd[i] = end of a title starting at i
	titleOf := make([]titleInfo, len(toks))
	inTitle := make([]bool, len(toks))
	for i := 0; i < len(toks); i++ {
		if used[i] {
			continue
		}
		n, ti := x.lx.titleAt(toks, i)
		if n == 0 {
			continue
		}
		// "Hassan Sheikh Mohamud": a one-word title between two name parts
		// is part of the name.
		if n == 1 && inNameHonorific(toks[i].low) && i > 0 && i+1 < len(toks) && namePart(toks[i-1]) && !inTitle[i-1] && !used[i-1] && namePart(toks[i+1]) {
			continue
		}
		// A capitalized title word that is a known surname is the name
		// ("Major" is a title, but not before a verb).
		titleEnd[i] = i + n
		titleOf[i] = ti
		for k := i; k < i+n; k++ {
			inTitle[k] = true
		}
		i += n - 1
	}
	// 3. Capitalized spans.
	for i := 0; i < len(toks); i++ {
		if used[i] || inTitle[i] || !namePart(toks[i]) {
			continue
		}
		j := i + 1
		for j < len(toks) {
			t := toks[j]
			if used[j] || inTitle[j] {
				break
			}
			if namePart(t) {
				j++
				continue
			}
			// Connectors inside names of bodies and documents ("Status of
			// Forces Agreement", "Monitoring and Coordination Committee"),
			// kept only if the whole ends like such a name.
			if isConnector(t.low) && j+1 < len(toks) && namePart(toks[j+1]) && !used[j+1] && !inTitle[j+1] {
				k := j + 1
				for k < len(toks) && namePart(toks[k]) && !used[k] && !inTitle[k] {
					k++
				}
				if orgHead(toks[k-1].low) || docHead(toks[k-1].low) {
					j = k
					continue
				}
				break
			}
			if isParticle(t.low) && j+1 < len(toks) && namePart(toks[j+1]) && !used[j+1] {
				j += 2
				continue
			}
			if strings.HasPrefix(t.low, "d'") && len(t.low) > 2 {
				j++
				continue
			}
			if t.low == "," && j+1 < len(toks) && isNameSuffix(toks[j+1].low) {
				j += 2
				continue
			}
			break
		}
		// Lower-case particles inside names ("Paul Thomas d’Aquin Ouattara").
		m := x.classifySpan(s, i, j, titleEnd, titleOf, ms)
		if m != nil {
			ms = append(ms, m)
			for k := m.start; k < m.end; k++ {
				used[k] = true
			}
		}
		i = j - 1
	}
	// "The Secretary", "the Foreign Minister": a title alone names the
	// person who holds it.
	for i := 0; i < len(toks); i++ {
		e := titleEnd[i]
		if e == 0 || i == 0 || toks[i-1].low != "the" {
			continue
		}
		if e < len(toks) && (namePart(toks[e]) || toks[e].low == "of") || mentionOverlapping(ms, i, e) != nil {
			continue
		}
		if p := x.titleHolder(joinText(s.text, toks[i:e])); p != nil {
			ms = append(ms, &mention{start: i - 1, end: e, roleStart: i - 1, kind: mPerson, name: p.name, ent: p, country: p.country, role: p.role(), pronoun: true, text: joinText(s.text, toks[i-1:e])})
			for k := i - 1; k < e; k++ {
				used[k] = true
			}
		}
	}
	sort.Slice(ms, func(a, b int) bool { return ms[a].start < ms[b].start })
	for _, m := range ms {
		if m.end < len(toks) && toks[m.end].low == "'s" {
			m.possessive = true
		}
		if m.kind == mCapital && m.end < len(toks) && (agreementNoun(toks[m.end].low) || modifiedNoun(toks[m.end].low) || toks[m.end].low == "talks" || toks[m.end].low == "summit" || toks[m.end].low == "process") {
			m.modifier = true
		}
		// "Washington said", "Paris’s last foothold": a capital acting is its
		// government.
		if m.kind == mCapital && m.end < len(toks) && (m.possessive || auxOrVerb(toks[m.end].low) || speechVerb(toks[m.end].low) && toks[m.end].low != "met") && (m.start == 0 || !isPrep(toks[m.start-1].low)) {
			m.role = "government"
		}
	}
	// An apposition gives a role: "Moussa Salaou Barmou, the defense chief
	// of Niger’s junta", "Mohamed Bazoum, Niger's elected president".
	for _, p := range ms {
		if p.kind != mPerson || p.ent == nil || p.end+2 >= len(toks) || toks[p.end].low != "," {
			continue
		}
		k := p.end + 1
		if toks[k].low == "the" || toks[k].low == "a" {
			k++
		}
		var aff string
		if m := mentionStartingAt(ms, k); m != nil && (m.kind == mCountry || m.kind == mDemonym) {
			aff = m.country
			k = m.end
			if k < len(toks) && toks[k].low == "'s" {
				k++
			}
		}
		n, ti := x.lx.titleAt(toks, k)
		if n == 0 || isHonorific(ti.title) {
			continue
		}
		role := roleText(s.text, toks, k, k+n, ti)
		if aff == "" {
			// "of Niger’s junta", "of France".
			for j := k + n; j < len(toks) && j <= k+n+4; j++ {
				if toks[j].low == "," || toks[j].low == "." || toks[j].low == "and" {
					break
				}
				if m := mentionStartingAt(ms, j); m != nil && (m.kind == mCountry || m.kind == mDemonym || m.kind == mCapital) {
					aff = m.country
					break
				}
			}
		}
		if aff == "" {
			aff = ti.country
		}
		p.ent.addRole(role, aff)
		if p.ent.country == "" {
			p.ent.country = aff
		}
		if p.role == "" {
			p.role = role
		}
		if p.country == "" {
			p.country = aff
		}
	}
	// A country, demonym or body right before a person's title modifies it.
	for _, p := range ms {
		if p.kind != mPerson || p.roleStart >= p.start {
			continue
		}
		for k := len(ms) - 1; k >= 0; k-- {
			m := ms[k]
			if m == p || m.start >= p.roleStart {
				continue
			}
			end := m.end
			if end < len(toks) && toks[end].low == "'s" {
				end++
			}
			for end < p.roleStart && isRoleModifier(toks[end].low) {
				end++
			}
			if end == p.roleStart && (m.kind == mCountry || m.kind == mDemonym || m.kind == mCapital || m.kind == mOrg) {
				p.roleStart = m.start
			}
			break
		}
	}
	// 4. Unnamed groups and definite descriptions.
	x.pending = ms
	ms = x.findGroups(s, ms, used)
	for _, m := range ms {
		for _, o := range ms {
			if o != m && o.roleStart <= m.start && m.end <= o.end && (o.end-o.roleStart) > (m.end-m.start) && o.kind != mDoc {
				m.sub = true
			}
		}
	}
	s.ments = ms
}

// pickRef chooses among gazetteer entries for one surface form. A capital
// followed by "'s" or acting as a subject is the government; otherwise the
// first entry.
func pickRef(refs []ref, toks []token, i, j int) ref {
	if len(refs) == 1 {
		return refs[0]
	}
	// Prefer a country over a demonym when the form is both (U.S.): a
	// demonym when a noun or title follows.
	var country, demonym *ref
	for k := range refs {
		switch refs[k].kind {
		case refCountry:
			country = &refs[k]
		case refDemonym:
			demonym = &refs[k]
		}
	}
	if country != nil && demonym != nil {
		if j < len(toks) && !toks[j].punct && !toks[j].cap && !auxOrVerb(toks[j].low) {
			return *demonym
		}
		return *country
	}
	return refs[0]
}

// auxOrVerb reports words that follow a subject rather than an adjective:
// "the US will", "the US said", "the US and".
func auxOrVerb(w string) bool {
	switch w {
	case "will", "would", "has", "have", "had", "is", "was", "are", "were", "and", "or", "said", "says", "to",
		"can", "could", "should", "must", "may", "might", "did", "does", "do", "also", "intends", "wants",
		"plans", "agreed", "signed", "announced", "told", "warned", "threatened", "withdrew", "remains":
		return true
	}
	return false
}

func joinText(s string, toks []token) string {
	if len(toks) == 0 {
		return ""
	}
	return s[toks[0].start:toks[len(toks)-1].end]
}

// knownSurname reports whether w is the surname of a person already found.
func (x *extraction) knownSurname(w string) bool {
	_, ok := x.surnames[foldKey(lower(w))]
	return ok
}

// classifySpan decides what a capitalized span is.
func (x *extraction) classifySpan(s *sentence, i, j int, titleEnd []int, titleOf []titleInfo, ms []*mention) *mention {
	toks := s.toks
	// Trim trailing particles; skip spans led by a capitalized function
	// word or made of calendar words ("On Wednesday").
	for j > i+1 && isParticle(toks[j-1].low) && !strings.ContainsFunc(toks[j-1].text, unicode.IsUpper) {
		// "de", "al" alone; not "al-Burhan".
		j--
	}
	for i < j && (capitalizedFunctionWord(toks[i].low) || isCalendarWord(toks[i].low)) {
		i++
	}
	if i >= j {
		return nil
	}
	for k := i; k < j; k++ {
		if isCalendarWord(toks[k].low) {
			return nil
		}
	}
	words := toks[i:j]
	text := joinText(s.text, words)
	last := words[len(words)-1]
	// Named documents.
	if docHead(last.low) && len(words) >= 2 {
		return &mention{start: i, end: j, kind: mDoc, name: text, text: text, roleStart: i}
	}
	// Organizations by head word.
	if len(words) >= 2 || isAllUpper(words[0].text) {
		if orgHead(last.low) || isAllUpper(text) && utf8.RuneCountInString(strings.ReplaceAll(text, " ", "")) >= 2 {
			if !(len(words) == 1 && isAllUpper(words[0].text) && i > 0 && toks[i-1].low == "(" && x.prevDoc(ms, i)) {
				return &mention{start: i, end: j, kind: mOrg, name: text, text: text, roleStart: i, ent: x.org(text, "", "", text)}
			}
			return &mention{start: i, end: j, kind: mDoc, name: text, text: text, roleStart: i}
		}
	}
	// Person cues.
	cue := false
	roleStart := i
	var ti titleInfo
	// A title right before the name (possibly through a previous title:
	// "president and ECOWAS chairman Bola Tinubu").
	var extra []briefings.Role
	for k := i - 1; k >= 0 && k >= i-6; k-- {
		if titleEnd[k] == i {
			cue, ti, roleStart = true, titleOf[k], k
			break
		}
	}
	if cue {
		// Consecutive titles: "Emir Sheikh Tamim": the first is the role.
		for roleStart > 0 {
			found := false
			for k2 := roleStart - 1; k2 >= 0 && k2 >= roleStart-5; k2-- {
				if titleEnd[k2] == roleStart {
					extra = append(extra, briefings.Role{Title: titleOf[roleStart].title})
					ti, roleStart, found = titleOf[k2], k2, true
					break
				}
			}
			if !found {
				break
			}
		}
		// A chain of titles: "Nigerian president and ECOWAS chairman".
		k := roleStart
		var mod *mention
		if prev := mentionEndingAt(ms, k); prev != nil && (prev.kind == mOrg || prev.kind == mCountry || prev.kind == mDemonym) {
			mod = prev
			k = prev.start
		}
		if k >= 2 && toks[k-1].low == "and" {
			for k2 := k - 2; k2 >= 0 && k2 >= k-6; k2-- {
				if titleEnd[k2] == k-1 {
					second := titleOf[roleStart].title
					aff := ""
					if mod != nil {
						aff = mod.name
					}
					extra = append(extra, briefings.Role{Title: second, Affiliation: aff})
					ti, roleStart = titleOf[k2], k2
					break
				}
			}
		}
	}
	if !cue && i > 0 {
		switch toks[i-1].low {
		case "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.":
			cue = true
		}
	}
	known := false
	if len(words) == 1 {
		if _, ok := x.surnames[words[0].key]; ok {
			known = true
		}
	} else if _, ok := x.surnames[last.key]; ok {
		// A known surname with a given name: a person (maybe another one
		// of the same family).
		known = true
	}
	if !cue && len(words) >= 2 && x.lx.firstNames[words[0].key] {
		cue = true
	}
	if !cue && j < len(toks) && len(words) >= 2 {
		if speechVerb(toks[j].low) {
			cue = true
		}
		// Apposition after: "Name, the defense chief", "Name, who",
		// "Name, Finland's foreign minister".
		if toks[j].low == "," && j+1 < len(toks) && (toks[j+1].low == "the" || toks[j+1].low == "who" || toks[j+1].low == "a") {
			cue = true
		}
		if toks[j].low == "," && allNameLike(words) {
			for k := j + 1; k < len(toks) && k <= j+4; k++ {
				if titleEnd[k] > 0 {
					cue = true
					break
				}
				if toks[k].punct && toks[k].low != "'s" && toks[k].low != "’s" {
					break
				}
			}
		}
	}
	possCountry := ""
	if len(words) >= 2 && len(words) <= 3 && i >= 2 && (toks[i-1].low == "'s" || toks[i-1].low == "’s") && allNameLike(words) {
		// "Norway's Ingrid Solberg": a country's person.
		if m := mentionEndingAt(ms, i-1); m != nil && (m.kind == mCountry || m.kind == mCapital) {
			cue, possCountry = true, m.country
		}
	}
	if !cue && len(words) >= 2 && i >= 2 && toks[i-1].low == "," {
		// Apposition before: "the elected president of Niger, Mohamed Bazoum,".
		for k := i - 2; k >= 0 && k >= i-8; k-- {
			if titleEnd[k] > 0 {
				cue = true
				break
			}
		}
	}
	var coordRole string
	if !cue && len(words) >= 2 && i >= 1 && (toks[i-1].low == "and" || toks[i-1].low == "or" || toks[i-1].low == ",") {
		// Coordination with a person: "Paul Whelan and Trevor Reed"; a
		// plural title covers both ("Ministers of Defence A and B").
		for k := len(ms) - 1; k >= 0; k-- {
			if ms[k].end <= i-1 && ms[k].end >= i-3 && ms[k].kind == mPerson {
				cue = true
				if r := ms[k].pluralRole; r != "" {
					coordRole = singularTitle(r)
				}
			}
		}
	}
	if !cue && len(words) >= 2 && (x.quoteSpeaker(toks, i) || (i > 0 && (toks[i-1].low == "of" || toks[i-1].low == "with") && allNameLike(words))) {
		cue = true
	}
	if cue || known {
		if len(words) == 1 && !known && !cue {
			return nil
		}
		// A single word after a title that is a known country is not a
		// person ("President of France" never reaches here).
		p := x.person(words, text)
		if p == nil {
			return nil
		}
		m := &mention{start: i, end: j, kind: mPerson, name: p.name, ent: p, text: text, roleStart: roleStart}
		if ti.title != "" && !isHonorific(ti.title) {
			end := titleEndOf(titleEnd, roleStart, i)
			if e := titleEnd[roleStart]; e > roleStart && e < end {
				end = e
			}
			m.role = roleText(s.text, toks, roleStart, end, ti)
			if pluralTitle(m.role) {
				// The person holds the singular title; the plural covers the
				// next name too.
				m.pluralRole = m.role
				m.role = singularTitle(m.role)
			}
			m.country = x.roleCountry(s, toks, roleStart, ms, ti)
			p.addRole(m.role, m.country)
			for _, r := range extra {
				p.addRole(r.Title, r.Affiliation)
			}
			m.extraRoles = extra
			if p.country == "" {
				p.country = m.country
			}
		}
		if coordRole != "" {
			m.role = coordRole
			p.addRole(coordRole, "")
		}
		if p.country == "" {
			p.country = possCountry
		}
		if m.country == "" {
			m.country = p.country
		}
		if len(words) == 1 && ti.title != "" && !known && (ti.title == "Mullah" || ti.title == "Sheikh" || ti.title == "Ayatollah") {
			// Honorifics that are part of how a person is named.
			p.name = ti.title + " " + p.name
			m.name = p.name
		}
		return m
	}
	// Places after a locative preposition or before "base"/"airport".
	if i > 0 {
		switch toks[i-1].low {
		case "in", "at", "near", "to":
			if i == 1 || toks[i-2].low != "according" {
				return &mention{start: i, end: j, kind: mCity, name: text, text: text, roleStart: i}
			}
		}
	}
	if j < len(toks) && (toks[j].low == "base" || toks[j].low == "airport" || (toks[j].low == "military" && j+1 < len(toks) && toks[j+1].low == "base")) {
		return &mention{start: i, end: j, kind: mCity, name: text, text: text, roleStart: i}
	}
	return nil
}

func allNameLike(words []token) bool {
	if len(words) < 2 || len(words) > 4 {
		return false
	}
	for _, w := range words {
		if !namePart(w) || orgHead(w.low) {
			return false
		}
	}
	return true
}

// quoteSpeaker reports whether the span follows a closing quotation and a
// comma, as in “...,” Koulamallah said.
func (x *extraction) quoteSpeaker(toks []token, i int) bool {
	return i >= 2 && (toks[i-1].low == "\"" || toks[i-1].low == ",") && (toks[i-2].low == "\"" || toks[i-2].low == ",")
}

func (x *extraction) prevDoc(ms []*mention, i int) bool {
	for _, m := range ms {
		if m.kind == mDoc && m.end == i-1 {
			return true
		}
	}
	return false
}

func titleEndOf(titleEnd []int, start, limit int) int {
	end := start
	for k := start; k < limit; k++ {
		if titleEnd[k] > end {
			end = titleEnd[k]
		}
	}
	if end > limit {
		end = limit
	}
	return end
}

// roleText returns the title as written, with its first letter upper-cased.
func roleText(s string, toks []token, start, end int, ti titleInfo) string {
	if end <= start {
		return ti.title
	}
	// Only the first title of a chain ("president and ECOWAS chairman"): cut
	// at "and".
	for k := start; k < end; k++ {
		if toks[k].low == "and" || toks[k].low == "," {
			end = k
			break
		}
	}
	t := joinText(s, toks[start:end])
	r, w := utf8.DecodeRuneInString(t)
	t = string(unicode.ToUpper(r)) + t[w:]
	return strings.TrimSuffix(t, ".")
}

// roleCountry finds the country a title belongs to: a country, demonym,
// capital or organization right before it ("Niger’s Prime Minister", "US
// Deputy Secretary", "Washington’s chief negotiator", "Taliban co-founder"),
// or the title's usual country.
func (x *extraction) roleCountry(s *sentence, toks []token, roleStart int, ms []*mention, ti titleInfo) string {
	for k := len(ms) - 1; k >= 0; k-- {
		m := ms[k]
		end := m.end
		if end < len(toks) && toks[end].low == "'s" {
			end++
		}
		// Allow "Acting", "elected", "ousted", "former" between.
		if end == roleStart || end == roleStart-1 && isRoleModifier(toks[roleStart-1].low) {
			switch m.kind {
			case mCountry, mDemonym, mCapital:
				return m.country
			case mOrg:
				if m.country != "" && m.orgType == "gov" {
					return m.country
				}
				return m.name
			}
		}
	}
	return ti.country
}

// pluralTitle reports a title naming several people ("Ministers of
// Defence", "Foreign Ministers").
func pluralTitle(t string) bool {
	first := strings.Fields(strings.ToLower(t))
	for _, w := range first {
		if w == "ministers" || w == "secretaries" || w == "presidents" || w == "leaders" || w == "citizens" || w == "generals" || w == "envoys" || w == "ambassadors" {
			return true
		}
	}
	return false
}

// singularTitle turns a plural title into the title of one of its holders.
func singularTitle(t string) string {
	r := strings.NewReplacer("Ministers", "Minister", "ministers", "minister", "Secretaries", "Secretary",
		"Presidents", "President", "Leaders", "Leader", "leaders", "leader", "Citizens", "Citizen", "citizens", "citizen",
		"Generals", "General", "Envoys", "Envoy", "Ambassadors", "Ambassador")
	return r.Replace(t)
}

// inNameHonorific reports honorifics that also occur inside names
// ("Hassan Sheikh Mohamud").
func inNameHonorific(w string) bool {
	switch w {
	case "sheikh", "mullah", "sayyid", "haji", "sharif":
		return true
	}
	return false
}

// isHonorific reports titles that are forms of address, not roles.
func isHonorific(t string) bool {
	switch strings.TrimSuffix(strings.ToLower(t), ".") {
	case "mr", "mrs", "ms", "dr", "prof", "professor":
		return true
	}
	return false
}

func isRoleModifier(w string) bool {
	switch w {
	case "acting", "elected", "ousted", "former", "deposed", "interim", "transitional", "senior", "top", "new", "then":
		return true
	}
	return false
}

// capitalizedFunctionWord reports words that are capitalized only because
// they start a sentence or heading.
func capitalizedFunctionWord(w string) bool {
	switch w {
	case "on", "in", "at", "the", "a", "an", "and", "but", "or", "for", "of", "to", "by", "with", "from", "after",
		"before", "during", "while", "when", "since", "as", "if", "this", "that", "these", "those", "it", "its",
		"he", "she", "they", "we", "i", "his", "her", "their", "our", "however", "meanwhile", "additionally",
		"following", "earlier", "later", "last", "unlike", "amid", "among", "given", "like", "most", "some",
		"many", "both", "each", "such", "there", "here", "although", "though", "despite", "according", "under",
		"over", "yet", "still", "also", "then", "now", "today", "yesterday", "officially", "second", "first",
		"third", "mission", "relations", "relationships", "practical", "landlocked", "asked", "speaking":
		return true
	}
	return false
}

func isCalendarWord(w string) bool {
	if _, ok := weekdayOf(w); ok {
		return true
	}
	if _, ok := monthOf(w); ok && w != "may" && w != "march" {
		return true
	}
	return false
}

// docHead reports whether a word ends names of documents.
func docHead(w string) bool {
	switch w {
	case "agreement", "accord", "treaty", "pact", "convention", "protocol", "constitution", "charter", "declaration", "act", "resolution", "framework", "plan", "initiative", "memorandum":
		return true
	}
	return false
}

func isConnector(w string) bool {
	switch w {
	case "of", "and", "for", "on", "to", "the":
		return true
	}
	return false
}

// orgHead reports whether a word ends organization names.
func orgHead(w string) bool {
	switch w {
	case "council", "commission", "committee", "department", "ministry", "forces", "force", "army", "bank",
		"union", "agency", "organization", "organisation", "party", "front", "movement", "group", "corps",
		"coalition", "court", "assembly", "parliament", "senate", "congress", "authority", "battalion",
		"brigade", "regiment", "division", "office", "services", "service", "institute", "university",
		"fund", "programme", "program", "mission", "alliance", "league", "association", "post", "times",
		"news", "company", "guard", "police", "government", "ministerial", "community", "federation",
		"foundation", "centre", "center", "network", "agencies", "tribunal", "house", "bureau", "cabinet",
		"presidency", "navy", "gendarmerie", "militia", "brigades", "council's", "secretariat", "initiative":
		return true
	}
	return false
}

// person returns the entity for a personal name, merging it with a person
// already known by the same surname when the given names agree.
func (x *extraction) person(words []token, text string) *entity {
	// Strip suffixes and initials for the surname.
	var parts []string
	for _, w := range words {
		if !w.punct {
			parts = append(parts, w.text)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	surnameIdx := len(parts) - 1
	for surnameIdx > 0 && isNameSuffix(strings.ToLower(strings.TrimSuffix(parts[surnameIdx], ","))) {
		surnameIdx--
	}
	surname := strings.TrimSuffix(parts[surnameIdx], ",")
	if surnameIdx > 0 && isParticle(strings.ToLower(parts[surnameIdx-1])) && strings.ToLower(parts[surnameIdx-1]) != "d'" {
		surname = parts[surnameIdx-1] + " " + surname
	}
	given := ""
	if surnameIdx > 0 {
		given = parts[0]
	}
	key := foldKey(lower(lastWord(surname)))
	cands := x.surnames[key]
	if len(words) == 1 {
		// A surname alone: the most recently mentioned person with it.
		var best *entity
		for _, e := range cands {
			if best == nil || e.lastPos > best.lastPos {
				best = e
			}
		}
		if best != nil {
			best.aliases[text] = true
			return best
		}
	}
	for _, e := range cands {
		if given == "" || e.given == "" || foldKey(lower(e.given)) == foldKey(lower(given)) {
			if len(text) > len(e.name) && given != "" {
				e.aliases[e.name] = true
				e.name = cleanName(text)
				e.given = given
			} else {
				e.aliases[text] = true
			}
			return e
		}
	}
	e := &entity{name: cleanName(text), kind: briefings.EntityPerson, aliases: map[string]bool{}, given: given, surname: surname}
	x.surnames[key] = append(x.surnames[key], e)
	x.people = append(x.people, e)
	return e
}

func lastWord(s string) string {
	if i := strings.LastIndexByte(s, ' '); i >= 0 {
		return s[i+1:]
	}
	return s
}

func cleanName(s string) string {
	return strings.TrimSpace(strings.TrimSuffix(s, ","))
}

// org returns the entity for an organization.
func (x *extraction) org(name, country, orgType, alias string) *entity {
	for _, e := range x.orgs {
		if e.name == name {
			if alias != name {
				e.aliases[alias] = true
			}
			return e
		}
	}
	e := &entity{name: name, kind: briefings.EntityOrganization, country: country, aliases: map[string]bool{}, orgType: orgType}
	if alias != name {
		e.aliases[alias] = true
	}
	x.orgs = append(x.orgs, e)
	return e
}

// findGroups adds mentions of unnamed bodies ("Chadian officials", "the
// junta", "the French ambassador to Bamako"), definite descriptions that
// stand for a known entity ("the country", "the bloc") and pronouns.
func (x *extraction) findGroups(s *sentence, ms []*mention, used []bool) []*mention {
	toks := s.toks
	for i, t := range toks {
		if used[i] || t.punct {
			continue
		}
		plural, ok := groupNoun(t.low)
		if !ok {
			continue
		}
		if i+1 < len(toks) && modifiedNoun(toks[i+1].low) {
			// "military cooperation", "junta leader": an adjective here.
			continue
		}
		// Modifiers before the noun: determiners, adjectives, a country,
		// demonym, possessive, or an organization.
		start := i
		var countries []string
		var org string
		for k := i - 1; k >= 0 && k >= i-5; k-- {
			lw := toks[k].low
			if m := mentionEndingAt(ms, k+1); m != nil && (m.kind == mCountry || m.kind == mDemonym || m.kind == mCapital || m.kind == mOrg || m.kind == mRegion) {
				if m.kind == mOrg {
					org = m.name
				} else if m.country != "" {
					countries = append(countries, m.country)
				} else {
					countries = append(countries, m.name)
				}
				start = m.start
				k = m.start
				continue
			}
			if lw == "and" {
				// Only between country modifiers: "US and Saudi mediators".
				if m := mentionStartingAt(ms, k+1); m == nil || (m.kind != mCountry && m.kind != mDemonym) {
					break
				}
			}
			if c := x.ledBy(toks[k]); c != "" {
				// "the US-led coalition".
				countries = append(countries, c)
				start = k
				continue
			}
			if lw == "'s" || lw == "and" || lw == "the" || lw == "its" || lw == "their" || lw == "his" || lw == "her" || isRoleModifier(lw) || isGroupAdjective(lw) {
				start = k
				continue
			}
			break
		}
		// "the country's junta", "its military".
		pron := false
		if len(countries) == 0 && org == "" {
			for k := start; k < i; k++ {
				switch toks[k].low {
				case "its", "their":
					if c := x.possessiveCountry(s, k); c != "" {
						countries = append(countries, c)
						pron = true
					}
				}
			}
			if i >= 3 && toks[i-1].low == "'s" && toks[i-2].low == "country" && toks[i-3].low == "the" {
				if c := x.salientCountry(s, i-3, ""); c != "" {
					countries = append(countries, c)
					start = i - 3
				}
			}
		}
		end := i + 1
		// "of Niger", "to Bamako", "from the country's junta".
		if end+1 < len(toks) && (toks[end].low == "of" || toks[end].low == "to" || toks[end].low == "in") {
			if m := mentionStartingAt(ms, end+1); m != nil && (m.kind == mCountry || m.kind == mCapital || m.kind == mCity) && len(countries) == 0 {
				countries = append(countries, m.country)
				if toks[end].low == "of" {
					end = m.end
				}
			}
		}
		if toks[i].low == "president" || toks[i].low == "official" {
			// A named president is a person mention; unnamed ones need a
			// determiner.
			if start == i || (i+1 < len(toks) && namePart(toks[i+1])) {
				continue
			}
		}
		if len(countries) == 0 && org == "" && (t.low == "parties" || t.low == "sides" || t.low == "allies" || t.low == "partners" || t.low == "forces" || t.low == "troops") && start == i {
			continue
		}
		if len(countries) == 0 && org == "" && (t.low == "states" || t.low == "countries" || t.low == "nations" || t.low == "members") {
			// "the three Member States", "the two countries": the last ones named.
			n := 0
			for k := start; k < i; k++ {
				if v, ok := numberWord(toks[k].low); ok && v >= 2 {
					n = v
				}
				if toks[k].low == "both" {
					n = 2
				}
			}
			if n >= 2 {
				countries = x.lastNCountries(s, start, n)
				pron = len(countries) > 0
			}
		}
		sortStrings(countries)
		m := &mention{start: start, end: end, kind: mGroup, role: t.low, plural: plural, text: joinText(s.text, toks[start:end]), roleStart: start, pronoun: pron}
		if org != "" {
			m.name = org
		}
		if len(countries) > 0 {
			m.country = countries[0]
			m.countries = countries
		}
		ms = insertMention(ms, m)
	}
	// Definite descriptions and pronouns.
	for i, t := range toks {
		if used[i] {
			continue
		}
		var m *mention
		switch t.low {
		case "country", "nation":
			if i > 0 && (toks[i-1].low == "the" || toks[i-1].low == "this") && !(i+1 < len(toks) && toks[i+1].low == "'s") {
				if c := x.salientCountry(s, i, ""); c != "" {
					m = &mention{start: i - 1, end: i + 1, kind: mCountry, name: c, country: c, pronoun: true, text: joinText(s.text, toks[i-1:i+1])}
				}
			}
		case "bloc", "community", "organisation", "organization", "alliance", "coalition":
			if i > 0 && (toks[i-1].low == "the" || toks[i-1].low == "regional") {
				if o := x.lastBloc(t.low); o != nil {
					st := i - 1
					if toks[st].low == "regional" && st > 0 && toks[st-1].low == "the" {
						st--
					}
					m = &mention{start: st, end: i + 1, kind: mOrg, name: o.name, ent: o, pronoun: true, orgType: "bloc", text: joinText(s.text, toks[st:i+1])}
				}
			}
		case "he", "she", "him":
			// A person-like body named earlier in the sentence ("the French
			// ambassador ... inviting him to leave") comes first.
			var g *mention
			for _, pm := range ms {
				if pm.start < i && pm.kind == mGroup && !pm.plural && personRole(pm.role) {
					g = pm
				}
				if pm.start < i && pm.kind == mPerson {
					g = nil
				}
			}
			if g != nil {
				c := *g
				c.start, c.end, c.roleStart, c.pronoun = i, i+1, i, true
				m = &c
			} else if p := x.lastPerson(s, i); p != nil {
				m = &mention{start: i, end: i + 1, kind: mPerson, name: p.name, ent: p, country: p.country, role: p.role(), pronoun: true, text: t.text}
			}
		}
		if m != nil && mentionOverlapping(ms, m.start, m.end) == nil {
			m.roleStart = m.start
			ms = insertMention(ms, m)
		}
	}
	return ms
}

// modifiedNoun reports whether w is a noun that group words often modify
// ("military withdrawal", "government statement", "junta leader").
func modifiedNoun(w string) bool {
	switch w {
	case "withdrawal", "cooperation", "coup", "coups", "junta", "presence", "mission", "personnel", "base", "bases",
		"operations", "operation", "support", "advantage", "action", "officials", "official", "leaders", "leader", "rule",
		"regime", "government", "intervention", "assistance", "aid", "training", "statement", "spokesman",
		"spokesperson", "chief", "chiefs", "forces", "troops", "deployments", "deployment", "ties", "relations",
		"campaign", "exercises", "equipment", "advisers", "advisors", "instructors", "commanders", "commander",
		"council", "court", "source", "sources", "order", "authorities", "drawdown", "pullout", "footprint",
		"agreement", "accord", "deal", "pact", "partnership", "partners", "strategy", "policy", "plan",
		"offensive", "victory", "power", "transition", "officers", "officer", "delegation", "team", "media",
		"television", "tv", "radio", "members", "member", "figures", "buildup", "build-up", "spending", "budget",
		"complaint", "complaints", "report", "reports", "program", "programme":
		return true
	}
	return false
}

// personRole reports group nouns that stand for one person.
func personRole(w string) bool {
	switch w {
	case "ambassador", "envoy", "official", "president", "airman", "soldier", "officer", "diplomat", "whistleblower", "spokesman", "spokeswoman", "spokesperson":
		return true
	}
	return false
}

func isGroupAdjective(w string) bool {
	switch w {
	case "military", "ruling", "paramilitary", "warring", "foreign", "local", "national", "regional", "security",
		"defence", "defense", "international", "western", "european", "african", "allied", "two", "three", "both",
		"remaining", "all", "some", "several", "many", "junta", "government", "coup", "civilian", "opposition",
		"armed", "chiefs", "chief", "new", "other", "american", "special", "diplomatic", "saudi", "us", "u.s.",
		"member", "neighbouring", "neighboring", "four", "five", "six", "seven", "eight", "nine", "ten", "fifteen":
		return true
	}
	return false
}

func sortStrings(a []string) {
	sort.Strings(a)
}

func mentionEndingAt(ms []*mention, end int) *mention {
	for _, m := range ms {
		if m.end == end || (m.possessive && m.end+1 == end) {
			return m
		}
	}
	return nil
}

func mentionStartingAt(ms []*mention, start int) *mention {
	for _, m := range ms {
		if m.start == start {
			return m
		}
	}
	return nil
}

func mentionOverlapping(ms []*mention, start, end int) *mention {
	for _, m := range ms {
		if m.start < end && start < m.end {
			return m
		}
	}
	return nil
}

func insertMention(ms []*mention, m *mention) []*mention {
	i := sort.Search(len(ms), func(k int) bool { return ms[k].start >= m.start })
	ms = append(ms, nil)
	copy(ms[i+1:], ms[i:])
	ms[i] = m
	return ms
}

// salientCountry returns the country a definite description ("the
// country") most likely refers to: the last country mentioned before token
// i in this sentence, else in the previous sentences, skipping exclude.
func (x *extraction) salientCountry(s *sentence, i int, exclude string) string {
	// Mentions of this sentence found so far are in x.pending. The
	// antecedent lies outside the clause of the description: in "the US
	// would withdraw from the country", the country is not the US.
	clause := clauseStart(s.toks, i)
	best := ""
	for _, m := range x.pending {
		if m.start >= clause {
			break
		}
		if (m.kind == mCountry || m.kind == mDemonym) && m.country != exclude && !m.pronoun {
			best = m.country
		}
	}
	if best != "" {
		return best
	}
	for si := s.idx - 1; si >= 0 && si >= s.idx-4; si-- {
		prev := x.sents[si]
		for k := len(prev.ments) - 1; k >= 0; k-- {
			m := prev.ments[k]
			if (m.kind == mCountry || m.kind == mDemonym) && m.country != exclude && !m.pronoun {
				return m.country
			}
		}
	}
	return ""
}

// possessiveCountry resolves "its"/"their" at token k (while the sentence's
// mentions are being found) to a country: the nearest country, body or group
// before it in the sentence, else the country of the previous sentence's
// subject.
func (x *extraction) possessiveCountry(s *sentence, k int) string {
	// The subject of a that-clause holding the pronoun comes first ("Baku
	// demanded that Armenia withdraw its forces"): Armenia's forces.
	for j := k - 1; j >= 0 && j >= k-8; j-- {
		if s.toks[j].low != "that" {
			continue
		}
		for _, m := range x.pending {
			if m.start == j+1 || m.start == j+2 && s.toks[j+1].low == "the" {
				if m.start < k && m.country != "" && (m.kind == mCountry || m.kind == mDemonym || m.kind == mCapital || m.kind == mOrg || m.kind == mGroup) {
					return m.country
				}
			}
		}
		break
	}
	// Then the subject of the sentence ("Mali's government ... over
	// comments by the French authorities about its transitional government").
	for _, m := range x.pending {
		if m.start >= k {
			break
		}
		if precededByPrep(s.toks, m) {
			continue
		}
		switch m.kind {
		case mCountry, mDemonym, mCapital, mOrg, mGroup:
			if m.country != "" {
				return m.country
			}
		}
		break
	}
	for i := len(x.pending) - 1; i >= 0; i-- {
		m := x.pending[i]
		if m.start >= k {
			continue
		}
		switch m.kind {
		case mCountry, mDemonym, mCapital:
			return m.country
		case mOrg:
			if m.country != "" {
				return m.country
			}
		case mGroup:
			if m.country != "" {
				return m.country
			}
		}
	}
	if s.idx > 0 {
		p := x.sents[s.idx-1]
		if subj := x.subject(p, len(p.toks)); len(subj) > 0 && subj[0].country != "" {
			return subj[0].country
		}
	}
	return ""
}

// lastNCountries returns the last n distinct countries named before token
// i of s (in s, then in earlier sentences).
func (x *extraction) lastNCountries(s *sentence, i, n int) []string {
	var out []string
	seen := map[string]bool{}
	add := func(m *mention) {
		if (m.kind == mCountry || m.kind == mDemonym) && !seen[m.country] && len(out) < n {
			seen[m.country] = true
			out = append(out, m.country)
		}
	}
	for k := len(x.pending) - 1; k >= 0; k-- {
		if x.pending[k].start < i {
			add(x.pending[k])
		}
	}
	for si := s.idx - 1; si >= 0 && len(out) < n; si-- {
		ms := x.sents[si].ments
		for k := len(ms) - 1; k >= 0; k-- {
			add(ms[k])
		}
	}
	if len(out) < n {
		return nil
	}
	return out
}

// titleHolder returns the person most recently named with a role that
// contains title ("Secretary" → "Secretary of State").
func (x *extraction) titleHolder(title string) *entity {
	t := strings.ToLower(title)
	var best *entity
	for _, p := range x.people {
		for _, r := range p.roles {
			if strings.Contains(strings.ToLower(r.Title), t) && (best == nil || p.lastPos > best.lastPos) {
				best = p
			}
		}
	}
	return best
}

// lastBloc returns the international body a definite description ("the
// bloc", "the Community") refers to: the most recent one whose name has
// that noun, else the most recent one.
func (x *extraction) lastBloc(noun string) *entity {
	var best, named *entity
	for _, e := range x.orgs {
		if e.orgType != "bloc" {
			continue
		}
		if best == nil || e.lastPos > best.lastPos {
			best = e
		}
		if strings.Contains(strings.ToLower(e.name), noun) && (named == nil || e.lastPos > named.lastPos) {
			named = e
		}
	}
	if named != nil {
		return named
	}
	return best
}

// lastPerson returns the most recently mentioned person before token i.
func (x *extraction) lastPerson(s *sentence, i int) *entity {
	var best *entity
	for _, m := range x.pending {
		if m.start >= i {
			break
		}
		if m.kind == mPerson && m.ent != nil {
			best = m.ent
		}
	}
	if best != nil {
		return best
	}
	for si := s.idx - 1; si >= 0 && si >= s.idx-3; si-- {
		prev := x.sents[si]
		for k := len(prev.ments) - 1; k >= 0; k-- {
			if prev.ments[k].kind == mPerson && prev.ments[k].ent != nil {
				return prev.ments[k].ent
			}
		}
	}
	return nil
}

// clauseStart returns the index of the first token of the clause that
// contains token i: after the last comma, semicolon, "that", "which" or
// "who" before it.
func clauseStart(toks []token, i int) int {
	for k := min(i, len(toks)) - 1; k >= 0; k-- {
		switch toks[k].low {
		case ",", ";", "that", "which", "who", ":":
			return k + 1
		}
	}
	return 0
}
