package commands_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/payment"
	"aidtrail/internal/testkit/apptest"
)

// The bank file is read from the event store, whatever the read model
// that listed the payments says: a payment the bank answered since and an
// unknown id are left out, and the refusal of a caller without
// budgets.manage comes before the list is even asked for.
func TestExportPaymentsReadsTheStore(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newMoney(t, kind, 10*grantFen)
		ids := f.instructedPayments(t, 3)
		if _, err := f.env.App.ConfirmPayment(ctx, f.admin, commands.ConfirmPayment{PaymentID: ids[1], BankRef: "BOC-1", On: time.Now()}); err != nil {
			t.Fatal(err)
		}
		listed := func(context.Context) ([]uuid.UUID, error) {
			return []uuid.UUID{ids[2], ids[1], uuid.New(), ids[0]}, nil
		}
		rows, err := f.env.Query.ExportDue(ctx, f.admin, f.station, listed)
		if err != nil {
			t.Fatal(err)
		}
		var got []uuid.UUID
		for _, r := range rows {
			got = append(got, r.PaymentID)
			v, err := f.env.Query.GetPayment(ctx, f.admin, r.PaymentID)
			if err != nil {
				t.Fatal(err)
			}
			want := payment.ExportRow{PaymentID: v.ID, CaseID: v.CaseID, EmployeeID: v.EmployeeID,
				BankAccount: "6222020200112233445", AmountFen: v.AmountFen}
			if r != want {
				t.Errorf("row %+v, want %+v", r, want)
			}
		}
		if want := []uuid.UUID{ids[2], ids[0]}; !slices.Equal(got, want) {
			t.Fatalf("exported %v, want %v", got, want)
		}

		// From the root, the station's payments are in the subtree too.
		if rows, err := f.env.Query.ExportDue(ctx, f.admin, f.root, listed); err != nil || len(rows) != 2 {
			t.Fatalf("from the root: %d rows, %v", len(rows), err)
		}
		asked := false
		_, err = f.env.Query.ExportDue(ctx, f.caseworker, f.station, func(context.Context) ([]uuid.UUID, error) {
			asked = true
			return ids, nil
		})
		if !errors.Is(err, access.ErrForbidden) || asked {
			t.Fatalf("a caseworker's export: %v (list asked: %v), want forbidden before the list", err, asked)
		}
		var forbidden *commands.ForbiddenError
		if !errors.As(err, &forbidden) || forbidden.Permission != string(access.PermBudgetsManage) {
			t.Fatalf("refusal %v, want budgets.manage named", err)
		}
	})
}
