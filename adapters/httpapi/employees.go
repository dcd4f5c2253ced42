package httpapi

import (
	"context"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/org"
)

// Employees (职工), the fifth level of the organisation. Their personal
// fields travel in plaintext only over this API: the use cases seal them
// under the person's own key before any event is written, mask them for
// roles that do not need them, and read them back as erased once the
// person's key is deleted.

type familyMemberJSON struct {
	Relation  string `json:"relation"`
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
}

type registerEmployeeRequest struct {
	Name        string             `json:"name"`
	UnitID      string             `json:"unit_id"`
	IDNumber    string             `json:"id_number"`
	Phone       string             `json:"phone"`
	BankAccount string             `json:"bank_account"`
	Family      []familyMemberJSON `json:"family"`
}

// registerEmployee: POST /v1/employees.
func (a *api) registerEmployee(w http.ResponseWriter, r *http.Request) error {
	return postNew(w, r, "/v1/employees", func(ctx context.Context, actor commands.Actor, req registerEmployeeRequest) (uuid.UUID, commands.Written, error) {
		unit, err := parseID("unit_id", req.UnitID)
		if err != nil {
			return uuid.Nil, commands.Written{}, err
		}
		family := make([]commands.FamilyMember, len(req.Family))
		for i, f := range req.Family {
			family[i] = commands.FamilyMember{Relation: org.Relation(f.Relation), Name: f.Name, BirthDate: f.BirthDate}
		}
		return a.deps.App.RegisterEmployee(ctx, actor, commands.RegisterEmployee{
			UnitID: unit, Name: req.Name, IDNumber: req.IDNumber, Phone: req.Phone, BankAccount: req.BankAccount,
			Family: family,
		})
	})
}

// employeeResponse is an employee as the caller may see them. A personal
// field listed in masked is absent from the object (for family members:
// their name), never sent empty, so a client cannot mistake "not shown to
// you" for "not known".
type employeeResponse struct {
	ID          string                 `json:"id"`
	UnitID      string                 `json:"unit_id"`
	Name        *string                `json:"name,omitempty"`
	IDNumber    *string                `json:"id_number,omitempty"`
	Phone       *string                `json:"phone,omitempty"`
	BankAccount *string                `json:"bank_account,omitempty"`
	Family      []familyMemberResponse `json:"family"`
	Erased      bool                   `json:"erased"`
	Masked      []string               `json:"masked"`
	Version     int64                  `json:"version"`
}

type familyMemberResponse struct {
	Relation  string  `json:"relation"`
	Name      *string `json:"name,omitempty"`
	BirthDate string  `json:"birth_date"`
}

// getEmployee: GET /v1/employees/{id}: in full to those who may read
// personal data at the employee's unit and to the employee themselves,
// masked to analysts.
func (a *api) getEmployee(w http.ResponseWriter, r *http.Request) error {
	return getOne(a, w, r, a.deps.Query.GetEmployeeAsOf, employeeFrom)
}

// employeeFrom renders an employee; a field the caller's role does not
// see is null and named in masked.
func employeeFrom(v query.EmployeeView) (int64, any) {
	shown := func(field, value string) *string {
		if slices.Contains(v.Masked, field) {
			return nil
		}
		return &value
	}
	out := employeeResponse{
		ID: v.ID.String(), UnitID: v.UnitID.String(),
		Name: shown("name", v.Name), IDNumber: shown("id_number", v.IDNumber),
		Phone: shown("phone", v.Phone), BankAccount: shown("bank_account", v.BankAccount),
		Family: make([]familyMemberResponse, len(v.Family)),
		Erased: v.Erased, Masked: append([]string{}, v.Masked...), Version: v.Version,
	}
	for i, f := range v.Family {
		out.Family[i] = familyMemberResponse{Relation: string(f.Relation), Name: shown("family.name", f.Name), BirthDate: f.BirthDate}
	}
	return v.Version, out
}

type eraseEmployeeRequest struct {
	Reason string `json:"reason"`
}

// eraseEmployee: POST /v1/employees/{id}/erase deletes the person's key:
// their personal fields read back as erased from then on, while money and
// history stay.
func (a *api) eraseEmployee(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[eraseEmployeeRequest]) (commands.Written, error) {
		return a.deps.App.EraseEmployee(ctx, actor, commands.EraseEmployee{EmployeeID: c.ID, Reason: c.Body.Reason, IfMatch: c.IfMatch})
	})
}
