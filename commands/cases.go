package commands

import (
	"context"
	"fmt"
	"slices"

	"aidtrail/commands/internal/uow"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/org"
)

// OpenCase opens a draft application for aid, by the employee themself or
// by a caseworker on their behalf.
type OpenCase struct {
	EmployeeID      uuid.UUID
	Beneficiary     casework.Relation
	BeneficiaryName string // required unless the beneficiary is the employee ("self")
	StandardCode    string
	Causes          []string
	ExpenseFen      int64
	RequestedFen    int64
	Description     string
	// DiscoveryID, optional: the discovery item the case answers, which
	// leaves the open list once the case is opened.
	DiscoveryID uuid.UUID
}

// OpenCase needs the employee's own account, or cases.file at the
// employee's unit. The beneficiary's name and the description are sealed
// under the employee's key.
func (a *App) OpenCase(ctx context.Context, actor Actor, cmd OpenCase) (uuid.UUID, Written, error) {
	id := uow.NewID(actor, "case")
	pos, err := a.attempt(ctx, actor, "OpenCase", nil, func(w *uow.Work) (event.Metadata, error) {
		emp, unit, err := uow.LoadEmployeeAt(ctx, w, cmd.EmployeeID)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, _, err := a.gate.AuthorizeSelfOr(ctx, w, actor, emp.ID(), access.PermCasesFile, unit)
		if err != nil {
			return event.Metadata{}, err
		}
		std, err := uow.LoadStandard(ctx, w, cmd.StandardCode)
		if err != nil {
			return event.Metadata{}, err
		}
		if retired, _ := std.Retired(); retired {
			return event.Metadata{}, fmt.Errorf("standard %s is retired: %w", cmd.StandardCode, catalogue.ErrRetired)
		}
		empAccount, err := employeeAccount(ctx, w, emp.ID())
		if err != nil {
			return event.Metadata{}, err
		}
		name, description, err := a.sealCaseText(ctx, emp.ID(), cmd)
		if err != nil {
			return event.Metadata{}, err
		}
		c, err := casework.Open(casework.OpenParams{
			CaseID: id, EmployeeID: emp.ID(), EmployeeAccountID: empAccount, UnitID: unit.ID(),
			Beneficiary:  casework.Beneficiary{Relation: cmd.Beneficiary, Name: name},
			StandardCode: cmd.StandardCode, Category: string(std.Current().Category), Causes: cmd.Causes,
			ExpenseFen: cmd.ExpenseFen, RequestedFen: cmd.RequestedFen, Description: description,
			OpenedBy: actor.AccountID, DiscoveryID: optionalID(cmd.DiscoveryID),
		})
		if err != nil {
			return event.Metadata{}, err
		}
		w.Add(c.Stream(), c.Changes()...)
		return meta, nil
	})
	return id, Written{pos}, err
}

func (a *App) sealCaseText(ctx context.Context, employee uuid.UUID, cmd OpenCase) (name, description casework.Sealed, err error) {
	if cmd.Beneficiary != casework.RelationSelf {
		if err := checkPersonName("beneficiary.name", cmd.BeneficiaryName); err != nil {
			return "", "", err
		}
		s, err := a.keyring.Seal(ctx, employee, cmd.BeneficiaryName)
		if err != nil {
			return "", "", err
		}
		name = casework.Sealed(s)
	}
	if cmd.Description == "" || len(cmd.Description) > 4000 {
		return "", "", &fault.ValidationError{Field: "description", Reason: "must be 1 to 4000 bytes"}
	}
	s, err := a.keyring.Seal(ctx, employee, cmd.Description)
	return name, casework.Sealed(s), err
}

// SubmitCase sends a draft (or a returned case) to review.
type SubmitCase struct {
	CaseID  uuid.UUID
	IfMatch int64 // the case's version the caller saw (its ETag); 0: any
}

// SubmitCase sends a draft to review: it fixes the standard's current
// version, the most the case may be paid under it and this year's caps,
// and the governing approval flow, for the life of the case. A case that
// moved on from cmd.IfMatch is refused as a conflict and nothing is
// written.
func (a *App) SubmitCase(ctx context.Context, actor Actor, cmd SubmitCase) (Written, error) {
	caseID, version := cmd.CaseID, cmd.IfMatch
	pos, err := a.attempt(ctx, actor, "SubmitCase", nil, func(w *uow.Work) (event.Metadata, error) {
		c, unit, meta, err := a.caseToFile(ctx, w, actor, caseID, version)
		if err != nil {
			return event.Metadata{}, err
		}
		before := held(c)
		if c.Status() == casework.StatusReturned {
			if err := c.Resubmit(); err != nil {
				return event.Metadata{}, err
			}
			w.Add(c.Stream(), c.Changes()...)
			return meta, trackAssignments(w, c, before)
		}
		std, err := uow.LoadStandard(ctx, w, c.StandardCode())
		if err != nil {
			return event.Metadata{}, err
		}
		def := std.Current()
		ledger, err := loadAidLedger(ctx, w, c.EmployeeID(), calendar.Year(a.clock.Now()))
		if err != nil {
			return event.Metadata{}, err
		}
		paid, times := ledger.received(def.Code)
		maxPayable, err := def.Check(catalogue.Claim{
			Beneficiary: beneficiaryOf(c), ExpenseFen: c.ExpenseFen(), RequestedFen: c.RequestedFen(),
			DocumentKinds: documentKinds(c), PaidThisYearFen: paid, TimesThisYear: times,
		})
		if err != nil {
			return event.Metadata{}, err
		}
		flow, err := governingFlow(ctx, w, unit, c.Category())
		if err != nil {
			return event.Metadata{}, err
		}
		if err := c.Submit(casework.SubmitParams{
			StandardVersion: def.Version, MaxPayableFen: maxPayable,
			FlowUnitID: flow.UnitID(), FlowVersion: flow.FlowVersion(), Steps: flow.Steps(),
			RequiredDocuments: def.RequiredDocuments,
		}); err != nil {
			return event.Metadata{}, err
		}
		w.Add(c.Stream(), c.Changes()...)
		return meta, trackAssignments(w, c, before)
	})
	return Written{pos}, err
}

// governingFlow is the unit's own flow for the category, or its nearest
// ancestor's.
func governingFlow(ctx context.Context, w *uow.Work, unit *org.Unit, category string) (*casework.Flow, error) {
	path := append([]uuid.UUID{unit.ID()}, reversed(unit.Path())...)
	flows := map[uuid.UUID]*casework.Flow{}
	for _, u := range path {
		history, err := w.Load(ctx, casework.FlowStream(u, category))
		if err != nil {
			return nil, err
		}
		if len(history) == 0 {
			continue
		}
		f, err := casework.LoadFlow(u, category, history)
		if err != nil {
			return nil, err
		}
		flows[u] = f
	}
	f, ok := casework.Nearest(flows, path)
	if !ok {
		return nil, fmt.Errorf("%w: no approval flow for %s at unit %s or above it; configure one first", fault.ErrInvalidState, category, unit.ID())
	}
	return f, nil
}

func reversed(ids []uuid.UUID) []uuid.UUID {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func documentKinds(c *casework.Case) []string {
	var kinds []string
	for _, d := range c.Documents() {
		kinds = append(kinds, d.Kind)
	}
	return kinds
}

func beneficiaryOf(c *casework.Case) catalogue.Beneficiary {
	return catalogue.Beneficiary(c.Beneficiary().Relation)
}

// optionalID is nil for uuid.Nil, else a pointer to id.
func optionalID(id uuid.UUID) *uuid.UUID {
	if id == uuid.Nil {
		return nil
	}
	return &id
}
