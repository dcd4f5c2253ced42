// Package kurrentdb keeps aidtrail's events in KurrentDB (EventStoreDB),
// through EventStore-Client-Go/v4, for organisations that run it already.
// It implements the event-store port (commands.EventStore) and passes the
// same conformance suite as the PostgreSQL and embedded stores.
//
// # One log stream
//
// KurrentDB appends atomically, under an expected revision, to one stream
// at a time; it has no atomic append across streams. aidtrail's commands
// commit transactions across several streams (a case, a budget, the
// actor's account as a requirement, the answer to an idempotency key), and
// its invariants (never paid twice, reserved + spent ≤ allocated, no
// approval after a vacate) rest on those transactions being whole and on
// every stream's expected version being checked at the same instant.
//
// So the adapter writes every aidtrail event, of whatever aidtrail stream,
// to a single KurrentDB stream, the log (named by Config.Log, "aidtrail"
// by default). Each KurrentDB event carries the aidtrail event: its id as
// the event id, its type as the event type, its payload as the JSON data,
// and as custom metadata a JSON object naming the aidtrail stream and
// version beside the aidtrail metadata. An Append or a Commit is one
// KurrentDB append of all its events to the log, with the log revision the
// writer checked against as the expected revision:
//
//  1. check, against the in-memory index of the log, every expected
//     version, every requirement and every event id (see Idempotency
//     below); a refusal is only reported once the index has been brought
//     up to date (the log read from the first revision not yet indexed)
//     and the checks made again;
//  2. append all the events to the log expecting the revision indexed
//     last; if KurrentDB answers "wrong expected version", another writer
//     appended in between (or the index was stale): bring the index up to
//     date and go back to 1, so that the checks are made again on the
//     newer state. A conflict on an aidtrail stream is reported as
//     event.ErrConcurrency; a conflict on the log alone never is.
//
// This gives exactly the port's guarantees: a transaction is one KurrentDB
// append, so it commits whole or not at all; it commits only if no event
// at all was appended to the log since its checks were made, so every
// expected version and requirement held at the instant it committed (the
// log is a serial order of transactions); and a later append to a required
// stream is ordered after it in the log. The price is that writers to
// different aidtrail streams contend for the log's revision: they retry,
// never fail, but KurrentDB's write throughput is shared by all of them.
//
// # Idempotency without KurrentDB's deduplication
//
// KurrentDB remembers recent event ids in a cache and may quietly accept a
// repeated append; that is a cache, not a guarantee, and nothing here
// rests on it. The index holds every stored event id, and step 1 refuses
// or answers a repeated append from it: all ids stored identically (same
// stream, type, payload and metadata) returns the first append's result
// and writes nothing; any other reuse is event.ErrDuplicateEvent. Because
// step 2 succeeds only if the log holds nothing the index lacks, an id
// cannot be stored twice, even by two processes.
//
// # Positions, reads and subscriptions
//
// An event's global position is its commit position in $all. Events of
// one append are contiguous in the log and positions grow with log
// revisions, so the log's order is the global order; a read of the log
// never returns an uncommitted event, so ReadAll never passes an event
// that may still commit. ReadStream reads the log revisions the index
// lists for the stream. Subscribe is a catch-up subscription to $all with
// a server-side filter that lets through the log stream only (which
// excludes system events and other applications' streams); it remembers
// the commit position of the last event delivered, and the server's
// checkpoints, and when the subscription drops it resubscribes from there
// after a growing pause, delivering nothing twice and skipping nothing.
//
// # Limits
//
// Each process keeps the index of the whole log in memory (per event: its
// id, its log revision under its stream, and its position; about 60
// bytes), built by reading the log once when the store opens. The
// adapter never deletes or truncates: the log must not be scavenged of
// aidtrail events, deleted or given a $maxAge/$maxCount.
package kurrentdb
