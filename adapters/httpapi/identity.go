package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/access"
)

// Sign-in, sign-out, accounts and positions: the first line of defence
// (system access) and the rights that follow positions (F12, F13).

type loginRequest struct {
	Login    string `json:"login"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	AccountID string    `json:"account_id"`
}

// login: POST /v1/login. Every refusal is 401 alike; a login locked after
// too many failures also says when to try again (Retry-After).
func (a *api) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	signed, err := a.deps.App.Login(r.Context(), commands.Login{Login: req.Login, Password: req.Password})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, loginResponse{
		Token: signed.Token, ExpiresAt: signed.ExpiresAt.UTC(), AccountID: signed.AccountID.String(),
	})
	return nil
}

// logout: POST /v1/logout revokes the token the request was sent with.
func (a *api) logout(w http.ResponseWriter, r *http.Request) error {
	c := callerOf(r)
	if err := a.deps.App.Logout(r.Context(), c.actor, c.token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type openAccountRequest struct {
	Login      string  `json:"login"`
	Password   string  `json:"password"`
	Name       string  `json:"name"`
	EmployeeID *string `json:"employee_id"`
}

// openAccount: POST /v1/accounts.
func (a *api) openAccount(w http.ResponseWriter, r *http.Request) error {
	return postNew(w, r, "/v1/accounts", func(ctx context.Context, actor commands.Actor, req openAccountRequest) (uuid.UUID, commands.Written, error) {
		employee, err := optionalID("employee_id", req.EmployeeID)
		if err != nil {
			return uuid.Nil, commands.Written{}, err
		}
		return a.deps.App.OpenAccount(ctx, actor, commands.OpenAccount{
			Login: req.Login, Password: req.Password, Name: req.Name, EmployeeID: employee,
		})
	})
}

type assignPositionRequest struct {
	UnitID string   `json:"unit_id"`
	Title  string   `json:"title"`
	Roles  []string `json:"roles"`
}

type positionAssignedResponse struct {
	PositionID string `json:"position_id"`
	Position   int64  `json:"position"`
}

// assignPosition: POST /v1/accounts/{id}/positions.
func (a *api) assignPosition(w http.ResponseWriter, r *http.Request) error {
	c, err := onID[assignPositionRequest](w, r, bodyRequired)
	if err != nil {
		return err
	}
	unit, err := parseID("unit_id", c.Body.UnitID)
	if err != nil {
		return err
	}
	roles := make([]access.Role, len(c.Body.Roles))
	for i, role := range c.Body.Roles {
		roles[i] = access.Role(role) // the domain names the first role it refuses
	}
	positionID, written, err := a.deps.App.AssignPosition(r.Context(), callerOf(r).actor, commands.AssignPosition{
		AccountID: c.ID, UnitID: unit, Title: c.Body.Title, Roles: roles,
	})
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/accounts/"+c.ID.String()+"/positions/"+positionID.String(),
		positionAssignedResponse{PositionID: positionID.String(), Position: written.Position})
	return nil
}

type vacatePositionRequest struct {
	SuccessorAccountID *string `json:"successor_account_id"`
	Reason             string  `json:"reason"`
}

type handOverJSON struct {
	CaseID string `json:"case_id"`
	Step   string `json:"step"`
}

type vacatedResponse struct {
	HandedOver []handOverJSON `json:"handed_over"`
	Position   int64          `json:"position"`
}

// vacatePosition: POST /v1/accounts/{id}/positions/{position_id}/vacate.
// The rights of the position end with the event it writes; its open work
// goes to the successor, listed in handed_over.
func (a *api) vacatePosition(w http.ResponseWriter, r *http.Request) error {
	account, err := pathID(r, "id")
	if err != nil {
		return err
	}
	position, err := pathID(r, "position_id")
	if err != nil {
		return err
	}
	var req vacatePositionRequest
	if err := decodeOptionalJSON(w, r, &req); err != nil {
		return err
	}
	successor, err := optionalID("successor_account_id", req.SuccessorAccountID)
	if err != nil {
		return err
	}
	handed, written, err := a.deps.App.VacatePosition(r.Context(), callerOf(r).actor, commands.VacatePosition{
		AccountID: account, PositionID: position, SuccessorID: successor, Reason: req.Reason,
	})
	if err != nil {
		return err
	}
	out := vacatedResponse{HandedOver: make([]handOverJSON, len(handed)), Position: written.Position}
	for i, h := range handed {
		out.HandedOver[i] = handOverJSON{CaseID: h.CaseID.String(), Step: h.Step}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
