package inbox

import (
	"context"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

// List returns a page of the steps waiting for account, oldest turn
// first, and the cursor of the next page: 0 when this page is the last.
// A step that becomes the account's turn while it pages comes after every
// step it has already seen, so it appears on a later page.
func List(ctx context.Context, db *sqldb.DB, account uuid.UUID, page query.Page) ([]query.InboxRow, int64, error) {
	l := readmodel.NewList("position", page.After)
	l.Equal("account_id", account.String())
	return readmodel.Fetch(ctx, db, l, `case_id, step, account_id, unit_id, employee_id, standard_code,
		amount_fen, waiting_since, position`, "rm_inbox", "position", page.Size(), scan,
		func(r query.InboxRow) int64 { return r.Position })
}

func scan(row readmodel.Scanner) (query.InboxRow, error) {
	var it query.InboxRow
	var caseID, accountID, unitID, employeeID, since string
	if err := row.Scan(&caseID, &it.Step, &accountID, &unitID, &employeeID, &it.StandardCode,
		&it.AmountFen, &since, &it.Position); err != nil {
		return it, err
	}
	var err error
	if it.WaitingSince, err = time.Parse(time.RFC3339, since); err != nil {
		return it, err
	}
	return it, readmodel.ParseIDs(map[*uuid.UUID]string{&it.CaseID: caseID, &it.AccountID: accountID,
		&it.UnitID: unitID, &it.EmployeeID: employeeID})
}
