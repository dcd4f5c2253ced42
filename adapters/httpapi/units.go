package httpapi

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
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
	return postNew(w, r, "/v1/units", func(ctx context.Context, actor commands.Actor, req establishUnitRequest) (uuid.UUID, commands.Written, error) {
		level, err := org.ParseLevel(req.Level)
		if err != nil {
			return uuid.Nil, commands.Written{}, err
		}
		parent, err := optionalID("parent_id", req.ParentID)
		if err != nil {
			return uuid.Nil, commands.Written{}, err
		}
		cmd := commands.EstablishUnit{Name: req.Name, Code: req.Code, Level: level}
		if parent != nil {
			cmd.ParentID = *parent
		}
		return a.deps.App.EstablishUnit(ctx, actor, cmd)
	})
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
	return getOne(a, w, r, now(a.deps.Query.GetUnit), func(v query.UnitView) (int64, any) {
		out := unitResponse{
			ID: v.ID.String(), Name: v.Name, Code: v.Code, Level: v.Level,
			Path: ids(v.Path), Children: ids(v.Children), Closed: v.Closed, Version: v.Version,
		}
		if v.ParentID != uuid.Nil {
			parent := v.ParentID.String()
			out.ParentID = &parent
		}
		return v.Version, out
	})
}

type renameUnitRequest struct {
	Name string `json:"name"`
}

// renameUnit: POST /v1/units/{id}/rename.
func (a *api) renameUnit(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[renameUnitRequest]) (commands.Written, error) {
		return a.deps.App.RenameUnit(ctx, actor, commands.RenameUnit{UnitID: c.ID, Name: c.Body.Name, IfMatch: c.IfMatch})
	})
}

type moveUnitRequest struct {
	ParentID string `json:"parent_id"`
}

// moveUnit: POST /v1/units/{id}/move, with the unit's whole subtree. The
// caller needs the right on the unit and on its new parent.
func (a *api) moveUnit(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[moveUnitRequest]) (commands.Written, error) {
		parent, err := parseID("parent_id", c.Body.ParentID)
		if err != nil {
			return commands.Written{}, err
		}
		return a.deps.App.MoveUnit(ctx, actor, commands.MoveUnit{UnitID: c.ID, NewParentID: parent, IfMatch: c.IfMatch})
	})
}

type closeUnitRequest struct {
	Reason string `json:"reason"`
}

// closeUnit: POST /v1/units/{id}/close, for a unit with no open work.
func (a *api) closeUnit(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyOptional, func(ctx context.Context, actor commands.Actor, c change[closeUnitRequest]) (commands.Written, error) {
		return a.deps.App.CloseUnit(ctx, actor, commands.CloseUnit{UnitID: c.ID, Reason: c.Body.Reason, IfMatch: c.IfMatch})
	})
}
