package extract

import (
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// Ref is what a short phrase names: a person (by surname and given name),
// or a country, body or place by its canonical name.
type Ref struct {
	Kind briefings.EntityKind
	// Name is the canonical name (for people, the name as written).
	Name    string
	Surname string
	Given   string
	Country string
	// Type is an organization's type: bloc, gov, armed, media or company.
	Type string
}

// Key is the value matching compares: "person:<surname>" for people, else
// the canonical name.
func (r Ref) Key() string {
	if r.Kind == briefings.EntityPerson {
		return "person:" + foldKey(lower(r.Surname))
	}
	return r.Name
}

// Resolve names the parties a short phrase refers to: "US military" is the
// United States, "Kurt Campbell (Deputy Secretary of State, United States)"
// is the person Campbell, "Burkina Faso, Mali and Niger" are three
// countries, "Niger's junta" is Niger. Text in parentheses is ignored.
func (e *Extractor) Resolve(phrase string) []Ref {
	if i := strings.IndexAny(phrase, "(;"); i > 0 {
		phrase = phrase[:i]
	}
	phrase = strings.TrimSpace(phrase)
	if phrase == "" {
		return nil
	}
	x := &extraction{lx: e.lx, surnames: map[string][]*entity{}}
	s := &sentence{text: phrase, toks: tokenize(phrase), lowText: lower(phrase)}
	x.sents = []*sentence{s}
	for pass := 0; pass < 2; pass++ {
		s.ments = nil
		x.findMentions(s)
	}
	var out []Ref
	seen := map[string]bool{}
	add := func(r Ref) {
		if k := r.Key(); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	for _, m := range s.ments {
		if m.sub && m.kind != mCountry && m.kind != mDemonym {
			continue
		}
		switch m.kind {
		case mPerson:
			if m.ent != nil {
				add(Ref{Kind: briefings.EntityPerson, Name: m.ent.name, Surname: m.ent.surname, Given: m.ent.given, Country: m.country})
			}
		case mCountry, mDemonym, mCapital:
			add(Ref{Kind: briefings.EntityCountry, Name: m.country, Country: m.country})
		case mOrg:
			add(Ref{Kind: briefings.EntityOrganization, Name: m.name, Country: m.country, Type: m.orgType})
		case mGroup:
			for _, c := range m.countries {
				add(Ref{Kind: briefings.EntityCountry, Name: c, Country: c})
			}
			if m.name != "" {
				add(Ref{Kind: briefings.EntityOrganization, Name: m.name})
			}
		case mCity, mRegion:
			add(Ref{Kind: briefings.EntityPlace, Name: m.name, Country: m.country})
		}
	}
	if len(out) == 0 {
		// A bare name: a person when it looks like one.
		words := strings.Fields(phrase)
		if len(words) >= 1 && len(words) <= 5 && isCapitalized(words[0]) && isCapitalized(words[len(words)-1]) {
			last := strings.TrimSuffix(words[len(words)-1], ",")
			for i := len(words) - 1; i > 0 && isNameSuffix(strings.ToLower(strings.TrimSuffix(words[i], ","))); i-- {
				last = strings.TrimSuffix(words[i-1], ",")
			}
			add(Ref{Kind: briefings.EntityPerson, Name: phrase, Surname: last, Given: words[0]})
		}
	}
	return out
}

func isCapitalized(w string) bool {
	for _, r := range w {
		return r >= 'A' && r <= 'Z' || r > 127 && strings.ToUpper(string(r)) == string(r)
	}
	return false
}
