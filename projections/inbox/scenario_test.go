package inbox_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/casework"
	"aidtrail/domain/event"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections/inbox"
)

// One walk through every way a step comes and goes: approvals passing the
// case on at a lowered amount, a hand-over of the waiting step and of a
// step still to come, a return, a hand-over while returned, resubmission,
// withdrawal, rejection and the final approval.
func TestInboxThroughAReview(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newFixture(t, kind)
		a1, a2 := f.flow[0].AssigneeAccountID, f.flow[1].AssigneeAccountID
		decide := func(id uuid.UUID, step string, by uuid.UUID, d casework.DecisionKind, fen int64) {
			t.Helper()
			if _, err := f.env.App.DecideCase(ctx, f.actors[by], commands.DecideCase{CaseID: id, Step: step,
				Decision: d, AmountFen: fen, Reason: "审核意见"}); err != nil {
				t.Fatalf("%s %s at %s: %v", by, d, step, err)
			}
		}
		caseA := f.openCase(t, 400_000)
		f.check(t, []uuid.UUID{caseA})
		f.expect(t, a1, caseA, "站段审核", 400_000)

		decide(caseA, "站段审核", a1, casework.Approve, 380_000)
		f.check(t, []uuid.UUID{caseA})
		f.expect(t, a2, caseA, "工会审核", 380_000)
		f.expect(t, a1, uuid.Nil, "", 0)
		before := page(t, f, a2, 10)[0]

		if handed := f.handOver(t, 1); len(handed) != 1 || handed[0].CaseID != caseA {
			t.Fatalf("handed over %+v", handed)
		}
		s2 := f.flow[1].AssigneeAccountID
		f.check(t, []uuid.UUID{caseA})
		f.expect(t, a2, uuid.Nil, "", 0)
		moved := f.expect(t, s2, caseA, "工会审核", 380_000)
		if moved.Position <= before.Position || moved.WaitingSince.Before(before.WaitingSince) {
			t.Fatalf("the successor's turn %+v does not start after the hand-over of %+v", moved, before)
		}
		f.handOver(t, 2) // the third step, still to come
		s3 := f.flow[2].AssigneeAccountID
		f.check(t, []uuid.UUID{caseA})
		f.expect(t, s3, uuid.Nil, "", 0)

		decide(caseA, "工会审核", s2, casework.Approve, 360_000)
		f.check(t, []uuid.UUID{caseA})
		f.expect(t, s3, caseA, "路局审批", 360_000)

		caseB := f.openCase(t, 250_000) // two steps only
		decide(caseB, "站段审核", a1, casework.Return, 0)
		f.check(t, []uuid.UUID{caseA, caseB})
		f.expect(t, a1, uuid.Nil, "", 0)
		f.handOver(t, 0) // while returned
		s1 := f.flow[0].AssigneeAccountID
		if _, err := f.env.App.SubmitCase(ctx, f.caseworker, commands.SubmitCase{CaseID: caseB}); err != nil {
			t.Fatal(err)
		}
		f.check(t, []uuid.UUID{caseA, caseB})
		f.expect(t, s1, caseB, "站段审核", 250_000)

		caseC := f.openCase(t, 300_000)
		cases := []uuid.UUID{caseA, caseB, caseC}
		if got := page(t, f, s1, 1); len(got) != 1 || got[0].CaseID != caseB {
			t.Fatalf("s1's first page %+v", got)
		}
		if _, err := f.env.App.WithdrawCase(ctx, f.caseworker, commands.WithdrawCase{CaseID: caseC, Reason: "已获其他救助"}); err != nil {
			t.Fatal(err)
		}
		decide(caseB, "站段审核", s1, casework.Reject, 0)
		decide(caseA, "路局审批", s3, casework.Approve, 360_000)
		f.check(t, cases)
		for account := range f.actors {
			f.expect(t, account, uuid.Nil, "", 0)
		}
		f.catchUpIsIdempotent(t)
	})
}

// expect checks, after check, that account's inbox is the one step
// (nothing when id is nil) and returns it.
func (f *fixture) expect(t *testing.T, account, id uuid.UUID, step string, fen int64) query.InboxRow {
	t.Helper()
	got := page(t, f, account, 10)
	if id == uuid.Nil {
		if len(got) != 0 {
			t.Fatalf("inbox of %s: %+v, want it empty", account, got)
		}
		return query.InboxRow{}
	}
	if len(got) != 1 || got[0].CaseID != id || got[0].Step != step || got[0].AmountFen != fen {
		t.Fatalf("inbox of %s: %+v, want %s at %s for %d fen", account, got, id, step, fen)
	}
	return got[0]
}

// recorder appends hand-written case histories.
type recorder struct {
	t       *testing.T
	env     *apptest.Env
	version map[string]int64
}

func (r *recorder) add(id uuid.UUID, typ string, data any) int64 {
	r.t.Helper()
	raw, err := json.Marshal(data)
	if err != nil {
		r.t.Fatal(err)
	}
	stream := casework.CaseStream(id)
	w, err := r.env.Store.Append(context.Background(), stream, event.Exact(r.version[stream]),
		event.Event{ID: event.NewID(), Type: typ, Data: raw, Metadata: event.Metadata{ActorName: "测试", OccurredAt: time.Now().UTC()}})
	if err != nil {
		r.t.Fatal(err)
	}
	r.version[stream] = w.Version
	return w.Position
}

// Histories written by hand, for what the application does not reach
// directly: a step reassigned before its turn, the position and time a
// turn starts, closing, and events the projection must refuse.
func TestInboxFromWrittenHistories(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		env := apptest.New(t, kind)
		r := &recorder{t: t, env: env, version: map[string]int64{}}
		id, unit, emp := uuid.New(), uuid.New(), uuid.New()
		p1, p2, p3, p4 := uuid.New(), uuid.New(), uuid.New(), uuid.New()
		r.add(id, casework.TypeCaseOpened, casework.CaseOpened{CaseID: id, EmployeeID: emp, UnitID: unit,
			Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf}, StandardCode: "MED-SERIOUS", Category: "medical",
			RequestedFen: 800_000, Description: "sealed:v1:x", OpenedByAccountID: uuid.New()})
		submitted := casework.CaseSubmitted{StandardVersion: 1, MaxPayableFen: 800_000, AmountFen: 800_000, FlowUnitID: unit, FlowVersion: 1,
			Steps: []casework.CaseStep{{Name: "初审", AssigneeAccountID: p1}, {Name: "复审", AssigneeAccountID: p2}}}
		at := r.add(id, casework.TypeCaseSubmitted, submitted)
		list := func(account uuid.UUID) []query.InboxRow {
			t.Helper()
			readmodeltest.CatchUp(t, env, inbox.New())
			items, next, err := inbox.List(ctx, env.DB, account, query.Page{})
			if err != nil || next != 0 {
				t.Fatalf("list: %v, next %d", err, next)
			}
			return items
		}
		got := list(p1)
		if len(got) != 1 || got[0] != (query.InboxRow{CaseID: id, Step: "初审", AccountID: p1, UnitID: unit, EmployeeID: emp,
			StandardCode: "MED-SERIOUS", AmountFen: 800_000, WaitingSince: got[0].WaitingSince, Position: at}) ||
			time.Since(got[0].WaitingSince) > time.Minute {
			t.Fatalf("after submission: %+v, want 初审 waiting on p1 since position %d", got, at)
		}
		r.add(id, casework.TypeCaseStepReassigned, casework.CaseStepReassigned{Step: "复审", FromAccountID: p2, ToAccountID: p3, Reason: "岗位调整"})
		if got := list(p1); len(got) != 1 || got[0].Position != at {
			t.Fatalf("reassigning a later step moved the waiting one: %+v", got)
		}
		at = r.add(id, casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: "初审", Decision: casework.Approve,
			AmountFen: 700_000, DecidedByAccountID: p1, DecidedAt: time.Now().UTC()})
		if got := list(p3); len(got) != 1 || got[0].Step != "复审" || got[0].AmountFen != 700_000 || got[0].Position != at {
			t.Fatalf("after the first approval: %+v, want 复审 on its new holder at %d", got, at)
		}
		if got := list(p2); len(got) != 0 {
			t.Fatalf("the former holder still has %+v", got)
		}
		r.add(id, casework.TypeCaseReturned, casework.CaseReturned{Step: "复审", Reason: "补充材料"})
		r.add(id, casework.TypeCaseStepReassigned, casework.CaseStepReassigned{Step: "初审", FromAccountID: p1, ToAccountID: p4, Reason: "岗位调整"})
		if got := list(p3); len(got) != 0 {
			t.Fatalf("a returned case still waits: %+v", got)
		}
		submitted.Steps = []casework.CaseStep{{Name: "初审", AssigneeAccountID: p4}, {Name: "复审", AssigneeAccountID: p3}}
		r.add(id, casework.TypeCaseSubmitted, submitted)
		if got := list(p4); len(got) != 1 || got[0].AmountFen != 800_000 {
			t.Fatalf("after resubmission: %+v, want 初审 on p4 at the submitted amount", got)
		}
		r.add(id, casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: "初审", Decision: casework.Reject,
			Reason: "不符合条件", DecidedByAccountID: p4, DecidedAt: time.Now().UTC()})
		r.add(id, casework.TypeCaseRejected, casework.CaseRejected{Step: "初审", Reason: "不符合条件"})
		r.add(id, casework.TypeCaseClosed, casework.CaseClosed{})
		for _, p := range []uuid.UUID{p1, p2, p3, p4} {
			if got := list(p); len(got) != 0 {
				t.Fatalf("a closed case waits on %s: %+v", p, got)
			}
		}

		// Deciding a step that is not waiting is a history the
		// projection cannot follow: it stops before it.
		other := uuid.New()
		r.add(other, casework.TypeCaseOpened, casework.CaseOpened{CaseID: other, EmployeeID: emp, UnitID: unit,
			Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf}, StandardCode: "MED-SERIOUS", Category: "medical",
			RequestedFen: 800_000, Description: "sealed:v1:x", OpenedByAccountID: uuid.New()})
		r.add(other, casework.TypeCaseSubmitted, submitted)
		bad := r.add(other, casework.TypeCaseStepDecided, casework.CaseStepDecided{Step: "复审", Decision: casework.Approve,
			AmountFen: 1, DecidedByAccountID: p3, DecidedAt: time.Now().UTC()})
		stopsBefore(t, env, bad, "not waiting")

		// So is a case event of a type it does not know.
		r2 := &recorder{t: t, env: apptest.New(t, kind), version: map[string]int64{}}
		r2.add(other, casework.TypeCaseOpened, casework.CaseOpened{CaseID: other, EmployeeID: emp, UnitID: unit,
			Beneficiary: casework.Beneficiary{Relation: casework.RelationSelf}, StandardCode: "MED-SERIOUS", Category: "medical",
			RequestedFen: 800_000, Description: "sealed:v1:x", OpenedByAccountID: uuid.New()})
		bad = r2.add(other, "case.escalated", map[string]string{"to": "bureau"})
		stopsBefore(t, r2.env, bad, "unknown case event type")
	})
}

// stopsBefore checks that catching up fails, every time, with an error
// saying want, and leaves the checkpoint before the event at bad.
func stopsBefore(t *testing.T, env *apptest.Env, bad int64, want string) {
	t.Helper()
	if cp := readmodeltest.Refuses(t, env, inbox.New(), want); cp >= bad {
		t.Fatalf("refused at %d; want the checkpoint before %d", cp, bad)
	}
}
