// Package payment holds disbursements of approved aid to employees' bank
// accounts: the Payment aggregate (instructed, then confirmed or failed by
// the bank), the Ledger a case keeps so that it is never paid twice nor
// above its approved amount, and the CSV files exchanged with the bank.
//
// Payment is event-sourced like every aggregate of the domain: state is
// unexported; behaviour methods check the rules and record past-tense
// events, which one apply function turns into state, both when deciding and
// when replaying the stream (LoadPayment). A payment serves one command:
// load it, call its methods, append Changes() at the expected version
// Version(), discard it. It is not safe for concurrent use.
//
// The package imports only the standard library, uuid and domain/event.
package payment

import (
	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Stream names the stream of payment id: "payment-<uuid>". Stored names
// are chosen once; never change this.
func Stream(id uuid.UUID) string { return "payment-" + id.String() }

// ParseStream returns the payment whose stream is stream, or an error.
func ParseStream(stream string) (uuid.UUID, error) { return event.StreamID(stream, "payment-") }

// Status is where a payment stands. Stored; never change the values.
type Status string

// The statuses: a payment is instructed, then confirmed or failed, and
// stays so.
const (
	StatusInstructed Status = "instructed"
	StatusConfirmed  Status = "confirmed"
	StatusFailed     Status = "failed"
)

// Payment is one transfer of aid to an employee's bank account. Create one
// with Instruct, rebuild one with LoadPayment; the zero value is not usable.
type Payment struct {
	id uuid.UUID
	s  state
	agg.Root
}

type state struct {
	status      Status // "" until instructed
	instruction Instruction
	bankRef     string
	confirmedOn string
	failReason  string
}

// Instruction is what instructing a payment records: which case it pays,
// to whom, from which budget, how much and to which (sealed) account.
type Instruction struct {
	CaseID      uuid.UUID
	EmployeeID  uuid.UUID
	BudgetID    uuid.UUID
	AmountFen   int64
	BankAccount Sealed
}

// Instruct records payment.instructed on a new payment id. Every id is
// required, the amount is 1..MaxFen fen, the bank account is sealed and
// present. Errors are *fault.ValidationError. That the case may be paid this
// much is the case's Ledger to decide, and the budget's reservation the
// budget's; the command checks both before it appends.
func Instruct(id uuid.UUID, in Instruction) (*Payment, error) {
	switch {
	case id == uuid.Nil:
		return nil, invalid("payment_id", "is required")
	case in.CaseID == uuid.Nil:
		return nil, invalid("case_id", "is required")
	case in.EmployeeID == uuid.Nil:
		return nil, invalid("employee_id", "is required")
	case in.BudgetID == uuid.Nil:
		return nil, invalid("budget_id", "is required")
	case in.AmountFen <= 0 || in.AmountFen > MaxFen:
		return nil, invalid("amount_fen", "must be 1 to %d fen", int64(MaxFen))
	}
	if err := in.BankAccount.check("bank_account"); err != nil {
		return nil, err
	}
	p := &Payment{id: id, Root: agg.OpenedBy(TypeInstructed)}
	err := agg.Record(&p.Root, p.apply, TypeInstructed, Instructed{PaymentID: id, CaseID: in.CaseID, EmployeeID: in.EmployeeID,
		BudgetID: in.BudgetID, AmountFen: in.AmountFen, BankAccount: in.BankAccount})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ID returns the payment's id.
func (p *Payment) ID() uuid.UUID { return p.id }

// Stream returns Stream(p.ID()).
func (p *Payment) Stream() string { return Stream(p.id) }

// Status returns where the payment stands.
func (p *Payment) Status() Status { return p.s.status }

// Instruction returns what was instructed.
func (p *Payment) Instruction() Instruction { return p.s.instruction }

// CaseID returns the case the payment pays.
func (p *Payment) CaseID() uuid.UUID { return p.s.instruction.CaseID }

// EmployeeID returns the employee paid.
func (p *Payment) EmployeeID() uuid.UUID { return p.s.instruction.EmployeeID }

// BudgetID returns the budget the money comes from.
func (p *Payment) BudgetID() uuid.UUID { return p.s.instruction.BudgetID }

// AmountFen returns the amount instructed.
func (p *Payment) AmountFen() int64 { return p.s.instruction.AmountFen }

// BankRef returns the bank's reference of a confirmed payment, else "".
func (p *Payment) BankRef() string { return p.s.bankRef }

// ConfirmedOn returns the bank's date (YYYY-MM-DD) of a confirmed payment,
// else "".
func (p *Payment) ConfirmedOn() string { return p.s.confirmedOn }

// FailReason returns why a failed payment failed, else "".
func (p *Payment) FailReason() string { return p.s.failReason }

// Confirm records payment.confirmed: the bank reports the transfer done
// under bankRef (see CheckBankRef) on confirmedOn, the bank's date
// YYYY-MM-DD. Confirming again with the same bank reference records
// nothing and returns nil, whatever the date, since the bank's results
// file may be imported twice; with another reference it is ErrConfirmed.
// A failed payment cannot be confirmed (ErrFailed).
func (p *Payment) Confirm(bankRef, confirmedOn string) error {
	switch p.s.status {
	case StatusConfirmed:
		if bankRef == p.s.bankRef {
			return nil
		}
		return ErrConfirmed
	case StatusFailed:
		return ErrFailed
	}
	if err := CheckBankRef(bankRef); err != nil {
		return err
	}
	if err := checkDate("confirmed_at", confirmedOn); err != nil {
		return err
	}
	return agg.Record(&p.Root, p.apply, TypeConfirmed, Confirmed{BankRef: bankRef, ConfirmedAt: confirmedOn})
}

// Fail records payment.failed: the bank could not make the transfer and
// will not retry it. reason is required (1..500 characters). Failing a
// failed payment again records nothing and returns nil (the first reason
// stays), for the same reason as Confirm; a confirmed payment cannot fail
// (ErrConfirmed). A new attempt is a new payment.
func (p *Payment) Fail(reason string) error {
	switch p.s.status {
	case StatusFailed:
		return nil
	case StatusConfirmed:
		return ErrConfirmed
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return err
	}
	return agg.Record(&p.Root, p.apply, TypeFailed, Failed{Reason: reason})
}
