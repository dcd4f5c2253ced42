package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/httpapi"
	"aidtrail/adapters/keyring"
	"aidtrail/adapters/postgres"
	"aidtrail/adapters/replies"
	"aidtrail/cmd/aidtrail/internal/bench"
	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/projections"
)

const benchCasesUsage = `Usage: aidtrail bench cases --database-url URL [flags]

Runs whole case lifecycles over HTTP — open, submit, two approvals, pay,
confirm — from concurrent clients against the service on PostgreSQL, in a
new schema dropped at the end; reports lifecycles per second and the p50
and p99 of each command, then the raw append rate of the same store.
`

// lifecycleSteps are the commands of one lifecycle, in order.
var lifecycleSteps = []string{"open", "submit", "approve-1", "approve-2", "pay", "confirm"}

func runBenchCases(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench cases", flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", "", "PostgreSQL server URL (required)")
	duration := fs.Duration("duration", 10*time.Second, "how long clients run lifecycles")
	concurrency := fs.Int("concurrency", 16, "concurrent clients")
	project := fs.Bool("projections", true, "run the read models in the same process, as serve does (false: as with workers elsewhere)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *databaseURL == "" || *concurrency < 1 || *duration <= 0 {
		fmt.Fprint(stderr, benchCasesUsage)
		return errUsage
	}
	schemaURL, schema, drop, err := bench.NewSchema(ctx, *databaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = drop(ctx) }()
	fmt.Fprintf(stderr, "benchmarking case lifecycles in schema %s\n", schema)
	st, err := postgres.Open(ctx, postgres.Config{URL: schemaURL, MaxConns: int32(2 * *concurrency)})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	master, err := keyring.NewMasterKey()
	if err != nil {
		return err
	}
	env := environment{MasterKey: base64.StdEncoding.EncodeToString(master)}
	db := database{events: st, tables: postgresTables(st)}
	app, queries, err := newApp(ctx, db, serveConfig{Store: storeConfig{DatabaseURL: schemaURL}}, env, nil)
	if err != nil {
		return err
	}
	runner, err := projections.NewRunner(projections.Config{DB: db.tables, Source: st, Projections: projections.All()})
	if err != nil {
		return err
	}
	projCtx, stopProjections := context.WithCancel(ctx)
	defer stopProjections()
	if *project {
		go func() { _ = runner.Run(projCtx) }()
	}
	handler, err := httpapi.NewHandler(httpapi.Deps{Store: st, App: app, Replies: replies.New(db.tables),
		Query: queries, ReadModels: runner, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	w, err := setUpLifecycles(ctx, app, "http://"+ln.Addr().String(), *concurrency)
	if err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	stats, lifecycles, elapsed, err := w.run(ctx, *concurrency, *duration)
	if err != nil {
		return err
	}
	appendRate, err := rawAppendRate(ctx, st, *concurrency, 3*time.Second)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "store=postgres in schema %s, %d clients, %s\n", schema, *concurrency, elapsed.Round(time.Millisecond))
	fmt.Fprintf(stdout, "%10s %8s %9s %9s\n", "command", "n", "p50", "p99")
	for _, step := range lifecycleSteps {
		lat := stats[step]
		slices.Sort(lat)
		fmt.Fprintf(stdout, "%10s %8d %9s %9s\n", step, len(lat), ms(pct(lat, 0.50)), ms(pct(lat, 0.99)))
	}
	fmt.Fprintf(stdout, "lifecycles_per_s=%.1f\n", float64(lifecycles)/elapsed.Seconds())
	fmt.Fprintf(stdout, "raw_appends_per_s=%.0f (c=%d, one event to a new stream)\n", appendRate, *concurrency)
	return nil
}

func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(float64(len(sorted))*q))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// rawAppendRate appends one event to a new stream from c writers for d.
func rawAppendRate(ctx context.Context, st *postgres.Store, c int, d time.Duration) (float64, error) {
	var n int64
	var mu sync.Mutex
	var firstErr error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				e := event.Event{ID: event.NewID(), Type: "bench.appended", Data: []byte(`{"amount_fen":2000000}`)}
				if _, err := st.Append(ctx, "bench-"+e.ID.String(), event.NoStream, e); err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				mu.Lock()
				n++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return float64(n) / d.Seconds(), firstErr
}

// lifecycleWorld is the organisation the clients work in.
type lifecycleWorld struct {
	app              *commands.App
	base             string
	approver2, admin string // bearer tokens of the bureau's approver and administrator
	crews            []crew // one station per client
	client           *http.Client
}

// crew is a station with its own caseworker, first approver and budget,
// as each station of a bureau has.
type crew struct {
	station           uuid.UUID
	caseworker        commands.Actor
	worker, approver1 string // bearer tokens
}

func setUpLifecycles(ctx context.Context, app *commands.App, base string, clients int) (*lifecycleWorld, error) {
	boot := commands.Actor{Bootstrap: true}
	root, _, err := app.EstablishUnit(ctx, boot, commands.EstablishUnit{Name: "太原局", Code: "TYJ", Level: org.LevelBureau})
	if err != nil {
		return nil, err
	}
	w := &lifecycleWorld{app: app, base: base, client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4 * clients}}}
	open := func(by commands.Actor, login string, unit uuid.UUID, role access.Role) (commands.Actor, string, error) {
		id, _, err := app.OpenAccount(ctx, by, commands.OpenAccount{Login: login, Password: "bench-password-1", Name: login})
		if err != nil {
			return commands.Actor{}, "", err
		}
		if _, _, err := app.AssignPosition(ctx, by, commands.AssignPosition{AccountID: id, UnitID: unit, Title: login, Roles: []access.Role{role}}); err != nil {
			return commands.Actor{}, "", err
		}
		s, err := app.Login(ctx, commands.Login{Login: login, Password: "bench-password-1"})
		return commands.Actor{AccountID: id}, s.Token, err
	}
	admin, adminToken, err := open(boot, "admin", root, access.RoleBureauAdmin)
	if err != nil {
		return nil, err
	}
	w.admin = adminToken
	a2, t2, err := open(admin, "approver2", root, access.RoleApprover)
	if err != nil {
		return nil, err
	}
	w.approver2 = t2
	def := catalogue.Definition{Code: "BENCH-AID", Name: "压力测试救助", Category: catalogue.CategoryHardship, OwnerUnitID: root,
		AmountRule: catalogue.FixedRule(2_000_000), AnnualCapFen: 10_000_000_000, MaxTimesPerYear: 52, RequiredDocuments: []string{},
		BudgetLine: "aid.bench", Beneficiaries: []catalogue.Beneficiary{catalogue.BeneficiarySelf}}
	if _, err := app.PublishStandard(ctx, admin, commands.PublishStandard{Definition: def}); err != nil {
		return nil, err
	}
	year := calendar.Year(time.Now())
	for i := range clients {
		var c crew
		if c.station, _, err = app.EstablishUnit(ctx, admin, commands.EstablishUnit{Name: fmt.Sprintf("第%d站段", i+1),
			Code: fmt.Sprintf("ST%02d", i+1), Level: org.LevelStation, ParentID: root}); err != nil {
			return nil, err
		}
		if c.caseworker, c.worker, err = open(admin, fmt.Sprintf("worker%d", i), c.station, access.RoleCaseworker); err != nil {
			return nil, err
		}
		a1, t1, err := open(admin, fmt.Sprintf("approver1-%d", i), c.station, access.RoleApprover)
		if err != nil {
			return nil, err
		}
		c.approver1 = t1
		steps := []casework.FlowStep{{Name: "站段审核", AssigneeAccountID: a1.AccountID}, {Name: "路局审批", AssigneeAccountID: a2.AccountID}}
		if _, _, err := app.ConfigureFlow(ctx, admin, commands.ConfigureFlow{UnitID: c.station, Category: "hardship", Steps: steps}); err != nil {
			return nil, err
		}
		if _, _, err := app.AllocateBudget(ctx, admin, commands.AllocateBudget{UnitID: c.station, Year: year, Line: "aid.bench", AmountFen: 100_000_000_000_000}); err != nil {
			return nil, err
		}
		w.crews = append(w.crews, c)
	}
	return w, nil
}
