package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

// statusHead is a stored status row.
type statusHead struct {
	key, kind, topic, actor, subject, stage string
}

// The statements that record an article's status events.
const (
	// statusEventsSQL reads the stored events of some statuses, in the
	// order they were stored.
	statusEventsSQL = "SELECT status_key, body FROM status_events WHERE status_key = ANY($1) ORDER BY pk"
	putStatusesSQL  = `INSERT INTO statuses (key, kind, topic, actor, subject, stage, latest, summary, history, events)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::bytea[], $9::bytea[], $10::int4[])
	ON CONFLICT (key) DO UPDATE SET stage = excluded.stage, latest = excluded.latest, summary = excluded.summary, history = excluded.history,
		events = excluded.events`
	putEventsSQL = `INSERT INTO status_events (status_key, article_pk, ingested, body)
	SELECT x.key, $1, x.ingested, x.body FROM unnest($2::text[], $3::int8[], $4::text[]) WITH ORDINALITY AS x(key, ingested, body, n)
	ORDER BY x.n`
	putStatusTermsSQL = `INSERT INTO status_terms (word, status_key) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`
)

// readEvents reads (status_key, body) rows into events by key.
func readEvents(rows pgx.Rows, events map[string][]briefings.StatusEvent) error {
	defer rows.Close()
	var key string
	var body []byte
	for rows.Next() {
		if err := rows.Scan(&key, &body); err != nil {
			return err
		}
		var e briefings.StatusEvent
		if err := json.Unmarshal(body, &e); err != nil {
			return fmt.Errorf("decode status event of %s: %w", key, err)
		}
		events[key] = append(events[key], e)
	}
	return rows.Err()
}

// queueStatuses queues the article's status events, merges each status with
// its stored history (read under the ingest lock) and returns the statuses
// whose stage changed.
func queueStatuses(b *pgx.Batch, articlePK int64, keys []string, groups map[string]*briefings.StatusGroup,
	heads map[string]statusHead, stored map[string][]briefings.StatusEvent) ([]briefings.StatusChange, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	var changed []briefings.StatusChange
	var sKey, sKind, sTopic, sActor, sSubject, sStage []string
	var sLatest []int64
	var sSummary, sHistory [][]byte
	var sEvents []int
	var eKey, eBody []string
	var eIngested []int64
	var tWord, tKey []string
	for _, key := range keys {
		g := groups[key]
		h, exists := heads[key]
		if !exists {
			h = statusHead{key: key, kind: string(g.First.Kind), topic: briefings.StatusTopic(g.First),
				actor: briefings.StatusActor(g.First), subject: briefings.StatusSubject(g.First)}
		}
		merged := briefings.MergeStatus(key, briefings.FactKind(h.kind), h.topic, h.actor, h.subject, append(stored[key], g.Events...))
		sKey, sKind, sTopic, sActor, sSubject = append(sKey, key), append(sKind, h.kind), append(sTopic, h.topic), append(sActor, h.actor), append(sSubject, h.subject)
		sStage, sLatest = append(sStage, merged.Stage), append(sLatest, micros(briefings.StatusLatest(merged)))
		summary, history, err := briefings.EncodeStatusSummary(merged)
		if err != nil {
			return nil, err
		}
		sSummary, sHistory, sEvents = append(sSummary, summary), append(sHistory, history), append(sEvents, merged.Events)
		for _, e := range g.Events {
			body, err := json.Marshal(e)
			if err != nil {
				return nil, fmt.Errorf("encode status event: %w", err)
			}
			eKey, eIngested, eBody = append(eKey, key), append(eIngested, micros(e.Ingested)), append(eBody, string(body))
		}
		if !exists {
			for _, w := range briefings.StatusWords(h.topic, key) {
				tWord, tKey = append(tWord, w), append(tKey, key)
			}
		}
		if merged.Stage != h.stage {
			changed = append(changed, briefings.StatusChange{Key: key, Topic: h.topic, From: h.stage, To: merged.Stage, Event: briefings.StageSetter(merged)})
		}
	}
	b.Queue(putStatusesSQL, sKey, sKind, sTopic, sActor, sSubject, sStage, sLatest, sSummary, sHistory, sEvents)
	b.Queue(putEventsSQL, articlePK, eKey, eIngested, eBody)
	if len(tWord) > 0 {
		b.Queue(putStatusTermsSQL, tWord, tKey)
	}
	return changed, nil
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
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "statuses", err)
	}
	// A row's summary is enough when its history holds all the events or
	// at least as many as asked for; the others are merged from their
	// events.
	done := map[string]bool{}
	heads, err := collect(rows, func(row pgx.CollectableRow) (briefings.Status, error) {
		var st briefings.Status
		var kind string
		var summary, history []byte
		var count int
		if err := row.Scan(&st.Key, &kind, &st.Topic, &st.Actor, &st.Subject, &summary, &history, &count); err != nil {
			return st, err
		}
		st.Kind = briefings.FactKind(kind)
		if q.HistoryLimit > 0 && summary != nil && (q.HistoryLimit == 1 || history != nil && (count <= briefings.StatusSummaryEvents || q.HistoryLimit <= briefings.StatusSummaryEvents)) {
			sum, err := briefings.DecodeStatusSummary(summary, history, q.HistoryLimit)
			if err != nil {
				return st, err
			}
			done[sum.Key] = true
			return sum, nil
		}
		return st, nil
	})
	if err != nil {
		return nil, s.fail(ctx, "statuses", err)
	}
	var keys []string
	for _, h := range heads {
		if !done[h.Key] {
			keys = append(keys, h.Key)
		}
	}
	events := make(map[string][]briefings.StatusEvent, len(keys))
	if len(keys) > 0 {
		rows, err = s.pool.Query(ctx, statusEventsSQL, keys)
		if err != nil {
			return nil, s.fail(ctx, "statuses", err)
		}
		if err := readEvents(rows, events); err != nil {
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
	var a sqlArgs
	var where []string
	if len(q.Keys) > 0 {
		where = append(where, "key = ANY("+a.add(q.Keys)+")")
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind = ANY("+a.add(strs(q.Kinds))+")")
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
				ands[i] = "key IN (SELECT status_key FROM status_terms WHERE word >= " + a.add(w) + " AND word < " + a.add(w+"\U0010FFFF") + ")"
			}
			ors = append(ors, "("+strings.Join(ands, " AND ")+")")
		}
		if len(ors) == 0 {
			return "", nil, false
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if !q.ChangedAfter.IsZero() {
		where = append(where, "key IN (SELECT status_key FROM status_events WHERE ingested > "+a.add(micros(q.ChangedAfter))+")")
	}
	// A query for the latest event only reads no compacted history.
	history := "history"
	if q.HistoryLimit == 1 {
		history = "NULL::bytea"
	}
	cols := "key, kind, topic, actor, subject, summary, " + history + ", events"
	if len(where) == 0 {
		// The latest index gives the order: rows are read as they come.
		return "SELECT " + cols + " FROM statuses ORDER BY latest DESC, key LIMIT " + a.add(n), a, true
	}
	// A filter may match thousands of statuses that are then sorted: pick
	// the keys first and read the rows (with their summaries) of the ones
	// kept only.
	query = `SELECT s.key, s.kind, s.topic, s.actor, s.subject, s.summary, ` + strings.Replace(history, "history", "s.history", 1) + `, s.events FROM statuses AS s
	JOIN (SELECT key, latest FROM statuses WHERE ` + strings.Join(where, " AND ") + ` ORDER BY latest DESC, key LIMIT ` + a.add(n) + `) AS k ON s.key = k.key
	ORDER BY k.latest DESC, k.key`
	return query, a, true
}
