package httpapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/query"
)

// queryParams reads a list's query parameters. Each may be given once;
// the first bad one is kept in err, named in the 400 answer.
type queryParams struct {
	v   url.Values
	err error
}

func listParams(r *http.Request) *queryParams { return &queryParams{v: r.URL.Query()} }

func (q *queryParams) fail(field, reason string) {
	if q.err == nil {
		q.err = &fieldError{Field: field, Reason: reason}
	}
}

// str returns parameter name, "" when absent.
func (q *queryParams) str(name string) string {
	vs := q.v[name]
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0]
	default:
		q.fail(name, "must be given once")
		return ""
	}
}

// id returns parameter name as a UUID, uuid.Nil when absent.
func (q *queryParams) id(name string) uuid.UUID {
	s := q.str(name)
	if s == "" {
		return uuid.Nil
	}
	id, err := uuid.Parse(s)
	if err != nil || len(s) != 36 {
		q.fail(name, "must be a UUID")
		return uuid.Nil
	}
	return id
}

// date returns parameter name (YYYY-MM-DD) as midnight UTC, zero when
// absent.
func (q *queryParams) date(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		q.fail(name, "must be a date YYYY-MM-DD")
	}
	return d
}

// cursor returns the position a list continues after: the next_cursor of
// the previous page, 0 for the first page.
func (q *queryParams) cursor() int64 {
	s := q.str("cursor")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		q.fail("cursor", "must be a next_cursor this API gave")
	}
	return n
}

// page returns the cursor and the page size a list asks for.
func (q *queryParams) page() query.Page { return query.Page{After: q.cursor(), Limit: q.limit()} }

// limit returns the page size asked for, 0 (the list's default) when
// absent; at most query.MaxLimit.
func (q *queryParams) limit() int {
	s := q.str("limit")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > query.MaxLimit {
		q.fail("limit", "must be an integer from 1 to "+strconv.Itoa(query.MaxLimit))
	}
	return n
}

// nextCursor is a list's next_cursor: null on the last page.
func nextCursor(after int64) *string {
	if after == 0 {
		return nil
	}
	s := strconv.FormatInt(after, 10)
	return &s
}
