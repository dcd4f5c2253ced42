// Package whatif replays a draft version of an aid standard over the cases
// decided under the standard (B2): for each case, what was granted and what
// the draft's rules would have granted, with every employee's annual caps
// and times per year as they stood, counted in the order the live system
// counted them. It decides with catalogue.Definition.Check, the code the
// live system decides with, and keeps the record that an analysis was run.
package whatif

import (
	"github.com/google/uuid"

	"aidtrail/domain/catalogue"
)

// TypeAnalysisRun records that a what-if analysis was run: who (the
// event's metadata), over which standard, draft, period and unit, and
// what it found in total. Stored type; never rename it.
const TypeAnalysisRun = "analysis.what_if_run"

// Stream names the stream of one analysis run: "what-if-<uuid>". Stored
// names are chosen once; never change this.
func Stream(id uuid.UUID) string { return "what-if-" + id.String() }

// AnalysisRun is the payload of analysis.what_if_run. UnitID is the unit
// whose subtree was analysed, uuid.Nil for the whole organisation;
// BaseVersion is the version the draft was laid over; Draft the whole
// definition replayed.
type AnalysisRun struct {
	AnalysisID       uuid.UUID            `json:"analysis_id"`
	StandardCode     string               `json:"standard_code"`
	BaseVersion      int                  `json:"base_version"`
	Draft            catalogue.Definition `json:"draft"`
	From             string               `json:"from"`
	To               string               `json:"to"`
	UnitID           uuid.UUID            `json:"unit_id"`
	Cases            int                  `json:"cases"`
	CurrentFen       int64                `json:"current_fen"`
	DraftFen         int64                `json:"draft_fen"`
	NewlyEligible    int                  `json:"newly_eligible"`
	NoLongerEligible int                  `json:"no_longer_eligible"`
}
