// Package demo loads the demonstration organisation of aidtrail: the
// railway bureau and the stations of the seed, its staff and approvers,
// the sample catalogue, flows, budgets, the five stories of the seed as
// complete histories, care work and condolence visits — every step
// through the same use cases the API calls, so the demo's history is what
// real use would write.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/org"
)

// Password is every demo account's password. It is printed; it is a demo.
const Password = "aidtrail-demo-2026"

// Login is a demo account to print.
type Login struct{ Login, Role, Unit string }

// station is a station of the seed with the login prefix of its staff.
type station struct{ name, code string }

var stations = []station{
	{"大秦车务段", "dqcw"}, {"太原车务段", "tycw"}, {"大同西供电段", "dtxgd"},
	{"太原站", "tyz"}, {"太原机务段", "tyjw"}, {"太原房建公寓段", "tyfj"},
}

const yuan = 100

// loader carries what the demo builds as it goes.
type loader struct {
	app      *commands.App
	query    *query.Service
	ctx      context.Context
	boot     commands.Actor
	admin    commands.Actor
	bureauAp commands.Actor
	root     uuid.UUID
	units    map[string]uuid.UUID
	workers  map[string]commands.Actor
	ap       map[string]commands.Actor
	logins   []Login
}

// Load builds the demo on an empty store and returns its logins. On a
// store that has an organisation already it changes nothing and returns
// none: the demo's logins exist only if that organisation is the demo.
func Load(ctx context.Context, app *commands.App, q *query.Service) ([]Login, error) {
	l := &loader{app: app, query: q, ctx: ctx, boot: commands.Actor{Bootstrap: true, CommandID: "demo"},
		units: map[string]uuid.UUID{}, workers: map[string]commands.Actor{}, ap: map[string]commands.Actor{}}
	done, err := app.Bootstrapped(ctx)
	if err != nil {
		return nil, err
	}
	if done {
		return nil, nil // loaded before, or an organisation of its own
	}
	l.root, _, err = app.EstablishUnit(ctx, l.boot, commands.EstablishUnit{Name: "中国铁路太原局集团有限公司", Code: "TYJ", Level: org.LevelBureau})
	if err != nil {
		return nil, fmt.Errorf("demo: root: %w", err)
	}
	steps := []func() error{l.staff, l.catalogue, l.budgets, l.flows, l.stories, l.care, l.visits}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	return demoLogins(), nil
}

func demoLogins() []Login {
	out := []Login{{"admin", "bureau_admin", "路局工会"}, {"auditor", "auditor", "路局工会"},
		{"analyst", "analyst", "路局工会"}, {"bureau-approver", "approver", "路局工会"}}
	for _, s := range stations {
		out = append(out, Login{s.code + "-caseworker", "caseworker", s.name}, Login{s.code + "-approver", "approver", s.name})
	}
	return append(out, Login{"wang-dtxgd", "employee (own account)", "大同西供电段"}, Login{"ren-tyfj", "employee (own account)", "太原房建公寓段"})
}

// account opens an account with one position and signs it in as an actor.
func (l *loader) account(by commands.Actor, login, name string, unit uuid.UUID, title string, roles ...access.Role) (commands.Actor, error) {
	id, _, err := l.app.OpenAccount(l.ctx, by, commands.OpenAccount{Login: login, Password: Password, Name: name})
	if err != nil {
		return commands.Actor{}, fmt.Errorf("account %s: %w", login, err)
	}
	if _, _, err := l.app.AssignPosition(l.ctx, by, commands.AssignPosition{AccountID: id, UnitID: unit, Title: title, Roles: roles}); err != nil {
		return commands.Actor{}, fmt.Errorf("position of %s: %w", login, err)
	}
	return commands.Actor{AccountID: id, CommandID: "demo"}, nil
}

func (l *loader) staff() error {
	var err error
	if l.admin, err = l.account(l.boot, "admin", "李建国", l.root, "路局工会主席", access.RoleBureauAdmin); err != nil {
		return err
	}
	if _, err = l.account(l.admin, "auditor", "赵审计", l.root, "审计员", access.RoleAuditor); err != nil {
		return err
	}
	if _, err = l.account(l.admin, "analyst", "钱分析", l.root, "数据分析员", access.RoleAnalyst); err != nil {
		return err
	}
	if l.bureauAp, err = l.account(l.admin, "bureau-approver", "张楠楠", l.root, "路局工会帮扶中心主任", access.RoleApprover); err != nil {
		return err
	}
	for _, s := range stations {
		id, _, err := l.app.EstablishUnit(l.ctx, l.admin, commands.EstablishUnit{Name: s.name, Code: "TYJ-" + s.code, Level: org.LevelStation, ParentID: l.root})
		if err != nil {
			return fmt.Errorf("station %s: %w", s.name, err)
		}
		l.units[s.code] = id
		if l.workers[s.code], err = l.account(l.admin, s.code+"-caseworker", s.name+"工会干事", id, "工会干事", access.RoleCaseworker); err != nil {
			return err
		}
		if l.ap[s.code], err = l.account(l.admin, s.code+"-approver", s.name+"工会主席", id, "站段工会主席", access.RoleApprover); err != nil {
			return err
		}
	}
	return nil
}

func (l *loader) catalogue() error {
	for _, def := range catalogue.SampleCatalogue(l.root) {
		if _, err := l.app.PublishStandard(l.ctx, l.admin, commands.PublishStandard{Definition: def}); err != nil {
			return fmt.Errorf("standard %s: %w", def.Code, err)
		}
	}
	return nil
}

func (l *loader) budgets() error {
	year := calendar.Year(time.Now())
	lines := map[string]int64{}
	for _, def := range catalogue.SampleCatalogue(l.root) {
		lines[def.BudgetLine] = 2_000_000 * yuan
	}
	for line, amount := range lines {
		if _, _, err := l.app.AllocateBudget(l.ctx, l.admin, commands.AllocateBudget{UnitID: l.root, Year: year, Line: line, AmountFen: amount}); err != nil {
			return fmt.Errorf("budget %s: %w", line, err)
		}
	}
	return nil
}

// flows: every station reviews each case; cases of 10,000 yuan or more also
// go to the bureau (smaller ones skip that step).
func (l *loader) flows() error {
	for _, s := range stations {
		for _, category := range []string{"hardship", "medical", "education"} {
			steps := []casework.FlowStep{
				{Name: "站段工会审核", AssigneeAccountID: l.ap[s.code].AccountID},
				{Name: "路局工会审批", AssigneeAccountID: l.bureauAp.AccountID, MinAmountFen: 10_000 * yuan},
			}
			if _, _, err := l.app.ConfigureFlow(l.ctx, l.admin, commands.ConfigureFlow{UnitID: l.units[s.code], Category: category, Steps: steps}); err != nil {
				return fmt.Errorf("flow %s %s: %w", s.code, category, err)
			}
		}
	}
	return nil
}

// photo is a small PNG standing for a photographed document.
func photo(seed byte) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range 8 {
		img.Set(i, i, color.RGBA{seed, 0x80, 0x40, 0xff})
	}
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // an in-memory image always encodes
	return buf.Bytes()
}
