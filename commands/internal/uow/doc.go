// Package uow is what commands and queries share: the unit of work (Work:
// the streams a decision read, at their versions, and the events it
// queues, committed as one transaction that requires every stream read to
// be unchanged), the authorisation gate (Gate: rights decided on the
// account's current stream, every refusal recorded), the loaders that
// rebuild one aggregate into a Work, this process's stream locks and
// budget cache, the ids a keyed command derives from its Idempotency-Key,
// and the ports both sides use (EventStore, Keyring, DocumentStore).
//
// It is internal to commands/: adapters see its types through the names
// package commands gives them.
package uow
