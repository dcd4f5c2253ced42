// Package projections turns the event log into read models: case lists,
// inboxes, budgets, statistics, the hardship register and the discovery
// list. Events reach them through a Watermill router fed from the event
// store's global order. Each projection owns its tables and its
// checkpoint, and stores the checkpoint in the same transaction as the
// read-model change it belongs to, so that every event takes effect
// exactly once and none is skipped (invariant 7 of the design). A read
// model can always be rebuilt from position 0 beside the live one.
package projections
