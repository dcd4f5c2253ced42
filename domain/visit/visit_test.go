package visit

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

var now = time.Date(2026, 2, 10, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing

func festival() Details {
	return Details{Occasion: OccasionFestival, VisitedOn: "2026-02-10", EmployeeIDs: []uuid.UUID{uuid.New(), uuid.New()},
		CashFenEach: 50_000, Goods: []Goods{{Description: " 大米和食用油 ", ValueFen: 12_000}}, Visitors: []uuid.UUID{uuid.New()}}
}

// replay appends v's changes to history and checks that loading the
// stream rebuilds the state v decided.
func replay(t *testing.T, history []event.Recorded, v *Visit) []event.Recorded {
	t.Helper()
	history, err := aggtest.Append(history, v.Stream(), v.Version(), v.Changes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(v.ID(), history)
	if err != nil {
		t.Fatal(err)
	}
	aggtest.SameState(t, got.s, v.s)
	return history
}

func TestRegister(t *testing.T) {
	t.Parallel()
	id, unit, budget := uuid.New(), uuid.New(), uuid.New()
	v, err := Register(id, unit, budget, festival(), now)
	if err != nil {
		t.Fatal(err)
	}
	if v.TotalFen() != 112_000 || v.UnitID() != unit || v.BudgetID() != budget || v.Details().Goods[0].Description != "大米和食用油" ||
		v.Stream() != "visit-"+id.String() {
		t.Fatalf("visit %+v", v.s)
	}
	replay(t, nil, v)
	late := func(d string) func(*Details) { return func(x *Details) { x.VisitedOn = d } }
	one := uuid.New()
	for _, tt := range []struct {
		name   string
		change func(*Details)
		field  string
	}{
		{"occasion", func(d *Details) { d.Occasion = "party" }, "occasion"},
		{"tomorrow", late("2026-02-11"), "visited_on"},
		{"not a date", late("2026-2-1"), "visited_on"},
		{"too old", late("1999-12-31"), "visited_on"},
		{"nobody", func(d *Details) { d.EmployeeIDs = nil }, "employee_ids"},
		{"twice", func(d *Details) { d.EmployeeIDs = []uuid.UUID{one, one} }, "employee_ids"},
		{"nil employee", func(d *Details) { d.EmployeeIDs = []uuid.UUID{uuid.Nil} }, "employee_ids"},
		{"too many", func(d *Details) { d.EmployeeIDs = make([]uuid.UUID, MaxEmployees+1) }, "employee_ids"},
		{"no visitor", func(d *Details) { d.Visitors = []uuid.UUID{} }, "visitors"},
		{"negative cash", func(d *Details) { d.CashFenEach = -1 }, "cash_fen_each"},
		{"total too high", func(d *Details) { d.CashFenEach = MaxFen }, "cash_fen_each"},
		{"blank goods", func(d *Details) { d.Goods = []Goods{{Description: " ", ValueFen: 1}} }, "goods.description"},
		{"long goods", func(d *Details) { d.Goods = []Goods{{Description: strings.Repeat("米", 201), ValueFen: 1}} }, "goods.description"},
		{"free goods", func(d *Details) { d.Goods = []Goods{{Description: "花", ValueFen: 0}} }, "goods.value_fen"},
		{"many goods", func(d *Details) { d.Goods = make([]Goods, MaxGoods+1) }, "goods"},
	} {
		d := festival()
		tt.change(&d)
		_, err := Register(uuid.New(), unit, budget, d, now)
		aggtest.WantField(t, err, tt.field)
	}
	for _, ids := range [][3]uuid.UUID{{uuid.Nil, unit, budget}, {id, uuid.Nil, budget}, {id, unit, uuid.Nil}} {
		if _, err := Register(ids[0], ids[1], ids[2], festival(), now); !errors.Is(err, fault.ErrInvalid) {
			t.Fatalf("ids %v: %v", ids, err)
		}
	}
	d := festival()
	d.CashFenEach, d.Goods = 0, nil
	if v, err := Register(uuid.New(), unit, budget, d, now); err != nil || v.TotalFen() != 0 {
		t.Fatalf("a visit without money: %v", err)
	}
}

// A correction replaces the fields it names, says why, and tells the
// command how the total moved; one that changes nothing is refused.
func TestCorrect(t *testing.T) {
	t.Parallel()
	v, err := Register(uuid.New(), uuid.New(), uuid.New(), festival(), now)
	if err != nil {
		t.Fatal(err)
	}
	history := replay(t, nil, v)
	v, _ = Load(v.ID(), history)
	first := v.Details().EmployeeIDs[0]
	cash := int64(60_000)
	delta, err := v.Correct(Correction{EmployeeIDs: []uuid.UUID{first}, CashFenEach: &cash}, " 一人当日不在家 ", now)
	if err != nil || delta != -40_000 || v.TotalFen() != 72_000 {
		t.Fatalf("delta %d total %d: %v", delta, v.TotalFen(), err)
	}
	history = replay(t, history, v)
	var p Corrected
	if err := event.Decode(history[1], &p); err != nil || p.Reason != "一人当日不在家" || len(p.Before.EmployeeIDs) != 2 ||
		strings.Join(p.Changed, ",") != "employee_ids,cash_fen_each" {
		t.Fatalf("corrected %+v %v", p, err)
	}
	v, _ = Load(v.ID(), history)
	same := OccasionFestival
	if _, err := v.Correct(Correction{Occasion: &same}, "no change", now); !errors.Is(err, fault.ErrInvalid) || len(v.Changes()) != 0 {
		t.Fatalf("an empty correction: %v", err)
	}
	other := OccasionRetirement
	aggtest.WantField(t, errOnly(v.Correct(Correction{Occasion: &other}, " ", now)), "reason")
	goods := []Goods{}
	if delta, err := v.Correct(Correction{Goods: &goods}, "goods were the trade union's gift", now); err != nil || delta != -12_000 {
		t.Fatalf("dropping the goods: %d %v", delta, err)
	}
	replay(t, history, v)
}

func errOnly(_ int64, err error) error { return err }

func TestLoadRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	s := Stream(id)
	body := `"unit_id":"` + uuid.NewString() + `","budget_id":"` + uuid.NewString() + `","occasion":"illness","visited_on":"2026-01-05",` +
		`"employee_ids":["` + uuid.NewString() + `"],"cash_fen_each":100,"goods":[],"visitors":["` + uuid.NewString() + `"]`
	reg := func(total string) string {
		return `{"visit_id":"` + id.String() + `",` + body + `,"total_fen":` + total + `}`
	}
	for name, history := range map[string][]event.Recorded{
		"wrong total":   {aggtest.Rec(s, 1, TypeRegistered, reg("99"))},
		"corrected 1st": {aggtest.Rec(s, 1, TypeCorrected, `{}`)},
		"twice":         {aggtest.Rec(s, 1, TypeRegistered, reg("100")), aggtest.Rec(s, 2, TypeRegistered, reg("100"))},
		"unknown":       {aggtest.Rec(s, 1, TypeRegistered, reg("100")), aggtest.Rec(s, 2, "visit.cancelled", `{}`)},
		"other visit":   {aggtest.Rec(s, 1, TypeRegistered, `{"visit_id":"`+uuid.NewString()+`",`+body+`,"total_fen":100}`)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load(id, history)
			aggtest.WantReplayError(t, err, fault.ErrHistory, s)
		})
	}
	if v, err := Load(id, []event.Recorded{aggtest.Rec(s, 1, TypeRegistered, reg("100"))}); err != nil || v.TotalFen() != 100 {
		t.Fatalf("load: %v", err)
	}
}
