package readmodel

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
)

// List builds one page of a read-model list: a query over a table whose
// rows are ordered by a position column, filtered by conditions with
// numbered parameters, read one row past the page to learn whether
// another page follows.
type List struct {
	conds []string
	args  []any
}

// NewList starts a list of the rows whose column order is after the
// cursor.
func NewList(order string, after int64) *List {
	l := &List{}
	l.Where(order + " > " + l.Arg(after))
	return l
}

// Arg binds v and returns its placeholder.
func (l *List) Arg(v any) string {
	l.args = append(l.args, v)
	return fmt.Sprintf("$%d", len(l.args))
}

// Where adds a condition; its values must be bound with Arg.
func (l *List) Where(cond string) { l.conds = append(l.conds, cond) }

// Conditions returns the conditions joined with AND, for a query of its
// own (an aggregate rather than a page); Args are their values.
func (l *List) Conditions() string { return strings.Join(l.conds, " AND ") }

// Args returns the values bound so far.
func (l *List) Args() []any { return l.args }

// Equal adds column = v, unless v is "" (no filter).
func (l *List) Equal(column, v string) {
	if v != "" {
		l.Where(column + " = " + l.Arg(v))
	}
}

// EqualID adds column = id, unless id is uuid.Nil (no filter).
func (l *List) EqualID(column string, id uuid.UUID) {
	if id != uuid.Nil {
		l.Equal(column, id.String())
	}
}

// In adds column IN ids.
func (l *List) In(column string, ids []uuid.UUID) { l.Where(column + " IN (" + l.ids(ids) + ")") }

// InSubtrees adds that column names a unit in the subtree of one of roots
// (the roots themselves and everything below them, as rm_units knows the
// organisation).
func (l *List) InSubtrees(column string, roots []uuid.UUID) {
	l.Where(column + ` IN (SELECT u.unit_id FROM rm_units u JOIN rm_units top
		ON u.path LIKE top.path || '%' WHERE top.unit_id IN (` + l.ids(roots) + "))")
}

func (l *List) ids(ids []uuid.UUID) string {
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = l.Arg(id.String())
	}
	return strings.Join(ph, ", ")
}

// Fetch runs SELECT columns FROM table with the conditions, ordered by
// order, at most size+1 rows, scanning each with scan; it returns the
// page and the cursor of the next page, 0 when this page is the last.
func Fetch[T any](ctx context.Context, db *sqldb.DB, l *List, columns, table, order string, size int,
	scan func(Scanner) (T, error), position func(T) int64) ([]T, int64, error) {
	q := "SELECT " + columns + " FROM " + table + " WHERE " + strings.Join(l.conds, " AND ") +
		" ORDER BY " + order + " LIMIT " + l.Arg(size+1)
	rows, err := db.Query(ctx, q, l.args...)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: list: %w", table, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("%s: list: %w", table, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("%s: list: %w", table, err)
	}
	if len(out) > size {
		out = out[:size]
		return out, position(out[size-1]), nil
	}
	return out, 0, nil
}

// Scanner is a row to scan: *sql.Row or *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }

// ParseIDs parses each text into its uuid, stopping at the first that is
// not one.
func ParseIDs(pairs map[*uuid.UUID]string) error {
	for dst, src := range pairs {
		id, err := uuid.Parse(src)
		if err != nil {
			return err
		}
		*dst = id
	}
	return nil
}
