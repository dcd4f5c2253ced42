package httpapi

import (
	"context"
	"net/http"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/visit"
)

// Condolence visits (F15, 慰问): registered by station staff, charged to a
// budget, corrected only with a reason.

type goodsJSON struct {
	Description string `json:"description"`
	ValueFen    int64  `json:"value_fen"`
}

type registerVisitRequest struct {
	UnitID      string      `json:"unit_id"`
	Occasion    string      `json:"occasion"`
	VisitedOn   string      `json:"visited_on"`
	EmployeeIDs []string    `json:"employee_ids"`
	CashFenEach int64       `json:"cash_fen_each"`
	Goods       []goodsJSON `json:"goods"`
	Visitors    []string    `json:"visitors"`
	BudgetID    string      `json:"budget_id"`
}

// registerVisit: POST /v1/visits → 201 {"id","position"}. Over the
// budget's availability it is 409 budget_exceeded and nothing is written.
func (a *api) registerVisit(w http.ResponseWriter, r *http.Request) error {
	return postNew(w, r, "/v1/visits", func(ctx context.Context, actor commands.Actor, req registerVisitRequest) (uuid.UUID, commands.Written, error) {
		var p idParser
		unit, budgetID := p.one("unit_id", req.UnitID), p.one("budget_id", req.BudgetID)
		employees, visitors := p.list("employee_ids", req.EmployeeIDs), p.list("visitors", req.Visitors)
		if p.err != nil {
			return uuid.Nil, commands.Written{}, p.err
		}
		d := visit.Details{Occasion: visit.Occasion(req.Occasion), VisitedOn: req.VisitedOn, EmployeeIDs: employees,
			CashFenEach: req.CashFenEach, Goods: goodsOf(req.Goods), Visitors: visitors}
		return a.deps.App.RegisterVisit(ctx, actor, commands.RegisterVisit{UnitID: unit, BudgetID: budgetID, Details: d})
	})
}

// correctVisitRequest names the fields to replace; absent ones stay.
type correctVisitRequest struct {
	Occasion    *string      `json:"occasion"`
	VisitedOn   *string      `json:"visited_on"`
	EmployeeIDs *[]string    `json:"employee_ids"`
	CashFenEach *int64       `json:"cash_fen_each"`
	Goods       *[]goodsJSON `json:"goods"`
	Visitors    *[]string    `json:"visitors"`
	Reason      string       `json:"reason"`
}

// correctVisit: POST /v1/visits/{id}/correct. A higher total is charged
// to the visit's budget (409 budget_exceeded past its availability), a
// lower one refunded.
func (a *api) correctVisit(w http.ResponseWriter, r *http.Request) error {
	return postOn(w, r, bodyRequired, func(ctx context.Context, actor commands.Actor, c change[correctVisitRequest]) (commands.Written, error) {
		b := c.Body
		var fix visit.Correction
		var p idParser
		if b.Occasion != nil {
			o := visit.Occasion(*b.Occasion)
			fix.Occasion = &o
		}
		fix.VisitedOn, fix.CashFenEach = b.VisitedOn, b.CashFenEach
		if b.EmployeeIDs != nil {
			fix.EmployeeIDs = p.list("employee_ids", *b.EmployeeIDs)
		}
		if b.Visitors != nil {
			fix.Visitors = p.list("visitors", *b.Visitors)
		}
		if p.err != nil {
			return commands.Written{}, p.err
		}
		if b.Goods != nil {
			goods := goodsOf(*b.Goods)
			fix.Goods = &goods
		}
		return a.deps.App.CorrectVisit(ctx, actor, commands.CorrectVisit{VisitID: c.ID, Correction: fix, Reason: b.Reason, IfMatch: c.IfMatch})
	})
}

func goodsOf(in []goodsJSON) []visit.Goods {
	out := make([]visit.Goods, len(in))
	for i, g := range in {
		out[i] = visit.Goods{Description: g.Description, ValueFen: g.ValueFen}
	}
	return out
}

// idParser parses a request's ids, keeping the first error.
type idParser struct{ err error }

func (p *idParser) one(field, s string) uuid.UUID {
	if p.err != nil {
		return uuid.Nil
	}
	id, err := parseID(field, s)
	p.err = err
	return id
}

// list parses a list of ids; an empty list stays empty (the command says
// whether it may be), never nil.
func (p *idParser) list(field string, in []string) []uuid.UUID {
	out := make([]uuid.UUID, len(in))
	for i, s := range in {
		out[i] = p.one(field, s)
	}
	return out
}

// visitJSON is a visit as GET /v1/visits/{id} and the list give it;
// employee_ids and visitors are empty in a list read with stats.read
// alone.
type visitJSON struct {
	ID          string      `json:"id"`
	UnitID      string      `json:"unit_id"`
	BudgetID    string      `json:"budget_id"`
	Occasion    string      `json:"occasion"`
	VisitedOn   string      `json:"visited_on"`
	Employees   int         `json:"employees"`
	EmployeeIDs []string    `json:"employee_ids"`
	CashFenEach int64       `json:"cash_fen_each"`
	Goods       []goodsJSON `json:"goods"`
	Visitors    []string    `json:"visitors"`
	TotalFen    int64       `json:"total_fen"`
	Corrections *int        `json:"corrections,omitempty"`
	Version     int64       `json:"version,omitempty"`
}

func visitOf(id, unit, budgetID uuid.UUID, d visit.Details, employees int, total int64) visitJSON {
	goods := make([]goodsJSON, len(d.Goods))
	for i, g := range d.Goods {
		goods[i] = goodsJSON{Description: g.Description, ValueFen: g.ValueFen}
	}
	return visitJSON{ID: id.String(), UnitID: unit.String(), BudgetID: budgetID.String(), Occasion: string(d.Occasion),
		VisitedOn: d.VisitedOn, Employees: employees, EmployeeIDs: ids(d.EmployeeIDs), CashFenEach: d.CashFenEach,
		Goods: goods, Visitors: ids(d.Visitors), TotalFen: total}
}

// getVisit: GET /v1/visits/{id}, its ETag the visit's version.
func (a *api) getVisit(w http.ResponseWriter, r *http.Request) error {
	return getOne(a, w, r, now(a.deps.Query.GetVisit), func(v query.VisitView) (int64, any) {
		out := visitOf(v.ID, v.UnitID, v.BudgetID, v.Details, len(v.EmployeeIDs), v.TotalFen)
		out.Version = v.Version
		return v.Version, out
	})
}

// listVisits: GET /v1/visits?unit_id&employee_id&occasion&cursor&limit,
// the visits of the caller's readable subtrees in the order registered,
// from the visits read model; unit_id narrows to that unit's subtree.
func (a *api) listVisits(w http.ResponseWriter, r *http.Request) error {
	q := listParams(r)
	f := query.VisitFilter{Under: q.id("unit_id"), EmployeeID: q.id("employee_id"), Occasion: q.str("occasion"), Page: q.page()}
	if f.Occasion != "" && !visit.Occasion(f.Occasion).Valid() {
		q.fail("occasion", "must be one of festival, illness, hospitalisation, bereavement, disaster, retirement, other")
	}
	return listPage(a, w, r, q, f, a.deps.Query.Visits, func(v query.VisitRow) visitJSON {
		d := visit.Details{Occasion: visit.Occasion(v.Occasion), VisitedOn: v.VisitedOn, EmployeeIDs: v.EmployeeIDs,
			CashFenEach: v.CashFenEach, Goods: v.Goods, Visitors: v.Visitors}
		item := visitOf(v.VisitID, v.UnitID, v.BudgetID, d, v.Employees, v.TotalFen)
		item.Corrections = &v.Corrections
		return item
	})
}
