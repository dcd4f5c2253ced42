package query

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
	"aidtrail/domain/whatif"
)

// WhatIfRequest asks what a draft version of a standard would have
// granted the cases decided under the standard (any version of it) in the
// months From to To (YYYY-MM, both inclusive, in the reporting zone),
// within the subtree of UnitID (uuid.Nil: where the caller reads
// statistics; see StatsScope). The draft is laid over the standard's
// current version.
type WhatIfRequest struct {
	StandardCode string
	Draft        whatif.Draft
	From, To     string
	UnitID       uuid.UUID
}

// WhatIfRow is one case of an analysis: its outcome, the name of its unit
// and the month it was decided in. In a masked report the case and the
// employee are uuid.Nil.
type WhatIfRow struct {
	whatif.Outcome
	UnitName string
	Month    string
}

// WhatIfTotal is the figures of the cases of one unit (the case's own),
// decided in one month, under one budget line. A case whose draft moves
// it to another line counts its grant under its line and its draft grant
// under the draft's, each in a row of its own.
type WhatIfTotal struct {
	UnitID                      uuid.UUID
	UnitName, Month, BudgetLine string
	WhatIfSums
}

// WhatIfSums are the figures a report and each of its totals add up: the
// cases, what was granted and what the draft would have granted, and the
// cases the draft makes eligible or no longer eligible.
type WhatIfSums struct {
	Cases                           int
	CurrentFen, DraftFen            int64
	NewlyEligible, NoLongerEligible int
}

// DeltaFen is what the draft would have granted more (negative: less).
func (s WhatIfSums) DeltaFen() int64 { return s.DraftFen - s.CurrentFen }

// WhatIfReport is an analysis's answer. Position is where its record
// (analysis.what_if_run) landed; EventsRead how many events of the
// history it read.
type WhatIfReport struct {
	AnalysisID   uuid.UUID
	Position     int64
	StandardCode string
	BaseVersion  int
	Draft        catalogue.Definition
	From, To     string
	UnitID       uuid.UUID
	Masked       bool
	WhatIfSums
	Rows       []WhatIfRow
	Totals     []WhatIfTotal
	EventsRead int
}

// Validate checks the request's own fields, the first problem as a
// *fault.ValidationError: a standard code; from and to months, from not
// after to.
func (r WhatIfRequest) Validate() error {
	switch {
	case r.StandardCode == "":
		return fault.Invalid("standard_code", "is required")
	case r.From == "" || !ValidMonth(r.From):
		return fault.Invalid("from", "must be a month YYYY-MM")
	case r.To == "" || !ValidMonth(r.To):
		return fault.Invalid("to", "must be a month YYYY-MM")
	case r.From > r.To:
		return fault.Invalid("to", "must not be before from")
	}
	return nil
}

// WhatIf replays r's draft over the history (whatif.Replay) for whoever
// reads statistics at the unit, and records the run (analysis.what_if_run:
// who, which draft, which period, what it found). It writes nothing else;
// a refused or malformed request records nothing but, for a refusal, the
// refusal. The rows name the case and the employee only to holders of
// employees.read at the unit; analysts get them without.
func (s *Service) WhatIf(ctx context.Context, actor uow.Actor, r WhatIfRequest) (WhatIfReport, error) {
	if err := r.Validate(); err != nil {
		return WhatIfReport{}, err
	}
	scope, err := s.StatsScope(ctx, actor, r.UnitID)
	if err != nil {
		return WhatIfReport{}, err
	}
	w := uow.NewWork(s.store)
	var unit *org.Unit
	if scope != uuid.Nil {
		if unit, err = uow.LoadUnit(ctx, w, scope); err != nil {
			return WhatIfReport{}, err
		}
	}
	meta, err := s.gate.Authorize(ctx, w, actor, access.PermStatsRead, unit)
	if err != nil {
		return WhatIfReport{}, err
	}
	masked := false
	if !actor.Bootstrap && unit != nil {
		account, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return WhatIfReport{}, err
		}
		_, err = account.Authorize(access.PermEmployeesRead, access.RefOf(unit))
		if err != nil && !errors.Is(err, access.ErrForbidden) {
			return WhatIfReport{}, err
		}
		masked = err != nil
	}
	return s.whatIf(ctx, w, r, scope, masked, uow.NewID(actor, "what-if"), meta)
}

// WhatIfAsOperator runs the analysis for an operator of the service, who
// reads its database directly (the command line): within the subtree of
// r.UnitID, or the whole organisation for uuid.Nil, naming no case or
// employee. The record names operator as its actor.
func (s *Service) WhatIfAsOperator(ctx context.Context, operator string, r WhatIfRequest) (WhatIfReport, error) {
	if err := r.Validate(); err != nil {
		return WhatIfReport{}, err
	}
	w := uow.NewWork(s.store)
	if r.UnitID != uuid.Nil {
		if _, err := uow.LoadUnit(ctx, w, r.UnitID); errors.Is(err, uow.ErrNotFound) {
			return WhatIfReport{}, fault.Invalid("unit_id", "names no unit")
		} else if err != nil {
			return WhatIfReport{}, err
		}
	}
	meta := event.Metadata{ActorName: operator, OccurredAt: s.clock.Now(), SchemaVersion: 1}
	return s.whatIf(ctx, w, r, r.UnitID, true, event.NewID(), meta)
}

// whatIf loads the standard, lays the draft over its current version,
// replays the history, keeps the rows of the period and scope, and
// records the run under meta.
func (s *Service) whatIf(ctx context.Context, w *uow.Work, r WhatIfRequest, scope uuid.UUID, masked bool, id uuid.UUID, meta event.Metadata) (WhatIfReport, error) {
	std, err := uow.LoadStandard(ctx, w, r.StandardCode)
	if errors.Is(err, uow.ErrNotFound) {
		return WhatIfReport{}, fault.Invalid("standard_code", "names no standard")
	}
	if err != nil {
		return WhatIfReport{}, err
	}
	base := std.Current()
	draft, err := r.Draft.Over(base)
	if err != nil {
		return WhatIfReport{}, err
	}
	replay, err := whatif.NewReplay(draft)
	if err != nil {
		return WhatIfReport{}, err
	}
	read, err := replayHistory(ctx, s.store, r.StandardCode, replay)
	if err != nil {
		return WhatIfReport{}, err
	}
	rep := WhatIfReport{AnalysisID: id, StandardCode: r.StandardCode, BaseVersion: base.Version, Draft: draft,
		From: r.From, To: r.To, UnitID: scope, Masked: masked, EventsRead: read}
	units := map[uuid.UUID]*org.Unit{}
	outcomes := replay.Outcomes()
	rep.Rows = make([]WhatIfRow, 0, len(outcomes))
	for _, o := range outcomes {
		month := calendar.Month(o.DecidedAt)
		if month < r.From || month > r.To {
			continue
		}
		u, ok := units[o.UnitID]
		if !ok {
			if u, err = uow.LoadUnit(ctx, w, o.UnitID); err != nil {
				return WhatIfReport{}, fmt.Errorf("the unit of case %s: %w", o.CaseID, err)
			}
			units[o.UnitID] = u
		}
		if scope != uuid.Nil && !u.WithinSubtreeOf(scope) {
			continue
		}
		if masked {
			o.CaseID, o.EmployeeID = uuid.Nil, uuid.Nil
		}
		rep.Rows = append(rep.Rows, WhatIfRow{Outcome: o, UnitName: u.Name(), Month: month})
	}
	rep.total()
	run := whatif.AnalysisRun{AnalysisID: id, StandardCode: r.StandardCode, BaseVersion: base.Version, Draft: draft,
		From: r.From, To: r.To, UnitID: scope, Cases: rep.Cases, CurrentFen: rep.CurrentFen, DraftFen: rep.DraftFen,
		NewlyEligible: rep.NewlyEligible, NoLongerEligible: rep.NoLongerEligible}
	e, err := event.New(whatif.TypeAnalysisRun, run)
	if err != nil {
		return WhatIfReport{}, err
	}
	e.Metadata = meta
	written, err := s.store.Append(ctx, whatif.Stream(id), event.NoStream, e)
	if err != nil {
		return WhatIfReport{}, fmt.Errorf("record the analysis: %w", err)
	}
	rep.Position = written.Position
	return rep, nil
}

// total sums the rows into the report's figures and its totals by unit,
// month and budget line.
func (rep *WhatIfReport) total() {
	type key struct {
		unit        uuid.UUID
		month, line string
	}
	groups := map[key]*WhatIfTotal{}
	group := func(row WhatIfRow, line string) *WhatIfTotal {
		k := key{row.UnitID, row.Month, line}
		if groups[k] == nil {
			groups[k] = &WhatIfTotal{UnitID: row.UnitID, UnitName: row.UnitName, Month: row.Month, BudgetLine: line}
		}
		return groups[k]
	}
	for _, row := range rep.Rows {
		newly, lost := !row.EligibleBefore && row.EligibleAfter, row.EligibleBefore && !row.EligibleAfter
		rep.Cases++
		rep.CurrentFen += row.CurrentFen
		rep.DraftFen += row.DraftFen
		rep.NewlyEligible += count(newly)
		rep.NoLongerEligible += count(lost)
		g := group(row, row.BudgetLine)
		g.Cases++
		g.CurrentFen += row.CurrentFen
		g.NewlyEligible += count(newly)
		g.NoLongerEligible += count(lost)
		group(row, row.DraftBudgetLine).DraftFen += row.DraftFen
	}
	for _, g := range groups {
		rep.Totals = append(rep.Totals, *g)
	}
	slices.SortFunc(rep.Totals, func(a, b WhatIfTotal) int {
		return cmp.Or(cmp.Compare(a.UnitName, b.UnitName), cmp.Compare(a.UnitID.String(), b.UnitID.String()),
			cmp.Compare(a.Month, b.Month), cmp.Compare(a.BudgetLine, b.BudgetLine))
	})
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}
