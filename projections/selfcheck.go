package projections

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"aidtrail/commands/query"
)

// CountMismatch is an event type of which a projection has applied a
// different number of events than the log holds; see query.CountMismatch.
type CountMismatch = query.CountMismatch

// CountCheck is the result of the last self-check of one projection.
type CountCheck = query.CountCheck

// selfCheck compares each projection's count of applied events per type
// with the log. It keeps, per projection, the log's counts up to the
// position it last compared at, so that each check reads only the events
// added since (the first check in a process reads the log once).
type selfCheck struct {
	run     sync.Mutex // one check at a time
	tallies map[string]*logTally

	mu      sync.Mutex
	results map[string]CountCheck
}

// logTally is the log's count of the events one generation of a projection
// concerns, per type, after from up to at.
type logTally struct {
	key      string // the generation's checkpoint key
	from, at int64
	counts   map[string]int64
}

// standing is where the live generation of a projection stands, read in
// one statement: its checkpoint and the counts moved with it.
type standing struct {
	key         string
	position    int64
	countedFrom int64
	applied     map[string]int64
	tally       *logTally
}

// CheckCounts compares, for every projection of the runner, the events it
// has applied per type with the events the log holds up to its checkpoint,
// and keeps the result for Status. Mismatches are logged as errors. It
// returns an error only when it could not check.
func (r *Runner) CheckCounts(ctx context.Context) error {
	c := r.check
	c.run.Lock()
	defer c.run.Unlock()
	stands, err := r.standings(ctx)
	if err != nil {
		return err
	}
	lo, hi := int64(-1), int64(0)
	for name, st := range stands {
		t := c.tallies[name]
		if t == nil || t.key != st.key || t.from != st.countedFrom || t.at > st.position {
			t = &logTally{key: st.key, from: st.countedFrom, at: st.countedFrom, counts: map[string]int64{}}
			c.tallies[name] = t
		}
		st.tally = t
		if t.at < st.position { // only tallies behind their checkpoint need the log
			if lo < 0 || t.at < lo {
				lo = t.at
			}
			hi = max(hi, st.position)
		}
	}
	if lo >= 0 {
		if err := r.tallyLog(ctx, stands, lo, hi); err != nil {
			return err
		}
	}
	for _, p := range r.cfg.Projections {
		st, ok := stands[p.Name()]
		if !ok || st.tally.at != st.position {
			continue // not prepared yet, or the log could not be read that far now
		}
		off := compareCounts(st.applied, st.tally.counts)
		c.mu.Lock()
		c.results[p.Name()] = CountCheck{At: st.position, Mismatches: off}
		c.mu.Unlock()
		if len(off) > 0 {
			r.cfg.Logger.Error("Projection's event counts disagree with the log", nil, watermill.LogFields{
				"projection": p.Name(), "checkpoint": st.position, "mismatches": fmt.Sprint(off)})
		}
	}
	return nil
}

// standings reads the live generation of each of the runner's projections
// that has one, in one statement, so that each checkpoint and its counts
// are of one moment.
func (r *Runner) standings(ctx context.Context) (map[string]*standing, error) {
	rows, err := r.cfg.DB.Query(ctx, `SELECT g.name, c.name, c.position, c.counted_from, n.type, n.events
		FROM projection_generations g
		JOIN projection_checkpoints c ON c.name = g.name || '#' || CAST(g.live AS TEXT)
		LEFT JOIN projection_event_counts n ON n.checkpoint = c.name`)
	if err != nil {
		return nil, fmt.Errorf("projections: self-check: %w", err)
	}
	defer rows.Close()
	wanted := map[string]bool{}
	for _, n := range r.Names() {
		wanted[n] = true
	}
	out := map[string]*standing{}
	for rows.Next() {
		var name, key string
		var position, from int64
		var typ sql.NullString
		var events sql.NullInt64
		if err := rows.Scan(&name, &key, &position, &from, &typ, &events); err != nil {
			return nil, fmt.Errorf("projections: self-check: %w", err)
		}
		if !wanted[name] {
			continue
		}
		st := out[name]
		if st == nil {
			st = &standing{key: key, position: position, countedFrom: from, applied: map[string]int64{}}
			out[name] = st
		}
		if typ.Valid {
			st.applied[typ.String] = events.Int64
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("projections: self-check: %w", err)
	}
	return out, nil
}

// tallyLog reads the log after lo up to hi once and adds each event to the
// tally of every projection that concerns it and whose range
// (tally.at, checkpoint] holds it; each tally then stands at its
// checkpoint, or where the log could be read to for now.
func (r *Runner) tallyLog(ctx context.Context, stands map[string]*standing, lo, hi int64) error {
	byName := map[string]Projection{}
	for _, p := range r.cfg.Projections {
		byName[p.Name()] = p
	}
	after := max(lo, 0)
	for after < hi {
		page, err := r.cfg.Source.ReadAll(ctx, after, readBatch)
		if err != nil {
			return fmt.Errorf("projections: self-check: read after %d: %w", after, err)
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if e.Position > hi {
				break
			}
			for name, st := range stands {
				if e.Position > st.tally.at && e.Position <= st.position && concerns(byName[name], e) {
					st.tally.counts[e.Type]++
				}
			}
			after = e.Position
		}
		if page[len(page)-1].Position > hi {
			after = hi
		}
	}
	for _, st := range stands {
		st.tally.at = max(st.tally.at, min(st.position, after))
	}
	return nil
}

// compareCounts lists the types whose counts differ, by type.
func compareCounts(applied, logged map[string]int64) []CountMismatch {
	var off []CountMismatch
	for t, n := range logged {
		if applied[t] != n {
			off = append(off, CountMismatch{Type: t, Applied: applied[t], Logged: n})
		}
	}
	for t, n := range applied {
		if _, ok := logged[t]; !ok && n != 0 {
			off = append(off, CountMismatch{Type: t, Applied: n})
		}
	}
	slices.SortFunc(off, func(a, b CountMismatch) int { return strings.Compare(a.Type, b.Type) })
	return off
}

// countCheck returns the result of the last self-check of projection name.
func (r *Runner) countCheck(name string) CountCheck {
	r.check.mu.Lock()
	defer r.check.mu.Unlock()
	return r.check.results[name]
}

// checkCountsEvery runs CheckCounts every interval until ctx ends, the
// first time after one interval; errors are logged and the next check
// tries again.
func (r *Runner) checkCountsEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := r.CheckCounts(ctx); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Error("Projection self-check failed", err, nil)
		}
	}
}
