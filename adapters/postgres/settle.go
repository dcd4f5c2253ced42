package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// openAppendersSQL reads, in one statement, the snapshot bounds and — only
// when some transaction is open at all — the transaction ids of those
// holding the lock an INSERT into this schema's events table takes. An
// append takes that lock before it draws a position, and keeps it until it
// ends, so every transaction that may still fill a hole below rows already
// read is among them.
const openAppendersSQL = `WITH snap AS (SELECT pg_current_snapshot() AS s)
SELECT pg_snapshot_xmax(s)::text,
	CASE WHEN pg_snapshot_xmin(s) < pg_snapshot_xmax(s) THEN (
		SELECT coalesce(array_agg(t.transactionid::text), '{}')
		FROM pg_locks r JOIN pg_locks t ON t.virtualtransaction = r.virtualtransaction
		WHERE r.locktype = 'relation' AND r.mode = 'RowExclusiveLock' AND r.granted
			AND r.database = (SELECT oid FROM pg_database WHERE datname = current_database())
			AND r.relation = 'events'::regclass
			AND t.locktype = 'transactionid' AND t.mode = 'ExclusiveLock')
	ELSE '{}' END
FROM snap`

const stillOpenSQL = `SELECT coalesce(array_agg(x), '{}') FROM unnest($1::text[]) AS x
WHERE pg_xact_status(x::xid8) = 'in progress'`

// awaitAppenders waits until every append that was in flight when it was
// called has ended, or until the deadline, and reports which came first.
// Appends that start later do not matter: they draw higher positions.
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
// 64-bit form pg_xact_status takes, keeping only those assigned before the
// snapshot whose xmax is given: later ones draw positions above anything
// read before that snapshot. Ids live less than 2³¹ apart, which fixes each
// one's epoch.
func widenXIDs(xids []string, xmaxText string) ([]string, error) {
	xmax, err := strconv.ParseUint(xmaxText, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("parse xmax %q: %w", xmaxText, err)
	}
	out := make([]string, 0, len(xids))
	for _, x := range xids {
		low, err := strconv.ParseUint(x, 10, 32)
		if err != nil {
			return nil, fmt.Errorf("parse xid %q: %w", x, err)
		}
		if int32(uint32(low)-uint32(xmax)) >= 0 {
			continue // assigned at or after xmax
		}
		wide := xmax&^0xFFFFFFFF | low
		if wide >= xmax {
			wide -= 1 << 32 // assigned before xmax's epoch began
		}
		out = append(out, strconv.FormatUint(wide, 10))
	}
	return out, nil
}
