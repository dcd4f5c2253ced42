package commands_test

import (
	"errors"
	"testing"

	"aidtrail/adapters/keyring"
	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/org"
	"aidtrail/internal/testkit/apptest"
)

var personalPlaintext = []string{"张伟", "11010519491231002X", "13800138000", "6222020200112233445", "张小明"}

// Personal data is readable by those who need it, masked for analysts,
// and gone from every table once the person is erased, while their
// history still replays.
func TestEmployeePersonalDataAndErasure(t *testing.T) {
	apptest.EachKind(t, func(t *testing.T, kind string) {
		ctx := t.Context()
		f := newOrg(t, kind)
		id, _, err := register(ctx, f.env, f.caseworker, f.station)
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		full, err := f.env.Query.GetEmployee(ctx, f.caseworker, id)
		if err != nil {
			t.Fatal(err)
		}
		if full.Name != "张伟" || full.IDNumber != "11010519491231002X" || len(full.Family) != 1 || full.Family[0].Name != "张小明" {
			t.Fatalf("caseworker's view: %+v", full)
		}

		_, analyst := signUp(t, f.env, f.admin, f.station, "analyst", []access.Role{access.RoleAnalyst})
		masked, err := f.env.Query.GetEmployee(ctx, analyst, id)
		if err != nil {
			t.Fatal(err)
		}
		if masked.Name != "" || masked.IDNumber != "" || masked.Phone != "" || masked.BankAccount != "" || masked.Family[0].Name != "" || len(masked.Masked) == 0 {
			t.Fatalf("analyst sees personal data: %+v", masked)
		}
		if masked.Family[0].BirthDate != "2008-09-01" {
			t.Fatalf("analyst's view lost the birth date discovery needs: %+v", masked)
		}

		// The employee's own account sees their own record and no one else's.
		self, _, err := f.env.App.OpenAccount(ctx, f.admin, commands.OpenAccount{Login: "zhangwei", Password: "correct horse battery", Name: "张伟", EmployeeID: &id})
		if err != nil {
			t.Fatal(err)
		}
		signed, err := f.env.App.Login(ctx, commands.Login{Login: "zhangwei", Password: "correct horse battery"})
		if err != nil || signed.AccountID != self {
			t.Fatalf("employee login: %v", err)
		}
		me, _ := f.env.App.Authenticate(ctx, signed.Token)
		if v, err := f.env.Query.GetEmployee(ctx, me, id); err != nil || v.Name != "张伟" {
			t.Fatalf("employee reading their own record: %+v, %v", v, err)
		}
		other, _, err := register(ctx, f.env, f.caseworker, f.station)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.env.Query.GetEmployee(ctx, me, other); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("employee reading someone else: %v, want forbidden", err)
		}

		if _, err := f.env.App.EraseEmployee(ctx, f.caseworker, commands.EraseEmployee{EmployeeID: id, Reason: "request"}); !errors.Is(err, access.ErrForbidden) {
			t.Fatalf("caseworker erasing: %v, want forbidden", err)
		}
		if _, err := f.env.App.EraseEmployee(ctx, f.admin, commands.EraseEmployee{EmployeeID: id, Reason: "the person's request under PIPL"}); err != nil {
			t.Fatalf("erase: %v", err)
		}
		after, err := f.env.Query.GetEmployee(ctx, f.admin, id)
		if err != nil {
			t.Fatal(err)
		}
		if !after.Erased || after.Name != query.Erased || after.IDNumber != query.Erased || after.BankAccount != query.Erased || len(after.Family) != 0 {
			t.Fatalf("after erasure: %+v", after)
		}
		// The other employee registered with the same details keeps them:
		// erasure is per person.
		if v, err := f.env.Query.GetEmployee(ctx, f.admin, other); err != nil || v.Name != "张伟" {
			t.Fatalf("another person after the erasure: %+v, %v", v, err)
		}
		if _, err := f.env.App.EraseEmployee(ctx, f.admin, commands.EraseEmployee{EmployeeID: other, Reason: "test"}); err != nil {
			t.Fatal(err)
		}
		findings, err := keyring.ScanForText(ctx, f.env.DB, personalPlaintext)
		if err != nil {
			t.Fatal(err)
		}
		if len(findings) != 0 {
			t.Fatalf("plaintext of erased people is still stored: %v", findings)
		}
		history, err := f.env.Store.ReadStream(ctx, org.EmployeeStream(id), 1)
		if err != nil {
			t.Fatal(err)
		}
		if e, err := org.LoadEmployee(id, history); err != nil || !e.Erased() {
			t.Fatalf("replaying the erased person's stream: %v", err)
		}
	})
}
