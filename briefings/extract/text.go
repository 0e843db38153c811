package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one word or punctuation mark of a sentence.
type token struct {
	// text is the token as written.
	text string
	// low is text lower-cased with curly quotes straightened.
	low string
	// key is low with accents folded: what gazetteer lookups compare.
	key string
	// start and end are byte offsets in the sentence text.
	start, end int
	// cap is set when the token starts with an upper-case letter.
	cap bool
	// punct is set for punctuation tokens.
	punct bool
	// quoted is set when the token is inside quotation marks.
	quoted bool
}

// sentence is one sentence of the body with its tokens.
type sentence struct {
	idx, para int
	text      string
	toks      []token
	// ments are the entity mentions found in the sentence, in text order.
	ments []*mention
	// times are the time expressions found in the sentence.
	times []timex
	// lowText is the sentence lower-cased with quotes straightened.
	lowText string
}

// abbreviations that never end a sentence when followed by a capital.
func isTitleAbbrev(w string) bool {
	switch w {
	case "Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Maj", "Capt", "Sgt", "Adm", "Gov", "Sen", "Rep",
		"St", "Prof", "Rev", "Hon", "Brig", "Cpl", "Pvt", "Cmdr", "Insp", "Supt", "Amb", "Pres", "Sec", "Secy", "Messrs", "Mt", "Ft":
		return true
	}
	return false
}

// isAbbrev reports whether w (without its final period) is an abbreviation
// that does not end a sentence before a capital unless the capital starts a
// typical sentence.
func isAbbrev(w string) bool {
	switch w {
	case "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec",
		"Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun",
		"No", "Nos", "Vol", "Fig", "Inc", "Ltd", "Co", "Corp", "Jr", "Sr", "vs", "approx", "est", "e.g", "i.e", "cf", "al", "Dept", "Univ":
		return true
	}
	// Dotted initialisms: U.S, U.N, U.K, D.C, a.m, p.m.
	if strings.Count(w, ".") >= 1 && utf8.RuneCountInString(w) <= 7 {
		parts := strings.Split(w, ".")
		ok := true
		for _, p := range parts {
			if utf8.RuneCountInString(p) != 1 {
				ok = false
			}
		}
		if ok {
			return true
		}
	}
	// Single initials: J. R.
	if utf8.RuneCountInString(w) == 1 {
		r, _ := utf8.DecodeRuneInString(w)
		return unicode.IsUpper(r)
	}
	return false
}

// startsSentence reports whether a capitalized word typically starts a new
// sentence (used after ambiguous abbreviations such as "U.S.").
func startsSentence(w string) bool {
	switch w {
	case "The", "A", "An", "It", "He", "She", "They", "We", "I", "This", "That", "These", "Those",
		"But", "And", "In", "On", "At", "After", "Before", "However", "Meanwhile", "Its", "Their", "His", "Her",
		"There", "Officials", "Earlier", "Later", "Last", "During", "While", "As", "When", "Since", "Following":
		return true
	}
	return false
}

func isClosing(r rune) bool {
	switch r {
	case '"', '”', '’', '\'', ')', ']', '»':
		return true
	}
	return false
}

func isOpening(r rune) bool {
	switch r {
	case '"', '“', '‘', '\'', '(', '[', '«':
		return true
	}
	return false
}

// splitSentences splits a paragraph into sentences, returning byte ranges.
// It keeps abbreviations ("U.S.", "Gen.", "Jan."), initials ("Antony J.
// Blinken") and quotations together, and never cuts inside a word.
func splitSentences(p string) [][2]int {
	var out [][2]int
	start := 0
	n := len(p)
	for i := 0; i < n; {
		r, w := utf8.DecodeRuneInString(p[i:])
		if r != '.' && r != '!' && r != '?' {
			i += w
			continue
		}
		// Extend over repeated terminators and closing quotes/brackets.
		j := i + w
		for j < n {
			r2, w2 := utf8.DecodeRuneInString(p[j:])
			if r2 == '.' || r2 == '!' || r2 == '?' || isClosing(r2) {
				j += w2
				continue
			}
			break
		}
		// A boundary needs white space, then a capital, digit or opening quote.
		k := j
		for k < n {
			r2, w2 := utf8.DecodeRuneInString(p[k:])
			if r2 == ' ' || r2 == '\t' || r2 == '\u00a0' {
				k += w2
				continue
			}
			break
		}
		if k == j || k >= n {
			i = j
			continue
		}
		next, _ := utf8.DecodeRuneInString(p[k:])
		if !(unicode.IsUpper(next) || unicode.IsDigit(next) || isOpening(next)) {
			i = j
			continue
		}
		if r == '.' && j == i+1 {
			// The word before the period.
			ws := i
			for ws > start {
				pr, pw := utf8.DecodeLastRuneInString(p[:ws])
				if unicode.IsSpace(pr) || pr == '(' || pr == '"' || pr == '“' {
					break
				}
				ws -= pw
			}
			word := p[ws:i]
			nextWord := p[k:]
			if e := strings.IndexFunc(nextWord, func(r rune) bool { return unicode.IsSpace(r) || r == ',' }); e >= 0 {
				nextWord = nextWord[:e]
			}
			if isTitleAbbrev(word) {
				i = j
				continue
			}
			if isAbbrev(word) && !startsSentence(nextWord) {
				i = j
				continue
			}
			if isAbbrev(word) && utf8.RuneCountInString(word) == 1 {
				// An initial followed by a capital is part of a name.
				i = j
				continue
			}
		}
		out = append(out, [2]int{start, j})
		start = k
		i = k
	}
	if strings.TrimSpace(p[start:]) != "" {
		out = append(out, [2]int{start, len(p)})
	}
	return out
}

// lower returns s lower-cased with curly quotes and dashes straightened.
func lower(s string) string {
	// Fast path: ASCII without capitals or quotes is already lower.
	plain := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c >= 'A' && c <= 'Z' || c == '"' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch r {
		case '’', '‘', 'ʼ':
			r = '\''
		case '“', '”':
			r = '"'
		case '–', '—':
			r = '-'
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// tokenize splits a sentence into tokens. Words keep inner hyphens,
// apostrophes and periods ("Jean-Yves", "d’Aquin", "U.S.", "N’Djamena");
// a possessive "’s" is its own token.
func tokenize(s string) []token {
	toks := make([]token, 0, len(s)/5)
	quoted := false
	i := 0
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += w
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i + w
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsLetter(r2) || unicode.IsDigit(r2) {
					j += w2
					continue
				}
				if (r2 == '-' || r2 == '\'' || r2 == '’' || r2 == '.' || r2 == ',' || r2 == ':' || r2 == '/') && j+w2 < len(s) {
					r3, _ := utf8.DecodeRuneInString(s[j+w2:])
					// Possessive 's ends the word.
					if (r2 == '\'' || r2 == '’') && (r3 == 's' || r3 == 'S') {
						after := j + w2 + 1
						if after >= len(s) {
							break
						}
						r4, _ := utf8.DecodeRuneInString(s[after:])
						if !unicode.IsLetter(r4) {
							break
						}
					}
					if r2 == ',' || r2 == ':' {
						// Digits only: 8,600 and 9:45.
						pr, _ := utf8.DecodeLastRuneInString(s[:j])
						if !(unicode.IsDigit(pr) && unicode.IsDigit(r3)) {
							break
						}
					}
					if r2 == '/' && !(unicode.IsLetter(r3) || unicode.IsDigit(r3)) {
						break
					}
					if r2 == '.' {
						// Keep periods of initialisms (U.S.) but not sentence ends.
						if !(unicode.IsLetter(r3) && utf8.RuneCountInString(s[i:j]) <= 2) && !(unicode.IsDigit(r3)) {
							break
						}
					}
					if unicode.IsLetter(r3) || unicode.IsDigit(r3) {
						j += w2
						continue
					}
				}
				break
			}
			// A trailing period after a one-letter chunk makes an initialism
			// (U.S., D.C.) or an initial (J.).
			if j < len(s) && s[j] == '.' {
				word := s[i:j]
				last := word
				if k := strings.LastIndexByte(word, '.'); k >= 0 {
					last = word[k+1:]
				}
				if utf8.RuneCountInString(last) == 1 || isTitleAbbrev(word) || isAbbrev(word) {
					if !(j+1 >= len(s) && !isTitleAbbrev(word) && strings.Count(word, ".") == 0 && utf8.RuneCountInString(word) > 1) {
						j++
					}
				}
			}
			t := s[i:j]
			first, _ := utf8.DecodeRuneInString(t)
			lw := lower(t)
			toks = append(toks, token{text: t, low: lw, key: foldKey(lw), start: i, end: j, cap: unicode.IsUpper(first), quoted: quoted})
			i = j
		default:
			// Possessive 's.
			if (r == '\'' || r == '’') && i+w < len(s) && (s[i+w] == 's' || s[i+w] == 'S') {
				after := i + w + 1
				if after >= len(s) || !isWordRune(s[after:]) {
					toks = append(toks, token{text: s[i:after], low: "'s", key: "'s", start: i, end: after, quoted: quoted})
					i = after
					continue
				}
			}
			t := s[i : i+w]
			switch r {
			case '“', '”', '"':
				if r == '“' {
					quoted = true
				} else if r == '”' {
					quoted = false
				} else {
					quoted = !quoted
				}
			}
			lw := lower(t)
			toks = append(toks, token{text: t, low: lw, key: lw, start: i, end: i + w, punct: true, quoted: quoted})
			i += w
		}
	}
	return toks
}

func isWordRune(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
