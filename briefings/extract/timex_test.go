package extract

import (
	"testing"
	"time"
)

func TestFindTimes(t *testing.T) {
	// 2024-04-20 is a Saturday.
	pub := time.Date(2024, 4, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		sentence string
		text     string
		value    string
	}{
		{"They met on Friday in Washington.", "on Friday", "2024-04-19"},
		{"They met Friday.", "Friday", "2024-04-19"},
		{"The ceasefire will take effect on Monday.", "on Monday", "2024-04-22"},
		{"They spoke on Saturday.", "on Saturday", "2024-04-20"},
		{"Last month, Niger ended the accord.", "Last month", "2024-03"},
		{"It happened last summer.", "last summer", "2023"},
		{"Earlier this week, an airman filed a complaint.", "Earlier this week", "2024-W16"},
		{"Last week, officials threatened it.", "Last week", "2024-W15"},
		{"They will leave within a year.", "within a year", "P1Y"},
		{"Plans are due by the end of March.", "by the end of March", "2025-03"},
		{"Plans are due by the end of September 2025.", "by the end of September 2025", "2025-09"},
		{"It ends by the end of the year.", "by the end of the year", "2024"},
		{"The statement is dated January 28, 2024.", "January 28, 2024", "2024-01-28"},
		{"Doha, Feb 29: the deal was signed.", "Feb 29", "2024-02-29"},
		{"It was announced on 31 December.", "on 31 December", "2023-12-31"},
		{"The war began in August 2023.", "in August 2023", "2023-08"},
		{"It was founded in 1960.", "in 1960", "1960"},
		{"A process initiated two years ago ended.", "two years ago", "2022"},
		{"They gave him 72 hours to leave.", "72 hours", "PT72H"},
		{"A seven-day truce was signed.", "seven-day", "P7D"},
		{"It opens a 48-hour notification period.", "48-hour notification period", "PT48H"},
		{"Troops have been there for more than 18 years.", "for more than 18 years", "P18Y"},
		{"He said it yesterday.", "yesterday", "2024-04-19"},
		{"The reduction is due within 135 days of Saturday's signing.", "within 135 days of Saturday's signing", "2024-09-02"},
		{"The 2,000 troops left.", "", ""},
		{"Officials may march on May Day.", "", ""},
		{"It happened recently.", "recently", ""},
	}
	for _, tt := range tests {
		t.Run(tt.sentence, func(t *testing.T) {
			toks := tokenize(tt.sentence)
			got := findTimes(toks, pub)
			if tt.text == "" {
				if len(got) != 0 {
					t.Fatalf("found %d time expressions, want none: %q", len(got), joinText(tt.sentence, toks[got[0].start:got[0].end]))
				}
				return
			}
			if len(got) == 0 {
				t.Fatalf("no time expression found, want %q", tt.text)
			}
			tx := got[0]
			if text := joinText(tt.sentence, toks[tx.start:tx.end]); text != tt.text || tx.ref.Value != tt.value {
				t.Errorf("got %q = %q, want %q = %q", text, tx.ref.Value, tt.text, tt.value)
			}
		})
	}
}

func TestFindTimesWithoutPublicationDate(t *testing.T) {
	toks := tokenize("They met on Friday, last month and in 1960.")
	got := findTimes(toks, time.Time{})
	for _, tx := range got {
		if tx.ref.Value != "" && tx.ref.Value != "1960" {
			t.Errorf("relative date %q resolved without a publication date: %s", joinText("They met on Friday, last month and in 1960.", toks[tx.start:tx.end]), tx.ref.Value)
		}
	}
}
