package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// openAppendersSQL reads, in one statement, a reference transaction id (the
// snapshot's xmax) and the ids of every transaction holding the lock an
// INSERT into this schema's events table takes. An append takes that lock
// before it draws a position, takes its transaction id before it draws a
// position too, and keeps both until it ends, so every transaction that may
// still fill a hole below rows already read is among them, whatever its id
// relative to the snapshot: xmax is one past the latest transaction to
// complete, not the next id to be handed out, so an append still open can
// hold an id at or above it.
const openAppendersSQL = `SELECT pg_snapshot_xmax(pg_current_snapshot())::text, (
	SELECT coalesce(array_agg(t.transactionid::text), '{}')
	FROM pg_locks r JOIN pg_locks t ON t.virtualtransaction = r.virtualtransaction
	WHERE r.locktype = 'relation' AND r.mode = 'RowExclusiveLock' AND r.granted
		AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND r.relation = 'events'::regclass
		AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock')`

const stillOpenSQL = `SELECT coalesce(array_agg(x), '{}') FROM unnest($1::text[]) AS x
WHERE pg_xact_status(x::xid8) = 'in progress'`

// awaitAppenders waits until every append that was in flight when it was
// called has ended, or until the deadline, and reports which came first.
// Appends that take the lock later do not matter: they draw positions above
// every position drawn before the call.
func (s *Store) awaitAppenders(ctx context.Context, deadline time.Time) (bool, error) {
	var xmaxText string
	var xids []string
	if err := s.pool.QueryRow(ctx, openAppendersSQL).Scan(&xmaxText, &xids); err != nil {
		return false, fmt.Errorf("find appends in flight: %w", err)
	}
	open, err := widenXIDs(xids, xmaxText)
	if err != nil {
		return false, err
	}
	wait := 100 * time.Microsecond
	for len(open) > 0 {
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Millisecond)
		if err := s.pool.QueryRow(ctx, stillOpenSQL, open).Scan(&open); err != nil {
			return false, fmt.Errorf("wait for appends in flight: %w", err)
		}
	}
	return true, nil
}

// widenXIDs turns 32-bit transaction ids, as pg_locks shows them, into the
// 64-bit form pg_xact_status takes, using the 64-bit reference id ref (a
// recent snapshot's xmax) to fix each one's epoch. Every id in use lies
// less than 2³¹ from ref, on either side (PostgreSQL stops assigning ids
// long before that distance could be reached), so each one is the 64-bit
// id nearest to ref with the same low 32 bits; that holds across the wrap
// of the 32-bit counter in both directions. None is dropped: an id above
// ref belongs to a transaction that is still open, not to a later one.
func widenXIDs(xids []string, refText string) ([]string, error) {
	ref, err := strconv.ParseUint(refText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("parse xmax %q: %w", refText, err)
	}
	if ref >= 1<<62 {
		return nil, fmt.Errorf("xmax %d is beyond any transaction id", ref)
	}
	out := make([]string, 0, len(xids))
	for _, x := range xids {
		low, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parse xid %q: %w", x, err)
		}
		wide := int64(ref) + int64(int32(uint32(low)-uint32(ref)))
		if wide < 0 {
			return nil, fmt.Errorf("xid %d cannot be widened near xmax %d", low, ref)
		}
		out = append(out, strconv.FormatInt(wide, 10))
	}
	return out, nil
}
