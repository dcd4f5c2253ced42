package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
)

// Answers shared by the command endpoints. Every command answers with the
// global position of the last event it wrote, which a later read may pass
// as ?min_position.

// writtenResponse answers a command on an existing aggregate.
type writtenResponse struct {
	Position int64 `json:"position"`
}

// createdResponse answers a command that creates an aggregate.
type createdResponse struct {
	ID       string `json:"id"`
	Position int64  `json:"position"`
}

// writeWritten answers 200 {"position"}.
func writeWritten(w http.ResponseWriter, written commands.Written) {
	writeJSON(w, http.StatusOK, writtenResponse{Position: written.Position})
}

// writeCreated answers 201 with the new resource's Location.
func writeCreated(w http.ResponseWriter, location string, body any) {
	w.Header().Set("Location", location)
	writeJSON(w, http.StatusCreated, body)
}

// writeVersioned answers 200 with body and the aggregate's version as its
// ETag, which commands on it will accept as If-Match.
func writeVersioned(w http.ResponseWriter, version int64, body any) {
	w.Header().Set("ETag", `"`+strconv.FormatInt(version, 10)+`"`)
	writeJSON(w, http.StatusOK, body)
}

// pathID returns the path parameter name as a UUID; anything else is 400
// naming the parameter, so that a malformed id never reaches a use case.
func pathID(r *http.Request, name string) (uuid.UUID, error) {
	return parseID(name, r.PathValue(name))
}

// parseID parses an id member of a request: a UUID in its canonical
// 36-character form.
func parseID(field, s string) (uuid.UUID, error) {
	if s == "" {
		return uuid.Nil, &fieldError{Field: field, Reason: "is required"}
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		return uuid.Nil, &fieldError{Field: field, Reason: "must be a UUID such as 0191d3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"}
	}
	return id, nil
}

// optionalID parses an id member that may be absent or null.
func optionalID(field string, s *string) (*uuid.UUID, error) {
	if s == nil {
		return nil, nil
	}
	id, err := parseID(field, *s)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

// ids renders ids as strings, an empty array rather than null.
func ids(in []uuid.UUID) []string {
	out := make([]string, len(in))
	for i, id := range in {
		out[i] = id.String()
	}
	return out
}

// awaitMinPosition honours a read's ?min_position: it waits, at most
// MinPositionWait, until the read models the route reads (readModelsOf)
// have applied that position, and answers 503 lagging when they have not.
// Reads of one aggregate come from its stream in the event store, where
// every position a command answered with is visible already; they wait
// only as long as the read models need.
func (a *api) awaitMinPosition(r *http.Request) error {
	v := r.URL.Query()["min_position"]
	switch {
	case len(v) == 0:
		return nil
	case len(v) > 1:
		return &fieldError{Field: "min_position", Reason: "must be given once"}
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n < 0 {
		return &fieldError{Field: "min_position", Reason: "must be a non-negative integer"}
	}
	reads, listed := readModelsOf[r.Pattern]
	if listed && len(reads) == 0 {
		return nil // the event store alone
	}
	ctx, cancel := context.WithTimeout(r.Context(), a.deps.MinPositionWait)
	defer cancel()
	return a.deps.ReadModels.Wait(ctx, n, minPositionPoll, reads...)
}

// minPositionPoll is how often a waiting read looks at checkpoints moved
// by projection workers in other processes.
const minPositionPoll = 20 * time.Millisecond

// ifMatch reads If-Match: the version (ETag) the caller saw of the
// aggregate a command acts on; 0 when absent or "*". A command refuses
// with 409 conflict when the aggregate has moved on since.
func ifMatch(r *http.Request) (int64, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		return 0, nil
	}
	v = strings.TrimPrefix(v, "W/")
	n, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%w: If-Match must be an ETag this API gave, such as \"3\"", errBadRequest)
	}
	return n, nil
}
