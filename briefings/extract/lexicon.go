package extract

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// refKind is what a gazetteer entry names.
type refKind int

const (
	refCountry refKind = iota + 1
	refDemonym
	refCapital
	refCity
	refRegion
	refRegionDemonym
	refOrg
)

// ref is a gazetteer entry: a surface form and what it stands for.
type ref struct {
	kind refKind
	// name is the canonical name: the country, region, city or organization.
	name string
	// country is the country the entry belongs to (a capital's country, an
	// organization's home), empty for international bodies.
	country string
	// orgType is bloc, gov, armed, media or company for organizations.
	orgType string
	// exact requires the token text to match case-sensitively (acronyms).
	exact   bool
	surface string
}

// phrase is a gazetteer or title key split into words.
type phrase struct {
	words []string
	key   string
}

// indexPhrases groups keys by first word, longest first.
func indexPhrases(keys []string) map[string][]phrase {
	idx := map[string][]phrase{}
	for _, k := range keys {
		w := strings.Split(k, " ")
		idx[w[0]] = append(idx[w[0]], phrase{words: w, key: k})
	}
	for f := range idx {
		ps := idx[f]
		sort.Slice(ps, func(i, j int) bool {
			if len(ps[i].words) != len(ps[j].words) {
				return len(ps[i].words) > len(ps[j].words)
			}
			return ps[i].key < ps[j].key
		})
	}
	return idx
}

// matchAt returns the longest phrase of idx that the tokens at i spell.
func matchAt(idx map[string][]phrase, toks []token, i int) (phrase, bool) {
	for _, p := range idx[toks[i].key] {
		if i+len(p.words) > len(toks) {
			continue
		}
		ok := true
		for k := 1; k < len(p.words); k++ {
			if toks[i+k].key != p.words[k] {
				ok = false
				break
			}
		}
		if ok {
			return p, true
		}
	}
	return phrase{}, false
}

// titleInfo is a title from the title table.
type titleInfo struct {
	title   string
	country string
}

// lexicon is the general knowledge the extractor uses: countries,
// demonyms, capitals, cities, regions, organizations, titles and given names.
// It is built once per Extractor and only read afterwards.
type lexicon struct {
	refs      map[string][]ref // key: lower-cased tokens joined by spaces
	maxRefLen int
	titles    map[string]titleInfo
	maxTitle  int
	// refFirst and titleFirst index the phrases by their first word, longest
	// first, so that lookups compare tokens without building strings.
	refFirst   map[string][]phrase
	titleFirst map[string][]phrase
	firstNames map[string]bool
	countries  map[string]string // canonical country → region
	capitals   map[string]string // country → first capital
	demonyms   map[string]string // country → first demonym
}

// surfaceKey returns the lookup key of a surface form: its tokens, lower-cased,
// joined by single spaces.
func surfaceKey(s string) string {
	toks := tokenize(s)
	parts := make([]string, 0, len(toks))
	for _, t := range toks {
		parts = append(parts, foldKey(t.low))
	}
	return strings.Join(parts, " ")
}

// foldKey folds accents in an already lower-cased token.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å':
		return 'a'
	case 'ç':
		return 'c'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ñ':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case '’', '‘':
		return '\''
	}
	return r
}

func isAllUpper(s string) bool {
	letters := 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if !unicode.IsUpper(r) {
				return false
			}
		}
	}
	return letters >= 2
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func newLexicon() *lexicon {
	lx := &lexicon{
		refs:       map[string][]ref{},
		titles:     map[string]titleInfo{},
		firstNames: map[string]bool{},
		countries:  map[string]string{},
		capitals:   map[string]string{},
		demonyms:   map[string]string{},
	}
	add := func(surface string, r ref) {
		r.surface = surface
		r.exact = isAllUpper(strings.ReplaceAll(surface, ".", "")) && !strings.Contains(surface, " ")
		k := surfaceKey(surface)
		if n := len(strings.Fields(k)); n > lx.maxRefLen {
			lx.maxRefLen = n
		}
		for _, old := range lx.refs[k] {
			if old.kind == r.kind && old.name == r.name {
				return
			}
		}
		lx.refs[k] = append(lx.refs[k], r)
	}
	for _, line := range strings.Split(countryTable, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 5 {
			continue
		}
		name := f[0]
		lx.countries[name] = f[4]
		add(name, ref{kind: refCountry, name: name, country: name})
		// "the Republic of X" is the country too.
		add("Republic of "+name, ref{kind: refCountry, name: name, country: name})
		for _, a := range splitList(f[1]) {
			add(a, ref{kind: refCountry, name: name, country: name})
		}
		for i, d := range splitList(f[2]) {
			if i == 0 {
				lx.demonyms[name] = d
			}
			add(d, ref{kind: refDemonym, name: name, country: name})
		}
		// Capitals keep a multi-word form with commas only as written.
		for i, c := range strings.Split(f[3], ",") {
			c = strings.TrimSpace(c)
			if c == "" {
				continue
			}
			if i == 0 {
				lx.capitals[name] = c
			}
			add(c, ref{kind: refCapital, name: c, country: name})
		}
	}
	add("Washington, DC", ref{kind: refCity, name: "Washington, DC", country: "United States"})
	add("Washington, D.C.", ref{kind: refCity, name: "Washington, DC", country: "United States"})
	add("Washington DC", ref{kind: refCity, name: "Washington, DC", country: "United States"})
	for _, line := range strings.Split(regionTable, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 2 {
			continue
		}
		add(f[0], ref{kind: refRegion, name: f[0]})
		if f[1] != "" {
			add(f[1], ref{kind: refRegionDemonym, name: f[0]})
		}
	}
	for _, line := range strings.Split(cityTable, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 2 {
			continue
		}
		add(f[0], ref{kind: refCity, name: f[0], country: f[1]})
	}
	for _, line := range strings.Split(orgTable, "\n") {
		f := strings.Split(line, "|")
		if len(f) < 4 {
			continue
		}
		r := ref{kind: refOrg, name: f[0], orgType: f[2], country: f[3]}
		add(f[0], r)
		for _, a := range splitList(f[1]) {
			add(a, r)
		}
	}
	for _, line := range strings.Split(titleTable, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		title, country, _ := strings.Cut(line, "|")
		k := surfaceKey(title)
		ti := titleInfo{title: strings.TrimSuffix(title, "."), country: country}
		if old, ok := lx.titles[k]; ok && old.country != "" {
			continue
		}
		lx.titles[k] = ti
		if n := len(strings.Fields(k)); n > lx.maxTitle {
			lx.maxTitle = n
		}
	}
	for _, n := range strings.Fields(firstNames) {
		lx.firstNames[foldKey(strings.ToLower(n))] = true
	}
	refKeys := make([]string, 0, len(lx.refs))
	for k := range lx.refs {
		refKeys = append(refKeys, k)
	}
	lx.refFirst = indexPhrases(refKeys)
	titleKeys := make([]string, 0, len(lx.titles))
	for k := range lx.titles {
		titleKeys = append(titleKeys, k)
	}
	lx.titleFirst = indexPhrases(titleKeys)
	return lx
}

// lookup returns the gazetteer entries for the tokens toks[i:j], or nil.
// The first token must be capitalized (or a digit); acronyms must match
// exactly.
func (lx *lexicon) lookup(toks []token, i, j int) []ref {
	if !toks[i].cap {
		return nil
	}
	var refs []ref
	for _, p := range lx.refFirst[toks[i].key] {
		if len(p.words) != j-i {
			continue
		}
		ok := true
		for k := 1; k < len(p.words); k++ {
			if toks[i+k].key != p.words[k] {
				ok = false
				break
			}
		}
		if ok {
			refs = lx.refs[p.key]
			break
		}
	}
	if len(refs) == 0 {
		return nil
	}
	var out []ref
	for _, r := range refs {
		if r.exact && (j-i != 1 || toks[i].text != r.surface) {
			continue
		}
		// Multi-word names must be capitalized throughout (but for small
		// words such as "of", "and", "the").
		if j-i > 1 && !capitalizedPhrase(toks[i:j]) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func capitalizedPhrase(toks []token) bool {
	for _, t := range toks {
		if t.cap || t.punct {
			continue
		}
		// "d’Ivoire", "l’Est": an elided article before a capital.
		if len(t.text) > 2 && (strings.HasPrefix(t.low, "d'") || strings.HasPrefix(t.low, "l'")) {
			r, _ := utf8.DecodeRuneInString(t.text[len("d'"):])
			if strings.HasPrefix(t.text, "d’") || strings.HasPrefix(t.text, "l’") {
				r, _ = utf8.DecodeRuneInString(t.text[len("d’"):])
			}
			if unicode.IsUpper(r) {
				continue
			}
		}
		switch t.low {
		case "of", "and", "the", "for", "to", "on", "in", "de", "d'", "la", "le", "du", "al", "el", "wal", "bin", "ibn", "da", "van", "von":
			continue
		}
		if t.text != "" && unicode.IsDigit([]rune(t.text)[0]) {
			continue
		}
		return false
	}
	return true
}

// titleAt returns the longest title starting at token i, as a token count,
// or 0. Titles match case-insensitively.
func (lx *lexicon) titleAt(toks []token, i int) (int, titleInfo) {
	if p, ok := matchAt(lx.titleFirst, toks, i); ok {
		return len(p.words), lx.titles[p.key]
	}
	return 0, titleInfo{}
}

// countryNames returns every canonical country name, sorted.
func (lx *lexicon) countryNames() []string {
	out := make([]string, 0, len(lx.countries))
	for c := range lx.countries {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}
