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

// addEntities merges the article's entities into the stored ones: aliases
// and roles are unioned, mentions summed, and every name and alias indexed.
func addEntities(ctx context.Context, st *writeStmts, entities []briefings.Entity) error {
	if len(entities) == 0 {
		return nil
	}
	var names [][2]string
	for _, e := range entities {
		stored, err := scanEntity(st.entityGet.QueryRowContext(ctx, e.ID))
		switch {
		case err == nil:
			e = briefings.MergeEntity(stored, e)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read entity %s: %w", e.ID, err)
		}
		aliases, err := json.Marshal(nonNil(e.Aliases))
		if err != nil {
			return fmt.Errorf("encode entity %s: %w", e.ID, err)
		}
		roles, err := json.Marshal(nonNil(e.Roles))
		if err != nil {
			return fmt.Errorf("encode entity %s: %w", e.ID, err)
		}
		if _, err := st.entityPut.ExecContext(ctx, e.ID, e.Name, string(e.Kind), e.Country, e.Mentions, aliases, roles); err != nil {
			return fmt.Errorf("store entity %s: %w", e.ID, err)
		}
		for _, n := range briefings.EntityNames(e) {
			names = append(names, [2]string{n, e.ID})
		}
	}
	if err := execJSON(ctx, st.entityNames, names); err != nil {
		return fmt.Errorf("index entity names: %w", err)
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

const entityCols = "id, name, kind, country, mentions, aliases, roles"

// scanEntity reads an entity row (entityCols).
func scanEntity(sc scanner) (briefings.Entity, error) {
	var e briefings.Entity
	var kind, aliases, roles string
	if err := sc.Scan(&e.ID, &e.Name, &kind, &e.Country, &e.Mentions, &aliases, &roles); err != nil {
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
	rows, err := s.query(ctx, query, args...)
	if err != nil {
		return nil, s.fail(ctx, "entities", err)
	}
	defer rows.Close()
	var out []briefings.Entity
	for rows.Next() {
		e, err := scanEntity(rows)
		if err != nil {
			return nil, s.fail(ctx, "entities", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.fail(ctx, "entities", err)
	}
	return out, nil
}

// entityQuery builds the SQL of an entity query. A name is looked up in
// entity_names first (its matches are few), then ordered by mentions.
func entityQuery(q briefings.EntityQuery, n int) (string, []any) {
	var where []string
	var args []any
	from := "entities AS e"
	if name := briefings.FoldName(q.Name); name != "" {
		from = "entity_names AS n CROSS JOIN entities AS e ON e.id = n.entity_id"
		if q.Prefix {
			where = append(where, "n.name >= ? AND n.name < ?")
			args = append(args, name, name+"\U0010FFFF")
		} else {
			where = append(where, "n.name = ?")
			args = append(args, name)
		}
	}
	if len(q.Kinds) > 0 {
		where = append(where, "e.kind IN ("+placeholders(len(q.Kinds))+")")
		args = append(args, anys(q.Kinds)...)
	}
	query := "SELECT DISTINCT e.id, e.name, e.kind, e.country, e.mentions, e.aliases, e.roles FROM " + from
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	return query + " ORDER BY e.mentions DESC, e.id LIMIT ?", append(args, n)
}
