package visit

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/calendar"
	agg "aidtrail/domain/internal/aggregate"
	"aidtrail/domain/internal/text"
)

// Occasion is why a visit was made. Stored; never change the values.
type Occasion string

// The occasions.
const (
	OccasionFestival        Occasion = "festival" // Spring Festival and other festivals
	OccasionIllness         Occasion = "illness"
	OccasionHospitalisation Occasion = "hospitalisation"
	OccasionBereavement     Occasion = "bereavement"
	OccasionDisaster        Occasion = "disaster"
	OccasionRetirement      Occasion = "retirement"
	OccasionOther           Occasion = "other"
)

// Occasions lists every occasion.
func Occasions() []Occasion {
	return []Occasion{OccasionFestival, OccasionIllness, OccasionHospitalisation, OccasionBereavement,
		OccasionDisaster, OccasionRetirement, OccasionOther}
}

// Valid reports whether o is one of the occasions.
func (o Occasion) Valid() bool { return slices.Contains(Occasions(), o) }

// Goods is one item handed over: what it was, and its value in fen.
type Goods struct {
	Description string `json:"description"`
	ValueFen    int64  `json:"value_fen"`
}

// Details is what a visit records: the occasion, the day (YYYY-MM-DD,
// Asia/Shanghai), the employees visited, the cash each received, the
// goods handed over and the staff who went (account ids).
type Details struct {
	Occasion    Occasion    `json:"occasion"`
	VisitedOn   string      `json:"visited_on"`
	EmployeeIDs []uuid.UUID `json:"employee_ids"`
	CashFenEach int64       `json:"cash_fen_each"`
	Goods       []Goods     `json:"goods"`
	Visitors    []uuid.UUID `json:"visitors"`
}

// TotalFen is what the details cost: CashFenEach for every employee and
// the value of every item of goods.
func (d Details) TotalFen() int64 {
	total := d.CashFenEach * int64(len(d.EmployeeIDs))
	for _, g := range d.Goods {
		total += g.ValueFen
	}
	return total
}

// Year is the year of the visit's day: its budget's year.
func (d Details) Year() int {
	t, err := time.Parse(DateLayout, d.VisitedOn)
	if err != nil {
		return 0
	}
	return t.Year()
}

func (d Details) clone() Details {
	d.EmployeeIDs = slices.Clone(agg.NonNil(d.EmployeeIDs))
	d.Goods = slices.Clone(agg.NonNil(d.Goods))
	d.Visitors = slices.Clone(agg.NonNil(d.Visitors))
	return d
}

// clean checks d and returns it with the goods' descriptions trimmed.
// Errors are *fault.ValidationError naming the field: occasion one of
// Occasions; visited_on a date from MinYear to today (in Asia/Shanghai at
// now); employee_ids 1..MaxEmployees distinct ids; cash_fen_each
// 0..MaxFen; goods at most MaxGoods, each with a description of
// 1..MaxDescriptionRunes and a value of 1..MaxFen; visitors
// 1..MaxVisitors distinct ids; the total at most MaxFen.
func (d Details) clean(now time.Time) (Details, error) {
	if !d.Occasion.Valid() {
		return Details{}, invalid("occasion", "must be one of festival, illness, hospitalisation, bereavement, disaster, retirement, other")
	}
	day, err := time.Parse(DateLayout, d.VisitedOn)
	if err != nil || day.Format(DateLayout) != d.VisitedOn || day.Year() < MinYear {
		return Details{}, invalid("visited_on", "must be a date YYYY-MM-DD from %d", MinYear)
	}
	if d.VisitedOn > now.In(calendar.Zone).Format(DateLayout) {
		return Details{}, invalid("visited_on", "is after today")
	}
	if err := distinct("employee_ids", d.EmployeeIDs, MaxEmployees); err != nil {
		return Details{}, err
	}
	if err := distinct("visitors", d.Visitors, MaxVisitors); err != nil {
		return Details{}, err
	}
	if d.CashFenEach < 0 || d.CashFenEach > MaxFen {
		return Details{}, invalid("cash_fen_each", "must be 0 to %d fen", int64(MaxFen))
	}
	if len(d.Goods) > MaxGoods {
		return Details{}, invalid("goods", "may list at most %d items", MaxGoods)
	}
	d = d.clone()
	for i, g := range d.Goods {
		if d.Goods[i].Description, err = text.Clean("goods.description", g.Description, 1, MaxDescriptionRunes); err != nil {
			return Details{}, err
		}
		if g.ValueFen <= 0 || g.ValueFen > MaxFen {
			return Details{}, invalid("goods.value_fen", "must be 1 to %d fen", int64(MaxFen))
		}
	}
	// Each term is at most MaxFen and there are at most MaxEmployees +
	// MaxGoods of them, so the sum cannot overflow before this check.
	if d.TotalFen() > MaxFen {
		return Details{}, invalid("cash_fen_each", "makes the visit's total above %d fen", int64(MaxFen))
	}
	return d, nil
}

func distinct(field string, ids []uuid.UUID, most int) error {
	if len(ids) == 0 || len(ids) > most {
		return invalid(field, "must list 1 to %d ids", most)
	}
	seen := make(map[uuid.UUID]bool, len(ids))
	for _, id := range ids {
		if id == uuid.Nil || seen[id] {
			return invalid(field, "must list distinct ids, none nil")
		}
		seen[id] = true
	}
	return nil
}

// Correction names the fields of a visit to replace; nil fields stay.
type Correction struct {
	Occasion    *Occasion
	VisitedOn   *string
	EmployeeIDs []uuid.UUID // nil: unchanged
	CashFenEach *int64
	Goods       *[]Goods
	Visitors    []uuid.UUID // nil: unchanged
}

// apply returns d with c's fields in place and the names of the fields c
// sets, in the API's order.
func (c Correction) apply(d Details) (Details, []string) {
	d = d.clone()
	var changed []string
	set := func(field string, ok bool, do func()) {
		if ok {
			do()
			changed = append(changed, field)
		}
	}
	set("occasion", c.Occasion != nil, func() { d.Occasion = *c.Occasion })
	set("visited_on", c.VisitedOn != nil, func() { d.VisitedOn = *c.VisitedOn })
	set("employee_ids", c.EmployeeIDs != nil, func() { d.EmployeeIDs = slices.Clone(c.EmployeeIDs) })
	set("cash_fen_each", c.CashFenEach != nil, func() { d.CashFenEach = *c.CashFenEach })
	set("goods", c.Goods != nil, func() { d.Goods = slices.Clone(agg.NonNil(*c.Goods)) })
	set("visitors", c.Visitors != nil, func() { d.Visitors = slices.Clone(c.Visitors) })
	return d, changed
}

// sameField reports whether field reads the same in a and b.
func sameField(field string, a, b Details) bool {
	switch field {
	case "occasion":
		return a.Occasion == b.Occasion
	case "visited_on":
		return a.VisitedOn == b.VisitedOn
	case "employee_ids":
		return slices.Equal(a.EmployeeIDs, b.EmployeeIDs)
	case "cash_fen_each":
		return a.CashFenEach == b.CashFenEach
	case "goods":
		return slices.Equal(a.Goods, b.Goods)
	default:
		return slices.Equal(a.Visitors, b.Visitors)
	}
}
