// Package query is aidtrail's read side for lists and figures: cases,
// budgets, the inbox, payments due to the bank and statistics, each
// bounded to what the caller may see.
//
// It owns the shape of every read-model query (the filter and row types)
// and the port the read models are read through, ReadModels, which
// package projections implements; it decides what an actor may see with
// the read scopes of package commands, which come from the account's
// current stream and never from a read model. Reads of one aggregate (a
// case, a payment, an employee) come from the event store and stay with
// the commands that write it.
//
// Nothing here writes, except the record of a refused read, which
// commands keeps like every other authorisation decision.
package query
