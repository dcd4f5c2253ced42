package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// The statements the writer runs. Each append or transaction runs inside
// its own savepoint of the batch's transaction.
const (
	stmtStored = `SELECT event_id, stream_id, version, position, type, data, metadata
		FROM events WHERE event_id IN (SELECT value FROM json_each(?))`
	stmtVersion = `SELECT version FROM streams WHERE stream_id = ?`
	stmtInsert  = `INSERT INTO events (event_id, stream_id, version, type, data, metadata, recorded_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	stmtBump = `INSERT INTO streams (stream_id, version) VALUES (?, ?)
		ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version`
	stmtSavepoint  = `SAVEPOINT append`
	stmtRollbackTo = `ROLLBACK TO append`
	stmtRelease    = `RELEASE append`
)

// stmts are the writer's prepared statements: on the write handle (prepared
// once, on the first batch after the schema exists) or bound to one batch's
// transaction. Only the writer goroutine uses them.
type stmts struct {
	stored, version, insert, bump  *sql.Stmt
	savepoint, rollbackTo, release *sql.Stmt
}

// all lists the statements with their SQL.
func (st *stmts) all() []struct {
	stmt  **sql.Stmt
	query string
} {
	return []struct {
		stmt  **sql.Stmt
		query string
	}{
		{&st.stored, stmtStored}, {&st.version, stmtVersion}, {&st.insert, stmtInsert},
		{&st.bump, stmtBump}, {&st.savepoint, stmtSavepoint}, {&st.rollbackTo, stmtRollbackTo},
		{&st.release, stmtRelease},
	}
}

// prepareStmts prepares the writer's statements on db.
func prepareStmts(ctx context.Context, db *sql.DB) (*stmts, error) {
	st := &stmts{}
	for _, s := range st.all() {
		stmt, err := db.PrepareContext(ctx, s.query)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("prepare: %w", err), st.close())
		}
		*s.stmt = stmt
	}
	return st, nil
}

// bind returns the statements bound to tx. The database/sql pool of the
// write handle has one connection, so binding reuses the prepared
// statements instead of preparing again.
func (st *stmts) bind(ctx context.Context, tx *sql.Tx) *stmts {
	out := &stmts{}
	src := st.all()
	for i, dst := range out.all() {
		*dst.stmt = tx.StmtContext(ctx, *src[i].stmt)
	}
	return out
}

func (st *stmts) close() error {
	var errs []error
	for _, s := range st.all() {
		if *s.stmt != nil {
			errs = append(errs, (*s.stmt).Close())
		}
	}
	return errors.Join(errs...)
}
