// Package access holds accounts (who can log in), the positions they hold
// at units, the roles those positions carry, and the authorisation decision
// made from them.
//
// Authorisation is decided from the account's own event-sourced state and
// the target unit's current path, never from a projection that may lag:
// once position.vacated is in the account's stream, a command that loads
// the account is refused. Like every aggregate in the domain, an Account
// serves one command: load it, decide, append Changes() at Version(),
// discard it. It is not safe for concurrent use.
//
// The package imports only the standard library, uuid and domain/event;
// units are seen through UnitRef, which the command builds from an
// org.Unit with RefOf.
package access

import (
	"fmt"
	"slices"

	"github.com/google/uuid"

	agg "aidtrail/domain/internal/aggregate"
)

// AccountStream names the stream of account id: "account-<uuid>". Stored
// names are chosen once; never change this.
func AccountStream(id uuid.UUID) string { return "account-" + id.String() }

// Account is a login into aidtrail and the positions held through it.
// Credentials are not part of it: the password hash lives in its own table,
// and account.password_set only records that it changed. Create one with
// OpenAccount, rebuild one with LoadAccount; the zero value is not usable.
type Account struct {
	id uuid.UUID
	s  accountState
	agg.Root
}

type accountState struct {
	opened      bool
	login, name string
	employee    uuid.UUID // uuid.Nil: not an employee's account
	hasPassword bool
	positions   []heldPosition // in the order assigned, vacated ones kept
	closed      bool
	closeReason string
}

type heldPosition struct {
	Position
	vacated      bool
	successor    uuid.UUID
	vacateReason string
}

// Position is a post an account holds at a unit (station union officer,
// approver of the medical-aid flow...). Its roles reach the unit and every
// unit below it.
type Position struct {
	ID     uuid.UUID
	UnitID uuid.UUID
	// UnitPath is the unit's ancestors, root first, when the position was
	// assigned: a record for read models. Authorisation does not use it; it
	// uses the target unit's current path, so moving units never leaves
	// stale rights behind.
	UnitPath []uuid.UUID
	Title    string
	Roles    []Role // no duplicates, in the order of Roles()
}

func (p Position) clone() Position {
	p.UnitPath, p.Roles = slices.Clone(p.UnitPath), slices.Clone(p.Roles)
	return p
}

// OpenAccount records account.opened. login is normalised (NormalizeLogin)
// and must then be 3..64 of [a-z0-9._-]; name is trimmed, 1..100
// characters. employeeID, when given, links the account to the employee it
// belongs to, for self-service (IsEmployee). Uniqueness of logins spans
// accounts and is the command's to check.
func OpenAccount(id uuid.UUID, login, name string, employeeID *uuid.UUID) (*Account, error) {
	if id == uuid.Nil {
		return nil, invalid("id", "is required")
	}
	login = NormalizeLogin(login)
	if err := checkLogin(login); err != nil {
		return nil, err
	}
	name, err := cleanName("name", name)
	if err != nil {
		return nil, err
	}
	if employeeID != nil && *employeeID == uuid.Nil {
		return nil, invalid("employee_id", "must not be the nil id")
	}
	a := &Account{id: id, Root: agg.OpenedBy(TypeAccountOpened)}
	p := AccountOpened{AccountID: id, Login: login, Name: name, EmployeeID: employeeID}
	if err := agg.Record(&a.Root, a.apply, TypeAccountOpened, p); err != nil {
		return nil, err
	}
	return a, nil
}

// ID returns the account's id.
func (a *Account) ID() uuid.UUID { return a.id }

// Stream returns AccountStream(a.ID()).
func (a *Account) Stream() string { return AccountStream(a.id) }

// Login returns the normalised login.
func (a *Account) Login() string { return a.s.login }

// Name returns the display name.
func (a *Account) Name() string { return a.s.name }

// EmployeeID returns the employee the account belongs to, if any.
func (a *Account) EmployeeID() (uuid.UUID, bool) { return a.s.employee, a.s.employee != uuid.Nil }

// HasPassword reports whether a password was ever set.
func (a *Account) HasPassword() bool { return a.s.hasPassword }

// Closed reports whether the account is closed.
func (a *Account) Closed() bool { return a.s.closed }

// ActivePositions returns copies of the positions not vacated, in the order
// they were assigned.
func (a *Account) ActivePositions() []Position {
	var ps []Position
	for _, p := range a.s.positions {
		if !p.vacated {
			ps = append(ps, p.clone())
		}
	}
	return ps
}

// SetPassword records account.password_set. The command stores the hash
// itself, in the credentials table, in the same transaction.
func (a *Account) SetPassword() error {
	if a.s.closed {
		return ErrAccountClosed
	}
	return agg.Record(&a.Root, a.apply, TypeAccountPasswordSet, AccountPasswordSet{})
}

// AssignPosition records position.assigned: positionID (chosen by the
// command) at unit, with title (trimmed, 1..100 characters) and roles (at
// least one, no duplicates). Errors: ErrAccountClosed, ErrUnitClosed,
// *fault.ValidationError on position_id, unit_id, title or roles[i].
func (a *Account) AssignPosition(positionID uuid.UUID, unit UnitRef, title string, roles []Role) error {
	if a.s.closed {
		return ErrAccountClosed
	}
	switch {
	case positionID == uuid.Nil:
		return invalid("position_id", "is required")
	case a.find(positionID) != nil:
		return invalid("position_id", "is already used on this account")
	case unit.ID == uuid.Nil:
		return invalid("unit_id", "is required")
	case unit.Closed:
		return ErrUnitClosed
	}
	title, err := cleanName("title", title)
	if err != nil {
		return err
	}
	canonical, err := checkRoles(roles)
	if err != nil {
		return err
	}
	return agg.Record(&a.Root, a.apply, TypePositionAssigned, PositionAssigned{
		PositionID: positionID, UnitID: unit.ID, UnitPath: agg.NonNil(slices.Clone(unit.Path)),
		Title: title, Roles: canonical,
	})
}

// checkRoles validates roles and returns them in canonical order.
func checkRoles(roles []Role) ([]Role, error) {
	if len(roles) == 0 {
		return nil, invalid("roles", "at least one role is required")
	}
	for i, r := range roles {
		if !r.Valid() {
			return nil, invalid(fieldIndex("roles", i), "must be one of bureau_admin, caseworker, approver, auditor, analyst")
		}
		if slices.Contains(roles[:i], r) {
			return nil, invalid(fieldIndex("roles", i), "%s is given twice", r)
		}
	}
	var canonical []Role
	for _, r := range Roles() {
		if slices.Contains(roles, r) {
			canonical = append(canonical, r)
		}
	}
	return canonical, nil
}

// VacatePosition records position.vacated: the account loses the
// position's rights from this event on. successor, when given, is the
// account its open work is handed over to (the command hands it over and
// records that in the work's own streams); reason is optional. Errors:
// ErrAccountClosed, ErrPositionNotFound, *PositionNotActiveError,
// *fault.ValidationError on successor_account_id or reason.
func (a *Account) VacatePosition(positionID uuid.UUID, successor *uuid.UUID, reason string) error {
	if a.s.closed {
		return ErrAccountClosed
	}
	p := a.find(positionID)
	switch {
	case p == nil:
		return fmt.Errorf("%w: %s on account %s", ErrPositionNotFound, positionID, a.id)
	case p.vacated:
		return &PositionNotActiveError{Account: a.id, Position: positionID}
	case successor != nil && (*successor == uuid.Nil || *successor == a.id):
		return invalid("successor_account_id", "must be another account")
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return err
	}
	return agg.Record(&a.Root, a.apply, TypePositionVacated, PositionVacated{PositionID: positionID, SuccessorAccountID: successor, Reason: reason})
}

// Close records account.closed. It vacates nothing by itself: while
// positions are active it refuses with *ActivePositionsError, and the
// command vacates them explicitly (handing their work over) first.
func (a *Account) Close(reason string) error {
	if a.s.closed {
		return ErrAccountClosed
	}
	if active := a.ActivePositions(); len(active) > 0 {
		ids := make([]uuid.UUID, len(active))
		for i, p := range active {
			ids[i] = p.ID
		}
		return &ActivePositionsError{Account: a.id, Positions: ids}
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return err
	}
	return agg.Record(&a.Root, a.apply, TypeAccountClosed, AccountClosed{Reason: reason})
}

func (a *Account) find(positionID uuid.UUID) *heldPosition {
	for i := range a.s.positions {
		if a.s.positions[i].ID == positionID {
			return &a.s.positions[i]
		}
	}
	return nil
}
