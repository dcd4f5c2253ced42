package commands_test

import "aidtrail/internal/testkit/apptest"

// The command tests run on KurrentDB too (the server of KURRENTDB_URL,
// or the stand-in): among them the invariants that rest on multi-stream
// commits — no case paid twice, no budget overspent, no approval after a
// vacate, no one approving their own case or two steps of one — which the
// KurrentDB adapter keeps by its own technique (one log stream; see
// adapters/kurrentdb), not by the database's.
func init() { apptest.Kinds = append(apptest.Kinds, "kurrentdb") }
