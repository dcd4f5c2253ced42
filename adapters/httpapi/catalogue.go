package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"aidtrail/commands"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
)

// The catalogue of aid standards (F2, F3) and the approval flows of units
// (F4, F5).

// standardRequest is the body of POST /v1/standards and PUT
// /v1/standards/{code}. amount_rule is read by catalogue.AmountRule's own
// strict decoder, so that its errors name the member at fault.
type standardRequest struct {
	Code              string          `json:"code"`
	Name              string          `json:"name"`
	Category          string          `json:"category"`
	OwnerUnitID       *string         `json:"owner_unit_id"`
	AmountRule        json.RawMessage `json:"amount_rule"`
	AnnualCapFen      int64           `json:"annual_cap_fen"`
	MaxTimesPerYear   int             `json:"max_times_per_year"`
	RequiredDocuments []string        `json:"required_documents"`
	BudgetLine        string          `json:"budget_line"`
	Beneficiaries     []string        `json:"beneficiaries"`
}

// decodeStandard reads the definition a request's body gives a standard.
func decodeStandard(w http.ResponseWriter, r *http.Request) (catalogue.Definition, error) {
	var req standardRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return catalogue.Definition{}, err
	}
	return req.definition()
}

func (req standardRequest) definition() (catalogue.Definition, error) {
	def := catalogue.Definition{
		Code: req.Code, Name: req.Name, Category: catalogue.Category(req.Category),
		AnnualCapFen: req.AnnualCapFen, MaxTimesPerYear: req.MaxTimesPerYear,
		RequiredDocuments: req.RequiredDocuments, BudgetLine: req.BudgetLine,
	}
	owner, err := optionalID("owner_unit_id", req.OwnerUnitID)
	if err != nil {
		return def, err
	}
	if owner != nil {
		def.OwnerUnitID = *owner
	}
	if len(req.AmountRule) == 0 {
		return def, &fieldError{Field: "amount_rule", Reason: "is required"}
	}
	if err := json.Unmarshal(req.AmountRule, &def.AmountRule); err != nil {
		return def, err
	}
	for _, b := range req.Beneficiaries {
		def.Beneficiaries = append(def.Beneficiaries, catalogue.Beneficiary(b))
	}
	return def, nil
}

// standardResponse is a standard as reads answer it: the definition in its
// API form, "version" being the definition's version (what a case cites).
type standardResponse struct {
	catalogue.Definition
	Versions int  `json:"versions"` // how many versions the standard has had
	Retired  bool `json:"retired"`
}

type standardWritten struct {
	Code     string `json:"code"`
	Position int64  `json:"position"`
}

// publishStandard: POST /v1/standards. Without owner_unit_id the standard
// is bureau-wide, owned by the root.
func (a *api) publishStandard(w http.ResponseWriter, r *http.Request) error {
	def, err := decodeStandard(w, r)
	if err != nil {
		return err
	}
	written, err := a.deps.App.PublishStandard(r.Context(), callerOf(r).actor, commands.PublishStandard{Definition: def})
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/standards/"+def.Code, standardWritten{Code: def.Code, Position: written.Position})
	return nil
}

// reviseStandard: PUT /v1/standards/{code}, the standard's next version.
func (a *api) reviseStandard(w http.ResponseWriter, r *http.Request) error {
	code := r.PathValue("code")
	def, err := decodeStandard(w, r)
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	written, err := a.deps.App.ReviseStandard(r.Context(), callerOf(r).actor, commands.ReviseStandard{Code: code, Definition: def, IfMatch: version})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, standardWritten{Code: code, Position: written.Position})
	return nil
}

type standardList struct {
	Items      []standardResponse `json:"items"`
	NextCursor *string            `json:"next_cursor"` // null: the whole catalogue is in one page
}

// listStandards: GET /v1/standards, to every signed-in account.
func (a *api) listStandards(w http.ResponseWriter, r *http.Request) error {
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	views, err := a.deps.Query.ListStandards(r.Context(), callerOf(r).actor)
	if err != nil {
		return err
	}
	out := standardList{Items: make([]standardResponse, len(views))}
	for i, v := range views {
		out.Items[i] = standardResponse{Definition: v.Definition, Versions: v.Versions, Retired: v.Retired}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getStandard: GET /v1/standards/{code}[?version=N], to every signed-in
// account; earlier versions stay readable.
func (a *api) getStandard(w http.ResponseWriter, r *http.Request) error {
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return &fieldError{Field: "version", Reason: "must be a positive integer"}
		}
		version = n
	}
	v, err := a.deps.Query.GetStandard(r.Context(), callerOf(r).actor, r.PathValue("code"), version)
	if err != nil {
		return err
	}
	writeVersioned(w, v.Version, standardResponse{Definition: v.Definition, Versions: v.Versions, Retired: v.Retired})
	return nil
}

type flowStepJSON struct {
	Name              string `json:"name"`
	AssigneeAccountID string `json:"assignee_account_id"`
	MinAmountFen      int64  `json:"min_amount_fen"`
}

type configureFlowRequest struct {
	Steps []flowStepJSON `json:"steps"`
}

type flowWritten struct {
	UnitID   string `json:"unit_id"`
	Category string `json:"category"`
	Version  int64  `json:"version"` // the flow's configuration number
	Position int64  `json:"position"`
}

// configureFlow: PUT /v1/units/{id}/flows/{category}, the whole step list.
func (a *api) configureFlow(w http.ResponseWriter, r *http.Request) error {
	c, err := readChange[configureFlowRequest](w, r, bodyRequired)
	if err != nil {
		return err
	}
	steps := make([]casework.FlowStep, len(c.Body.Steps))
	for i, s := range c.Body.Steps {
		id, err := parseID(fmt.Sprintf("steps[%d].assignee_account_id", i), s.AssigneeAccountID)
		if err != nil {
			return err
		}
		steps[i] = casework.FlowStep{Name: s.Name, AssigneeAccountID: id, MinAmountFen: s.MinAmountFen}
	}
	category := r.PathValue("category")
	version, written, err := a.deps.App.ConfigureFlow(r.Context(), callerOf(r).actor, commands.ConfigureFlow{UnitID: c.ID, Category: category, Steps: steps, IfMatch: c.IfMatch})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, flowWritten{UnitID: c.ID.String(), Category: category, Version: version, Position: written.Position})
	return nil
}

type flowResponse struct {
	UnitID    string         `json:"unit_id"` // the unit whose flow this is
	Category  string         `json:"category"`
	Version   int            `json:"version"`
	Inherited bool           `json:"inherited"` // the flow is an ancestor's
	Steps     []flowStepJSON `json:"steps"`
}

// getFlow: GET /v1/units/{id}/flows/{category}: the unit's own flow or its
// nearest ancestor's; ETag is the version of that flow's stream.
func (a *api) getFlow(w http.ResponseWriter, r *http.Request) error {
	unit, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	v, err := a.deps.Query.GetFlow(r.Context(), callerOf(r).actor, unit, r.PathValue("category"))
	if err != nil {
		return err
	}
	out := flowResponse{UnitID: v.UnitID.String(), Category: v.Category, Version: v.FlowVersion, Inherited: v.Inherited,
		Steps: make([]flowStepJSON, len(v.Steps))}
	for i, s := range v.Steps {
		out.Steps[i] = flowStepJSON{Name: s.Name, AssigneeAccountID: s.AssigneeAccountID.String(), MinAmountFen: s.MinAmountFen}
	}
	writeVersioned(w, v.Version, out)
	return nil
}
