package inbox_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/casework"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/readmodeltest"
	"aidtrail/projections"
	"aidtrail/projections/inbox"
)

// Random work through the application — cases opened and submitted, steps
// approved (lowering the amount), rejected and returned, returned cases
// resubmitted, cases withdrawn, approvers' positions vacated with their
// open steps handed to successors, payments — leaves rm_inbox saying what
// the event store says: for every account, the steps query.Service.StepsWaiting lists, and
// for every case, its waiting step with its holder and amount under review.
func TestInboxFollowsTheStore(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		seed := uint64(time.Now().UnixNano())
		t.Logf("seed %d", seed)
		rng := rand.New(rand.NewPCG(seed, 11))
		ctx := t.Context()
		f := newFixture(t, kind)
		var cases []uuid.UUID
		handOvers, handed, decided := 0, 0, 0
		ops := 120
		if testing.Short() {
			ops = 50
		}
		for op := range ops {
			switch r := rng.IntN(20); {
			case r < 4 || len(cases) == 0:
				cases = append(cases, f.openCase(t, int64(200_000+rng.IntN(300_001))))
			case r < 14:
				id := cases[rng.IntN(len(cases))]
				open := f.loadCase(t, id).OpenSteps()
				if len(open) == 0 || open[0].Blocked {
					continue
				}
				// A step stays with a vacated holder when no successor
				// may hold it (segregation of duties): it waits for an
				// administrator, not for them.
				actor, ok := f.actors[open[0].Assignee]
				if !ok || f.vacated[open[0].Assignee] {
					continue
				}
				d := commands.DecideCase{CaseID: id, Step: open[0].Name, Decision: casework.Approve,
					AmountFen: f.loadCase(t, id).CurrentAmountFen() - int64(rng.IntN(3))*10_000, Reason: "审核意见"}
				switch rng.IntN(8) {
				case 0:
					d.Decision = casework.Reject
				case 1, 2:
					d.Decision = casework.Return
				}
				if _, err := f.env.App.DecideCase(ctx, actor, d); err != nil {
					t.Fatalf("decide %s at %s: %v", id, d.Step, err)
				}
				decided++
			case r < 16:
				for _, i := range rng.Perm(len(cases)) {
					if f.loadCase(t, cases[i]).Status() == casework.StatusReturned {
						if _, err := f.env.App.SubmitCase(ctx, f.caseworker, commands.SubmitCase{CaseID: cases[i]}); err != nil {
							t.Fatalf("resubmit: %v", err)
						}
						break
					}
				}
			case r < 17:
				_, _ = f.env.App.WithdrawCase(ctx, f.caseworker, commands.WithdrawCase{CaseID: cases[rng.IntN(len(cases))], Reason: "申请人撤回"})
			case r < 18:
				if handOvers < 4 {
					handOvers++
					handed += len(f.handOver(t, rng.IntN(len(f.flow))))
				}
			default:
				id := cases[rng.IntN(len(cases))]
				if f.loadCase(t, id).Status() == casework.StatusApproved {
					pid, _, err := f.env.App.InstructPayment(ctx, f.admin, commands.InstructPayment{CaseID: id, AmountFen: f.loadCase(t, id).ApprovedFen()})
					if err != nil {
						t.Fatal(err)
					}
					if _, err := f.env.App.FailPayment(ctx, f.admin, commands.FailPayment{PaymentID: pid, Reason: "账户冻结"}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if op%25 == 24 {
				f.check(t, cases)
			}
		}
		f.check(t, cases)
		t.Logf("%d cases, %d decisions, %d hand-overs moving %d steps", len(cases), decided, handOvers, handed)
		if decided == 0 {
			t.Fatal("the random run decided nothing")
		}
		f.catchUpIsIdempotent(t)
	})
}

// check catches rm_inbox up with the store and compares it with the
// authoritative state: query.Service.StepsWaiting for every account, each case rebuilt from
// its stream for the amount and who holds its waiting step.
func (f *fixture) check(t *testing.T, cases []uuid.UUID) {
	t.Helper()
	ctx := t.Context()
	readmodeltest.CatchUp(t, f.env, inbox.New())
	byCase := map[uuid.UUID]query.InboxRow{}
	for account := range f.actors {
		items := page(t, f, account, 2)
		for _, it := range items {
			if it.AccountID != account {
				t.Fatalf("account %s's inbox holds %+v", account, it)
			}
			if _, dup := byCase[it.CaseID]; dup {
				t.Fatalf("case %s waits on two steps", it.CaseID)
			}
			byCase[it.CaseID] = it
		}
		want, err := f.env.Query.StepsWaiting(ctx, commands.Actor{AccountID: account})
		if err != nil {
			t.Fatal(err)
		}
		got := make([]query.WaitingStep, len(items))
		for i, it := range items {
			got[i] = query.WaitingStep{CaseID: it.CaseID, Step: it.Step, UnitID: it.UnitID}
		}
		if !sameItems(got, want) {
			t.Fatalf("inbox of %s:\n got %+v\nwant %+v", account, got, want)
		}
	}
	waiting := 0
	for _, id := range cases {
		c := f.loadCase(t, id)
		open := c.OpenSteps()
		it, ok := byCase[id]
		if len(open) == 0 {
			if ok {
				t.Fatalf("case %s (%s) waits in rm_inbox: %+v", id, c.Status(), it)
			}
			continue
		}
		waiting++
		want := query.InboxRow{CaseID: id, Step: open[0].Name, AccountID: open[0].Assignee, UnitID: c.UnitID(),
			EmployeeID: c.EmployeeID(), StandardCode: c.StandardCode(), AmountFen: c.CurrentAmountFen()}
		if it.Position <= 0 || it.WaitingSince.IsZero() {
			t.Fatalf("case %s: position %d, waiting since %v", id, it.Position, it.WaitingSince)
		}
		it.Position, it.WaitingSince = 0, time.Time{}
		if it != want {
			t.Fatalf("case %s:\n got %+v\nwant %+v", id, it, want)
		}
	}
	if waiting != len(byCase) {
		t.Fatalf("rm_inbox holds %d steps, the store %d", len(byCase), waiting)
	}
}

// page reads account's whole inbox limit items at a time.
func page(t *testing.T, f *fixture, account uuid.UUID, limit int) []query.InboxRow {
	t.Helper()
	var all []query.InboxRow
	after := int64(0)
	for {
		items, next, err := inbox.List(t.Context(), f.env.DB, account, query.Page{After: after, Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) > limit || next != 0 && len(items) != limit {
			t.Fatalf("page of %d items (limit %d), next %d", len(items), limit, next)
		}
		for _, it := range items {
			if it.Position <= after {
				t.Fatalf("item at %d on the page after %d", it.Position, after)
			}
			after = it.Position
		}
		all = append(all, items...)
		if next == 0 {
			return all
		}
		after = next
	}
}

func sameItems(a, b []query.WaitingStep) bool {
	key := func(x query.WaitingStep) string { return x.CaseID.String() + "/" + x.Step + "/" + x.UnitID.String() }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}

// catchUpIsIdempotent: catching up again, with nothing new, changes
// nothing.
func (f *fixture) catchUpIsIdempotent(t *testing.T) {
	t.Helper()
	before := dump(t, f)
	pos1, err := projections.Checkpoint(t.Context(), f.env.DB, inbox.Name)
	if err != nil {
		t.Fatal(err)
	}
	pos2 := readmodeltest.CatchUp(t, f.env, inbox.New())
	if pos1 != pos2 {
		t.Fatalf("checkpoint moved from %d to %d with nothing new", pos1, pos2)
	}
	if after := dump(t, f); !reflect.DeepEqual(before, after) {
		t.Fatalf("catching up again changed rm_inbox:\n%+v\n%+v", before, after)
	}
}

// dump returns every row of rm_inbox, by account then position.
func dump(t *testing.T, f *fixture) []query.InboxRow {
	t.Helper()
	var all []query.InboxRow
	accounts := make([]uuid.UUID, 0, len(f.actors))
	for a := range f.actors {
		accounts = append(accounts, a)
	}
	slices.SortFunc(accounts, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	for _, a := range accounts {
		all = append(all, page(t, f, a, 500)...)
	}
	return all
}
