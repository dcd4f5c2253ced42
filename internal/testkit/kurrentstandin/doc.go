// Package kurrentstandin is a stand-in for a single KurrentDB node, for
// tests only: an in-process gRPC server implementing the parts of
// KurrentDB's Streams, ServerFeatures and Gossip services that
// EventStore-Client-Go/v4 calls when it appends, reads a stream, reads
// $all and subscribes to $all. It holds its log in memory.
//
// It is not a mock: it keeps a real log and answers every request from it,
// with the behaviour KurrentDB documents:
//
//   - an append checks its expected revision (any, no stream, stream
//     exists, an exact revision) and is refused with the stream's actual
//     revision (or "no stream") when it does not hold; an accepted append
//     is atomic and contiguous in its stream and in $all;
//   - reading a stream that has no events answers "stream not found";
//   - every event has a commit and a prepare position in $all (equal, as
//     for any append outside an explicit transaction); positions increase
//     and are not contiguous, like the byte offsets of the real log;
//   - a subscription is confirmed with an id before anything else, starts
//     after the position it names (a read starts at it), sends the stored
//     events, a "caught up" signal, then new events as they commit;
//     filtered subscriptions (by stream name or event type, prefix or
//     regular expression) send a checkpoint each time the filter has
//     searched its window times the checkpoint multiplier of events;
//   - a fresh node's $all already holds system events (streams and types
//     starting with "$").
//
// What it does not do, on purpose: it keeps no cache of event ids, so a
// repeated append is written again (KurrentDB's deduplication is a cache,
// not a guarantee, and nothing in aidtrail may rest on it); it has no
// authentication, deletion, persistent subscriptions or projections.
//
// Faults for tests: DropSubscriptions ends every open subscription as a
// lost connection does (gRPC Unavailable), and FailAppendsAfterWrite makes
// appends succeed in the log while the caller receives an error, as when
// the connection breaks before the reply.
package kurrentstandin
