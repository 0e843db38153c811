package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/briefbot/briefbot/briefings"
)

const entityCols = "id, name, kind, country, mentions, aliases, roles"

// The statements that merge an article's entities into the stored ones.
const (
	putEntitiesSQL = `INSERT INTO entities (id, name, kind, country, mentions, aliases, roles)
	SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[])
	ON CONFLICT (id) DO UPDATE SET country = excluded.country, mentions = excluded.mentions, aliases = excluded.aliases, roles = excluded.roles`
	putEntityNamesSQL = `INSERT INTO entity_names (name, entity_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`
)

// queueEntities queues the merge of the article's entities into the stored
// ones (read under the ingest lock): aliases and roles are unioned,
// mentions summed, and every name and alias indexed.
func queueEntities(b *pgx.Batch, entities []briefings.Entity, stored map[string]briefings.Entity) error {
	if len(entities) == 0 {
		return nil
	}
	n := len(entities)
	ids, names, kinds, countries := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	mentions, aliases, roles := make([]int64, 0, n), make([]string, 0, n), make([]string, 0, n)
	var nameKeys, nameIDs []string
	for _, e := range entities {
		if old, ok := stored[e.ID]; ok {
			e = briefings.MergeEntity(old, e)
		}
		al, err := json.Marshal(nonNil(e.Aliases))
		if err != nil {
			return fmt.Errorf("encode entity %s: %w", e.ID, err)
		}
		ro, err := json.Marshal(nonNil(e.Roles))
		if err != nil {
			return fmt.Errorf("encode entity %s: %w", e.ID, err)
		}
		ids, names, kinds, countries = append(ids, e.ID), append(names, e.Name), append(kinds, string(e.Kind)), append(countries, e.Country)
		mentions, aliases, roles = append(mentions, int64(e.Mentions)), append(aliases, string(al)), append(roles, string(ro))
		for _, name := range briefings.EntityNames(e) {
			nameKeys, nameIDs = append(nameKeys, name), append(nameIDs, e.ID)
		}
	}
	b.Queue(putEntitiesSQL, ids, names, kinds, countries, mentions, aliases, roles)
	if len(nameKeys) > 0 {
		b.Queue(putEntityNamesSQL, nameKeys, nameIDs)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// scanEntity reads an entity row (entityCols).
func scanEntity(row pgx.Row) (briefings.Entity, error) {
	var e briefings.Entity
	var kind, aliases, roles string
	if err := row.Scan(&e.ID, &e.Name, &kind, &e.Country, &e.Mentions, &aliases, &roles); err != nil {
		return briefings.Entity{}, err
	}
	e.Kind = briefings.EntityKind(kind)
	if err := json.Unmarshal([]byte(aliases), &e.Aliases); err != nil {
		return briefings.Entity{}, fmt.Errorf("decode aliases of %s: %w", e.ID, err)
	}
	if err := json.Unmarshal([]byte(roles), &e.Roles); err != nil {
		return briefings.Entity{}, fmt.Errorf("decode roles of %s: %w", e.ID, err)
	}
	if len(e.Aliases) == 0 {
		e.Aliases = nil
	}
	if len(e.Roles) == 0 {
		e.Roles = nil
	}
	return e, nil
}

// Entities returns entities whose name or an alias matches q.Name exactly
// (folded), or starts with it when q.Prefix is set; most mentioned first.
// An empty name matches every entity.
func (s *Store) Entities(ctx context.Context, q briefings.EntityQuery) ([]briefings.Entity, error) {
	n, err := briefings.QueryLimit(q.Limit, briefings.DefaultEntityLimit, briefings.MaxEntityLimit, "entity")
	if err != nil {
		return nil, err
	}
	if err := briefings.CheckQueryList("entity kinds", len(q.Kinds), briefings.MaxQueryValues); err != nil {
		return nil, err
	}
	query, args := entityQuery(q, n)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "entities", err)
	}
	out, err := collect(rows, func(row pgx.CollectableRow) (briefings.Entity, error) { return scanEntity(row) })
	if err != nil {
		return nil, s.fail(ctx, "entities", err)
	}
	return out, nil
}

// entityQuery builds the SQL of an entity query. A name is looked up in
// entity_names (its matches are few; the "C" collation makes a prefix one
// index range), then ordered by mentions.
func entityQuery(q briefings.EntityQuery, n int) (string, []any) {
	var a sqlArgs
	var where []string
	if name := briefings.FoldName(q.Name); name != "" {
		if q.Prefix {
			where = append(where, "id IN (SELECT entity_id FROM entity_names WHERE name >= "+a.add(name)+" AND name < "+a.add(name+"\U0010FFFF")+")")
		} else {
			where = append(where, "id IN (SELECT entity_id FROM entity_names WHERE name = "+a.add(name)+")")
		}
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind = ANY("+a.add(strs(q.Kinds))+")")
	}
	query := "SELECT " + entityCols + " FROM entities"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY mentions DESC, id LIMIT " + a.add(n), a
}
