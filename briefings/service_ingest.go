package briefings

import (
	"context"
	"fmt"
	"strings"
)

// Ingest extracts an article's facts, picks its story and stores both. A
// duplicate (the same text, the same address, or a near-duplicate; see
// AddResult) is reported in the result and nothing but, for a
// near-duplicate or a copy from a new address, a source record is written.
//
// The story is chosen before the article is stored (Article.Story is set
// on the stored article; see the story rules in stories.go) and recorded
// with PutStory once the article is stored and is not a duplicate. An
// article that already names its story keeps it, and its caller keeps that
// story's record. A failure to record the story is logged, not returned:
// the article and its facts are stored, and only its story's record lags.
func (s *Service) Ingest(ctx context.Context, a Article) (AddResult, error) {
	if strings.TrimSpace(a.Text) == "" {
		return AddResult{}, Errorf(CodeInvalid, "the article %q has no text", a.Title)
	}
	if a.Hash == "" {
		a.Hash = ContentHash(a.Text)
	}
	if a.ID == "" {
		a.ID = ArticleID(a.Hash)
	}
	if a.Ingested.IsZero() {
		a.Ingested = s.clock.Now().UTC()
	}
	f, err := s.x.Extract(ctx, a)
	if err != nil {
		return AddResult{}, fmt.Errorf("extract %q: %w", a.Title, err)
	}
	story, clustered := Story{}, false
	if a.Story == "" {
		story, clustered, err = s.storyFor(ctx, a, f)
		if err != nil {
			return AddResult{}, fmt.Errorf("story of %q: %w", a.Title, err)
		}
		if clustered {
			a.Story = story.ID
		}
	}
	res, err := s.store.AddArticle(ctx, a, f)
	if err != nil {
		return AddResult{}, fmt.Errorf("store %q: %w", a.Title, err)
	}
	if clustered && !res.Duplicate {
		if _, err := s.store.PutStory(ctx, story); err != nil {
			s.log.Error("recording the article's story failed", "article", res.Article.ID, "story", story.ID, "err", err)
		}
	}
	s.log.Info("article ingested", "id", res.Article.ID, "title", res.Article.Title, "story", res.Article.Story,
		"duplicate", res.Duplicate, "reason", res.DuplicateReason, "facts", res.Facts, "status_changes", len(res.Changed))
	return res, nil
}
