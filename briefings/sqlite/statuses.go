package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/briefbot/briefbot/briefings"
)

// addStatuses records the article's status events, merges each status with
// its stored history and reports the statuses whose stage changed.
func addStatuses(ctx context.Context, st *writeStmts, p briefings.PreparedArticle, articlePK int64) ([]briefings.StatusChange, error) {
	keys, groups := briefings.GroupStatusEvents(p)
	var changed []briefings.StatusChange
	for _, key := range keys {
		g := groups[key]
		var kind, topic, actor, subject, stage string
		err := st.statusGet.QueryRowContext(ctx, key).Scan(&kind, &topic, &actor, &subject, &stage)
		exists := err == nil
		switch {
		case errors.Is(err, sql.ErrNoRows):
			kind, topic = string(g.First.Kind), briefings.StatusTopic(g.First)
			actor, subject = briefings.StatusActor(g.First), briefings.StatusSubject(g.First)
		case err != nil:
			return nil, fmt.Errorf("read status %s: %w", key, err)
		}
		var events []briefings.StatusEvent
		if exists {
			if events, err = readEvents(ctx, st.statusEvents, key); err != nil {
				return nil, err
			}
		}
		merged := briefings.MergeStatus(key, briefings.FactKind(kind), topic, actor, subject, append(events, g.Events...))
		summary, history, err := briefings.EncodeStatusSummary(merged)
		if err != nil {
			return nil, err
		}
		if _, err := st.statusPut.ExecContext(ctx, key, kind, topic, actor, subject, merged.Stage, micros(briefings.StatusLatest(merged)), summary, history, merged.Events); err != nil {
			return nil, fmt.Errorf("store status %s: %w", key, err)
		}
		for _, e := range g.Events {
			body, err := json.Marshal(e)
			if err != nil {
				return nil, fmt.Errorf("encode status event: %w", err)
			}
			if _, err := st.eventPut.ExecContext(ctx, key, articlePK, micros(e.Ingested), body); err != nil {
				return nil, fmt.Errorf("store status event of %s: %w", key, err)
			}
		}
		if !exists {
			if err := execJSON(ctx, st.statusTerms, briefings.StatusWords(topic, key), key); err != nil {
				return nil, fmt.Errorf("index status %s: %w", key, err)
			}
		}
		if merged.Stage != stage {
			changed = append(changed, briefings.StatusChange{Key: key, Topic: topic, From: stage, To: merged.Stage, Event: briefings.StageSetter(merged)})
		}
	}
	return changed, nil
}

// readEvents reads the stored events of one status.
func readEvents(ctx context.Context, st *sql.Stmt, key string) ([]briefings.StatusEvent, error) {
	rows, err := st.QueryContext(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("read status events: %w", err)
	}
	defer rows.Close()
	var out []briefings.StatusEvent
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("read status events: %w", err)
		}
		var e briefings.StatusEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("decode status event of %s: %w", key, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read status events: %w", err)
	}
	return out, nil
}

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// statusEventsSQL reads the events of n statuses.
func statusEventsSQL(n int) string {
	return "SELECT status_key, body FROM status_events WHERE status_key IN (" + placeholders(n) + ") ORDER BY pk"
}

// statusEvents reads the stored events of some statuses.
func statusEvents(ctx context.Context, db querier, keys []string) (map[string][]briefings.StatusEvent, error) {
	rows, err := db.QueryContext(ctx, statusEventsSQL(len(keys)), anys(keys)...)
	if err != nil {
		return nil, fmt.Errorf("read status events: %w", err)
	}
	defer rows.Close()
	out := make(map[string][]briefings.StatusEvent, len(keys))
	var key string
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&key, &body); err != nil {
			return nil, fmt.Errorf("read status events: %w", err)
		}
		var e briefings.StatusEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, fmt.Errorf("decode status event of %s: %w", key, err)
		}
		out[key] = append(out[key], e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read status events: %w", err)
	}
	return out, nil
}

// Statuses returns tracked processes with their full history, the one with
// the most recent evidence first. A term matches a status when each of its
// words starts a word of the status's topic or key (folded); terms combine
// with OR. ChangedAfter keeps statuses with evidence from an article stored
// after it.
func (s *Store) Statuses(ctx context.Context, q briefings.StatusQuery) ([]briefings.Status, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultStatusLimit, briefings.MaxStatusLimit, "status")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("terms", len(q.Terms), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("fact kinds", len(q.Kinds), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("status keys", len(q.Keys), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	query, args, ok := statusQuery(q, n)
	if !ok {
		return nil, nil // only blank terms: nothing matches
	}
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "statuses", err)
	}
	var heads []briefings.Status
	done := map[string]bool{}
	var summary, history []byte
	var count int
	for rows.Next() {
		var st briefings.Status
		var kind string
		if err := rows.Scan(&st.Key, &kind, &st.Topic, &st.Actor, &st.Subject, &summary, &history, &count); err != nil {
			rows.Close()
			return nil, s.fail(ctx, "statuses", err)
		}
		st.Kind = briefings.FactKind(kind)
		// The row's summary is enough when its history holds all the
		// events or at least as many as asked for.
		if q.HistoryLimit > 0 && summary != nil && (q.HistoryLimit == 1 || history != nil && (count <= briefings.StatusSummaryEvents || q.HistoryLimit <= briefings.StatusSummaryEvents)) {
			sum, err := briefings.DecodeStatusSummary(summary, history, q.HistoryLimit)
			if err != nil {
				rows.Close()
				return nil, s.fail(ctx, "statuses", err)
			}
			st = sum
			done[st.Key] = true
		}
		heads = append(heads, st)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "statuses", err)
	}
	if len(heads) == 0 {
		return nil, nil
	}
	var keys []string
	for _, h := range heads {
		if !done[h.Key] {
			keys = append(keys, h.Key)
		}
	}
	var events map[string][]briefings.StatusEvent
	if len(keys) > 0 {
		if events, err = statusEvents(ctx, s.r, keys); err != nil {
			return nil, s.fail(ctx, "statuses", err)
		}
	}
	out := make([]briefings.Status, len(heads))
	for i, h := range heads {
		if done[h.Key] {
			out[i] = h
			continue
		}
		out[i] = briefings.MergeStatus(h.Key, h.Kind, h.Topic, h.Actor, h.Subject, events[h.Key])
		out[i].History = briefings.CompactHistory(out[i], q.HistoryLimit)
	}
	return out, nil
}

// statusQuery builds the SQL of a status query; ok is false when the query
// can match nothing.
func statusQuery(q briefings.StatusQuery, n int) (query string, args []any, ok bool) {
	var where []string
	if len(q.Keys) > 0 {
		where = append(where, "key IN ("+placeholders(len(q.Keys))+")")
		args = append(args, anys(q.Keys)...)
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind IN ("+placeholders(len(q.Kinds))+")")
		args = append(args, anys(q.Kinds)...)
	}
	if len(q.Terms) > 0 {
		var ors []string
		for _, t := range q.Terms {
			ws := briefings.FoldedWords(t)
			if len(ws) == 0 {
				continue
			}
			ands := make([]string, len(ws))
			for i, w := range ws {
				ands[i] = "key IN (SELECT status_key FROM status_terms WHERE word >= ? AND word < ?)"
				args = append(args, w, w+"\U0010FFFF")
			}
			ors = append(ors, "("+strings.Join(ands, " AND ")+")")
		}
		if len(ors) == 0 {
			return "", nil, false
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if !q.ChangedAfter.IsZero() {
		where = append(where, "key IN (SELECT status_key FROM status_events WHERE ingested > ?)")
		args = append(args, micros(q.ChangedAfter))
	}
	// A query for the latest event only reads no compacted history.
	history := "history"
	if q.HistoryLimit == 1 {
		history = "NULL"
	}
	if len(where) == 0 {
		// The latest index gives the order: rows are read as they come.
		return "SELECT key, kind, topic, actor, subject, summary, " + history + ", events FROM statuses ORDER BY latest DESC, key LIMIT ?", append(args, n), true
	}
	// A filter may match thousands of statuses that are then sorted: pick
	// the keys first and read the rows (with their summaries) of the ones
	// kept only.
	query = `SELECT s.key, s.kind, s.topic, s.actor, s.subject, s.summary, ` + strings.Replace(history, "history", "s.history", 1) + `, s.events FROM statuses AS s
	JOIN (SELECT key, latest FROM statuses WHERE ` + strings.Join(where, " AND ") + ` ORDER BY latest DESC, key LIMIT ?) AS k ON s.key = k.key
	ORDER BY k.latest DESC, k.key`
	return query, append(args, n), true
}
