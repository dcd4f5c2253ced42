package httpapi

import (
	"context"
	"net/http"

	"aidtrail/commands"
)

// ready is the order of checks every read from the read models keeps: the
// first bad query parameter in q is the 400; then the read waits for the
// read models to reach the request's ?min_position.
func (a *api) ready(r *http.Request, q *queryParams) error {
	if q.err != nil {
		return q.err
	}
	return a.awaitMinPosition(r)
}

// listPage serves a list once ready: list reads, as the caller, the page
// that f selects, and the answer is 200 {"items", "next_cursor"}, each row
// as item renders it.
func listPage[F, Row, Item any](a *api, w http.ResponseWriter, r *http.Request, q *queryParams, f F,
	list func(context.Context, commands.Actor, F) ([]Row, int64, error), item func(Row) Item) error {
	if err := a.ready(r, q); err != nil {
		return err
	}
	rows, next, err := list(r.Context(), callerOf(r).actor, f)
	if err != nil {
		return err
	}
	items := make([]Item, len(rows))
	for i, row := range rows {
		items[i] = item(row)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "next_cursor": nextCursor(next)})
	return nil
}
