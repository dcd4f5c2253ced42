package query

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
)

// CaseView is a case as a query returns it.
type CaseView struct {
	ID, EmployeeID, UnitID uuid.UUID
	Status                 casework.Status
	StandardCode           string
	StandardVersion        int
	RequestedFen           int64
	ApprovedFen            int64
	PaidFen                int64
	Steps                  []casework.StepView
	Documents              []casework.Document
	// MissingDocuments are the kinds of document the case's standard
	// requires that the case does not carry yet (the version fixed at
	// submission, or today's before it).
	MissingDocuments []string
	// DiscoveryID is the discovery item the case was opened from, or nil.
	DiscoveryID *uuid.UUID
	Version     int64
}

// GetCase returns a case to the applicant's own account and to staff with
// cases.file, cases.decide or audit.read at its unit.
func (s *Service) GetCase(ctx context.Context, actor uow.Actor, id uuid.UUID) (CaseView, error) {
	return s.GetCaseAsOf(ctx, actor, id, uow.AsOf{})
}

// GetCaseAsOf returns the case as it stood at the moment at, folded from
// its history up to then, to whoever may read it now (GetCase); a case
// not yet opened then is uow.ErrNotFound. Its missing documents are those of
// the standard as it stood then.
func (s *Service) GetCaseAsOf(ctx context.Context, actor uow.Actor, id uuid.UUID, at uow.AsOf) (CaseView, error) {
	w := uow.NewWork(s.store)
	c, err := s.readableCase(ctx, w, actor, id)
	if err != nil {
		return CaseView{}, err
	}
	c, err = asItStood(ctx, w, at, c, casework.CaseStream(id), fmt.Sprintf("case %s was not opened yet then", id), func(history []event.Recorded) (*casework.Case, error) {
		return casework.LoadCase(id, history)
	})
	if err != nil {
		return CaseView{}, err
	}
	missing, err := missingDocuments(ctx, w, c, at)
	if err != nil {
		return CaseView{}, err
	}
	return CaseView{
		ID: c.ID(), EmployeeID: c.EmployeeID(), UnitID: c.UnitID(), Status: c.Status(),
		StandardCode: c.StandardCode(), StandardVersion: c.StandardVersion(), RequestedFen: c.RequestedFen(),
		ApprovedFen: c.ApprovedFen(), PaidFen: c.PaidFen(), Steps: c.Steps(), Documents: c.Documents(),
		MissingDocuments: missing, DiscoveryID: c.DiscoveryID(), Version: c.Version(),
	}, nil
}

// missingDocuments lists what c's standard requires that c lacks: under the
// version fixed at submission, or the standard's latest version at at
// before it.
func missingDocuments(ctx context.Context, w *uow.Work, c *casework.Case, at uow.AsOf) ([]string, error) {
	history, err := w.Load(ctx, catalogue.StandardStream(c.StandardCode()))
	if err != nil {
		return nil, err
	}
	st, err := catalogue.LoadStandard(c.StandardCode(), at.Cut(history))
	if err != nil {
		return nil, err
	}
	def := st.Current()
	if v := c.StandardVersion(); v > 0 {
		if def, err = st.Version(v); err != nil {
			return nil, err
		}
	}
	kinds := make([]string, 0, len(c.Documents()))
	for _, d := range c.Documents() {
		kinds = append(kinds, d.Kind)
	}
	return def.MissingDocuments(kinds), nil
}

// readableCase loads case id, for actor to read: to the employee's own
// account and to holders of one of access.CaseReadPermissions at the
// case's unit; to anyone else it is refused (and the refusal recorded).
func (s *Service) readableCase(ctx context.Context, w *uow.Work, actor uow.Actor, id uuid.UUID) (*casework.Case, error) {
	c, unit, err := uow.LoadCaseAt(ctx, w, id)
	if err != nil {
		return nil, err
	}
	if !actor.Bootstrap {
		account, err := s.gate.LoadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return nil, err
		}
		if account.IsEmployee(c.EmployeeID()) {
			return c, nil
		}
		for _, p := range access.CaseReadPermissions() {
			if _, err := account.Authorize(p, access.RefOf(unit)); err == nil {
				return c, nil
			}
		}
	}
	return nil, s.gate.Denied(ctx, actor, access.PermCasesFile, unit, "reading a case or payment")
}

// GetDocument returns a file of a case to those who may read the case; a
// hash the case does not hold is uow.ErrNotFound, whatever the store keeps.
func (s *Service) GetDocument(ctx context.Context, actor uow.Actor, caseID uuid.UUID, sha256Hex string) ([]byte, string, error) {
	if s.documents == nil {
		return nil, "", uow.ErrNoDocumentStore
	}
	c, err := s.readableCase(ctx, uow.NewWork(s.store), actor, caseID)
	if err != nil {
		return nil, "", err
	}
	if !slices.ContainsFunc(c.Documents(), func(d casework.Document) bool { return d.SHA256 == sha256Hex }) {
		return nil, "", fmt.Errorf("document %s of case %s: %w", sha256Hex, caseID, uow.ErrNotFound)
	}
	return s.documents.Get(ctx, sha256Hex)
}
