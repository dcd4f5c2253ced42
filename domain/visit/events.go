package visit

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// Event types of a visit's stream. They are stored; never rename them.
const (
	TypeRegistered = "visit.registered"
	TypeCorrected  = "visit.corrected"
)

// EventTypes lists every event type a visit stream may hold.
func EventTypes() []string { return []string{TypeRegistered, TypeCorrected} }

// Registered is the payload of visit.registered, the first event of a
// visit's stream: the details' members sit beside the ids, and TotalFen is
// what was charged to the budget.
type Registered struct {
	VisitID  uuid.UUID `json:"visit_id"`
	UnitID   uuid.UUID `json:"unit_id"`
	BudgetID uuid.UUID `json:"budget_id"`
	Details
	TotalFen int64 `json:"total_fen"`
}

// Corrected is the payload of visit.corrected: the fields Changed names
// were Before and are now as Details says; TotalFen is the visit's new
// total, whose difference from the old one the budget was charged or
// refunded in the same transaction.
type Corrected struct {
	VisitID uuid.UUID `json:"visit_id"`
	Changed []string  `json:"changed"`
	Before  Details   `json:"before"`
	Details
	TotalFen int64  `json:"total_fen"`
	Reason   string `json:"reason"`
}

// Load rebuilds visit id from its whole stream, in order from version 1.
// An empty history is event.ErrNotFound; an event it cannot apply, of an
// unknown type included, is a *fault.HistoryError.
func Load(id uuid.UUID, history []event.Recorded) (*Visit, error) {
	v := &Visit{id: id, Root: agg.OpenedBy(TypeRegistered)}
	return agg.Load(v, Stream(id), history, v.apply)
}

// apply changes the state by one event, for recorded and replayed events
// alike, and changes nothing when it fails. Replay checks the figures
// (every amount in range, the total equal to what the details cost) but
// not the calendar: a visit's day was checked against the day it was
// recorded.
func (v *Visit) apply(typ string, data json.RawMessage) error {
	s := &v.s
	switch typ {
	case TypeRegistered:
		return agg.On(data, func(p Registered) error {
			if p.VisitID != v.id || p.UnitID == uuid.Nil || p.BudgetID == uuid.Nil {
				return errors.New("visit_id is not the stream's visit, or unit_id or budget_id is nil")
			}
			d, err := replayed(p.Details, p.TotalFen)
			if err != nil {
				return err
			}
			*s = state{unit: p.UnitID, budget: p.BudgetID, details: d, total: p.TotalFen}
			return nil
		})
	case TypeCorrected:
		return agg.On(data, func(p Corrected) error {
			if p.VisitID != v.id {
				return errors.New("visit_id is not the stream's visit")
			}
			d, err := replayed(p.Details, p.TotalFen)
			if err != nil {
				return err
			}
			s.details, s.total = d, p.TotalFen
			return nil
		})
	default:
		return agg.Unknown(typ)
	}
}

// replayed checks recorded details as Details.clean does, the day
// excepted, and that total is what they cost.
func replayed(d Details, total int64) (Details, error) {
	d, err := d.clean(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return Details{}, err
	}
	if d.TotalFen() != total {
		return Details{}, fmt.Errorf("total_fen %d is not what the details cost, %d", total, d.TotalFen())
	}
	return d, nil
}
