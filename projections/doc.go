// Package projections turns the event log into read models: case lists,
// inboxes, budgets, statistics, the hardship register and the discovery
// list. Each read model is a projection in a package of its own (see
// package readmodel for what one is); this package runs them.
//
// A forwarder reads the event store's global order from the lowest
// checkpoint and publishes it, in batches, on a Watermill topic: an
// in-process channel, or a broker for workers in other processes. Each
// projection has its own handler, which applies a batch with its
// checkpoint in one transaction, so that every event takes effect exactly
// once and none is skipped (invariant 7 of the design): a batch carries
// the position of the event before it, and a projection whose checkpoint
// is lower reads what it missed from the store first. A projection that
// cannot apply an event stops just before it, and is reported.
//
// Read-model tables come in generations (rm_cases_g1, rm_cases_g2, ...)
// behind a view with the plain name; Rebuild fills the next generation
// from position 0 beside the live one and switches the view when it has
// caught up, so that reads never stop.
package projections
