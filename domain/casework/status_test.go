package casework

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
)

// TestStatusMachine runs every behaviour in every status: allowed ones
// succeed and move the case where the machine says, the others record
// nothing and fail with a state error.
func TestStatusMachine(t *testing.T) {
	t.Parallel()
	type action struct {
		name    string
		allowed []Status
		to      Status // "" when the status stays
		do      func(f *fixture) error
	}
	actions := []action{
		{"add document", []Status{StatusDraft, StatusInReview, StatusReturned}, "", func(f *fixture) error {
			return f.c.AddDocument(Document{Kind: "diagnosis", SHA256: sha, Size: 1, ContentType: "application/pdf"})
		}},
		{"submit", []Status{StatusDraft}, StatusInReview, func(f *fixture) error { return f.c.Submit(f.a.submitParams()) }},
		{"resubmit", []Status{StatusReturned}, StatusInReview, func(f *fixture) error { return f.c.Resubmit() }},
		{"approve", []Status{StatusInReview}, "", func(f *fixture) error {
			return f.c.Decide(decision("station review", Approve, 40_000, f.a.a1), now)
		}},
		{"reject", []Status{StatusInReview}, StatusRejected, func(f *fixture) error {
			return f.c.Decide(decision("station review", Reject, 0, f.a.a1), now)
		}},
		{"return", []Status{StatusInReview}, StatusReturned, func(f *fixture) error {
			return f.c.Decide(decision("station review", Return, 0, f.a.a1), now)
		}},
		{"reassign", []Status{StatusInReview, StatusReturned}, "", func(f *fixture) error {
			return f.c.ReassignStep("union chair", f.a.a2, f.a.other, "post changed hands")
		}},
		{"withdraw", []Status{StatusDraft, StatusInReview, StatusReturned}, StatusWithdrawn, func(f *fixture) error {
			return f.c.Withdraw(f.a.employee, "")
		}},
		{"instruct", []Status{StatusApproved}, "", func(f *fixture) error { return f.c.InstructPayment(uuid.New(), 10_000) }},
		{"confirm", []Status{StatusApproved}, "", func(f *fixture) error {
			id := uuid.New()
			if f.c.Status() == StatusApproved {
				if err := f.c.InstructPayment(id, 10_000); err != nil {
					return err
				}
			}
			return f.c.ConfirmPayment(id)
		}},
		{"fail", []Status{StatusApproved}, "", func(f *fixture) error {
			id := uuid.New()
			if f.c.Status() == StatusApproved {
				if err := f.c.InstructPayment(id, 10_000); err != nil {
					return err
				}
			}
			return f.c.FailPayment(id, "account closed")
		}},
		{"close", []Status{StatusApproved, StatusRejected, StatusWithdrawn, StatusPaid}, StatusClosed, func(f *fixture) error {
			return f.c.Close("done")
		}},
	}
	for _, act := range actions {
		for _, st := range allStatuses() {
			t.Run(act.name+" when "+string(st), func(t *testing.T) {
				t.Parallel()
				f := inStatus(t, st)
				before := len(f.history)
				err := act.do(f)
				if !slices.Contains(act.allowed, st) {
					if err == nil {
						t.Fatal("allowed, want refused")
					}
					if !errors.Is(err, fault.ErrInvalidState) && !errors.Is(err, ErrInconsistent) && !errors.Is(err, ErrAlreadyPaid) {
						t.Fatalf("got %v, want a state error", err)
					}
					if len(f.c.Changes()) != 0 {
						t.Fatalf("refusal recorded %d events", len(f.c.Changes()))
					}
					return
				}
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				f.commit(t)
				want := act.to
				if want == "" {
					want = st
				}
				if f.c.Status() != want {
					t.Fatalf("status %s, want %s", f.c.Status(), want)
				}
				if len(f.history) == before {
					t.Fatal("recorded nothing")
				}
			})
		}
	}
}
