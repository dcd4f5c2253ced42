// Package readmodel is what a projection is made of: its tables and the
// transaction it applies events in. Projections live in their own packages
// (cases, inbox, budgets, stats) and are run by package projections.
package readmodel

import (
	"context"
	"database/sql"
	"strings"

	"github.com/google/uuid"

	"aidtrail/domain/casework"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Projection keeps read-model tables up to date from the event log.
//
// Name is stable: it keys the projection's checkpoint, its generations and
// its router handler, so renaming it rebuilds the read model from position
// 0. Tables lists the tables it owns and alone writes. Apply changes those
// tables for one event inside tx; it is called once per event in global
// order, never for an event it has already applied, and an error leaves
// the event unapplied (the transaction is rolled back and the event is
// delivered again). Apply must ignore, without error, events it has no use
// for; a projection of money must not ignore an event it should use but
// cannot understand: that is an error, which stops it there.
type Projection interface {
	Name() string
	Tables() []Table
	Apply(ctx context.Context, tx *Tx, e event.Recorded) error
}

// Selective is a Projection that can tell from an event's type and stream
// alone whether Apply would use it (or refuse it). For a batch that
// concerns it not at all, the runner moves its checkpoint with one
// statement instead of a transaction: most events concern few read models.
type Selective interface {
	Concerns(e event.Recorded) bool
}

// Table is a read-model table. Analysts and queries use its plain Name,
// a view of the live generation; the projection writes the generation it
// is building. In Create and in the statements a projection runs through
// Tx, "{name}" stands for the physical table of that generation, e.g.
// "CREATE INDEX {rm_cases}_unit ON {rm_cases} (unit_id)". Column types
// must mean the same on PostgreSQL and SQLite: TEXT, BIGINT, INTEGER.
type Table struct {
	Name   string
	Create []string
}

// Tx is a read-model transaction bound to one generation of a projection:
// "{name}" in a statement becomes that generation's table. Placeholders are
// PostgreSQL's $1, $2 ... on both engines.
type Tx struct {
	tx    *sqldb.Tx
	names *strings.Replacer
	// stmts holds the statements prepared in this transaction, by query
	// text, on an engine where that pays (sqldb.Engine.PrepareRepeated).
	stmts map[string]*sql.Stmt
	// local and ends are what a projection keeps for the rest of the
	// transaction (see Local and AtEnd).
	local map[any]any
	ends  []func(context.Context) error
}

// Local returns what the projection keeps under key for the rest of this
// transaction — one batch of events — made by init on first use. A
// projection keeps there what it would otherwise read for every event (a
// rule set) or writes it may gather into one statement, which it then
// writes with AtEnd, or earlier when a read needs them. The runner may
// apply a batch again in a new transaction: nothing kept here outlives
// this one.
func (t *Tx) Local(key any, init func() any) any {
	if v, ok := t.local[key]; ok {
		return v
	}
	if t.local == nil {
		t.local = map[any]any{}
	}
	v := init()
	t.local[key] = v
	return v
}

// AtEnd has f run once after the transaction's last event is applied and
// before its checkpoint moves; an error from f fails the whole batch, as
// an error from Apply does.
func (t *Tx) AtEnd(f func(context.Context) error) { t.ends = append(t.ends, f) }

// End runs what AtEnd registered, in order. The runner calls it; a
// projection does not.
func (t *Tx) End(ctx context.Context) error {
	ends := t.ends
	t.ends = nil
	for _, f := range ends {
		if err := f(ctx); err != nil {
			return err
		}
	}
	return nil
}

// NewTx binds tx to the table names names replaces.
func NewTx(tx *sqldb.Tx, names *strings.Replacer) *Tx {
	t := &Tx{tx: tx, names: names}
	if tx.Engine().PrepareRepeated() {
		t.stmts = map[string]*sql.Stmt{}
	}
	return t
}

// prepared returns query's statement when this transaction caches them.
func (t *Tx) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if t.stmts == nil {
		return nil, nil
	}
	if s, ok := t.stmts[query]; ok {
		return s, nil
	}
	s, err := t.tx.Prepare(ctx, t.names.Replace(query))
	if err != nil {
		return nil, err
	}
	t.stmts[query] = s
	return s, nil
}

// Dialect is the SQL engine, for the rare statement that must differ.
func (t *Tx) Dialect() sqldb.Dialect { return t.tx.Dialect() }

// Exec runs a statement.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s, err := t.prepared(ctx, query); err != nil || s != nil {
		if err != nil {
			return nil, err
		}
		return s.ExecContext(ctx, args...)
	}
	return t.tx.Exec(ctx, t.names.Replace(query), args...)
}

// Query runs a query.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s, err := t.prepared(ctx, query); err != nil || s != nil {
		if err != nil {
			return nil, err
		}
		return s.QueryContext(ctx, args...)
	}
	return t.tx.Query(ctx, t.names.Replace(query), args...)
}

// QueryRow runs a query expected to return at most one row.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if s, err := t.prepared(ctx, query); err == nil && s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	// An error preparing comes back from the unprepared query's Scan.
	return t.tx.QueryRow(ctx, t.names.Replace(query), args...)
}

// CaseID returns the case a case stream ("case-<uuid>") belongs to.
func CaseID(stream string) (uuid.UUID, error) {
	return casework.ParseCaseStream(stream)
}
