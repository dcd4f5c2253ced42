package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/keyring"
	"aidtrail/adapters/postgres"
	"aidtrail/adapters/tabular"
	"aidtrail/cmd/aidtrail/internal/bench"
	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/calendar"
	"aidtrail/domain/care"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/projections"
	"aidtrail/projections/casegen"
	"aidtrail/projections/discovery"
	"aidtrail/projections/register"
)

const benchDiscoveryUsage = `Usage: aidtrail bench discovery --database-url URL [flags]

In a new PostgreSQL schema (dropped at the end): a bureau of --employees
employees in 20 stations, a tenth of them in the hardship register, with
--life-events life events, and the bureau's discovery rules. It rebuilds the
discovery list (and the register) from position 0 and compares the rate
with a plain read of the global order; then, with every read model running
live while case histories are appended, records --samples life events
through the command and times each from the command's answer to the list
showing it; then imports an HR export of --import-rows rows (parsed, checked
and applied) through the command.
`

func runBenchDiscovery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench discovery", flag.ContinueOnError)
	fs.SetOutput(stderr)
	databaseURL := fs.String("database-url", "", "PostgreSQL server URL (required)")
	employees := fs.Int("employees", 100_000, "employees of the bureau")
	lifeEvents := fs.Int("life-events", 1_000_000, "life events written before the rebuild")
	samples := fs.Int("samples", 200, "life events recorded and timed to the list")
	rate := fs.Int("rate", 100, "appends of case histories per second meanwhile")
	importRows := fs.Int("import-rows", 10_000, "rows of the timed import")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *databaseURL == "" || *employees < 100 || *lifeEvents < 1 || *samples < 1 || *rate < 1 ||
		*importRows < 1 || *importRows > min(*employees, commands.MaxImportRows) {
		fmt.Fprint(stderr, benchDiscoveryUsage)
		return errUsage
	}
	schemaURL, schema, drop, err := bench.NewSchema(ctx, *databaseURL)
	if err != nil {
		return err
	}
	defer func() { _ = drop(context.WithoutCancel(ctx)) }()
	fmt.Fprintf(stderr, "benchmarking discovery in schema %s\n", schema)
	st, err := postgres.Open(ctx, postgres.Config{URL: schemaURL, MaxConns: 24})
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
	db := database{events: st, tables: postgresTables(st)}
	app, _, err := newApp(ctx, db, serveConfig{Store: storeConfig{DatabaseURL: schemaURL}},
		environment{MasterKey: base64.StdEncoding.EncodeToString(master)}, nil)
	if err != nil {
		return err
	}
	b := &discoveryBench{store: st, app: app, out: stdout, rng: rand.New(rand.NewPCG(1, 2))}
	if err := b.setUp(ctx, *employees); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	keys, err := keyring.New(db.tables, master)
	if err != nil {
		return err
	}
	if err := b.personalKeys(ctx, keys, *importRows); err != nil {
		return fmt.Errorf("personal keys: %w", err)
	}
	if err := b.writeLifeEvents(ctx, *lifeEvents); err != nil {
		return fmt.Errorf("life events: %w", err)
	}
	if err := b.rebuild(ctx, db); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if err := b.live(ctx, db, *samples, *rate); err != nil {
		return fmt.Errorf("live: %w", err)
	}
	return b.importFile(ctx, *importRows)
}

type discoveryBench struct {
	store     *postgres.Store
	app       *commands.App
	out       io.Writer
	rng       *rand.Rand
	worker    commands.Actor // a caseworker of the root: acts for every employee
	stations  []uuid.UUID
	employees []uuid.UUID
}

// setUp builds the bureau through the commands (units, a caseworker, the
// sample catalogue, the rules) and writes the employees' registrations
// and a tenth of them entering the register straight into the store, many
// streams a transaction, as an HR migration would.
func (b *discoveryBench) setUp(ctx context.Context, employees int) error {
	boot := commands.Actor{Bootstrap: true}
	root, _, err := b.app.EstablishUnit(ctx, boot, commands.EstablishUnit{Name: "太原局", Code: "TYJ", Level: org.LevelBureau})
	if err != nil {
		return err
	}
	admin, err := b.signUp(ctx, boot, "admin", root, access.RoleBureauAdmin)
	if err != nil {
		return err
	}
	if b.worker, err = b.signUp(ctx, admin, "worker", root, access.RoleCaseworker); err != nil {
		return err
	}
	for i := range 20 {
		id, _, err := b.app.EstablishUnit(ctx, admin, commands.EstablishUnit{Name: fmt.Sprintf("第%d站段", i+1),
			Code: fmt.Sprintf("ST%02d", i+1), Level: org.LevelStation, ParentID: root})
		if err != nil {
			return err
		}
		b.stations = append(b.stations, id)
	}
	for _, def := range catalogue.SampleCatalogue(root) {
		if _, err := b.app.PublishStandard(ctx, admin, commands.PublishStandard{Definition: def}); err != nil {
			return err
		}
	}
	yes := true
	rules := []care.Rule{
		{Code: "ILL", StandardCode: "MED-SERIOUS", LifeEvent: &care.LifeEventMatch{Kind: care.KindSeriousIllness, Subject: "self"}, WithinDays: 365},
		{Code: "ENTRY", StandardCode: "HARD-LIVING"},
		{Code: "UNIV", StandardCode: "EDU-UNIV", LifeEvent: &care.LifeEventMatch{Kind: care.KindUniversityAdmission, Subject: "child"},
			WithinDays: 365, InRegister: &yes},
	}
	if _, _, err := b.app.PublishDiscoveryRules(ctx, admin, commands.PublishDiscoveryRules{Rules: rules}); err != nil {
		return err
	}
	start := time.Now()
	b.employees = make([]uuid.UUID, employees)
	for i := range b.employees {
		b.employees[i] = uuid.New()
	}
	err = b.inTransactions(ctx, b.employees, 500, func(emp uuid.UUID, i int) ([]event.StreamAppend, error) {
		reg, err := event.New(org.TypeEmployeeRegistered, org.EmployeeRegistered{EmployeeID: emp, UnitID: b.stations[i%len(b.stations)],
			Name: "sealed:v1:bench", IDNumber: "sealed:v1:bench", Family: []org.FamilyMember{}})
		if err != nil {
			return nil, err
		}
		appends := []event.StreamAppend{{Stream: org.EmployeeStream(emp), Expected: event.NoStream, Events: []event.Event{reg}}}
		if i%10 == 0 {
			entered, err := event.New(care.TypeHardshipEntered, care.HardshipEntered{EmployeeID: emp, UnitID: b.stations[i%len(b.stations)],
				Level: care.LevelRelative, Causes: []string{"重病"}, Since: "2026-01-05", ReviewDue: "2027-01-05",
				Household: care.Household{Size: 3, Dependants: 1, IncomeBand: "below_minimum", AgeBand: "40_49"}})
			if err != nil {
				return nil, err
			}
			appends = append(appends, event.StreamAppend{Stream: care.HardshipStream(emp), Expected: event.NoStream, Events: []event.Event{entered}})
		}
		return appends, nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "employees=%d registered in %s (a tenth in the register)\n", employees, time.Since(start).Round(time.Millisecond))
	return nil
}

func (b *discoveryBench) signUp(ctx context.Context, by commands.Actor, login string, unit uuid.UUID, role access.Role) (commands.Actor, error) {
	id, _, err := b.app.OpenAccount(ctx, by, commands.OpenAccount{Login: login, Password: "bench-password-1", Name: login})
	if err != nil {
		return commands.Actor{}, err
	}
	_, _, err = b.app.AssignPosition(ctx, by, commands.AssignPosition{AccountID: id, UnitID: unit, Title: login, Roles: []access.Role{role}})
	return commands.Actor{AccountID: id}, err
}

// inTransactions commits, from 8 writers, the appends each employee gets
// from appendsOf, per of them to a transaction.
func (b *discoveryBench) inTransactions(ctx context.Context, employees []uuid.UUID, per int,
	appendsOf func(emp uuid.UUID, i int) ([]event.StreamAppend, error)) error {
	chunks := make(chan int)
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for from := range chunks {
				var tx event.Transaction
				for i := from; i < min(from+per, len(employees)); i++ {
					appends, err := appendsOf(employees[i], i)
					if err != nil {
						errs <- err
						return
					}
					tx.Appends = append(tx.Appends, appends...)
				}
				if _, err := b.store.Commit(ctx, tx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for from := 0; from < len(employees); from += per {
		select {
		case chunks <- from:
		case err := <-errs:
			close(chunks)
			wg.Wait()
			return err
		}
	}
	close(chunks)
	wg.Wait()
	close(errs)
	return errors.Join(<-errs)
}

// personalKeys gives the first n employees (those the import names) their
// personal keys, as registering them through the command does when it
// seals their names: the import then seals details under keys that exist,
// as it does for real employees.
func (b *discoveryBench) personalKeys(ctx context.Context, keys *keyring.Keyring, n int) error {
	start := time.Now()
	next := make(chan uuid.UUID)
	errs := make(chan error, 16)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for emp := range next {
				if _, err := keys.Seal(ctx, emp, "王强"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for _, emp := range b.employees[:n] {
		select {
		case next <- emp:
		case err := <-errs:
			close(next)
			wg.Wait()
			return err
		}
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	fmt.Fprintf(b.out, "personal keys of the %d employees the import names made in %s\n", n, time.Since(start).Round(time.Millisecond))
	return nil
}

// lifeKinds are drawn for the generated life events; the rules look for
// two of them.
var lifeKinds = []string{care.KindSeriousIllness, care.KindHospitalisation, care.KindUniversityAdmission,
	care.KindSeniorSchoolAdmission, care.KindDeathInFamily, care.KindDisability, care.KindNaturalDisaster, care.KindLowIncome}

// writeLifeEvents writes n life events, spread evenly over the employees,
// each employee's in one append.
func (b *discoveryBench) writeLifeEvents(ctx context.Context, n int) error {
	per := max(1, n/len(b.employees))
	start := time.Now()
	err := b.inTransactions(ctx, b.employees, max(1, 2000/per), func(emp uuid.UUID, i int) ([]event.StreamAppend, error) {
		rng := rand.New(rand.NewPCG(uint64(i), 3))
		events := make([]event.Event, 0, per)
		seen := map[string]bool{}
		for len(events) < per {
			le := care.LifeEventRecorded{LifeEventID: uuid.New(), EmployeeID: emp, Kind: lifeKinds[rng.IntN(len(lifeKinds))],
				Subject: care.Subjects()[rng.IntN(4)], OccurredOn: fmt.Sprintf("2026-%02d-%02d", 1+rng.IntN(10), 1+rng.IntN(28)),
				Source: care.SourceImport}
			if key := le.Kind + le.Subject + le.OccurredOn; seen[key] {
				continue
			} else {
				seen[key] = true
			}
			e, err := event.New(care.TypeLifeEventRecorded, le)
			if err != nil {
				return nil, err
			}
			events = append(events, e)
		}
		return []event.StreamAppend{{Stream: care.LifeEventsStream(emp), Expected: event.NoStream, Events: events}}, nil
	})
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(b.out, "life_events=%d written in %s (%.0f events/s)\n", per*len(b.employees), d.Round(time.Millisecond),
		float64(per*len(b.employees))/d.Seconds())
	return nil
}

// rebuild times the discovery list's and the register's rebuild from
// position 0 against a plain read of the global order.
func (b *discoveryBench) rebuild(ctx context.Context, db database) error {
	pb := &projectionBench{store: b.store}
	read, readRate, err := pb.plainRead(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "read global order: events=%d events_per_s=%.0f (baseline)\n", read, readRate)
	for _, p := range []projections.Projection{discovery.New(), register.New()} {
		if err := projections.Prepare(ctx, db.tables, p); err != nil {
			return err
		}
		start := time.Now()
		if _, err := projections.Rebuild(ctx, db.tables, b.store, p, nil); err != nil {
			return err
		}
		d := time.Since(start)
		rate := float64(read) / d.Seconds()
		fmt.Fprintf(b.out, "rebuild %-9s events=%d in %s events_per_s=%.0f ratio_to_read=%.3f\n", p.Name(), read,
			d.Round(time.Millisecond), rate, rate/readRate)
	}
	var items int
	if err := db.tables.QueryRow(ctx, "SELECT COUNT(*) FROM rm_discovery").Scan(&items); err != nil {
		return err
	}
	fmt.Fprintf(b.out, "discovery items=%d (target: rebuilt in < 60s)\n", items)
	return nil
}

// live runs every read model while case histories are appended at rate,
// records samples life events through the command (a serious illness of
// the employee, which the rules list), and times each from the command's
// answer until every read model, the discovery list included, has it.
func (b *discoveryBench) live(ctx context.Context, db database, samples, rate int) error {
	runner, stopRunner, caughtUp, err := runCaughtUp(ctx, db.tables, b.store, 10*time.Minute)
	if err != nil {
		return err
	}
	defer stopRunner()
	fmt.Fprintf(b.out, "every read model caught up from position 0 in %s\n", caughtUp.Round(time.Millisecond))
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	pb := &projectionBench{store: b.store, world: newCaseWorld()}
	if err := pb.world.WriteOrganisation(ctx, b.store); err != nil {
		return err
	}
	paced := &pacedAppender{store: b.store, rate: rate, start: time.Now(), done: func(int64) {}}
	others := make(chan error, 1)
	go func() {
		for runCtx.Err() == nil {
			if _, err := pb.world.Write(runCtx, paced, 1); err != nil {
				if runCtx.Err() == nil {
					others <- err
				}
				return
			}
		}
	}()
	today := time.Now().In(calendar.Zone)
	var took []time.Duration
	for i := range samples {
		emp := b.employees[b.rng.IntN(len(b.employees))]
		_, written, err := b.app.RecordLifeEvent(ctx, b.worker, commands.RecordLifeEvent{EmployeeID: emp,
			Kind: care.KindSeriousIllness, Subject: "self", OccurredOn: today.AddDate(0, 0, -(i%300 + 1)).Format(time.DateOnly)})
		if errors.Is(err, care.ErrLifeEventRecorded) {
			continue
		}
		if err != nil {
			return err
		}
		answered := time.Now()
		if err := waitPosition(ctx, runner, written.Position, time.Minute); err != nil {
			return err
		}
		took = append(took, time.Since(answered))
	}
	stop()
	select {
	case err := <-others:
		return err
	default:
	}
	slices.Sort(took)
	fmt.Fprintf(b.out, "life event to the list: n=%d p50=%s p99=%s max=%s while case histories arrive at %d appends/s (target p99 < 1s)\n",
		len(took), ms(pct(took, 0.5)), ms(pct(took, 0.99)), ms(took[len(took)-1]), rate)
	return nil
}

// importFile builds an HR export of rows rows for distinct employees,
// then parses, checks and applies it through the command, as the import
// route does.
func (b *discoveryBench) importFile(ctx context.Context, rows int) error {
	var csv strings.Builder
	csv.WriteString("employee_id,kind,subject,occurred_on,details\n")
	for i, emp := range b.employees[:rows] {
		fmt.Fprintf(&csv, "%s,%s,child,2026-11-%02d,第%d行\n", emp, care.KindUniversityAdmission, 1+i%28, i+2)
	}
	start := time.Now()
	table, err := tabular.Read(strings.NewReader(csv.String()), tabular.Limits{})
	if err != nil {
		return err
	}
	cols, err := table.Index("employee_id", "kind", "subject", "occurred_on", "details")
	if err != nil {
		return err
	}
	in := make([]commands.LifeEventRow, len(table.Rows))
	for i, c := range table.Rows {
		in[i] = commands.LifeEventRow{Row: table.RowNumbers[i], EmployeeID: c[cols["employee_id"]], Kind: c[cols["kind"]],
			Subject: c[cols["subject"]], OccurredOn: c[cols["occurred_on"]], Details: c[cols["details"]]}
	}
	parsed := time.Since(start)
	done, _, err := b.app.ImportLifeEvents(ctx, b.worker, commands.ImportLifeEvents{Rows: in})
	if err != nil {
		return err
	}
	d := time.Since(start)
	fmt.Fprintf(b.out, "import rows=%d imported=%d skipped=%d in %s (parsed in %s) rows_per_s=%.0f (target < 10s)\n",
		rows, done.Imported, done.SkippedDuplicates, d.Round(time.Millisecond), parsed.Round(time.Millisecond), float64(rows)/d.Seconds())
	return nil
}

// newCaseWorld is the case histories appended while the list is timed.
func newCaseWorld() *casegen.World { return casegen.New(2, 20, 5_000) }
