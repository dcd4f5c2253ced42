package keyring

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"aidtrail/internal/sqldb"
)

// Finding is one column of one table in which a needle occurs.
type Finding struct {
	Table  string
	Column string
	Needle string // as given to ScanForText
	Rows   int64  // rows whose value in Column contains the needle
}

func (f Finding) String() string {
	return fmt.Sprintf("%s.%s: %d row(s) contain %q", f.Table, f.Column, f.Rows, f.Needle)
}

// ScanForText searches every column of every table in db's current schema
// (PostgreSQL: current_schema(); SQLite: the main database) for each
// needle, a case-sensitive substring, and reports where it occurs. It is
// the check behind erasure: after a person is erased, none of their
// personal data may be found anywhere, the event log included.
//
// A needle is searched in its plain form and as it appears inside a JSON
// string (with and without Go's HTML escaping of <, > and &), so that text
// in JSON columns is found whichever way it was encoded. Columns are
// searched through their text form (PostgreSQL: col::text, so jsonb is
// compared as its canonical text) and binary columns through their bytes
// (PostgreSQL bytea; on SQLite every value is compared as bytes). It does
// not look at encoded forms (base64, hex) nor at JSON's \u escapes of
// non-ASCII text.
//
// It reads every row of every table once, so it is for tests, audits and
// erasure verification, not for a request path. It sees what SQL sees: not
// dead PostgreSQL tuples, WAL, freed SQLite pages, backups or replicas.
// Findings come in table, column, needle order; an empty needle is an
// error.
func ScanForText(ctx context.Context, db *sqldb.DB, needles []string) ([]Finding, error) {
	return scanForText(ctx, db, needles, maxCounts)
}

// scanForText is ScanForText computing at most limit counts per query.
func scanForText(ctx context.Context, db *sqldb.DB, needles []string, limit int) ([]Finding, error) {
	for _, n := range needles {
		if n == "" {
			return nil, fmt.Errorf("keyring: scan: empty needle")
		}
	}
	if len(needles) == 0 {
		return nil, nil
	}
	tables, err := listTables(ctx, db)
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, t := range tables {
		per := max(1, limit/len(t.columns))
		var found []Finding
		for chunk := range slices.Chunk(needles, per) {
			f, err := scanTable(ctx, db, t, chunk)
			if err != nil {
				return nil, err
			}
			found = append(found, f...)
		}
		slices.SortStableFunc(found, func(a, b Finding) int {
			return t.position(a.Column) - t.position(b.Column)
		})
		out = append(out, found...)
	}
	return out, nil
}

// maxCounts is how many counts one scan query computes at most
// (PostgreSQL allows 1664 entries in a select list).
const maxCounts = 1000

type column struct {
	name   string
	binary bool // PostgreSQL bytea: searched as bytes, not as its \x text
}

type table struct {
	name    string
	columns []column
}

func (t table) position(name string) int {
	return slices.IndexFunc(t.columns, func(c column) bool { return c.name == name })
}

func listTables(ctx context.Context, db *sqldb.DB) ([]table, error) {
	var q string
	switch db.Dialect() {
	case sqldb.Postgres:
		q = `SELECT c.table_name, c.column_name, c.data_type = 'bytea'
			FROM information_schema.columns c
			JOIN information_schema.tables t
			  ON t.table_schema = c.table_schema AND t.table_name = c.table_name
			WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
			ORDER BY c.table_name, c.ordinal_position`
	case sqldb.SQLite:
		q = `SELECT m.name, p.name, 0
			FROM sqlite_schema m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\_%' ESCAPE '\'
			ORDER BY m.name, p.cid`
	default:
		return nil, fmt.Errorf("keyring: scan: unsupported dialect %v", db.Dialect())
	}
	rows, err := db.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("keyring: scan: list tables: %w", err)
	}
	defer rows.Close()
	var out []table
	for rows.Next() {
		var tname string
		var c column
		if err := rows.Scan(&tname, &c.name, &c.binary); err != nil {
			return nil, fmt.Errorf("keyring: scan: list tables: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].name != tname {
			out = append(out, table{name: tname})
		}
		last := &out[len(out)-1]
		last.columns = append(last.columns, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("keyring: scan: list tables: %w", err)
	}
	return out, nil
}

// scanTable counts, in one pass over t, the rows of each column that
// contain each needle in any of its forms.
func scanTable(ctx context.Context, db *sqldb.DB, t table, needles []string) ([]Finding, error) {
	var args []any
	forms := make([][]int, len(needles)) // forms[i]: argument numbers of needle i
	for i, n := range needles {
		for _, f := range needleForms(n) {
			args = append(args, f)
			forms[i] = append(forms[i], len(args))
		}
	}
	var counts []string
	for _, c := range t.columns {
		for i := range needles {
			var conds []string
			for _, a := range forms[i] {
				conds = append(conds, contains(db.Dialect(), c, a))
			}
			counts = append(counts, "count(CASE WHEN "+strings.Join(conds, " OR ")+" THEN 1 END)")
		}
	}
	q := "SELECT " + strings.Join(counts, ", ") + " FROM " + quoteIdent(t.name)
	got := make([]int64, len(counts))
	dest := make([]any, len(counts))
	for i := range got {
		dest[i] = &got[i]
	}
	if err := db.QueryRow(ctx, q, args...).Scan(dest...); err != nil {
		return nil, fmt.Errorf("keyring: scan %s: %w", t.name, err)
	}
	var out []Finding
	for ci, c := range t.columns {
		for ni, n := range needles {
			if rows := got[ci*len(needles)+ni]; rows > 0 {
				out = append(out, Finding{Table: t.name, Column: c.name, Needle: n, Rows: rows})
			}
		}
	}
	return out, nil
}

// contains is the condition "column c contains argument $arg".
func contains(d sqldb.Dialect, c column, arg int) string {
	col := quoteIdent(c.name)
	switch {
	case d == sqldb.SQLite:
		return fmt.Sprintf("instr(CAST(%s AS BLOB), CAST($%d AS BLOB)) > 0", col, arg)
	case c.binary:
		return fmt.Sprintf("position(convert_to($%d::text, 'UTF8') in %s) > 0", arg, col)
	default:
		return fmt.Sprintf("strpos(%s::text, $%d::text) > 0", col, arg)
	}
}

// needleForms returns n and the distinct ways it is written inside a JSON
// string.
func needleForms(n string) []string {
	forms := []string{n}
	for _, html := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		_ = enc.Encode(n) // a string always encodes
		s := strings.TrimSuffix(b.String(), "\n")
		s = s[1 : len(s)-1] // drop the quotes
		if !slices.Contains(forms, s) {
			forms = append(forms, s)
		}
	}
	return forms
}

func quoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
