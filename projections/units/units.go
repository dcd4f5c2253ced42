// Package units keeps rm_units, the organisation tree as read models need
// it: every unit with its parent, name, level and materialised path, so
// that a query can take "this unit and everything below it" with one
// prefix match, and statistics can roll a subtree up.
package units

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/projections/readmodel"
)

// Name is the projection's stable name.
const Name = "units"

// Projection maintains rm_units from unit events.
type Projection struct{}

// New returns the units projection.
func New() Projection { return Projection{} }

// Name implements readmodel.Projection.
func (Projection) Name() string { return Name }

// Tables implements readmodel.Projection: rm_units, one row per unit.
// path is "/<root id>/.../<unit id>/": the unit's ancestors from the root
// and the unit itself, so the subtree of u is every row whose path starts
// with u's path. depth is 0 for the root.
func (Projection) Tables() []readmodel.Table {
	return []readmodel.Table{{Name: "rm_units", Create: []string{
		`CREATE TABLE {rm_units} (
			unit_id   TEXT    PRIMARY KEY,
			parent_id TEXT,
			name      TEXT    NOT NULL,
			code      TEXT    NOT NULL,
			level     TEXT    NOT NULL,
			path      TEXT    NOT NULL UNIQUE,
			depth     INTEGER NOT NULL,
			closed    INTEGER NOT NULL)`,
	}}}
}

// PathOf is the materialised path of a unit with ancestors path.
func PathOf(ancestors []uuid.UUID, id uuid.UUID) string {
	var b strings.Builder
	b.WriteByte('/')
	for _, a := range ancestors {
		b.WriteString(a.String())
		b.WriteByte('/')
	}
	b.WriteString(id.String())
	b.WriteByte('/')
	return b.String()
}

// Concerns implements readmodel.Selective: unit events.
func (Projection) Concerns(e event.Recorded) bool { return strings.HasPrefix(e.Type, "unit.") }

// Apply implements readmodel.Projection.
func (p Projection) Apply(ctx context.Context, tx *readmodel.Tx, e event.Recorded) error {
	if !p.Concerns(e) {
		return nil
	}
	id, err := org.ParseUnitStream(e.Stream)
	if err != nil {
		return fmt.Errorf("units: %w", err)
	}
	switch e.Type {
	case org.TypeUnitEstablished:
		var p org.UnitEstablished
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		var parent any
		if p.ParentID != nil {
			parent = p.ParentID.String()
		}
		_, err := tx.Exec(ctx, `INSERT INTO {rm_units} (unit_id, parent_id, name, code, level, path, depth, closed)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 0)`,
			id.String(), parent, p.Name, p.Code, string(p.Level), PathOf(p.Path, id), len(p.Path))
		return wrap(e, err)
	case org.TypeUnitRenamed:
		var p org.UnitRenamed
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return update(ctx, tx, e, id, "name = $2", p.Name)
	case org.TypeUnitMoved:
		var p org.UnitMoved
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return update(ctx, tx, e, id, "parent_id = $2, path = $3, depth = $4", p.ParentID.String(), PathOf(p.Path, id), len(p.Path))
	case org.TypeUnitPathChanged:
		var p org.UnitPathChanged
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		return update(ctx, tx, e, id, "path = $2, depth = $3", PathOf(p.Path, id), len(p.Path))
	case org.TypeUnitClosed:
		return update(ctx, tx, e, id, "closed = 1")
	default:
		return nil // children and employees joining or leaving change no row
	}
}

// update changes the row of unit id, which must exist.
func update(ctx context.Context, tx *readmodel.Tx, e event.Recorded, id uuid.UUID, set string, args ...any) error {
	res, err := tx.Exec(ctx, "UPDATE {rm_units} SET "+set+" WHERE unit_id = $1", append([]any{id.String()}, args...)...)
	if err != nil {
		return wrap(e, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("units: %s at position %d: unit %s not established (%d rows, %v)", e.Type, e.Position, id, n, err)
	}
	return nil
}

func wrap(e event.Recorded, err error) error {
	if err != nil {
		return fmt.Errorf("units: %s at position %d: %w", e.Type, e.Position, err)
	}
	return nil
}
