package uow

import (
	"errors"

	"github.com/google/uuid"
)

// Actor is the authenticated caller of a command or query.
type Actor struct {
	// AccountID is the signed-in account; uuid.Nil for the bootstrap
	// administrator.
	AccountID uuid.UUID
	// Bootstrap marks the bootstrap token's holder, who acts as the
	// bureau administrator of the root until a real administrator exists.
	Bootstrap bool
	// CommandID identifies the request (its Idempotency-Key when sent).
	CommandID string
	// IdempotencyKey is the client's Idempotency-Key, "" when none was
	// sent; it makes the ids a command creates repeatable (idempotency.go).
	IdempotencyKey string
	// CorrelationID ties together the commands of one user action.
	CorrelationID string
}

// ErrUnauthenticated: no valid credentials or token.
var ErrUnauthenticated = errors.New("unauthenticated")
