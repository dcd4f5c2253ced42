package event

import (
	"fmt"

	"github.com/google/uuid"
)

// Transaction is an atomic write across streams: every append in it
// commits, or none does. It is how one decision that touches several
// aggregates (a final approval that reserves budget, a unit move that
// rewrites its subtree's paths) stays whole.
//
// Require names streams the decision was based on without writing to them:
// the transaction commits only if each is still at the stated version, and
// an append to such a stream that commits later is ordered after it. A
// command uses it for the authority it checked (the actor's account), so
// that a vacated position's rights end exactly at the vacate event.
type Transaction struct {
	Appends []StreamAppend
	Require []Requirement
}

// StreamAppend is one stream's part of a transaction.
type StreamAppend struct {
	Stream   string
	Expected ExpectedVersion
	Events   []Event
}

// Requirement: Stream must be at Version (0: must not exist) when the
// transaction commits.
type Requirement struct {
	Stream  string
	Version int64
}

// ValidateTransaction checks a transaction before anything is written:
// each append as ValidateAppend does, no stream appended twice or both
// appended and required, no event id used twice.
func ValidateTransaction(tx Transaction) error {
	if len(tx.Appends) == 0 {
		return fmt.Errorf("%w: transaction appends nothing", ErrInvalid)
	}
	streams := make(map[string]bool, len(tx.Appends)+len(tx.Require))
	ids := map[uuid.UUID]bool{}
	for _, a := range tx.Appends {
		if err := ValidateAppend(a.Stream, a.Expected, a.Events); err != nil {
			return err
		}
		if streams[a.Stream] {
			return fmt.Errorf("%w: stream %q appended twice in one transaction", ErrInvalid, a.Stream)
		}
		streams[a.Stream] = true
		for _, e := range a.Events {
			if ids[e.ID] {
				return fmt.Errorf("%w: event id %s appears twice", ErrInvalid, e.ID)
			}
			ids[e.ID] = true
		}
	}
	for _, r := range tx.Require {
		if r.Stream == "" || len(r.Stream) > MaxStreamLength || r.Version < 0 {
			return fmt.Errorf("%w: requirement on %q at version %d", ErrInvalid, r.Stream, r.Version)
		}
		if streams[r.Stream] {
			return fmt.Errorf("%w: stream %q both appended and required; use its expected version", ErrInvalid, r.Stream)
		}
		streams[r.Stream] = true
	}
	return nil
}
