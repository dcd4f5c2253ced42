package httpapi

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"aidtrail/commands"
)

// Most routes act on or read one aggregate named by the path's {id}. The
// helpers here keep their order of checks the same everywhere: the path,
// then the body, then If-Match, then the command; for a read, the path,
// then min_position, then as_of.

// change is what a POST on one aggregate hands its command: the path's id,
// the decoded body and the If-Match version (0 when none was sent).
type change[Req any] struct {
	ID      uuid.UUID
	Body    Req
	IfMatch int64
}

// body says how a POST on one aggregate takes its body.
type body int

const (
	bodyRequired body = iota // a JSON object must be sent
	bodyOptional             // none, or a JSON object
)

// onID reads what a POST on the aggregate {id} sends, path first: the
// path's id and the body, decoded into Req as want says. IfMatch stays 0,
// for commands that take none.
func onID[Req any](w http.ResponseWriter, r *http.Request, want body) (change[Req], error) {
	var c change[Req]
	var err error
	if c.ID, err = pathID(r, "id"); err != nil {
		return c, err
	}
	decode := decodeJSON
	if want == bodyOptional {
		decode = decodeOptionalJSON
	}
	return c, decode(w, r, &c.Body)
}

// readChange is onID and then If-Match.
func readChange[Req any](w http.ResponseWriter, r *http.Request, want body) (change[Req], error) {
	c, err := onID[Req](w, r, want)
	if err != nil {
		return c, err
	}
	c.IfMatch, err = ifMatch(r)
	return c, err
}

// postOn serves a POST that changes the aggregate {id}: it reads the
// change (readChange), runs the command and answers with the position
// written.
func postOn[Req any](w http.ResponseWriter, r *http.Request, want body, run func(context.Context, commands.Actor, change[Req]) (commands.Written, error)) error {
	c, err := readChange[Req](w, r, want)
	if err != nil {
		return err
	}
	written, err := run(r.Context(), callerOf(r).actor, c)
	if err != nil {
		return err
	}
	writeWritten(w, written)
	return nil
}

// getOne serves a GET of the aggregate {id} once the read models have
// reached ?min_position: read fetches it as of ?as_of (the zero AsOf where
// the route takes none: the query check refuses the parameter there), and
// render gives its version, the ETag, and its JSON.
func getOne[V any](a *api, w http.ResponseWriter, r *http.Request, read func(context.Context, commands.Actor, uuid.UUID, commands.AsOf) (V, error), render func(V) (int64, any)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := a.awaitMinPosition(r); err != nil {
		return err
	}
	at, err := asOf(r)
	if err != nil {
		return err
	}
	v, err := read(r.Context(), callerOf(r).actor, id, at)
	if err != nil {
		return err
	}
	version, out := render(v)
	writeVersioned(w, version, out)
	return nil
}

// now adapts a read of the present state to getOne.
func now[V any](read func(context.Context, commands.Actor, uuid.UUID) (V, error)) func(context.Context, commands.Actor, uuid.UUID, commands.AsOf) (V, error) {
	return func(ctx context.Context, actor commands.Actor, id uuid.UUID, _ commands.AsOf) (V, error) {
		return read(ctx, actor, id)
	}
}
