package projections

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/apptest"
	"aidtrail/commands"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/cases"
)

// world is a set of units, employees and standards cases are drawn from,
// and what the case list must say about every case written so far.
type world struct {
	units, employees []uuid.UUID
	standards        []string
	want             map[uuid.UUID]cases.Row // positions left zero
	rng              *rand.Rand
}

func newWorld(seed uint64) *world {
	w := &world{standards: []string{"HARD-LIVING", "MED-SERIOUS"}, want: map[uuid.UUID]cases.Row{},
		rng: rand.New(rand.NewPCG(seed, 7))}
	for range 4 {
		w.units = append(w.units, uuid.New())
	}
	for range 5 {
		w.employees = append(w.employees, uuid.New())
	}
	return w
}

type step struct {
	typ  string
	data any
}

// writeCases appends n case histories with realistic payloads, each one
// stream of several appends, interleaved with an unrelated stream the case
// list must ignore. Outcomes vary: paid and closed, rejected, returned and
// resubmitted, withdrawn, left in review, paid after a failed payment.
func (w *world) writeCases(t *testing.T, store commands.EventStore, n int) {
	t.Helper()
	ctx := context.Background()
	for range n {
		id := uuid.New()
		std := w.standards[w.rng.IntN(len(w.standards))]
		category := map[string]string{"HARD-LIVING": "hardship", "MED-SERIOUS": "medical"}[std]
		requested := int64(100_000 + w.rng.IntN(400_000))
		row := cases.Row{CaseID: id, EmployeeID: w.employees[w.rng.IntN(len(w.employees))],
			UnitID: w.units[w.rng.IntN(len(w.units))], StandardCode: std, Category: category,
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
		version := int64(0)
		for len(steps) > 0 {
			k := min(len(steps), 1+w.rng.IntN(3))
			evs := make([]event.Event, k)
			for i, s := range steps[:k] {
				data, err := json.Marshal(s.data)
				if err != nil {
					t.Fatal(err)
				}
				evs[i] = event.Event{ID: event.NewID(), Type: s.typ, Data: data, Metadata: event.Metadata{ActorName: "测试"}}
			}
			if _, err := store.Append(ctx, casework.CaseStream(id), event.Exact(version), evs...); err != nil {
				t.Fatal(err)
			}
			version += int64(k)
			steps = steps[k:]
		}
		if _, err := store.Append(ctx, "budget-"+uuid.NewString(), event.Any, event.Event{ID: event.NewID(),
			Type: "budget.allocated", Data: json.RawMessage(`{"amount_fen": 100}`)}); err != nil {
			t.Fatal(err)
		}
		w.want[id] = row
	}
}

// dump returns the whole case list, ordered by case id.
func dump(t *testing.T, db *sqldb.DB) []cases.Row {
	t.Helper()
	rows, _, err := cases.List(t.Context(), db, cases.Filter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(rows, func(a, b cases.Row) int { return slices.Compare(a.CaseID[:], b.CaseID[:]) })
	return rows
}

// check compares the case list with what the world wrote.
func (w *world) check(t *testing.T, db *sqldb.DB) {
	t.Helper()
	got := dump(t, db)
	if len(got) != len(w.want) {
		t.Fatalf("case list has %d cases, want %d", len(got), len(w.want))
	}
	for _, r := range got {
		if r.OpenedPosition <= 0 || r.UpdatedPosition < r.OpenedPosition {
			t.Fatalf("case %s positions %d/%d", r.CaseID, r.OpenedPosition, r.UpdatedPosition)
		}
		if r.OpenedAt.IsZero() {
			t.Fatalf("case %s has no opening time", r.CaseID)
		}
		r.OpenedPosition, r.UpdatedPosition, r.OpenedAt = 0, 0, time.Time{}
		if want := w.want[r.CaseID]; !reflect.DeepEqual(r, want) {
			t.Fatalf("case %s:\n got %+v\nwant %+v", r.CaseID, r, want)
		}
	}
}

// rebuilt rebuilds the case list from position 0 in a new generation,
// switches to it and returns it; the live list it replaced must have been
// caught up with the store.
func rebuilt(t *testing.T, env *apptest.Env) []cases.Row {
	t.Helper()
	ctx := t.Context()
	live := dump(t, env.DB)
	livePos, err := Checkpoint(ctx, env.DB, cases.Name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Rebuild(ctx, env.DB, env.Store, cases.New(), nil); err != nil {
		t.Fatal(err)
	}
	fresh := dump(t, env.DB)
	if pos, _ := Checkpoint(ctx, env.DB, cases.Name); pos != livePos {
		t.Fatalf("rebuild reached position %d, live list %d", pos, livePos)
	}
	if len(live) == 0 {
		t.Fatal("live case list is empty")
	}
	return fresh
}

// counting counts the events a projection applied and committed, by
// position.
type counting struct {
	Projection
	mu     sync.Mutex
	counts map[int64]int
}

func count(p Projection) *counting { return &counting{Projection: p, counts: map[int64]int{}} }

func (c *counting) Apply(ctx context.Context, tx *Tx, e event.Recorded) error {
	if err := c.Projection.Apply(ctx, tx, e); err != nil {
		return err
	}
	c.mu.Lock()
	c.counts[e.Position]++
	c.mu.Unlock()
	return nil
}

// once fails unless every event up to head was applied exactly once.
func (c *counting) once(t *testing.T, store Source) {
	t.Helper()
	all, err := store.ReadAll(t.Context(), 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range all {
		if c.counts[e.Position] != 1 {
			t.Fatalf("event at %d (%s) applied %d times", e.Position, e.Type, c.counts[e.Position])
		}
	}
	if len(c.counts) != len(all) {
		t.Fatalf("%d events applied, log holds %d", len(c.counts), len(all))
	}
}
