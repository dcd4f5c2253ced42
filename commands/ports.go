// Package commands holds aidtrail's mutations: one handler per command,
// each authorising its actor, loading aggregates from the event store,
// deciding in the domain and committing with the loaded versions as the
// expected ones. Reads live in package commands/query; both stand on the
// unit of work, the authorisation gate and the ports in
// commands/internal/uow, which this file names for the adapters.
package commands

import "aidtrail/commands/internal/uow"

// The ports and values commands and queries share, under the names the
// adapters implement and use.
type (
	// EventStore is the port every event-store adapter implements.
	EventStore = uow.EventStore
	// Keyring seals personal data under a key per data subject.
	Keyring = uow.Keyring
	// DocumentStore keeps the files of applications by their SHA-256.
	DocumentStore = uow.DocumentStore
	// Actor is the authenticated caller of a command or query.
	Actor = uow.Actor
	// ForbiddenError: the actor holds no position granting a permission.
	ForbiddenError = uow.ForbiddenError
	// Clock tells the time; tests pass a fixed one.
	Clock = uow.Clock
	// SystemClock is the wall clock, in UTC.
	SystemClock = uow.SystemClock
	// AsOf is a moment of the history a read looks back to.
	AsOf = uow.AsOf
	// ReadScope is what an actor may see in lists and figures.
	ReadScope = uow.ReadScope
	// FamilyMember is a family member as commands take and queries return it.
	FamilyMember = uow.FamilyMember
)

var (
	// ErrNotFound: the aggregate a command or query names does not exist.
	ErrNotFound = uow.ErrNotFound
	// ErrUnauthenticated: no valid credentials or token.
	ErrUnauthenticated = uow.ErrUnauthenticated
	// ErrErased: the key a value was sealed under no longer exists.
	ErrErased = uow.ErrErased
	// ErrSealedForOther: a value sealed for one subject was opened as another's.
	ErrSealedForOther = uow.ErrSealedForOther
	// ErrSealCorrupt: a sealed value is malformed or altered.
	ErrSealCorrupt = uow.ErrSealCorrupt
	// ErrNoDocumentStore: the service runs without document storage.
	ErrNoDocumentStore = uow.ErrNoDocumentStore
)
