// Package briefings holds the domain of briefbot: articles, the entities and
// facts extracted from them, tracked processes (statuses), subscriptions and
// deliveries, the coded errors every layer shares, and the Service that answers
// briefing questions.
//
// It imports only the standard library. Storage, extraction, fetching and the
// clock are interfaces declared here and implemented elsewhere (briefings/sqlite,
// briefings/extract, briefings/fetch, ...).
package briefings
