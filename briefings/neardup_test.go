package briefings

import (
	"errors"
	"strings"
	"testing"
)

// The texts below are written for this test; they describe an invented meeting.

const dupBody = `The foreign ministers of Ghana and Togo met in Lomé on Tuesday to settle a dispute over trucks held at the Aflao border crossing, officials from both governments said.
Ghana's minister, Ama Mensah, told reporters after the three-hour session that both sides had agreed to reopen the crossing to freight within ten days, once customs officers finish checking the backlog of cargo.
Togo's foreign minister, Koffi Agbodjan, said the closure had cost traders in both countries several million dollars and that a joint committee would now review the rules that led to it.
The dispute began last month when Togolese customs began demanding a new transit fee that Ghanaian hauliers said they had never been told about.
Hundreds of lorries carrying cement, rice and fuel have been parked on the Ghanaian side since then, and drivers have complained of a lack of water and shelter.
The two ministers also discussed a plan for a shared electricity line along the coast, but said no decision had been taken on how it would be paid for.
A spokesperson for the Economic Community of West African States welcomed the talks and said the bloc was ready to help monitor the reopening.
The ministers are due to meet again in Accra in six weeks to review progress.`

const dupExtra = `Traders at the Aflao market said they would believe the promise only when the first lorries were moving again.`

const sameMeetingOther = `Togo and Ghana have agreed to end a weeks-long standoff at their busiest frontier post, after talks in the Togolese capital between the two countries' top diplomats.
Koffi Agbodjan, who leads Togo's foreign ministry, hosted his Ghanaian counterpart Ama Mensah for the meeting, which ran into the evening.
Under the deal, freight is expected to start crossing at Aflao again before the end of the month, though neither side gave a firm date.
Haulage unions in Accra had accused Lomé of imposing an unannounced levy on goods in transit, a charge Togolese officials denied.
Drivers stranded near the frontier described sleeping in their cabs for weeks while their cargo of building materials and food sat idle.
Regional diplomats said the quick settlement suggested both capitals were keen to avoid a wider trade row ahead of elections.
A further round of talks is planned in the Ghanaian capital.`

func TestNearDuplicate(t *testing.T) {
	original := NewSignature("Ghana and Togo agree to reopen Aflao border crossing\n" + dupBody)
	tests := []struct {
		name string
		text string
		want bool
	}{
		{
			name: "same article, new headline, added trailing paragraph",
			text: "Ministers end border row: trucks to roll again at Aflao\n" + dupBody + "\n" + dupExtra,
			want: true,
		},
		{
			name: "same article re-typeset: other line breaks, curly quotes, upper case",
			text: strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll("Ghana and Togo agree to reopen Aflao border crossing\n"+dupBody, "\n", "\n\n  "), "'", "’")),
			want: true,
		},
		{
			name: "same article with its last paragraph cut",
			text: "Ghana and Togo agree to reopen Aflao border crossing\n" + dupBody[:strings.LastIndex(dupBody, "\n")],
			want: true,
		},
		{
			name: "another article about the same meeting",
			text: "Togo, Ghana strike deal to end frontier standoff\n" + sameMeetingOther,
			want: false,
		},
		{
			name: "only the first paragraph of the article",
			text: dupBody[:strings.Index(dupBody, "\n")],
			want: false,
		},
		{
			name: "empty text",
			text: " \n\t ",
			want: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := NewSignature(tt.text)
			sim := Similarity(original, sig)
			t.Logf("similarity %.3f", sim)
			if got := IsNearDuplicate(original, sig); got != tt.want {
				t.Fatalf("IsNearDuplicate = %v (similarity %.3f, threshold %.2f), want %v", got, sim, NearDuplicateThreshold, tt.want)
			}
			if Similarity(sig, original) != sim {
				t.Errorf("Similarity is not symmetric")
			}
			// Candidate lookup: a near-duplicate must share a band key.
			if tt.want && !shareKey(original.BandKeys(), sig.BandKeys()) {
				t.Errorf("near-duplicate (similarity %.3f) shares no LSH band key", sim)
			}
		})
	}
}

func shareKey(a, b []string) bool {
	set := make(map[string]bool, len(a))
	for _, k := range a {
		set[k] = true
	}
	for _, k := range b {
		if set[k] {
			return true
		}
	}
	return false
}

func TestSignatureDeterministic(t *testing.T) {
	a := NewSignature(dupBody)
	b := NewSignature(dupBody)
	if a != b {
		t.Fatal("two signatures of one text differ")
	}
	if Similarity(a, b) != 1 {
		t.Fatalf("Similarity of a text with itself = %v, want 1", Similarity(a, b))
	}
	// Pin the scheme: a change of seeds or hashing must be deliberate
	// (bump signatureVersion), since stored signatures would stop matching.
	keys := a.BandKeys()
	if len(keys) != LSHBands {
		t.Fatalf("BandKeys() gave %d keys, want %d", len(keys), LSHBands)
	}
	const wantFirstKey = "00-"
	if !strings.HasPrefix(keys[0], wantFirstKey) || len(keys[0]) != 19 {
		t.Errorf("BandKeys()[0] = %q, want the form 00-<16 hex digits>", keys[0])
	}
	if NewSignature("one two three four five six") != NewSignature("One, two; three — four: five six!") {
		t.Errorf("punctuation and case changed the signature")
	}
}

func TestSignatureEmpty(t *testing.T) {
	for _, text := range []string{"", "   ", "— … !"} {
		s := NewSignature(text)
		if !s.IsEmpty() {
			t.Errorf("NewSignature(%q) is not empty", text)
		}
		if Similarity(s, s) != 0 {
			t.Errorf("an empty signature is similar to itself")
		}
		if keys := s.BandKeys(); keys != nil {
			t.Errorf("empty signature has band keys %v", keys)
		}
	}
	short := NewSignature("Talks resume")
	if short.IsEmpty() || Similarity(short, NewSignature("talks RESUME.")) != 1 {
		t.Errorf("a text shorter than one shingle is not matched with its copy")
	}
}

func TestSignatureBinary(t *testing.T) {
	s := NewSignature(dupBody)
	data, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var back Signature
	if err := back.UnmarshalBinary(data); err != nil {
		t.Fatal(err)
	}
	if back != s {
		t.Fatal("signature changed in a binary round trip")
	}
	for _, bad := range [][]byte{nil, data[:10], append([]byte{9}, data[1:]...)} {
		if err := back.UnmarshalBinary(bad); !errors.Is(err, ErrSignatureFormat) {
			t.Errorf("UnmarshalBinary(%d bytes) = %v, want ErrSignatureFormat", len(bad), err)
		}
	}
}

func BenchmarkNewSignature(b *testing.B) {
	text := strings.Repeat(dupBody+"\n", 4) // about 1,300 words, a long article
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		NewSignature(text)
	}
}
