package extract

import (
	"strings"
	"testing"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"abbreviations", "The U.S. envoy met Gen. Ahmed on Jan. 5 in Doha. He left on Friday.",
			[]string{"The U.S. envoy met Gen. Ahmed on Jan. 5 in Doha.", "He left on Friday."}},
		{"initials", "Secretary of State Antony J. Blinken met Lavrov. They talked.",
			[]string{"Secretary of State Antony J. Blinken met Lavrov.", "They talked."}},
		{"quotes", `“We will leave,” the minister said. “It is over.” Talks ended.`,
			[]string{`“We will leave,” the minister said.`, `“It is over.”`, "Talks ended."}},
		{"curly apostrophe", "Niger’s Prime Minister spoke. The U.S. listened.",
			[]string{"Niger’s Prime Minister spoke.", "The U.S. listened."}},
		{"u.s. at the end", "The troops returned to the U.S. The base closed.",
			[]string{"The troops returned to the U.S.", "The base closed."}},
		{"ellipsis inside", `They will leave within 14 months... and withdraw all forces. Then peace.`,
			[]string{"They will leave within 14 months... and withdraw all forces.", "Then peace."}},
		{"no terminal period", "Relations are breaking down", []string{"Relations are breaking down"}},
		{"numbers", "It cut troops to 8,600 in 2020. Costs rose 3.5 percent.",
			[]string{"It cut troops to 8,600 in 2020.", "Costs rose 3.5 percent."}},
		{"jr", "President Joseph R. Biden, Jr. spoke today. Ghani listened.",
			[]string{"President Joseph R. Biden, Jr. spoke today.", "Ghani listened."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range splitSentences(tt.in) {
				got = append(got, strings.TrimSpace(tt.in[r[0]:r[1]]))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("split\n got %q\nwant %q", got, tt.want)
			}
			// Evidence keeps the article's exact characters.
			for _, s := range got {
				if !strings.Contains(tt.in, s) {
					t.Errorf("sentence %q is not a substring of the text", s)
				}
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	toks := tokenize("Niger’s N’Djamena d’Aquin U.S. 8,600 9:45 Jean-Yves al-Burhan “quoted”")
	var got []string
	for _, tk := range toks {
		got = append(got, tk.text)
	}
	want := []string{"Niger", "’s", "N’Djamena", "d’Aquin", "U.S.", "8,600", "9:45", "Jean-Yves", "al-Burhan", "“", "quoted", "”"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("tokens\n got %q\nwant %q", got, want)
	}
	if !toks[10].quoted || toks[0].quoted {
		t.Errorf("quotation marks not tracked: %+v", toks)
	}
}
