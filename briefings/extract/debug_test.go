package extract

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/briefbot/briefbot/briefings"
)

// TestDebugDump prints the sentences, mentions, times and facts of the
// article named by EXTRACT_DEBUG; it is a development aid and skips
// otherwise.
func TestDebugDump(t *testing.T) {
	path := os.Getenv("EXTRACT_DEBUG")
	if path == "" {
		t.Skip("set EXTRACT_DEBUG=file to dump an extraction")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := briefings.ParseArticle(path, data)
	if err != nil {
		t.Fatal(err)
	}
	e := New()
	x := &extraction{lx: e.lx, art: a, pub: a.Published, surnames: map[string][]*entity{}}
	x.split()
	for pass := 0; pass < 2; pass++ {
		x.pos = 0
		for _, p := range x.people {
			p.lastPos = 0
		}
		for _, o := range x.orgs {
			o.lastPos = 0
		}
		for _, s := range x.sents {
			s.ments = nil
		}
		for _, s := range x.sents {
			x.findMentions(s)
			x.resolveMentions(s)
			for _, m := range s.ments {
				x.pos++
				if m.ent != nil {
					m.ent.lastPos = x.pos
				}
			}
		}
	}
	x.findDateline()
	x.anchorTimes()
	x.extractFacts()
	kinds := map[mKind]string{mCountry: "CTRY", mDemonym: "DEM", mCapital: "CAP", mCity: "CITY", mRegion: "REG", mOrg: "ORG", mPerson: "PER", mGroup: "GRP", mDoc: "DOC"}
	for _, s := range x.sents {
		fmt.Printf("[%d] %s\n", s.idx, s.text)
		var parts []string
		for _, m := range s.ments {
			p := fmt.Sprintf("%s(%s", kinds[m.kind], m.text)
			if m.name != "" && m.name != m.text {
				p += "=>" + m.name
			}
			if m.country != "" {
				p += "|" + m.country
			}
			if m.role != "" {
				p += "|role:" + m.role
			}
			if m.pronoun {
				p += "|pro"
			}
			if m.sub {
				p += "|sub"
			}
			p += fmt.Sprintf("|%d-%d/%d", m.start, m.end, m.roleStart)
			parts = append(parts, p+")")
		}
		fmt.Printf("    M: %s\n", strings.Join(parts, " "))
		for _, tx := range s.times {
			fmt.Printf("    T: %q kind=%d %s %s\n", joinText(s.text, s.toks[tx.start:tx.end]), tx.kind, tx.ref.Value, tx.ref.Note)
		}
	}
	fmt.Println("FACTS")
	for _, f := range x.facts {
		fmt.Printf("  %s [%s] %s | mod=%s | t=%s %s | place=%s | mode=%s\n", f.Kind, f.Status, f.Summary, f.Modality, f.Time.Text, f.Time.Value, f.Place, f.Mode)
	}
	_ = context.Background()
}
