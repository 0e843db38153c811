package briefings

import (
	"strings"
	"testing"
)

func TestParseArticle(t *testing.T) {
	tests := []struct {
		name, in                 string
		title, source, published string
		body                     string
		errCode                  Code
	}{
		{name: "header", in: "Title: A\nSource: https://example.com/a\nPublished: 2024-04-20\n\nFirst paragraph.\n\nSecond.",
			title: "A", source: "https://example.com/a", published: "2024-04-20", body: "First paragraph.\nSecond."},
		{name: "seed layout", in: "Title: T\nSource: seed article\nPublished: 2024-04-20\n\nLine one.\nLine two.\n",
			title: "T", source: "seed article", published: "2024-04-20", body: "Line one.\nLine two."},
		{name: "plain text", in: "Headline here\n\nBody text follows.", title: "Headline here", source: "f.txt", body: "Headline here\nBody text follows."},
		{name: "crlf and bom", in: "\ufeffTitle: B\r\nPublished: 20 April 2024\r\n\r\nBody.\r\n", title: "B", published: "2024-04-20", source: "f.txt", body: "Body."},
		{name: "empty", in: "", errCode: CodeInvalid},
		{name: "header only", in: "Title: x\nPublished: 2024-01-01\n\n", errCode: CodeInvalid},
		{name: "binary", in: "PK\x03\x04\x00\x00binary", errCode: CodeInvalid},
		{name: "bad utf8", in: "caf\xe9", errCode: CodeInvalid},
		{name: "unknown date", in: "Title: x\nPublished: next Tuesday\n\nBody.", errCode: CodeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseArticle("f.txt", []byte(tt.in))
			if tt.errCode != "" {
				if err == nil || ErrorCode(err) != tt.errCode {
					t.Fatalf("got %v, want a %s error", err, tt.errCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pub := ""
			if a.PublishedKnown() {
				pub = a.Published.Format("2006-01-02")
			}
			if a.Title != tt.title || a.Source != tt.source || pub != tt.published || a.Text != tt.body {
				t.Errorf("got title %q source %q published %q body %q", a.Title, a.Source, pub, a.Text)
			}
			if a.ID == "" || a.Hash != ContentHash(a.Text) {
				t.Errorf("id %q hash %q", a.ID, a.Hash)
			}
		})
	}
}

func TestParseArticleTooLarge(t *testing.T) {
	big := strings.Repeat("Niger and France met. ", 20<<20/22+1)
	_, err := ParseArticle("big.txt", []byte(big))
	if err == nil || ErrorCode(err) != CodeInvalid || !strings.Contains(err.Error(), "at most") {
		t.Fatalf("got %v, want a size error", err)
	}
}

func TestContentHashIgnoresWrapping(t *testing.T) {
	if ContentHash("a b\nc") != ContentHash("  a  b c ") {
		t.Error("re-wrapped copies must hash alike")
	}
	if ContentHash("a b c") == ContentHash("a b d") {
		t.Error("different texts must hash differently")
	}
}

func FuzzParseArticle(f *testing.F) {
	f.Add("Title: A\nSource: s\nPublished: 2024-04-20\n\nBody.")
	f.Add("Published: 2024-13-45\n\nx")
	f.Add("Title:\n\n\n")
	f.Add(":::\n:::")
	f.Fuzz(func(t *testing.T, in string) {
		a, err := ParseArticle("fuzz.txt", []byte(in))
		if err != nil {
			if ErrorCode(err) != CodeInvalid {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if strings.TrimSpace(a.Text) == "" || a.ID == "" {
			t.Fatalf("accepted an article without text or id: %+v", a)
		}
	})
}
