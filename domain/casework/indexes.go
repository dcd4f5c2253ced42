package casework

import (
	"fmt"

	"github.com/google/uuid"
)

// An account's assignments: the steps of cases it holds by name and may
// still have to decide. Every command that changes who holds what records
// the change in each affected account's assignment stream, in the same
// transaction, so that a hand-over can find an outgoing holder's open work
// in the event store itself. Stored types; never rename them.
const (
	TypeAssignmentOpened = "assignment.opened"
	TypeAssignmentClosed = "assignment.closed"
)

// AssignmentStream is an account's assignments.
func AssignmentStream(account uuid.UUID) string { return "assignments-" + account.String() }

// Assignment is the payload of assignment.opened and .closed.
type Assignment struct {
	CaseID uuid.UUID `json:"case_id"`
	Step   string    `json:"step"`
	UnitID uuid.UUID `json:"unit_id"`
}

// The aid ledger: per employee and reporting year, every final approval,
// so that a standard's annual cap and times per year hold under concurrent
// approvals (the ledger's stream is part of each approval's transaction).
const TypeAidApproved = "aid.approved"

// AidLedgerStream is an employee's aid ledger for one reporting year.
func AidLedgerStream(employee uuid.UUID, year int) string {
	return fmt.Sprintf("aid-ledger-%s-%d", employee, year)
}

// AidApproved is the payload of aid.approved.
type AidApproved struct {
	CaseID       uuid.UUID `json:"case_id"`
	StandardCode string    `json:"standard_code"`
	AmountFen    int64     `json:"amount_fen"`
}
