// Package budget holds the money a unit may spend on aid: one budget per
// unit, year and budget line (经费口径, such as "aid.medical"), and the
// movements that keep it honest. Approving a case reserves its amount; a
// payment the bank confirms moves the case's money from reserved to spent;
// a payment that fails for good, or a case withdrawn or closed with money
// still reserved, releases it. A condolence visit is charged straight to
// spent (the money was handed over on the day), under the same limit, and
// a correction that lowers its total refunds the difference. For every
// budget, at every version:
//
//	reserved + spent ≤ allocated
//
// and every per-case figure is ≥ 0, the totals being the sums of the
// per-case figures.
//
// Budget is event-sourced like every aggregate of the domain: state is
// unexported; behaviour methods check the rules and record past-tense
// events, which one apply function turns into state, both when deciding and
// when replaying the stream (LoadBudget). A budget serves one command: load
// it, call its methods, append Changes() at the expected version Version(),
// discard it. It is not safe for concurrent use; two commands racing on one
// budget are kept apart by the append's expected version, so the invariant
// holds under concurrency as long as every writer appends that way.
//
// The package imports only the standard library, uuid and domain/event.
package budget

import (
	"encoding/json"
	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Stream names the stream of budget id: "budget-<uuid>". Stored names are
// chosen once; never change this.
func Stream(id uuid.UUID) string { return "budget-" + id.String() }

// ParseStream returns the budget whose stream is stream, or an error.
func ParseStream(stream string) (uuid.UUID, error) { return event.StreamID(stream, "budget-") }

// Budget is one unit's money for one year and one budget line. Create one
// with Allocate, rebuild one with LoadBudget; the zero value is not usable.
type Budget struct {
	id uuid.UUID
	s  state
	agg.Root
}

type state struct {
	unit      uuid.UUID
	year      int
	line      string
	allocated int64
	reserved  int64
	spent     int64
	// Per case, only cases with a figure above zero are present.
	reservedFor map[uuid.UUID]int64
	spentFor    map[uuid.UUID]int64
	// Every payment spent from the budget, so that spending one twice is
	// recognised.
	payments map[uuid.UUID]spending
	// Per visit, what its charges less its refunds hold; only visits
	// above zero are present.
	chargedFor map[uuid.UUID]int64
}

type spending struct {
	caseID uuid.UUID
	amount int64
}

// Allocate records budget.allocated: a new budget id of amountFen for unit
// in year on line. Errors are *fault.ValidationError: id and unit_id are
// required, year is 2000..2100, line is 1..64 of [a-z0-9_.-], amount_fen
// is 1..MaxFen. Uniqueness of (unit, year, line) spans budgets and is the
// command's to check.
func Allocate(id, unit uuid.UUID, year int, line string, amountFen int64) (*Budget, error) {
	switch {
	case id == uuid.Nil:
		return nil, invalid("id", "is required")
	case unit == uuid.Nil:
		return nil, invalid("unit_id", "is required")
	}
	if err := checkYear(year); err != nil {
		return nil, err
	}
	if err := checkLine(line); err != nil {
		return nil, err
	}
	if err := checkAmount(amountFen); err != nil {
		return nil, err
	}
	b := &Budget{id: id, Root: agg.OpenedBy(TypeAllocated)}
	err := agg.Record(&b.Root, b.apply, TypeAllocated, Allocated{BudgetID: id, UnitID: unit, Year: year, Line: line, AmountFen: amountFen})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// ID returns the budget's id.
func (b *Budget) ID() uuid.UUID { return b.id }

// Stream returns Stream(b.ID()).
func (b *Budget) Stream() string { return Stream(b.id) }

// UnitID returns the unit whose money this is.
func (b *Budget) UnitID() uuid.UUID { return b.s.unit }

// Year returns the budget's year.
func (b *Budget) Year() int { return b.s.year }

// Line returns the budget line, such as "aid.medical".
func (b *Budget) Line() string { return b.s.line }

// Allocated returns the fen allocated so far, increases included.
func (b *Budget) Allocated() int64 { return b.s.allocated }

// Reserved returns the fen reserved for approved cases and not yet spent or
// released.
func (b *Budget) Reserved() int64 { return b.s.reserved }

// Spent returns the fen of payments the bank has confirmed and of visits
// charged, less refunds.
func (b *Budget) Spent() int64 { return b.s.spent }

// Available returns allocated − reserved − spent: what a new reservation
// may take. It is never negative.
func (b *Budget) Available() int64 { return b.s.allocated - b.s.reserved - b.s.spent }

// ReservedFor returns the fen still reserved for caseID, 0 for a case the
// budget does not know.
func (b *Budget) ReservedFor(caseID uuid.UUID) int64 { return b.s.reservedFor[caseID] }

// SpentFor returns the fen spent on caseID, 0 for a case the budget does
// not know.
func (b *Budget) SpentFor(caseID uuid.UUID) int64 { return b.s.spentFor[caseID] }

// Increase records budget.increased: amountFen more is allocated. reason
// is required (1..500 characters). The total allocated may not pass MaxFen.
func (b *Budget) Increase(amountFen int64, reason string) error {
	if err := checkAmount(amountFen); err != nil {
		return err
	}
	if amountFen > MaxFen-b.s.allocated {
		return invalid("amount_fen", "would take the budget above %d fen", int64(MaxFen))
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return err
	}
	return agg.Record(&b.Root, b.apply, TypeIncreased, Increased{AmountFen: amountFen, Reason: reason})
}

// Reserve records budget.reserved: amountFen is set aside for caseID, on
// the case's final approval. A case that already holds a reservation gets
// the amount added to it. Errors: *fault.ValidationError on case_id or
// amount_fen, *ExceededError when the amount is above Available.
func (b *Budget) Reserve(caseID uuid.UUID, amountFen int64) error {
	if err := b.checkClaim("case_id", caseID, amountFen); err != nil {
		return err
	}
	return agg.Record(&b.Root, b.apply, TypeReserved, Reserved{CaseID: caseID, AmountFen: amountFen})
}

// Release records budget.released: amountFen of caseID's reservation goes
// back to Available, because its payment failed for good or the case was
// withdrawn or closed with money still reserved. reason is required
// (1..500 characters). Errors: *fault.ValidationError, *ReservationError when the
// case's remaining reservation is below the amount.
//
// A case's reservation in this stream still counts what its confirmed
// payments spent through the SpendingStream; the caller releases at most
// the reservation less that.
func (b *Budget) Release(caseID uuid.UUID, amountFen int64, reason string) error {
	reason, err := checkReturn("case_id", caseID, amountFen, reason)
	if err != nil {
		return err
	}
	if have := b.s.reservedFor[caseID]; amountFen > have {
		return &ReservationError{Case: caseID, Reserved: have, Requested: amountFen}
	}
	return agg.Record(&b.Root, b.apply, TypeReleased, Released{CaseID: caseID, AmountFen: amountFen, Reason: reason})
}

// Spend records budget.spent when the bank confirms paymentID: amountFen
// moves from caseID's reservation to spent. Spending the same payment again
// with the same case and amount records nothing and returns nil, so that a
// retried confirmation converges; with other figures it is
// ErrPaymentSpent. Errors: *fault.ValidationError, *ReservationError when the
// case's reservation is below the amount.
func (b *Budget) Spend(caseID, paymentID uuid.UUID, amountFen int64) error {
	switch {
	case caseID == uuid.Nil:
		return invalid("case_id", "is required")
	case paymentID == uuid.Nil:
		return invalid("payment_id", "is required")
	}
	if err := checkAmount(amountFen); err != nil {
		return err
	}
	if prev, done := b.s.payments[paymentID]; done {
		if prev == (spending{caseID: caseID, amount: amountFen}) {
			return nil
		}
		return ErrPaymentSpent
	}
	if have := b.s.reservedFor[caseID]; amountFen > have {
		return &ReservationError{Case: caseID, Reserved: have, Requested: amountFen}
	}
	return agg.Record(&b.Root, b.apply, TypeSpent, Spent{CaseID: caseID, PaymentID: paymentID, AmountFen: amountFen})
}

// SpendUnread returns the budget.spent event of a confirmed payment, to be
// appended to the budget's SpendingStream without loading the budget. That
// is sound because spending moves money from a case's reservation to spent
// and never changes reserved + spent: the check that matters (the
// reservation covers the payment) was made when the case's payment was
// instructed within its approved amount, which the budget reserved at
// approval. Confirmations then never queue behind the budget's approvals.
func SpendUnread(caseID, paymentID uuid.UUID, amountFen int64) (event.Event, error) {
	switch {
	case caseID == uuid.Nil:
		return event.Event{}, invalid("case_id", "is required")
	case paymentID == uuid.Nil:
		return event.Event{}, invalid("payment_id", "is required")
	}
	if err := checkAmount(amountFen); err != nil {
		return event.Event{}, err
	}
	data, err := json.Marshal(Spent{CaseID: caseID, PaymentID: paymentID, AmountFen: amountFen})
	if err != nil {
		return event.Event{}, err
	}
	return event.Event{ID: event.NewID(), Type: TypeSpent, Data: data}, nil
}
