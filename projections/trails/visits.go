package trails

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/visit"
	"aidtrail/projections/readmodel"
)

// KindVisit is the kind of a condolence visit's trail: its registration,
// its corrections and its budget's charges and refunds for it.
const KindVisit = "visit"

// placeVisit puts a visit's event on the visit's trail and on the trails
// of the employees it names: a correction on those of the employees named
// before it and after, so that an employee taken off a visit sees why.
// The row's amount is the visit's total (total_fen), as the event says.
func placeVisit(_ context.Context, _ *readmodel.Tx, id uuid.UUID, e event.Recorded) ([]string, *budgetFigures, error) {
	var p struct {
		VisitID     uuid.UUID     `json:"visit_id"`
		EmployeeIDs []uuid.UUID   `json:"employee_ids"`
		Before      visit.Details `json:"before"`
	}
	if err := event.Decode(e, &p); err != nil {
		return nil, nil, err
	}
	if p.VisitID != id {
		return nil, nil, fmt.Errorf("visit %s in stream %s", p.VisitID, e.Stream)
	}
	subjects := []string{Subject(KindVisit, id)}
	seen := map[uuid.UUID]bool{}
	for _, emp := range append(p.Before.EmployeeIDs, p.EmployeeIDs...) {
		if !seen[emp] {
			seen[emp] = true
			subjects = append(subjects, Subject(KindEmployee, emp))
		}
	}
	return subjects, nil, nil
}
