package sample

import "testing"

func TestArticles(t *testing.T) {
	as, err := Articles()
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 {
		t.Fatalf("got %d sample articles, want 1", len(as))
	}
	a := as[0]
	if a.Published.Format("2006-01-02") != "2024-04-20" {
		t.Errorf("published %s, want 2024-04-20", a.Published.Format("2006-01-02"))
	}
	if a.Title == "" || a.ID == "" || a.Hash == "" {
		t.Errorf("incomplete article: %+v", a)
	}
}
