package storetest

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/briefbot/briefbot/briefings"
)

// The suite's world is invented: three countries (Valdoria, Karesh,
// Ostmark), a few officials and one assembly. Texts are short and written
// for the tests.

// day returns midnight UTC of an ISO date.
func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(fmt.Sprintf("storetest: bad date %q", s))
	}
	return t
}

// at returns a UTC time from RFC 3339.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(fmt.Sprintf("storetest: bad time %q", s))
	}
	return t.UTC()
}

// dayRef is a time expression resolved to one day.
func dayRef(text, date string, sentence int) briefings.TimeRef {
	d := day(date)
	return briefings.TimeRef{Text: text, Value: date, Precision: briefings.PrecisionDay, Start: d, End: d, Sentence: sentence}
}

func country(name string) briefings.Party {
	return briefings.Party{Name: name, Kind: briefings.EntityCountry, Entity: "country:" + strings.ToLower(name)}
}

func person(name, role, countryName, entity string) briefings.Party {
	return briefings.Party{Name: name, Kind: briefings.EntityPerson, Role: role, Country: countryName, Entity: entity}
}

// sentences splits text into one sentence per line (the suite writes one
// sentence per line).
func sentences(text string) []briefings.Sentence {
	var out []briefings.Sentence
	for i, line := range strings.Split(text, "\n") {
		out = append(out, briefings.Sentence{Index: i, Text: line})
	}
	return out
}

func evidence(text string, i int) briefings.Evidence {
	return briefings.Evidence{Sentence: i, Text: strings.Split(text, "\n")[i]}
}

// fixture is one article with its extraction.
type fixture struct {
	Article briefings.Article
	Facts   briefings.Facts
}

// withID returns the fixture's article with the id and hash a store derives.
func (f fixture) id() string { return briefings.ArticleID(briefings.ContentHash(f.Article.Text)) }

const text1 = `Port Selva, March 1: Valdoria's foreign minister Ana Ribeiro met Karesh defence minister Tomas Ekberg on Thursday.
Karesh demanded that Valdorian troops leave its territory by the summer.
Ribeiro said the talks were frank and would continue.`

// article1: a meeting, a withdrawal demanded, a statement (undated, so it
// takes the publication date).
func article1() fixture {
	a := briefings.Article{Title: "Valdoria and Karesh talk in Port Selva", Source: "test-wire", URL: "https://example.test/a1",
		Published: day("2024-03-01"), Ingested: at("2024-03-01T12:00:00Z"), Text: text1, Story: "valdoria-karesh"}
	ribeiro := person("Ana Ribeiro", "Foreign Minister", "Valdoria", "person:ana-ribeiro")
	ekberg := person("Tomas Ekberg", "Defence Minister", "Karesh", "person:tomas-ekberg")
	return fixture{Article: a, Facts: briefings.Facts{
		Sentences: sentences(text1),
		Entities: []briefings.Entity{
			{ID: "person:ana-ribeiro", Name: "Ana Ribeiro", Kind: briefings.EntityPerson, Aliases: []string{"Ribeiro"},
				Roles: []briefings.Role{{Title: "Foreign Minister", Affiliation: "Valdoria"}}, Country: "Valdoria", Mentions: 2},
			{ID: "person:tomas-ekberg", Name: "Tomas Ekberg", Kind: briefings.EntityPerson, Aliases: []string{"Ekberg"},
				Roles: []briefings.Role{{Title: "Defence Minister", Affiliation: "Karesh"}}, Country: "Karesh", Mentions: 1},
			{ID: "country:valdoria", Name: "Valdoria", Kind: briefings.EntityCountry, Aliases: []string{"Valdorian"}, Mentions: 2},
			{ID: "country:karesh", Name: "Karesh", Kind: briefings.EntityCountry, Mentions: 2},
		},
		Facts: []briefings.Fact{
			{Kind: briefings.FactMeeting, Actors: []briefings.Party{ribeiro}, Counterparts: []briefings.Party{ekberg},
				Place: "Port Selva", Time: dayRef("on Thursday", "2024-02-29", 0), Mode: briefings.ModeInPerson,
				Summary: "Ana Ribeiro met Tomas Ekberg in Port Selva", Evidence: evidence(text1, 0),
				Mentions: []string{"Ana Ribeiro", "Tomas Ekberg", "Valdoria", "Karesh"}, Confidence: 0.9},
			{Kind: briefings.FactWithdrawal, Actors: []briefings.Party{country("Valdoria")}, Counterparts: []briefings.Party{country("Karesh")},
				Time: dayRef("March 1", "2024-03-01", 1), Status: briefings.StageDemanded, Force: "military",
				Summary: "Karesh demanded the withdrawal of Valdorian troops", Evidence: evidence(text1, 1),
				Mentions: []string{"Karesh", "Valdoria"}, Confidence: 0.8},
			{Kind: briefings.FactStatement, Actors: []briefings.Party{ribeiro}, Subject: "the talks",
				Summary: "Ribeiro called the talks frank", Evidence: evidence(text1, 2),
				Mentions: []string{"Ana Ribeiro"}, Confidence: 0.7},
		},
	}}
}

const text2 = `Valdoria agreed on Tuesday to withdraw its troops from Karesh, Minister Ribeiro announced.
Envoy Zoë Marchand of Ostmark welcomed the decision.
The Northern Assembly will monitor the pullout.`

// article2: the withdrawal agreed (a later stage of article1's), a statement
// by a person with an accented name, a hedged deployment.
func article2() fixture {
	a := briefings.Article{Title: "Valdoria agrees to leave Karesh", Source: "test-wire", URL: "https://example.test/a2",
		Published: day("2024-04-10"), Ingested: at("2024-04-10T12:00:00Z"), Text: text2, Story: "valdoria-karesh"}
	marchand := person("Zoë Marchand", "Envoy", "Ostmark", "person:zoe-marchand")
	assembly := briefings.Party{Name: "Northern Assembly", Kind: briefings.EntityOrganization, Entity: "organization:northern-assembly"}
	return fixture{Article: a, Facts: briefings.Facts{
		Sentences: sentences(text2),
		Entities: []briefings.Entity{
			{ID: "person:ana-ribeiro", Name: "Ana Ribeiro", Kind: briefings.EntityPerson, Aliases: []string{"Minister Ribeiro", "ribeiro"},
				Roles: []briefings.Role{{Title: "Foreign Minister", Affiliation: "Valdoria"}, {Title: "Chief Negotiator", Affiliation: "Valdoria"}}, Mentions: 1},
			{ID: "person:zoe-marchand", Name: "Zoë Marchand", Kind: briefings.EntityPerson, Aliases: []string{"Marchand"},
				Roles: []briefings.Role{{Title: "Envoy", Affiliation: "Ostmark"}}, Country: "Ostmark", Mentions: 1},
			{ID: "country:valdoria", Name: "Valdoria", Kind: briefings.EntityCountry, Mentions: 1},
			{ID: "country:karesh", Name: "Karesh", Kind: briefings.EntityCountry, Mentions: 1},
			{ID: "country:ostmark", Name: "Ostmark", Kind: briefings.EntityCountry, Mentions: 1},
			{ID: "organization:northern-assembly", Name: "Northern Assembly", Kind: briefings.EntityOrganization, Mentions: 1},
		},
		Facts: []briefings.Fact{
			{Kind: briefings.FactWithdrawal, Actors: []briefings.Party{country("Valdoria")}, Counterparts: []briefings.Party{country("Karesh")},
				Time: dayRef("on Tuesday", "2024-04-09", 0), Status: briefings.StageAgreed, Force: "military",
				Summary: "Valdoria agreed to withdraw its troops from Karesh", Evidence: evidence(text2, 0),
				Mentions: []string{"Valdoria", "Karesh", "Ana Ribeiro"}, Confidence: 0.9},
			{Kind: briefings.FactStatement, Actors: []briefings.Party{marchand}, Subject: "the decision",
				Summary: "Zoë Marchand welcomed the decision", Evidence: evidence(text2, 1),
				Mentions: []string{"Zoë Marchand", "Ostmark"}, Confidence: 0.7},
			{Kind: briefings.FactDeployment, Actors: []briefings.Party{assembly}, Counterparts: []briefings.Party{country("Karesh")},
				Modality: briefings.Intended, Subject: "monitoring the pullout",
				Summary: "The Northern Assembly will monitor the pullout", Evidence: evidence(text2, 2),
				Mentions: []string{"Northern Assembly"}, Confidence: 0.6},
		},
	}}
}

const text3 = `Karesh and Ostmark signed a trade pact recently, officials said.`

// article3: no publication date and no story; an agreement whose time is
// unresolved, so the fact sorts last.
func article3() fixture {
	a := briefings.Article{Title: "Trade pact", Source: "notes.txt", Ingested: at("2024-04-11T08:00:00Z"), Text: text3}
	return fixture{Article: a, Facts: briefings.Facts{
		Sentences: sentences(text3),
		Entities: []briefings.Entity{
			{ID: "country:karesh", Name: "Karesh", Kind: briefings.EntityCountry, Mentions: 1},
			{ID: "country:ostmark", Name: "Ostmark", Kind: briefings.EntityCountry, Aliases: []string{"Ostmarkian"}, Mentions: 1},
		},
		Facts: []briefings.Fact{
			{Kind: briefings.FactAgreement, Actors: []briefings.Party{country("Karesh")}, Counterparts: []briefings.Party{country("Ostmark")},
				Time:   briefings.TimeRef{Text: "recently", Precision: briefings.PrecisionUnknown, Note: "no publication date"},
				Status: briefings.AgreementSigned, Subject: "a trade pact",
				Summary: "Karesh and Ostmark signed a trade pact", Evidence: evidence(text3, 0),
				Mentions: []string{"Karesh", "Ostmark"}, Confidence: 0.8},
		},
	}}
}

// fullFactJSON sets every field of a Fact (the round-trip test checks that
// none is left empty, so a field added to Fact later must be added here
// too). It is JSON, so that it names fields by their wire names and still
// compiles while a new field is being added to briefings.Fact.
const fullFactJSON = `{
	"id": "full-1",
	"article_id": "ARTICLE",
	"kind": "withdrawal",
	"actors": [
		{"name": "Valdoria", "kind": "country", "role": "government", "country": "Valdoria", "entity": "country:valdoria"},
		{"name": "Ana Ribeiro", "kind": "person", "role": "Foreign Minister", "country": "Valdoria", "entity": "person:ana-ribeiro"}
	],
	"counterparts": [{"name": "Karesh", "kind": "country", "entity": "country:karesh"}],
	"place": "Port Selva",
	"time": {"text": "next month", "value": "2024-05", "precision": "month", "start": "2024-05-01T00:00:00Z",
		"end": "2024-05-31T00:00:00Z", "sentence": 1, "note": "relative to publication"},
	"deadline": {"text": "within a year", "value": "P1Y", "precision": "duration", "sentence": 1, "note": "a duration, not a date"},
	"status": "planned",
	"mode": "unspecified",
	"force": "military",
	"scope": "partial",
	"subject": "the garrison at Port Selva",
	"condition": "in return for border guarantees",
	"attribution": "officials in Port Selva",
	"modality": "hedged",
	"summary": "Valdoria is expected to pull part of its garrison out of Karesh next month",
	"evidence": {"article_id": "ARTICLE", "sentence": 1, "text": "Valdoria is expected to pull part of its garrison out next month."},
	"support": [{"article_id": "ARTICLE", "sentence": 2, "text": "Officials said the move depends on border guarantees."}],
	"notes": ["the second pullout this year", "numbers not given"],
	"mentions": ["Valdoria", "Karesh", "Ana Ribeiro"],
	"confidence": 0.75
}`

// fullFact returns the fact of fullFactJSON for an article.
func fullFact(articleID string) briefings.Fact {
	var f briefings.Fact
	if err := json.Unmarshal([]byte(strings.ReplaceAll(fullFactJSON, "ARTICLE", articleID)), &f); err != nil {
		panic("storetest: bad full fact: " + err.Error())
	}
	return f
}

const fullText = `Port Selva, May 2: Talks continued.
Valdoria is expected to pull part of its garrison out next month.
Officials said the move depends on border guarantees.`

func fullArticle() fixture {
	a := briefings.Article{Title: "Garrison pullout", Source: "test-wire", URL: "https://example.test/full",
		Published: day("2024-04-20"), Ingested: at("2024-04-20T09:30:00.123456Z"), Text: fullText, Story: "garrison"}
	id := briefings.ArticleID(briefings.ContentHash(fullText))
	return fixture{Article: a, Facts: briefings.Facts{ArticleID: id, Sentences: sentences(fullText), Facts: []briefings.Fact{fullFact(id)}}}
}

// numbered returns a small distinct article; all of them share the
// Valdoria entity and one withdrawal process, for the concurrency test.
func numbered(worker, i int) fixture {
	text := fmt.Sprintf("Dispatch %d from desk %d: Valdoria moved troops out of Karesh on day %d.\nCrews counted %d convoys.", i, worker, i, worker*100+i)
	d := day("2024-01-01").AddDate(0, 0, worker*40+i)
	date := d.Format("2006-01-02")
	return fixture{Article: briefings.Article{Title: fmt.Sprintf("Dispatch %d/%d", worker, i), Source: "desk", Published: d, Text: text},
		Facts: briefings.Facts{
			Sentences: sentences(text),
			Entities:  []briefings.Entity{{ID: "country:valdoria", Name: "Valdoria", Kind: briefings.EntityCountry, Aliases: []string{fmt.Sprintf("Desk%d", worker)}, Mentions: 1}},
			Facts: []briefings.Fact{{Kind: briefings.FactWithdrawal, Actors: []briefings.Party{country("Valdoria")}, Counterparts: []briefings.Party{country("Karesh")},
				Time: dayRef("on day", date, 0), Status: briefings.StageUnderWay, Force: "military",
				Summary: "Valdoria moved troops out of Karesh", Evidence: evidence(text, 0), Confidence: 0.8},
				{Kind: briefings.FactStatement, Actors: []briefings.Party{country("Valdoria")}, Summary: "Convoys counted",
					Evidence: evidence(text, 1), Confidence: 0.5}},
		}}
}

// wireStory is an eight-paragraph wire report; wireCopy is how another
// outlet ran it: a new headline, the same body, and a paragraph of its own
// at the end. otherReport is an independent report of the same meeting.
const wireStory = `Port Selva, June 3: Valdoria's foreign minister Ana Ribeiro and Karesh defence minister Tomas Ekberg met for four hours on Monday at the old customs house by the harbour.
The two ministers agreed to set up a joint commission that will draw a timetable for the departure of the remaining Valdorian garrison from the northern provinces.
Ribeiro told reporters after the meeting that the first units could leave before the end of the summer if the commission finished its work on time.
Ekberg said Karesh would not accept any delay beyond the autumn and repeated that the presence of foreign troops was a question of national dignity.
Officials from both delegations said the talks had been difficult at first but became more practical once the question of the border posts was set aside.
The commission is to meet for the first time next week in Port Selva and will report to both governments within sixty days.
Diplomats from Ostmark, who helped arrange the meeting, welcomed what they called a sober and useful first step toward a settlement.
The garrison, which numbers about two thousand soldiers, has been stationed in the north since the border war ended eleven years ago.`

const wireCopyExtra = `Local traders in Port Selva said they hoped the agreement would reopen the coastal road, which has been closed to heavy lorries since March.`

const otherReport = `Tomas Ekberg arrived at the customs house shortly after nine, flanked by two generals and a crowd of photographers.
Inside, he and Ana Ribeiro sat across a long table for most of the day, according to people who waited in the corridor.
The meeting ended without a joint statement, but both sides spoke of progress toward a plan for Valdorian soldiers to go home.
Residents of the harbour district gathered outside with flags, some cheering, others demanding that the army leave immediately.
In the capital, opposition deputies accused the government of moving too slowly and called for a vote in parliament.
Analysts said the new commission could become a way to delay hard decisions rather than take them.
A Valdorian officer in the north, speaking anonymously, said his unit had received no orders to pack.
The next round is expected in Port Selva within days, with Ostmark again offering to host.`

// wire returns the wire report, a copy of it, and the independent report,
// each from its own address.
func wire() (story, copied, other briefings.Article) {
	story = briefings.Article{Title: "Valdoria and Karesh set up withdrawal commission", Source: "test-wire", URL: "https://wire.example.test/selva-talks",
		Published: day("2024-06-03"), Ingested: at("2024-06-03T15:00:00Z"), Text: wireStory}
	copied = briefings.Article{Title: "Garrison could leave north by summer, ministers say", Source: "coast-gazette", URL: "https://gazette.example.test/2024/06/garrison",
		Published: day("2024-06-04"), Ingested: at("2024-06-04T07:00:00Z"), Text: wireStory + "\n" + wireCopyExtra}
	other = briefings.Article{Title: "A long day at the customs house", Source: "selva-daily", URL: "https://daily.example.test/customs-house",
		Published: day("2024-06-03"), Ingested: at("2024-06-03T20:00:00Z"), Text: otherReport}
	return story, copied, other
}
