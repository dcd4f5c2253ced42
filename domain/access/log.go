package access

import (
	"time"

	"github.com/google/uuid"
)

// The access log: every account's sign-ins, failed sign-ins, sign-outs
// and refused commands, in a stream per account kept apart from the
// account's own (AccessStream), so that recording them never conflicts
// with the account's changes; and the end of the bootstrap
// administrator's rights. Stored types and stream names; never rename
// them.
const (
	TypeAccessDenied   = "access.denied"
	TypeSignedIn       = "access.signed_in"
	TypeSignInFailed   = "access.sign_in_failed"
	TypeSignedOut      = "access.signed_out"
	TypeBootstrapEnded = "bootstrap.ended"
)

// AccessStream is an account's access log.
func AccessStream(account uuid.UUID) string { return "access-" + account.String() }

// UnknownLoginsStream is the access log of logins no account has: their
// failed sign-ins, recorded like those of a known login so that neither
// the history nor the global position tells the two apart. It does not
// say which login was tried, not even as a hash: what is typed into the
// login field may be a password, and the log is never erased.
const UnknownLoginsStream = "access-unknown-logins"

// BootstrapAccessStream is the access log of the bootstrap administrator,
// who has no account.
const BootstrapAccessStream = "access-bootstrap"

// BootstrapStream records the end of the bootstrap administrator's
// rights: its one event, TypeBootstrapEnded, is written with the first
// appointment of a bureau administrator at the root.
const BootstrapStream = "bootstrap"

// AccessDenied is the payload of access.denied: a refused command.
type AccessDenied struct {
	Permission string `json:"permission"`
	UnitID     string `json:"unit_id,omitempty"`
	Reason     string `json:"reason"`
}

// SignedIn is the payload of access.signed_in.
type SignedIn struct {
	ExpiresAt time.Time `json:"expires_at"`
}

// SignInFailed is the payload of access.sign_in_failed: the failures in a
// row for the login, and until when it is locked (zero: not locked).
type SignInFailed struct {
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until"`
}

// SignedOut is the payload of access.signed_out.
type SignedOut struct{}

// BootstrapEnded is the payload of bootstrap.ended.
type BootstrapEnded struct {
	AdministratorAccountID uuid.UUID `json:"administrator_account_id"`
}

// The master key that wraps every person's data key was changed (by an
// operator, on the command line): every key was re-wrapped under a new
// one. Stored type and stream name; never rename them.
const (
	TypeMasterKeyRotated = "master_key.rotated"
	MasterKeyStream      = "master-key"
)

// MasterKeyRotated is the payload of master_key.rotated: how many keys
// were re-wrapped, and why.
type MasterKeyRotated struct {
	Keys   int    `json:"keys"`
	Reason string `json:"reason"`
}

// The positions held at each unit: every appointment and every vacate,
// written in the same transaction as the account's own event, so that a
// hand-over with no named successor can find the unit's other approvers.
const (
	TypeUnitPositionAssigned = "unit_position.assigned"
	TypeUnitPositionVacated  = "unit_position.vacated"
)

// UnitPositionsStream indexes the positions held at a unit.
func UnitPositionsStream(unit uuid.UUID) string { return "unit-positions-" + unit.String() }

// UnitPosition is the payload of unit_position.assigned and .vacated.
type UnitPosition struct {
	AccountID  uuid.UUID `json:"account_id"`
	PositionID uuid.UUID `json:"position_id"`
	Roles      []Role    `json:"roles,omitempty"`
}
