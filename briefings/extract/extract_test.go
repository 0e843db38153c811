package extract_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/briefings/extract"
)

// want describes a fact an article must yield: its kind, status or stage,
// the keys of its actors and counterparts (people by surname, bodies and
// countries by canonical name), and the resolved time.
type want struct {
	kind    briefings.FactKind
	status  string
	actors  []string
	counter []string
	time    string
	mode    string
	// subject, when set, must be part of the fact's subject.
	subject string
}

func (w want) String() string {
	return string(w.kind) + " [" + w.status + "] " + strings.Join(w.actors, "+") + " / " + strings.Join(w.counter, "+") + " @" + w.time
}

func keys(ps []briefings.Party) []string {
	var out []string
	for _, p := range ps {
		switch p.Kind {
		case briefings.EntityPerson:
			f := strings.Fields(p.Name)
			out = append(out, strings.TrimSuffix(f[len(f)-1], ","))
		case briefings.EntityCountry, briefings.EntityOrganization:
			out = append(out, p.Name)
		default:
			if p.Country != "" {
				out = append(out, p.Country)
			} else {
				out = append(out, p.Name)
			}
		}
	}
	return out
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func matches(f briefings.Fact, w want) bool {
	if f.Kind != w.kind || (w.status != "" && f.Status != w.status) {
		return false
	}
	if w.time != "" && f.Time.Value != w.time {
		return false
	}
	if w.mode != "" && f.Mode != w.mode {
		return false
	}
	if w.subject != "" && !strings.Contains(f.Subject, w.subject) {
		return false
	}
	all := keys(f.Parties())
	if f.Kind == briefings.FactMeeting {
		return hasAll(all, append(append([]string(nil), w.actors...), w.counter...))
	}
	return hasAll(keys(f.Actors), w.actors) && hasAll(keys(f.Counterparts), w.counter)
}

func readArticle(t *testing.T, name string) briefings.Article {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "articles", name))
	if err != nil {
		t.Fatal(err)
	}
	a, err := briefings.ParseArticle(name, data)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// The articles under testdata/articles were written for these tests; each
// exercises phenomena of the genre that the development corpus does not
// spell the same way.
func TestArticles(t *testing.T) {
	tests := []struct {
		file string
		want []want
		// not lists facts that must not be asserted.
		not []want
	}{
		{"kenya-somalia-pact.txt",
			[]want{
				{kind: briefings.FactMeeting, actors: []string{"Ruto", "Mohamud"}, time: "2025-03-13", mode: briefings.ModeInPerson},
				{kind: briefings.FactAgreement, status: briefings.AgreementSigned, actors: []string{"Ruto"}, counter: []string{"Mohamud"}, time: "2025-03-13"},
				{kind: briefings.FactMeeting, actors: []string{"Fiqi", "Mudavadi"}, time: "2025-W11", mode: briefings.ModePhone},
			},
			[]want{{kind: briefings.FactAgreement, status: briefings.AgreementEffective}},
		},
		{"germany-mali-announce.txt",
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StagePlanned, actors: []string{"Germany"}, counter: []string{"Mali"}, time: "2025-04-30"}},
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StageCompleted}, {kind: briefings.FactDeployment}},
		},
		{"germany-mali-underway.txt",
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StageUnderWay, actors: []string{"Germany"}, counter: []string{"Mali"}, time: "2025-07-07"}},
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StageCompleted}},
		},
		{"sudan-no-truce.txt",
			[]want{{kind: briefings.FactThreat, actors: []string{"Rapid Support Forces"}, counter: []string{"Sudan"}}},
			[]want{{kind: briefings.FactAgreement}, {kind: briefings.FactWithdrawal}, {kind: briefings.FactMeeting}},
		},
		{"burkina-expels-diplomats.txt",
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StageDemanded, actors: []string{"France"}, counter: []string{"Burkina Faso"}, time: "2024-04-16"}},
			nil,
		},
		{"lammy-kyiv.txt",
			[]want{{kind: briefings.FactMeeting, actors: []string{"Lammy", "Zelensky"}, time: "2024-11-22", mode: briefings.ModeInPerson}},
			nil,
		},
		{"armenia-azerbaijan-brussels.txt",
			[]want{
				{kind: briefings.FactMeeting, actors: []string{"Michel", "Pashinyan", "Aliyev"}, time: "2023-05-14", mode: briefings.ModeInPerson},
				// "The two leaders agreed": the guests of the meeting two
				// sentences before, not its host; dated by the talks, not
				// by the next meeting they agreed on.
				{kind: briefings.FactAgreement, status: briefings.AgreementAgreed, actors: []string{"Pashinyan"}, counter: []string{"Aliyev"}, time: "2023-05-14", subject: "border delimitation"},
				{kind: briefings.FactAgreement, status: briefings.AgreementSigned, actors: []string{"Azerbaijan"}, counter: []string{"Armenia"}, time: "2022"},
				// "demanded that Armenia withdraw its forces from
				// Nagorno-Karabakh": its forces are Armenia's, and the place
				// is one the gazetteer does not know.
				{kind: briefings.FactWithdrawal, status: briefings.StageDemanded, actors: []string{"Armenia"}, counter: []string{"Nagorno-Karabakh"}},
			},
			[]want{
				{kind: briefings.FactAgreement, time: "2023-06"},
				{kind: briefings.FactAgreement, actors: []string{"Michel"}},
				{kind: briefings.FactWithdrawal, counter: []string{"Armenia"}},
			},
		},
		{"us-philippines-bases.txt",
			[]want{
				{kind: briefings.FactAgreement, status: briefings.AgreementSigned, actors: []string{"United States"}, counter: []string{"Philippines"}, time: "2024-07-30", subject: "to expand American access"},
				// "The two countries also agreed": countries, not the
				// officials of the meeting before.
				{kind: briefings.FactAgreement, status: briefings.AgreementAgreed, actors: []string{"United States"}, counter: []string{"Philippines"}, subject: "joint patrols"},
			},
			[]want{
				// A warning about what the deal would do is not a threat.
				{kind: briefings.FactThreat},
				{kind: briefings.FactAgreement, time: "2025"},
				{kind: briefings.FactAgreement, actors: []string{"Blinken"}},
			},
		},
		{"antalya-foreign-ministers.txt",
			[]want{
				// "received his Russian counterpart Sergei Lavrov and
				// Ukraine's Foreign Minister Dmytro Kuleba in Antalya", dated
				// and placed by an all-capitals dateline.
				{kind: briefings.FactMeeting, actors: []string{"Cavusoglu", "Lavrov", "Kuleba"}, time: "2022-03-10", mode: briefings.ModeInPerson},
				{kind: briefings.FactMeeting, actors: []string{"Cavusoglu", "Guterres"}, mode: briefings.ModePhone},
			},
			[]want{{kind: briefings.FactAgreement}},
		},
		{"new-start-suspended.txt",
			[]want{{kind: briefings.FactAgreement, status: briefings.AgreementSuspended, actors: []string{"Russia"}, counter: []string{"United States"}, time: "2023-02-21", subject: "New START"}},
			[]want{{kind: briefings.FactMeeting}, {kind: briefings.FactThreat}},
		},
		{"sudan-jeddah-truce.txt",
			[]want{
				{kind: briefings.FactAgreement, status: briefings.AgreementSigned, actors: []string{"Sudan"}, counter: []string{"Rapid Support Forces"}, time: "2023-05-20"},
				{kind: briefings.FactThreat, actors: []string{"al-Burhan"}, counter: []string{"Rapid Support Forces"}},
				// "RSF commander Mohamed Hamdan Dagalo said his forces would
				// abide": the commander speaks, not his forces.
				{kind: briefings.FactStatement, actors: []string{"Dagalo"}},
			},
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StageCompleted}},
		},
		{"france-mali-pullout.txt",
			[]want{
				{kind: briefings.FactWithdrawal, status: briefings.StageDemanded, actors: []string{"France"}, counter: []string{"Mali"}, time: "2022-01-31"},
				// "France and its European allies announced ... that they
				// would withdraw": both.
				{kind: briefings.FactWithdrawal, status: briefings.StagePlanned, actors: []string{"France"}, counter: []string{"Mali"}, time: "2022-02-17"},
				{kind: briefings.FactWithdrawal, status: briefings.StageCompleted, actors: []string{"France"}, counter: []string{"Mali"}, time: "2022-08"},
			},
			nil,
		},
		{"iraq-coalition-end.txt",
			[]want{
				// "agreed that the US-led coalition's military mission in Iraq
				// will end by September 2025".
				{kind: briefings.FactWithdrawal, status: briefings.StageAgreed, actors: []string{"United States"}, counter: []string{"Iraq"}},
				{kind: briefings.FactAgreement, status: briefings.AgreementAgreed, actors: []string{"Iraq"}, counter: []string{"United States"}, time: "2024-09-27"},
				{kind: briefings.FactMeeting, actors: []string{"al-Sudani", "Biden"}, time: "2024-04"},
			},
			[]want{{kind: briefings.FactWithdrawal, status: briefings.StageCompleted}},
		},
		{"germany-niger-pullout.txt",
			[]want{
				{kind: briefings.FactWithdrawal, status: briefings.StageUnderWay, actors: []string{"Germany"}, counter: []string{"Niger"}, time: "2024-07-08"},
				// "visited Niamey in December and held talks with his
				// Nigerien counterpart, General Salifou Mody".
				{kind: briefings.FactMeeting, actors: []string{"Pistorius", "Mody"}, time: "2023-12"},
				// "ordered French troops out of the country".
				{kind: briefings.FactWithdrawal, status: briefings.StageDemanded, actors: []string{"France"}, counter: []string{"Niger"}, time: "2023"},
			},
			[]want{{kind: briefings.FactMeeting, actors: []string{"Niger"}}},
		},
		{"blinken-wang-vientiane.txt",
			[]want{
				{kind: briefings.FactMeeting, actors: []string{"Blinken", "Yi"}, time: "2024-07-26", mode: briefings.ModeInPerson},
				// "The two sides discussed Taiwan ... and agreed": the two
				// sides, not Taiwan.
				{kind: briefings.FactAgreement, status: briefings.AgreementAgreed, actors: []string{"Blinken"}, counter: []string{"Yi"}, subject: "lines of communication"},
				{kind: briefings.FactMeeting, actors: []string{"Blinken", "Manalo"}, time: "2024-W30", mode: briefings.ModeVideo},
			},
			[]want{{kind: briefings.FactAgreement, actors: []string{"Taiwan"}}},
		},
		{"gabon-coup.txt",
			[]want{{kind: briefings.FactCoup, actors: []string{"Gabon"}, time: "2023-08-30"}},
			[]want{{kind: briefings.FactMeeting}},
		},
	}
	x := extract.New()
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			a := readArticle(t, tt.file)
			f, err := x.Extract(context.Background(), a)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				found := false
				for _, fact := range f.Facts {
					if fact.IsAsserted() && matches(fact, w) {
						found = true
						if fact.Evidence.Text == "" || !strings.Contains(a.Text, fact.Evidence.Text) {
							t.Errorf("%s: evidence %q is not a sentence of the article", w, fact.Evidence.Text)
						}
					}
				}
				if !found {
					t.Errorf("missing %s", w)
				}
			}
			for _, w := range tt.not {
				for _, fact := range f.Facts {
					if fact.IsAsserted() && matches(fact, w) {
						t.Errorf("asserted %s (%s)", w, fact.Summary)
					}
				}
			}
			if t.Failed() {
				for _, fact := range f.Facts {
					t.Logf("  %s [%s] %s t=%s mod=%s", fact.Kind, fact.Status, fact.Summary, fact.Time.Value, fact.Modality)
				}
			}
		})
	}
}

func TestRolesAndAliases(t *testing.T) {
	a := briefings.Article{
		Published: time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC),
		Text: "Niger’s Prime Minister Ali Lamine Zeine met US Deputy Secretary of State Kurt Campbell on Friday.\n" +
			"Campbell said the U.S. would keep its embassy. American officials agreed. Washington said it was satisfied.",
	}
	f, err := extract.New().Extract(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]briefings.Entity{}
	for _, e := range f.Entities {
		byName[e.Name] = e
	}
	zeine, ok := byName["Ali Lamine Zeine"]
	if !ok {
		t.Fatalf("no entity Ali Lamine Zeine in %v", f.Entities)
	}
	if len(zeine.Roles) == 0 || zeine.Roles[0].Title != "Prime Minister" || zeine.Country != "Niger" {
		t.Errorf("Zeine: roles %v country %q, want Prime Minister of Niger", zeine.Roles, zeine.Country)
	}
	campbell := byName["Kurt Campbell"]
	if campbell.Country != "United States" || !contains(campbell.Aliases, "Campbell") {
		t.Errorf("Campbell: country %q aliases %v", campbell.Country, campbell.Aliases)
	}
	us := byName["United States"]
	for _, alias := range []string{"US", "U.S.", "American", "Washington"} {
		if !contains(us.Aliases, alias) {
			t.Errorf("United States lacks alias %q: %v", alias, us.Aliases)
		}
	}
}

// TestMeetingRoles checks the titles a meeting gives its participants: a
// counterpart holds the host's title, particles stay in names.
func TestMeetingRoles(t *testing.T) {
	tests := []struct {
		file string
		want []string // "Name (role, country)" as a meeting party
	}{
		{"antalya-foreign-ministers.txt", []string{"Mevlut Cavusoglu (Foreign Minister, Turkey)", "Sergei Lavrov (Foreign Minister, Russia)", "Dmytro Kuleba (Foreign Minister, Ukraine)"}},
	}
	for _, tt := range tests {
		a := readArticle(t, tt.file)
		f, err := extract.New().Extract(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, fact := range f.Facts {
			if fact.Kind != briefings.FactMeeting {
				continue
			}
			for _, p := range fact.Parties() {
				got = append(got, fmt.Sprintf("%s (%s, %s)", p.Name, p.Role, p.Country))
			}
		}
		for _, w := range tt.want {
			if !contains(got, w) {
				t.Errorf("%s: no meeting party %q in %q", tt.file, w, got)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestNegationAndModality(t *testing.T) {
	pub := time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		text string
		// bad must not be asserted.
		bad want
		// keep, when set, must be found with the given modality.
		keep     *want
		modality briefings.Modality
	}{
		{text: "The decision did not directly order the French military to leave Mali.",
			bad: want{kind: briefings.FactWithdrawal, actors: []string{"France"}, counter: []string{"Mali"}}},
		{text: "Mali refused to meet the envoy. Her request to meet President Goita was not granted.",
			bad: want{kind: briefings.FactMeeting}},
		{text: "Rwandan officials threatened to annul the defence pact with Burundi last week.",
			bad:      want{kind: briefings.FactAgreement, status: briefings.AgreementTerminated},
			keep:     &want{kind: briefings.FactAgreement, status: briefings.AgreementThreatened, actors: []string{"Rwanda"}},
			modality: briefings.Threatened},
		{text: "Italian troops are expected to leave Niger within a year.",
			bad:      want{kind: briefings.FactWithdrawal, status: briefings.StageCompleted},
			keep:     &want{kind: briefings.FactWithdrawal, status: briefings.StagePlanned, actors: []string{"Italy"}, counter: []string{"Niger"}},
			modality: briefings.Hedged},
		{text: "Officials said US forces would need to vacate the base in Agadez.",
			bad:      want{kind: briefings.FactWithdrawal, actors: []string{"United States"}},
			keep:     &want{kind: briefings.FactWithdrawal, actors: []string{"United States"}, counter: []string{"Niger"}},
			modality: briefings.Implied},
		{text: "German soldiers would not stay in Mali if the cost were too high, the minister said.",
			bad: want{kind: briefings.FactWithdrawal, actors: []string{"Germany"}}},
		{text: "The two sides are to meet next week in Addis Ababa.",
			bad: want{kind: briefings.FactMeeting}},
	}
	x := extract.New()
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			f, err := x.Extract(context.Background(), briefings.Article{Text: tt.text, Published: pub})
			if err != nil {
				t.Fatal(err)
			}
			for _, fact := range f.Facts {
				if fact.IsAsserted() && matches(fact, tt.bad) {
					t.Errorf("asserted %s: %s", tt.bad, fact.Summary)
				}
			}
			if tt.keep != nil {
				found := false
				for _, fact := range f.Facts {
					if matches(fact, *tt.keep) && fact.Modality == tt.modality {
						found = true
					}
				}
				if !found {
					t.Errorf("missing %s with modality %q", *tt.keep, tt.modality)
					for _, fact := range f.Facts {
						t.Logf("  %s [%s] %s mod=%s", fact.Kind, fact.Status, fact.Summary, fact.Modality)
					}
				}
			}
		})
	}
}

// Facts about one process from two articles merge into one status whose
// stage is the latest dated evidence, with the history kept.
func TestStatusAcrossArticles(t *testing.T) {
	x := extract.New()
	var events []briefings.StatusEvent
	key, topic := "", ""
	for _, name := range []string{"germany-mali-underway.txt", "germany-mali-announce.txt"} {
		a := readArticle(t, name)
		f, err := x.Extract(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		for _, fact := range f.Facts {
			if !briefings.TracksStatus(fact) || fact.Kind != briefings.FactWithdrawal {
				continue
			}
			k := briefings.StatusKey(fact)
			if key == "" {
				key, topic = k, briefings.StatusTopic(fact)
			}
			if k != key {
				t.Errorf("one process, two keys: %q and %q", key, k)
			}
			events = append(events, briefings.StatusEvent{Key: k, Stage: fact.Status, Time: fact.Time, FactID: fact.ID, ArticleID: a.ID, Modality: fact.Modality, Published: a.Published})
		}
	}
	st := briefings.MergeStatus(key, briefings.FactWithdrawal, topic, "", "", events)
	if st.Stage != briefings.StageUnderWay || st.AsOf.Value != "2025-07-07" {
		t.Errorf("stage %q as of %q, want under way as of 2025-07-07", st.Stage, st.AsOf.Value)
	}
	if len(st.History) < 2 || st.History[0].Stage != briefings.StagePlanned || st.History[0].Time.Value != "2025-04-30" {
		t.Errorf("history %+v, want planned 2025-04-30 first", st.History)
	}
	if topic != "Germany military withdrawal from Mali" {
		t.Errorf("topic %q", topic)
	}
}

func TestBadInput(t *testing.T) {
	x := extract.New()
	tests := map[string]string{
		"empty":          "",
		"spaces":         "   \n\n  ",
		"no sentences":   "!!! ??? ... ,,,",
		"one word":       "Niger",
		"numbers":        strings.Repeat("12,345 ", 500),
		"long word":      strings.Repeat("a", 100000),
		"unclosed quote": "“He said they met on Friday",
		"odd dates":      "They met on 31/02/2024, on Smarch 40 and in the year 20245.",
		"control chars":  "Niger\x01 met\x02 France\x7f on Friday.",
	}
	for name, text := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := x.Extract(context.Background(), briefings.Article{Text: text, Published: time.Now()}); err != nil {
				t.Errorf("error on odd input: %v", err)
			}
		})
	}
	big := briefings.Article{Text: strings.Repeat("x", briefings.MaxArticleBytes+1)}
	if _, err := x.Extract(context.Background(), big); err == nil || briefings.ErrorCode(err) != briefings.CodeInvalid {
		t.Errorf("oversized text: got %v, want an invalid-input error", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := x.Extract(ctx, briefings.Article{Text: "They met on Friday."}); err == nil {
		t.Error("a cancelled context must stop the extraction")
	}
}
