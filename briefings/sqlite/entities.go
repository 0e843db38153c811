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
func addEntities(ctx context.Context, tx *sql.Tx, entities []briefings.Entity) error {
	if len(entities) == 0 {
		return nil
	}
	get, err := tx.PrepareContext(ctx, "SELECT "+entityCols+" FROM entities WHERE id = ?")
	if err != nil {
		return fmt.Errorf("prepare entities: %w", err)
	}
	defer get.Close()
	put, err := tx.PrepareContext(ctx, `INSERT INTO entities (id, name, kind, country, mentions, aliases, roles) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET country = excluded.country, mentions = excluded.mentions, aliases = excluded.aliases, roles = excluded.roles`)
	if err != nil {
		return fmt.Errorf("prepare entities: %w", err)
	}
	defer put.Close()
	names, err := tx.PrepareContext(ctx, "INSERT INTO entity_names (name, entity_id) VALUES (?, ?) ON CONFLICT DO NOTHING")
	if err != nil {
		return fmt.Errorf("prepare entity names: %w", err)
	}
	defer names.Close()

	for _, e := range entities {
		stored, err := scanEntity(get.QueryRowContext(ctx, e.ID))
		switch {
		case err == nil:
			e = mergeEntity(stored, e)
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
		if _, err := put.ExecContext(ctx, e.ID, e.Name, string(e.Kind), e.Country, e.Mentions, aliases, roles); err != nil {
			return fmt.Errorf("store entity %s: %w", e.ID, err)
		}
		for _, n := range entityNames(e) {
			if _, err := names.ExecContext(ctx, n, e.ID); err != nil {
				return fmt.Errorf("index entity %s: %w", e.ID, err)
			}
		}
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
	n, err := limit(q.Limit, DefaultEntityLimit, MaxEntityLimit, "entity")
	if err != nil {
		return nil, err
	}
	if err := checkList("entity kinds", len(q.Kinds)); err != nil {
		return nil, err
	}
	var where []string
	var args []any
	if name := fold(q.Name); name != "" {
		if q.Prefix {
			where = append(where, "id IN (SELECT entity_id FROM entity_names WHERE name >= ? AND name < ?)")
			args = append(args, name, name+"\U0010FFFF")
		} else {
			where = append(where, "id IN (SELECT entity_id FROM entity_names WHERE name = ?)")
			args = append(args, name)
		}
	}
	if len(q.Kinds) > 0 {
		where = append(where, "kind IN ("+placeholders(len(q.Kinds))+")")
		args = append(args, anys(q.Kinds)...)
	}
	query := "SELECT " + entityCols + " FROM entities"
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY mentions DESC, id LIMIT ?"
	args = append(args, n)
	rows, err := s.r.QueryContext(ctx, query, args...)
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
