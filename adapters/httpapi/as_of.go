package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"aidtrail/commands"
)

// asOf reads ?as_of: "position:N", the state after the event at global
// position N, or an RFC 3339 time, the state after the last event recorded
// at or before it; absent, now.
func asOf(r *http.Request) (commands.AsOf, error) {
	v := r.URL.Query()["as_of"]
	switch {
	case len(v) == 0:
		return commands.AsOf{}, nil
	case len(v) > 1:
		return commands.AsOf{}, &fieldError{Field: "as_of", Reason: "must be given once"}
	}
	if n, ok := strings.CutPrefix(v[0], "position:"); ok {
		pos, err := strconv.ParseInt(n, 10, 64)
		if err != nil || pos < 1 {
			return commands.AsOf{}, &fieldError{Field: "as_of", Reason: "position:N takes a global position N of 1 or more"}
		}
		return commands.AsOf{Position: pos}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v[0])
	if err != nil {
		return commands.AsOf{}, &fieldError{Field: "as_of", Reason: "must be an RFC 3339 time or position:N"}
	}
	return commands.AsOf{Time: t}, nil
}
