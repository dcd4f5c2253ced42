// Package casegen writes realistic case histories straight into an event
// store, for tests and benchmarks of the read models: each case one stream
// of several appends with the payloads the domain writes, outcomes varied
// (paid after a failed payment, rejected, returned and resubmitted,
// withdrawn, handed over, left in review), and what the case list must
// then show.
package casegen

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// World is a set of units, employees and standards cases are drawn from,
// and what the case list must say about every case written so far. It is
// safe for concurrent use.
type World struct {
	Root             uuid.UUID // the bureau; Units are its stations
	Units, Employees []uuid.UUID
	Standards        []string
	mu               sync.Mutex
	want             map[uuid.UUID]query.CaseRow // positions and opening time left zero
	rng              *rand.Rand
	// Care work (care.go): whether employees are registered, the rules
	// version published last, each register stream's version.
	registered   bool
	rulesVersion int
	inRegister   map[uuid.UUID]int64
}

// New returns a world of units and employees, its random choices seeded
// by seed.
func New(seed uint64, units, employees int) *World {
	w := &World{Root: uuid.New(), Standards: []string{"HARD-LIVING", "MED-SERIOUS"}, want: map[uuid.UUID]query.CaseRow{},
		rng: rand.New(rand.NewPCG(seed, 7))}
	for range units {
		w.Units = append(w.Units, uuid.New())
	}
	for range employees {
		w.Employees = append(w.Employees, uuid.New())
	}
	return w
}

// Want returns what the case list must hold for every case written so far,
// with positions and opening times left zero.
func (w *World) Want() map[uuid.UUID]query.CaseRow {
	w.mu.Lock()
	defer w.mu.Unlock()
	return maps.Clone(w.want)
}

// WriteOrganisation appends the establishment of the bureau and of every
// unit of the world as its stations, for read models that roll units up.
func (w *World) WriteOrganisation(ctx context.Context, store Appender) error {
	establish := func(id uuid.UUID, name, code string, level org.Level, parent *uuid.UUID, path []uuid.UUID) error {
		data, err := json.Marshal(org.UnitEstablished{UnitID: id, Name: name, Code: code, Level: level, ParentID: parent, Path: path})
		if err != nil {
			return err
		}
		_, err = store.Append(ctx, org.UnitStream(id), event.NoStream, event.Event{ID: event.NewID(),
			Type: org.TypeUnitEstablished, Data: data, Metadata: event.Metadata{ActorName: "测试"}})
		return err
	}
	if err := establish(w.Root, "太原铁路局", "TYJ", org.LevelBureau, nil, nil); err != nil {
		return err
	}
	for i, u := range w.Units {
		if err := establish(u, fmt.Sprintf("第%d站段", i+1), fmt.Sprintf("ST%02d", i+1), org.LevelStation, &w.Root, []uuid.UUID{w.Root}); err != nil {
			return err
		}
	}
	return nil
}

// Appender is the part of the event store the generator writes with.
type Appender interface {
	Append(ctx context.Context, stream string, expected event.ExpectedVersion, events ...event.Event) (event.Appended, error)
}

type step struct {
	typ  string
	data any
}

// Write appends n case histories with realistic payloads, each one
// stream of several appends, interleaved with an unrelated stream the case
// list must ignore. Outcomes vary: paid and closed, rejected, returned and
// resubmitted, withdrawn, left in review, paid after a failed payment.
func (w *World) Write(ctx context.Context, store Appender, n int) (events int, err error) {
	for range n {
		w.mu.Lock()
		id := uuid.New()
		std := w.Standards[w.rng.IntN(len(w.Standards))]
		category := map[string]string{"HARD-LIVING": "hardship", "MED-SERIOUS": "medical"}[std]
		requested := int64(100_000 + w.rng.IntN(400_000))
		row := query.CaseRow{CaseID: id, EmployeeID: w.Employees[w.rng.IntN(len(w.Employees))],
			UnitID: w.Units[w.rng.IntN(len(w.Units))], StandardCode: std, Category: category,
			Status: casework.StatusDraft, RequestedFen: requested}
		approver := uuid.New()
		steps := []step{
			{casework.TypeCaseOpened, casework.CaseOpened{CaseID: id, EmployeeID: row.EmployeeID, UnitID: row.UnitID,
				Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf, Name: "sealed:v1:x"}, StandardCode: std,
				Category: category, Causes: []string{"illness"}, ExpenseFen: requested * 2, RequestedFen: requested,
				Description: "sealed:v1:y", OpenedByAccountID: uuid.New()}},
			{casework.TypeCaseDocumentAdded, casework.Document{Kind: "diagnosis", SHA256: fmt.Sprintf("%064x", w.rng.Uint64()), Size: 2048, ContentType: "application/pdf"}},
			{casework.TypeCaseSubmitted, casework.CaseSubmitted{StandardVersion: 1, MaxPayableFen: requested, AmountFen: requested,
				FlowUnitID: row.UnitID, FlowVersion: 1, Steps: []casework.CaseStep{{Name: "站段审核", AssigneeAccountID: approver}}}},
		}
		row.Status = casework.StatusInReview
		decide := func(d casework.DecisionKind, amount int64) step {
			return step{casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: "站段审核", Decision: d, AmountFen: amount,
				Reason: "材料齐全", DecidedByAccountID: approver, DecidedAt: time.Now().UTC()}}
		}
		pay := func(amount int64) []step {
			pid := uuid.New()
			return []step{{casework.TypeCasePaymentInstructed, casework.CasePaymentInstructed{PaymentID: pid, AmountFen: amount}},
				{casework.TypeCasePaymentConfirmed, casework.CasePaymentConfirmed{PaymentID: pid, AmountFen: amount}}}
		}
		switch w.rng.IntN(6) {
		case 0, 1: // approved, paid in two parts after one failure, closed
			half := requested / 2
			fail := uuid.New()
			steps = append(steps, decide(casework.Approve, requested), step{casework.TypeCaseApproved, casework.CaseApproved{AmountFen: requested}},
				step{casework.TypeCasePaymentInstructed, casework.CasePaymentInstructed{PaymentID: fail, AmountFen: half}},
				step{casework.TypeCasePaymentFailed, casework.CasePaymentFailed{PaymentID: fail, AmountFen: half, Reason: "账户冻结"}})
			steps = append(steps, pay(half)...)
			steps = append(steps, pay(requested-half)...)
			steps = append(steps, step{casework.TypeCasePaid, casework.CasePaid{TotalFen: requested}}, step{casework.TypeCaseClosed, casework.CaseClosed{}})
			row.Status, row.ApprovedFen, row.PaidFen = casework.StatusClosed, requested, requested
		case 2:
			steps = append(steps, decide(casework.Reject, 0), step{casework.TypeCaseRejected, casework.CaseRejected{Step: "站段审核", Reason: "不符合条件"}})
			row.Status = casework.StatusRejected
		case 3: // returned, resubmitted, approved, not yet paid
			steps = append(steps, decide(casework.Return, 0), step{casework.TypeCaseReturned, casework.CaseReturned{Step: "站段审核", Reason: "补充材料"}},
				steps[2], decide(casework.Approve, requested-1000), step{casework.TypeCaseApproved, casework.CaseApproved{AmountFen: requested - 1000}})
			row.Status, row.ApprovedFen = casework.StatusApproved, requested-1000
		case 4:
			steps = append(steps, step{casework.TypeCaseWithdrawn, casework.CaseWithdrawn{Reason: "已获其他救助", ByAccountID: uuid.New()}})
			row.Status = casework.StatusWithdrawn
		case 5:
			steps = append(steps, step{casework.TypeCaseStepReassigned, casework.CaseStepReassigned{Step: "站段审核",
				FromAccountID: approver, ToAccountID: uuid.New(), Reason: "岗位调整"}})
		}
		outcome := w.rng.Uint64()
		w.mu.Unlock()
		pick := rand.New(rand.NewPCG(outcome, 11))
		version := int64(0)
		for len(steps) > 0 {
			k := min(len(steps), 1+pick.IntN(3))
			evs := make([]event.Event, k)
			for i, s := range steps[:k] {
				data, err := json.Marshal(s.data)
				if err != nil {
					return events, err
				}
				evs[i] = event.Event{ID: event.NewID(), Type: s.typ, Data: data, Metadata: event.Metadata{ActorName: "测试"}}
			}
			if _, err := store.Append(ctx, casework.CaseStream(id), event.Exact(version), evs...); err != nil {
				return events, err
			}
			version += int64(k)
			events += k
			steps = steps[k:]
		}
		if _, err := store.Append(ctx, "note-"+uuid.NewString(), event.Any, event.Event{ID: event.NewID(),
			Type: "note.recorded", Data: json.RawMessage(`{"text": "与本案无关"}`)}); err != nil {
			return events, err
		}
		events++
		w.mu.Lock()
		w.want[id] = row
		w.mu.Unlock()
	}
	return events, nil
}
