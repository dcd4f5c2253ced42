package readmodel

import (
	"context"
	"strconv"
	"strings"
)

// InsertRows inserts rows into table's columns, len(columns) values per
// row in values, at most chunk rows per statement: one round trip for
// many rows, with few enough parameters per statement that SQLite's
// lookup of numbered parameters (linear in their number) stays cheap.
// table is written as in a projection's statements ("{rm_x}").
func (t *Tx) InsertRows(ctx context.Context, table string, columns []string, values []any, chunk int) error {
	width := len(columns)
	for len(values) > 0 {
		n := min(len(values)/width, chunk)
		if _, err := t.Exec(ctx, insertStatement(table, columns, n), values[:n*width]...); err != nil {
			return err
		}
		values = values[n*width:]
	}
	return nil
}

// insertStatement is the INSERT of n rows into table's columns, with
// numbered parameters in row order.
func insertStatement(table string, columns []string, n int) string {
	width := len(columns)
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(columns, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range width {
			if c > 0 {
				b.WriteString(", ")
			}
			b.WriteString("$" + strconv.Itoa(i*width+c+1))
		}
		b.WriteByte(')')
	}
	return b.String()
}
