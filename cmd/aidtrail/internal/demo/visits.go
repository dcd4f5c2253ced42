package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/calendar"
	"aidtrail/domain/visit"
)

// VisitsLine is the budget line the demo pays condolence visits from: the
// union's own choice, as any line may be.
const VisitsLine = "care.visits"

// visited are the employees the demo's stations visit.
var visited = []struct{ station, name, idBase string }{
	{"tyz", "陈建华", "14010119681105003"},
	{"tyz", "郭秀英", "14010119720218004"},
	{"dqcw", "刘志刚", "14020219750630005"},
}

// visits allocates the bureau's visits budget and registers two visits:
// 太原站's Spring Festival visit to two employees with cash and goods, and
// 大秦车务段's visit to an employee in hospital, corrected afterwards
// because the fruit basket cost less than first entered — the
// correction's refund is on the budget's trail with its reason.
func (l *loader) visits() error {
	now := time.Now()
	budgetID, _, err := l.app.AllocateBudget(l.ctx, l.admin, commands.AllocateBudget{UnitID: l.root, Year: calendar.Year(now),
		Line: VisitsLine, AmountFen: 300_000 * yuan})
	if err != nil {
		return fmt.Errorf("visits budget: %w", err)
	}
	ids := make([]uuid.UUID, len(visited))
	for i, v := range visited {
		if ids[i], _, err = l.app.RegisterEmployee(l.ctx, l.workers[v.station], commands.RegisterEmployee{UnitID: l.units[v.station],
			Name: v.name, IDNumber: withCheckDigit(v.idBase)}); err != nil {
			return fmt.Errorf("employee %s: %w", v.name, err)
		}
	}
	today := now.In(calendar.Zone).Format(visit.DateLayout)
	spring := visit.Details{Occasion: visit.OccasionFestival, VisitedOn: today, EmployeeIDs: ids[:2], CashFenEach: 500 * yuan,
		Goods: []visit.Goods{{Description: "米、面、油各一份", ValueFen: 2 * 180 * yuan}}, Visitors: []uuid.UUID{l.workers["tyz"].AccountID}}
	if _, _, err := l.app.RegisterVisit(l.ctx, l.workers["tyz"], commands.RegisterVisit{UnitID: l.units["tyz"], BudgetID: budgetID, Details: spring}); err != nil {
		return fmt.Errorf("the Spring Festival visit: %w", err)
	}
	hospital := visit.Details{Occasion: visit.OccasionHospitalisation, VisitedOn: today, EmployeeIDs: ids[2:], CashFenEach: 1_000 * yuan,
		Goods:    []visit.Goods{{Description: "水果篮", ValueFen: 200 * yuan}},
		Visitors: []uuid.UUID{l.workers["dqcw"].AccountID, l.ap["dqcw"].AccountID}}
	id, _, err := l.app.RegisterVisit(l.ctx, l.workers["dqcw"], commands.RegisterVisit{UnitID: l.units["dqcw"], BudgetID: budgetID, Details: hospital})
	if err != nil {
		return fmt.Errorf("the hospital visit: %w", err)
	}
	basket := []visit.Goods{{Description: "水果篮", ValueFen: 150 * yuan}}
	if _, err := l.app.CorrectVisit(l.ctx, l.workers["dqcw"], commands.CorrectVisit{VisitID: id, Correction: visit.Correction{Goods: &basket},
		Reason: "水果篮按发票实付150元"}); err != nil {
		return fmt.Errorf("correcting the hospital visit: %w", err)
	}
	return nil
}
