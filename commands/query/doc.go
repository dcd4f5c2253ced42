// Package query is aidtrail's read side: every read a client can make,
// each bounded to what its caller may see.
//
// Reads of one aggregate (a case, payment, budget, employee, unit, flow
// or standard, now or as of a past moment) fold its stream from the event
// store, under the same authorisation gate as the commands
// (commands/internal/uow). Lists and figures (cases, budgets, the inbox,
// payments due to the bank, statistics) come from read models through
// the port ReadModels, which package projections implements; this package
// owns the shape of those queries (the filter and row types). What an
// actor may see is decided on the account's current stream, never on a
// read model, with the permission sets of domain/access.
//
// Nothing here writes, except the record of a refused read, which is kept
// like every other authorisation decision.
package query
