package httpapi

import (
	"net/http"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/org"
)

// The organisation (F1): units in a tree of levels, established, renamed,
// moved with their subtree, and closed.

type establishUnitRequest struct {
	Name     string  `json:"name"`
	Code     string  `json:"code"`
	Level    string  `json:"level"`
	ParentID *string `json:"parent_id"`
}

// establishUnit: POST /v1/units. Without parent_id (or with null) it is the
// root bureau, which only the bootstrap token establishes.
func (a *api) establishUnit(w http.ResponseWriter, r *http.Request) error {
	var req establishUnitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	level, err := org.ParseLevel(req.Level)
	if err != nil {
		return err
	}
	parent, err := optionalID("parent_id", req.ParentID)
	if err != nil {
		return err
	}
	cmd := commands.EstablishUnit{Name: req.Name, Code: req.Code, Level: level}
	if parent != nil {
		cmd.ParentID = *parent
	}
	id, written, err := a.deps.App.EstablishUnit(r.Context(), callerOf(r).actor, cmd)
	if err != nil {
		return err
	}
	writeCreated(w, "/v1/units/"+id.String(), createdResponse{ID: id.String(), Position: written.Position})
	return nil
}

type unitResponse struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Code     string    `json:"code"`
	Level    org.Level `json:"level"`
	ParentID *string   `json:"parent_id"` // null for the root
	Path     []string  `json:"path"`      // ancestors, root first
	Children []string  `json:"children"`  // open children
	Closed   bool      `json:"closed"`
	Version  int64     `json:"version"`
}

// getUnit: GET /v1/units/{id}, to anyone with a role on the unit.
func (a *api) getUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	v, err := a.deps.Query.GetUnit(r.Context(), callerOf(r).actor, id)
	if err != nil {
		return err
	}
	out := unitResponse{
		ID: v.ID.String(), Name: v.Name, Code: v.Code, Level: v.Level,
		Path: ids(v.Path), Children: ids(v.Children), Closed: v.Closed, Version: v.Version,
	}
	if v.ParentID != uuid.Nil {
		parent := v.ParentID.String()
		out.ParentID = &parent
	}
	writeVersioned(w, v.Version, out)
	return nil
}

type renameUnitRequest struct {
	Name string `json:"name"`
}

// renameUnit: POST /v1/units/{id}/rename.
func (a *api) renameUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req renameUnitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	written, err := a.deps.App.RenameUnit(r.Context(), callerOf(r).actor, commands.RenameUnit{UnitID: id, Name: req.Name, IfMatch: version})
	if err != nil {
		return err
	}
	writeWritten(w, written)
	return nil
}

type moveUnitRequest struct {
	ParentID string `json:"parent_id"`
}

// moveUnit: POST /v1/units/{id}/move, with the unit's whole subtree. The
// caller needs the right on the unit and on its new parent.
func (a *api) moveUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req moveUnitRequest
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	parent, err := parseID("parent_id", req.ParentID)
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	written, err := a.deps.App.MoveUnit(r.Context(), callerOf(r).actor, commands.MoveUnit{UnitID: id, NewParentID: parent, IfMatch: version})
	if err != nil {
		return err
	}
	writeWritten(w, written)
	return nil
}

type closeUnitRequest struct {
	Reason string `json:"reason"`
}

// closeUnit: POST /v1/units/{id}/close, for a unit with no open work.
func (a *api) closeUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req closeUnitRequest
	if err := decodeOptionalJSON(w, r, &req); err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	written, err := a.deps.App.CloseUnit(r.Context(), callerOf(r).actor, commands.CloseUnit{UnitID: id, Reason: req.Reason, IfMatch: version})
	if err != nil {
		return err
	}
	writeWritten(w, written)
	return nil
}
