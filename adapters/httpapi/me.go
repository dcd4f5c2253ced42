package httpapi

import (
	"net/http"

	"github.com/google/uuid"
)

// meResponse is GET /v1/me.
type meResponse struct {
	AccountID *string        `json:"account_id"` // null for the bootstrap administrator
	Bootstrap bool           `json:"bootstrap"`
	Login     string         `json:"login"`
	Name      string         `json:"name"`
	Positions []myPosition   `json:"positions"`
	Employee  *myEmployeeRef `json:"employee"` // null for a staff account
}

type myPosition struct {
	PositionID string   `json:"position_id"`
	UnitID     string   `json:"unit_id"`
	UnitName   string   `json:"unit_name"`
	Title      string   `json:"title"`
	Roles      []string `json:"roles"`
}

type myEmployeeRef struct {
	EmployeeID string `json:"employee_id"`
	UnitID     string `json:"unit_id"`
}

// getMe: GET /v1/me, the caller's own account: its positions with their
// units and roles, and the employee record it belongs to, if any. Every
// signed-in account may read its own.
func (a *api) getMe(w http.ResponseWriter, r *http.Request) error {
	v, err := a.deps.Query.Me(r.Context(), callerOf(r).actor)
	if err != nil {
		return err
	}
	out := meResponse{Bootstrap: v.Bootstrap, Login: v.Login, Name: v.Name, Positions: make([]myPosition, 0, len(v.Positions))}
	if v.AccountID != uuid.Nil {
		id := v.AccountID.String()
		out.AccountID = &id
	}
	for _, p := range v.Positions {
		roles := make([]string, len(p.Roles))
		for i, role := range p.Roles {
			roles[i] = string(role)
		}
		out.Positions = append(out.Positions, myPosition{PositionID: p.PositionID.String(), UnitID: p.UnitID.String(),
			UnitName: p.UnitName, Title: p.Title, Roles: roles})
	}
	if v.EmployeeID != uuid.Nil {
		out.Employee = &myEmployeeRef{EmployeeID: v.EmployeeID.String(), UnitID: v.EmployeeUnitID.String()}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
