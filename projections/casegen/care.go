package casegen

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/domain/care"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
)

// WriteCare appends care work for the world's employees, for the register
// and discovery read models: the employees' registration (once), a
// version of discovery rules for the world's standards, and n rounds of
// entering or leaving the hardship register and of life events, some
// repeating what is recorded already in another employee's stream.
// Concurrent calls are safe; each publishes a rules version of its own.
func (w *World) WriteCare(ctx context.Context, store Appender, n int) error {
	if err := w.registerEmployees(ctx, store); err != nil {
		return err
	}
	yes := true
	rules := []care.Rule{
		{Code: "ILL", StandardCode: "MED-SERIOUS", LifeEvent: &care.LifeEventMatch{Kind: care.KindSeriousIllness}, WithinDays: 365},
		{Code: "ENTRY", StandardCode: "HARD-LIVING", Explanation: "可申请生活补助"},
		{Code: "POOR", StandardCode: "HARD-LIVING", LifeEvent: &care.LifeEventMatch{Kind: care.KindLowIncome}, InRegister: &yes},
	}
	if err := w.appendRules(ctx, store, rules); err != nil {
		return err
	}
	for i := range n {
		w.mu.Lock()
		emp := w.Employees[w.rng.IntN(len(w.Employees))]
		kind := []string{care.KindSeriousIllness, care.KindLowIncome, care.KindHospitalisation}[w.rng.IntN(3)]
		day := fmt.Sprintf("2026-%02d-%02d", 1+w.rng.IntN(6), 1+w.rng.IntN(28))
		enter := w.rng.IntN(3) == 0
		w.mu.Unlock()
		if enter {
			if err := w.toggleRegister(ctx, store, emp); err != nil {
				return err
			}
		}
		data, err := json.Marshal(care.LifeEventRecorded{LifeEventID: uuid.New(), EmployeeID: emp, Kind: kind, Subject: "self",
			OccurredOn: day, Source: care.SourceImport, Details: fmt.Sprintf("sealed:v1:%d", i)})
		if err != nil {
			return err
		}
		if _, err := store.Append(ctx, care.LifeEventsStream(emp), event.Any, event.Event{ID: event.NewID(),
			Type: care.TypeLifeEventRecorded, Data: data, Metadata: event.Metadata{ActorName: "测试"}}); err != nil {
			return err
		}
	}
	return nil
}

func (w *World) registerEmployees(ctx context.Context, store Appender) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.registered {
		return nil
	}
	for i, emp := range w.Employees {
		data, err := json.Marshal(org.EmployeeRegistered{EmployeeID: emp, UnitID: w.Units[i%len(w.Units)], Name: "sealed:v1:n",
			IDNumber: "sealed:v1:i", Phone: "", BankAccount: "", Family: []org.FamilyMember{}})
		if err != nil {
			return err
		}
		if _, err := store.Append(ctx, org.EmployeeStream(emp), event.NoStream, event.Event{ID: event.NewID(),
			Type: org.TypeEmployeeRegistered, Data: data, Metadata: event.Metadata{ActorName: "测试"}}); err != nil {
			return err
		}
	}
	w.registered = true
	return nil
}

// appendRules publishes the next version of the rules, reading the version
// in force from the stream's length.
func (w *World) appendRules(ctx context.Context, store Appender, rules []care.Rule) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rulesVersion++
	data, err := json.Marshal(care.RulesPublished{Version: w.rulesVersion, Rules: rules})
	if err != nil {
		return err
	}
	_, err = store.Append(ctx, care.RulesStream, event.Exact(int64(w.rulesVersion-1)), event.Event{ID: event.NewID(),
		Type: care.TypeRulesPublished, Data: data, Metadata: event.Metadata{ActorName: "测试"}})
	return err
}

// toggleRegister enters emp in the register, or takes them out if they are
// in it.
func (w *World) toggleRegister(ctx context.Context, store Appender, emp uuid.UUID) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.inRegister == nil {
		w.inRegister = map[uuid.UUID]int64{}
	}
	version, in := w.inRegister[emp]
	var e event.Event
	var err error
	if in && version%2 == 1 {
		e, err = event.New(care.TypeHardshipExited, care.HardshipExited{Reason: care.ExitRecovered, ExitedOn: "2026-06-30"})
	} else {
		e, err = event.New(care.TypeHardshipEntered, care.HardshipEntered{EmployeeID: emp, UnitID: w.Units[0], Level: care.LevelDeep,
			Causes: []string{"重病"}, Household: care.Household{Size: 3, Dependants: 1, IncomeBand: "below_minimum", AgeBand: "40_49"},
			Since: "2026-06-01", ReviewDue: "2027-06-01"})
	}
	if err != nil {
		return err
	}
	e.Metadata = event.Metadata{ActorName: "测试"}
	if _, err := store.Append(ctx, care.HardshipStream(emp), event.Exact(version), e); err != nil {
		return err
	}
	w.inRegister[emp] = version + 1
	return nil
}
