package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"aidtrail/commands"
)

// Request headers of the API contract.
const (
	headerIdempotencyKey = "Idempotency-Key"
	headerCorrelationID  = "X-Correlation-ID"
	// maxRequestToken bounds Idempotency-Key and X-Correlation-ID.
	maxRequestToken = 200
)

// caller is the authenticated sender of a request.
type caller struct {
	actor commands.Actor
	token string // the bearer token as sent, for logout
}

type callerKey struct{}

// callerOf returns the caller authenticate put in r's context. Only
// handlers of authenticated routes call it.
func callerOf(r *http.Request) caller {
	c, _ := r.Context().Value(callerKey{}).(caller)
	return c
}

// authenticate admits a request to next only with a live bearer token: a
// session's token, or the bootstrap token while it still works. Missing,
// malformed, unknown, expired and revoked tokens are all 401
// unauthenticated with WWW-Authenticate: Bearer. The actor carries the
// request's Idempotency-Key as its command id (a fresh id when none is
// sent, so that the events of one request can be told apart) and the
// request's correlation id.
func (a *api) authenticate(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		token, err := bearerToken(r.Header)
		if err != nil {
			return err
		}
		actor, err := a.deps.App.Authenticate(r.Context(), token)
		if err != nil {
			return err
		}
		key, err := idempotencyKey(r.Header)
		if err != nil {
			return err
		}
		actor.IdempotencyKey = key
		if key == "" {
			key = uuid.Must(uuid.NewV7()).String()
		}
		actor.CommandID = key
		actor.CorrelationID = correlationID(r.Context())
		ctx := context.WithValue(r.Context(), callerKey{}, caller{actor: actor, token: token})
		return next(w, r.WithContext(ctx))
	}
}

// bearerToken returns the token of the one "Authorization: Bearer <token>"
// header (RFC 6750: the scheme is case-insensitive, the token is token68).
func bearerToken(h http.Header) (string, error) {
	values := h.Values("Authorization")
	switch len(values) {
	case 0:
		return "", fmt.Errorf("%w: no Authorization header", commands.ErrUnauthenticated)
	case 1:
	default:
		return "", fmt.Errorf("%w: more than one Authorization header", commands.ErrUnauthenticated)
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !isToken68(token) {
		return "", fmt.Errorf("%w: the Authorization header is not \"Bearer <token>\"", commands.ErrUnauthenticated)
	}
	return token, nil
}

// isToken68 reports whether s is RFC 9110's token68: 1*( ALPHA / DIGIT /
// "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func isToken68(s string) bool {
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for _, c := range []byte(body) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
		if !ok {
			return false
		}
	}
	return true
}

// idempotencyKey returns the request's Idempotency-Key, "" when none is
// sent. A key is 1 to 200 printable ASCII characters, sent once.
func idempotencyKey(h http.Header) (string, error) {
	return requestToken(h, headerIdempotencyKey)
}

// requestCorrelationID returns the X-Correlation-ID the client sent, with
// the same rules as an Idempotency-Key; "" when none is sent.
func requestCorrelationID(h http.Header) (string, error) {
	return requestToken(h, headerCorrelationID)
}

func requestToken(h http.Header, name string) (string, error) {
	values := h.Values(name)
	switch {
	case len(values) == 0:
		return "", nil
	case len(values) > 1:
		return "", &fieldError{Field: name, Reason: "must be sent once"}
	}
	v := values[0]
	if len(v) == 0 || len(v) > maxRequestToken {
		return "", &fieldError{Field: name, Reason: fmt.Sprintf("must be 1 to %d characters", maxRequestToken)}
	}
	for _, c := range []byte(v) {
		if c < 0x20 || c > 0x7e {
			return "", &fieldError{Field: name, Reason: "must be printable ASCII"}
		}
	}
	return v, nil
}

type correlationKey struct{}

func withCorrelationID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, correlationKey{}, id)
}

// correlationID returns the id wrap gave the request.
func correlationID(ctx context.Context) string {
	id, _ := ctx.Value(correlationKey{}).(string)
	return id
}
