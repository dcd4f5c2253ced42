package commands_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/auth"
	"aidtrail/adapters/keyring"
	"aidtrail/commands"
	"aidtrail/domain/budget"
	"aidtrail/domain/event"
	"aidtrail/domain/payment"
	"aidtrail/internal/testkit/apptest"
)

// interposedStore runs before, once, when the first transaction is about
// to commit: another writer getting in between a command's decision and
// its commit, or (when before returns an error) the commit failing.
type interposedStore struct {
	commands.EventStore
	once   sync.Once
	before func(event.Transaction) error
}

func (s *interposedStore) Commit(ctx context.Context, tx event.Transaction) ([]event.Appended, error) {
	var err error
	s.once.Do(func() { err = s.before(tx) })
	if err != nil {
		return nil, err
	}
	return s.EventStore.Commit(ctx, tx)
}

// appOn builds a second App on f's store seen through store, sharing its
// tables; what the reconciliation does needs no personal data opened.
func appOn(t *testing.T, f *moneyFixture, store commands.EventStore) *commands.App {
	t.Helper()
	master, err := keyring.NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.New(f.env.DB, master)
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewArgon2id(auth.Argon2idConfig{MemoryKiB: 1024, Iterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	creds := auth.NewStore(f.env.DB)
	app, err := commands.New(commands.Deps{Store: store, Keyring: keys, Credentials: creds, Sessions: creds, Hasher: hasher})
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// instructedPayments approves n cases and instructs each case's whole
// amount.
func (f *moneyFixture) instructedPayments(t *testing.T, n int) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for range n {
		ids = append(ids, f.instructed(t, f.approvedCase(t)))
	}
	return ids
}

func confirmedRows(ids []uuid.UUID) []payment.ResultRow {
	rows := make([]payment.ResultRow, len(ids))
	for i, id := range ids {
		rows[i] = payment.ResultRow{Row: i + 1, PaymentID: id, Status: payment.StatusConfirmed,
			BankRef: fmt.Sprintf("BOC%03d", i+1), ConfirmedOn: "2026-11-27"}
	}
	return rows
}

// A payment of the file confirmed by someone else after the import decided
// and before it committed: the import decides again on the new facts and
// refuses the whole file naming that row; nothing else is applied.
func TestReconcileRowSettledBeforeTheCommit(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		f := newMoney(t, kind, 10*grantFen)
		ids := f.instructedPayments(t, 4)
		store := &interposedStore{EventStore: f.env.Store, before: func(event.Transaction) error {
			_, err := f.env.App.ConfirmPayment(t.Context(), f.admin, commands.ConfirmPayment{PaymentID: ids[2], BankRef: "BOC-HAND", On: time.Now()})
			return err
		}}
		_, err := appOn(t, f, store).ReconcilePayments(t.Context(), f.admin, commands.ReconcilePayments{Rows: confirmedRows(ids)})
		var refused *commands.RefusedRowsError
		if !errors.As(err, &refused) || len(refused.Rows) != 1 || refused.Rows[0].Row != 3 ||
			!strings.Contains(refused.Rows[0].Message, ids[2].String()) {
			t.Fatalf("reconcile: %v, want row 3 refused, naming %s", err, ids[2])
		}
		for i, id := range ids {
			want := payment.StatusInstructed
			if i == 2 {
				want = payment.StatusConfirmed
			}
			if v, err := f.env.Query.GetPayment(t.Context(), f.admin, id); err != nil || v.Status != want {
				t.Errorf("payment %d: %+v %v, want %s", i+1, v.Status, err, want)
			}
		}
		b, err := f.env.Query.GetBudget(t.Context(), f.admin, f.budgetID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Spent != grantFen || b.Reserved != 3*grantFen {
			t.Fatalf("budget %+v, want only the hand confirmation spent", b)
		}
	})
}

// A commit that fails (the process or the connection lost on the way)
// leaves nothing of the file applied; importing it again applies it whole,
// in one transaction.
func TestReconcileFailedCommitAppliesNothing(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		f := newMoney(t, kind, 10*grantFen)
		ids := f.instructedPayments(t, 3)
		rows := confirmedRows(ids)
		rows[1] = payment.ResultRow{Row: 2, PaymentID: ids[1], Status: payment.StatusFailed, Reason: "账户冻结"}
		lost := errors.New("connection lost")
		var commits []event.Transaction
		store := &interposedStore{EventStore: f.env.Store, before: func(tx event.Transaction) error {
			commits = append(commits, tx)
			return lost
		}}
		app := appOn(t, f, store)
		head, err := f.env.Store.Head(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.ReconcilePayments(t.Context(), f.admin, commands.ReconcilePayments{Rows: rows}); !errors.Is(err, lost) {
			t.Fatalf("reconcile over a failing commit: %v, want %v", err, lost)
		}
		if after, _ := f.env.Store.Head(t.Context()); after != head {
			t.Fatalf("a failed commit left events %d..%d", head+1, after)
		}
		// The one transaction holds every row: three payments, three
		// cases and the two confirmations' spends.
		if len(commits) != 1 {
			t.Fatalf("%d commits tried, want 1", len(commits))
		}
		streams := map[string]int{}
		for _, a := range commits[0].Appends {
			streams[strings.SplitN(a.Stream, "-", 2)[0]] += len(a.Events)
		}
		if streams["payment"] != 3 || streams["case"] < 3 || streams["budget"] != 2 {
			t.Fatalf("events by stream kind %v, want 3 payments', 3 cases' and 2 spends", streams)
		}

		done, err := app.ReconcilePayments(t.Context(), f.admin, commands.ReconcilePayments{Rows: rows})
		if err != nil || done.Applied != 3 || done.Position == 0 {
			t.Fatalf("reconcile again: %+v %v", done, err)
		}
		// Every money movement carries who moved it, under which grant.
		written, err := f.env.Store.ReadAll(t.Context(), head, 1000)
		if err != nil || len(written) == 0 {
			t.Fatalf("events of the import: %d %v", len(written), err)
		}
		for _, e := range written {
			if e.Metadata.ActorAccountID != f.admin.AccountID.String() || e.Metadata.ActorPositionID == "" {
				t.Fatalf("%s on %s written as %+v, want the administrator's grant", e.Type, e.Stream, e.Metadata)
			}
		}
		again, err := app.ReconcilePayments(t.Context(), f.admin, commands.ReconcilePayments{Rows: rows})
		if err != nil || again.Position != 0 {
			t.Fatalf("the same file a third time: %+v %v, want nothing written", again, err)
		}
		spends, err := f.env.Store.ReadStream(t.Context(), budget.SpendingStream(f.budgetID), 1)
		if err != nil || len(spends) != 2 {
			t.Fatalf("spends %d %v, want one per confirmation", len(spends), err)
		}
		b, err := f.env.Query.GetBudget(t.Context(), f.admin, f.budgetID)
		if err != nil {
			t.Fatal(err)
		}
		if b.Spent != 2*grantFen || b.Reserved != grantFen || b.Reserved+b.Spent > b.Allocated {
			t.Fatalf("budget %+v, want 2 payments spent and the failed one's amount still reserved", b)
		}
	})
}
