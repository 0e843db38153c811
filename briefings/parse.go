package briefings

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxArticleBytes bounds the size of one article's raw text. Real news
// articles are a few kilobytes; anything larger is almost certainly not an
// article (a log, a dump, a whole book) and is refused with a clear error.
const MaxArticleBytes = 2 << 20

// publishedLayouts returns the date layouts accepted in a Published header
// and in --published flags.
func publishedLayouts() []string {
	return []string{
		"2006-01-02",
		time.RFC3339,
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05",
		"2 January 2006",
		"2 Jan 2006",
		"January 2, 2006",
		"Jan 2, 2006",
		"Monday, January 2, 2006",
		"Mon, 02 Jan 2006 15:04:05 MST",
		time.RFC1123Z,
	}
}

// ParseDate parses a publication date in one of the accepted layouts
// (YYYY-MM-DD first). The result is at midnight UTC for date-only layouts.
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range publishedLayouts() {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, Errorf(CodeInvalid, "%q is not a date I can read; write it as YYYY-MM-DD (for example 2024-04-20)", truncateRunes(s, 40))
}

// ParseArticle reads an article file: an optional header of "Title:",
// "Source:" and "Published:" lines, a blank line, then the body. Without a
// header the whole file is the body and the title is its first line when that
// line is short. name labels the article when nothing better is known.
func ParseArticle(name string, data []byte) (Article, error) {
	if len(data) > MaxArticleBytes {
		return Article{}, Errorf(CodeInvalid, "%s is %s; an article may be at most %s", name, humanBytes(len(data)), humanBytes(MaxArticleBytes))
	}
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		return Article{}, Errorf(CodeInvalid, "%s is not UTF-8 text (binary data?); give a plain-text article", name)
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	text = strings.TrimPrefix(text, "\ufeff")
	var a Article
	a.Source = name
	lines := strings.Split(text, "\n")
	i := 0
	for ; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			break
		}
		switch strings.ToLower(strings.TrimSpace(key)) {
		case "title":
			a.Title = strings.TrimSpace(val)
		case "source", "url":
			a.Source = strings.TrimSpace(val)
			if strings.HasPrefix(a.Source, "http://") || strings.HasPrefix(a.Source, "https://") {
				a.URL = a.Source
			}
		case "published", "date":
			t, err := ParseDate(val)
			if err != nil {
				return Article{}, fmt.Errorf("%s line %d: Published: %w", name, i+1, err)
			}
			a.Published = t
		default:
			goto body
		}
	}
body:
	if i == 0 {
		// No header: the body is everything.
		a.Text = normalizeBody(text)
	} else {
		a.Text = normalizeBody(strings.Join(lines[i:], "\n"))
	}
	if strings.TrimSpace(a.Text) == "" {
		return Article{}, Errorf(CodeInvalid, "%s has no article text", name)
	}
	if a.Title == "" {
		first, _, _ := strings.Cut(a.Text, "\n")
		if utf8.RuneCountInString(first) <= 140 {
			a.Title = strings.TrimSpace(first)
		} else {
			a.Title = truncateRunes(first, 80)
		}
	}
	a.Hash = ContentHash(a.Text)
	a.ID = ArticleID(a.Hash)
	return a, nil
}

// normalizeBody trims trailing space on each line and collapses runs of blank
// lines, keeping paragraph breaks (a single newline between paragraphs).
func normalizeBody(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func humanBytes(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
