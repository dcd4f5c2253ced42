package httpapi

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"aidtrail/commands"
)

// postNew serves a POST that creates an aggregate in collection (a path
// such as "/v1/units"): it decodes the body into Req, runs the command and
// answers 201 {"id", "position"} with the new resource's Location,
// collection/{id}.
func postNew[Req any](w http.ResponseWriter, r *http.Request, collection string, run func(context.Context, commands.Actor, Req) (uuid.UUID, commands.Written, error)) error {
	var req Req
	if err := decodeJSON(w, r, &req); err != nil {
		return err
	}
	id, written, err := run(r.Context(), callerOf(r).actor, req)
	if err != nil {
		return err
	}
	writeCreated(w, collection+"/"+id.String(), createdResponse{ID: id.String(), Position: written.Position})
	return nil
}
