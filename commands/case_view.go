package commands

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"aidtrail/domain/access"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/org"
	"aidtrail/domain/payment"
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
	Version          int64
}

// GetCase returns a case to the applicant's own account and to staff with
// cases.file, cases.decide or audit.read at its unit.
func (a *App) GetCase(ctx context.Context, actor Actor, id uuid.UUID) (CaseView, error) {
	return a.GetCaseAsOf(ctx, actor, id, AsOf{})
}

// GetCaseAsOf returns the case as it stood at the moment at, folded from
// its history up to then, to whoever may read it now (GetCase); a case
// not yet opened then is ErrNotFound. Its missing documents are those of
// the standard as it stood then.
func (a *App) GetCaseAsOf(ctx context.Context, actor Actor, id uuid.UUID, at AsOf) (CaseView, error) {
	w := newWork(a.store)
	c, unit, err := loadCaseAt(ctx, w, id)
	if err != nil {
		return CaseView{}, err
	}
	if err := a.mayReadCase(ctx, w, actor, c.EmployeeID(), unit); err != nil {
		return CaseView{}, err
	}
	if !at.Now() {
		history, err := w.load(ctx, casework.CaseStream(id))
		if err != nil {
			return CaseView{}, err
		}
		then := at.cut(history)
		if len(then) == 0 {
			return CaseView{}, fmt.Errorf("case %s was not opened yet then: %w", id, ErrNotFound)
		}
		if c, err = casework.LoadCase(id, then); err != nil {
			return CaseView{}, err
		}
	}
	missing, err := missingDocuments(ctx, w, c, at)
	if err != nil {
		return CaseView{}, err
	}
	return CaseView{
		ID: c.ID(), EmployeeID: c.EmployeeID(), UnitID: c.UnitID(), Status: c.Status(),
		StandardCode: c.StandardCode(), StandardVersion: c.StandardVersion(), RequestedFen: c.RequestedFen(),
		ApprovedFen: c.ApprovedFen(), PaidFen: c.PaidFen(), Steps: c.Steps(), Documents: c.Documents(),
		MissingDocuments: missing, Version: c.Version(),
	}, nil
}

// missingDocuments lists what c's standard requires that c lacks: under the
// version fixed at submission, or the standard's latest version at at
// before it.
func missingDocuments(ctx context.Context, w *work, c *casework.Case, at AsOf) ([]string, error) {
	history, err := w.load(ctx, catalogue.StandardStream(c.StandardCode()))
	if err != nil {
		return nil, err
	}
	st, err := catalogue.LoadStandard(c.StandardCode(), at.cut(history))
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

func (a *App) mayReadCase(ctx context.Context, w *work, actor Actor, employee uuid.UUID, unit *org.Unit) error {
	if !actor.Bootstrap {
		account, err := a.loadAccount(ctx, w, actor.AccountID)
		if err != nil {
			return err
		}
		if account.IsEmployee(employee) {
			return nil
		}
		for _, p := range access.CaseReadPermissions() {
			if _, err := account.Authorize(p, access.RefOf(unit)); err == nil {
				return nil
			}
		}
	}
	return a.denied(ctx, actor, access.PermCasesFile, unit, "reading a case or payment")
}

// PaymentView is a payment as a query returns it.
type PaymentView struct {
	ID, CaseID, EmployeeID, BudgetID uuid.UUID
	AmountFen                        int64
	Status                           payment.Status
	BankRef, ConfirmedOn, FailReason string
	Version                          int64
}

// GetPayment returns a payment to staff with budgets.manage or audit.read
// at its case's unit, and to the payee's own account.
func (a *App) GetPayment(ctx context.Context, actor Actor, id uuid.UUID) (PaymentView, error) {
	return a.GetPaymentAsOf(ctx, actor, id, AsOf{})
}

// GetPaymentAsOf returns the payment as it stood at the moment at, folded
// from its history up to then, to whoever may read it now (GetPayment); a
// payment not yet instructed then is ErrNotFound.
func (a *App) GetPaymentAsOf(ctx context.Context, actor Actor, id uuid.UUID, at AsOf) (PaymentView, error) {
	w := newWork(a.store)
	p, err := loadPayment(ctx, w, id)
	if err != nil {
		return PaymentView{}, err
	}
	c, err := loadCase(ctx, w, p.CaseID())
	if err != nil {
		return PaymentView{}, err
	}
	unit, err := loadUnit(ctx, w, c.UnitID())
	if err != nil {
		return PaymentView{}, err
	}
	if err := a.mayReadCase(ctx, w, actor, c.EmployeeID(), unit); err != nil {
		return PaymentView{}, err
	}
	if !at.Now() {
		history, err := w.load(ctx, payment.Stream(id))
		if err != nil {
			return PaymentView{}, err
		}
		then := at.cut(history)
		if len(then) == 0 {
			return PaymentView{}, fmt.Errorf("payment %s was not instructed yet then: %w", id, ErrNotFound)
		}
		if p, err = payment.LoadPayment(id, then); err != nil {
			return PaymentView{}, err
		}
	}
	return PaymentView{ID: p.ID(), CaseID: p.CaseID(), EmployeeID: p.EmployeeID(), BudgetID: p.BudgetID(),
		AmountFen: p.AmountFen(), Status: p.Status(), BankRef: p.BankRef(), ConfirmedOn: p.ConfirmedOn(),
		FailReason: p.FailReason(), Version: p.Version()}, nil
}

// InboxItem is a step waiting for the caller's decision.
type InboxItem struct {
	CaseID uuid.UUID
	Step   string
	UnitID uuid.UUID
}

// Inbox returns the steps waiting for the actor's decision now (the
// current step of cases in review that the actor holds by name), from the
// actor's assignment stream.
func (a *App) Inbox(ctx context.Context, actor Actor) ([]InboxItem, error) {
	if actor.Bootstrap {
		return []InboxItem{}, nil
	}
	open, err := a.openAssignments(ctx, actor.AccountID)
	if err != nil {
		return nil, err
	}
	items := []InboxItem{}
	w := newWork(a.store)
	for _, x := range open {
		c, err := loadCase(ctx, w, x.CaseID)
		if err != nil {
			return nil, err
		}
		for _, s := range c.OpenSteps() {
			if s.Assignee == actor.AccountID && s.Name == x.Step {
				items = append(items, InboxItem{CaseID: x.CaseID, Step: x.Step, UnitID: x.UnitID})
			}
		}
	}
	return items, nil
}

// GetDocument returns a file of a case to those who may read the case; a
// hash the case does not hold is ErrNotFound, whatever the store keeps.
func (a *App) GetDocument(ctx context.Context, actor Actor, caseID uuid.UUID, sha256Hex string) ([]byte, string, error) {
	if a.documents == nil {
		return nil, "", ErrNoDocumentStore
	}
	w := newWork(a.store)
	c, unit, err := loadCaseAt(ctx, w, caseID)
	if err != nil {
		return nil, "", err
	}
	if err := a.mayReadCase(ctx, w, actor, c.EmployeeID(), unit); err != nil {
		return nil, "", err
	}
	if !slices.ContainsFunc(c.Documents(), func(d casework.Document) bool { return d.SHA256 == sha256Hex }) {
		return nil, "", fmt.Errorf("document %s of case %s: %w", sha256Hex, caseID, ErrNotFound)
	}
	return a.documents.Get(ctx, sha256Hex)
}
