package briefings

import "unicode"

func isLetter(r rune) bool { return unicode.IsLetter(r) }

// foldAccent maps common Latin letters with diacritics to their base letter,
// so that slugs and keys of "Côte d’Ivoire" and "Cote d'Ivoire" agree.
func foldAccent(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā':
		return 'a'
	case 'ç', 'č', 'ć':
		return 'c'
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė':
		return 'e'
	case 'ì', 'í', 'î', 'ï', 'ī':
		return 'i'
	case 'ñ', 'ń':
		return 'n'
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō':
		return 'o'
	case 'ù', 'ú', 'û', 'ü', 'ū':
		return 'u'
	case 'ý', 'ÿ':
		return 'y'
	case 'š', 'ś':
		return 's'
	case 'ž', 'ź', 'ż':
		return 'z'
	}
	return r
}

// FoldAccents returns s with common diacritics removed and curly quotes
// straightened; used for matching, never for display.
func FoldAccents(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case '’', '‘', 'ʼ':
			r = '\''
		case '“', '”':
			r = '"'
		case '–', '—':
			r = '-'
		}
		lr := unicode.ToLower(r)
		if f := foldAccent(lr); f != lr {
			if unicode.IsUpper(r) {
				f = unicode.ToUpper(f)
			}
			r = f
		}
		out = append(out, r)
	}
	return string(out)
}
