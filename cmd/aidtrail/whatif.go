package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/google/uuid"

	"aidtrail/adapters/httpapi"
	"aidtrail/commands/query"
	"aidtrail/domain/fault"
	"aidtrail/domain/whatif"
)

// whatIfConfig is everything whatif needs.
type whatIfConfig struct {
	DraftFile string
	From, To  string
	Unit      string
	Format    string
	Out       string
	Store     storeConfig
	Log       logConfig
}

func (c *whatIfConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DraftFile, "draft", "", `JSON file naming the standard and the fields its draft changes, as in the body of POST /v1/analysis/what-if: {"standard_code": "MED-SERIOUS", "draft": {"annual_cap_fen": 10000000}} (required)`)
	fs.StringVar(&c.From, "from", "", "first month of the period, YYYY-MM (required)")
	fs.StringVar(&c.To, "to", "", "last month of the period, YYYY-MM, included (required)")
	fs.StringVar(&c.Unit, "unit", "", "id of the unit whose subtree is analysed; default the whole organisation")
	fs.StringVar(&c.Format, "format", "json", "json (the whole answer, as the route gives it), csv or xlsx (its rows)")
	fs.StringVar(&c.Out, "out", "", "file the report is written to, replacing it; default standard output")
	c.Store.register(fs)
	c.Log.register(fs)
}

func (c *whatIfConfig) setDefaults(env environment) {
	if c.Format == "" {
		c.Format = "json"
	}
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

// Validate reports every problem of the command line at once.
func (c whatIfConfig) Validate() error {
	var errs []error
	if c.DraftFile == "" {
		errs = append(errs, errors.New("--draft FILE is required"))
	}
	for _, m := range []struct{ flag, value string }{{"--from", c.From}, {"--to", c.To}} {
		if !query.ValidMonth(m.value) {
			errs = append(errs, fmt.Errorf("%s %q: want a month YYYY-MM", m.flag, m.value))
		}
	}
	if query.ValidMonth(c.From) && query.ValidMonth(c.To) && c.From > c.To {
		errs = append(errs, fmt.Errorf("--to %s is before --from %s", c.To, c.From))
	}
	if _, err := uuid.Parse(c.Unit); c.Unit != "" && err != nil {
		errs = append(errs, fmt.Errorf("--unit %q: want a unit's id", c.Unit))
	}
	if c.Format != "json" && c.Format != "csv" && c.Format != "xlsx" {
		errs = append(errs, fmt.Errorf("--format %q: want json, csv or xlsx", c.Format))
	}
	return errors.Join(append(errs, c.Store.Validate(), c.Log.Validate())...)
}

// runWhatIf replays a draft standard over the history, as POST
// /v1/analysis/what-if does (the same query), for an operator who reads
// the database directly: the whole organisation or --unit's subtree,
// naming no case or employee. The run is recorded like the route's, its
// actor the operator at the command line. The report is written only
// whole: to --out, or to standard output.
func runWhatIf(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	var cfg whatIfConfig
	if err := parseConfig("whatif", &cfg, args, env, stderr); err != nil {
		return err
	}
	req, err := readWhatIfDraft(cfg)
	if err != nil {
		return err
	}
	// The report's file is made before the run is recorded, so that a
	// path that cannot be written to records nothing.
	report, err := newReport(cfg.Out, stdout)
	if err != nil {
		return fmt.Errorf("whatif: --out: %w", err)
	}
	defer report.discard()
	log := cfg.Log.logger(stderr)
	db, cleanup, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer cleanup()
	queries, err := query.New(query.Deps{Store: db.events, Keyring: noPersonalData{}})
	if err != nil {
		return err
	}
	rep, err := queries.WhatIfAsOperator(ctx, operatorName(), req)
	if err != nil {
		return whatIfRefused(cfg, err)
	}
	err = httpapi.WriteWhatIf(report.w, cfg.Format, rep)
	if err == nil {
		err = report.keep()
	}
	if err != nil {
		return fmt.Errorf("whatif: the run is recorded as analysis %s at position %d, but its report was not written: %w",
			rep.AnalysisID, rep.Position, err)
	}
	log.Info("what-if recorded", "analysis", rep.AnalysisID, "position", rep.Position, "standard", rep.StandardCode,
		"from", rep.From, "to", rep.To, "cases", rep.Cases, "current_fen", rep.CurrentFen, "draft_fen", rep.DraftFen,
		"delta_fen", rep.DeltaFen(), "newly_eligible", rep.NewlyEligible, "no_longer_eligible", rep.NoLongerEligible)
	if cfg.Out != "" {
		fmt.Fprintf(stdout, "%d cases, delta %d fen: wrote %s\n", rep.Cases, rep.DeltaFen(), cfg.Out)
	}
	return nil
}

// whatIfDraft is the draft file: the standard and the draft, members of
// the route's body of the same names.
type whatIfDraft struct {
	StandardCode string          `json:"standard_code"`
	Draft        json.RawMessage `json:"draft"`
}

// readWhatIfDraft reads --draft and builds the query's request with the
// period and unit of the flags.
func readWhatIfDraft(cfg whatIfConfig) (query.WhatIfRequest, error) {
	data, err := os.ReadFile(cfg.DraftFile)
	if err != nil {
		return query.WhatIfRequest{}, fmt.Errorf("whatif: --draft: %w", err)
	}
	var file whatIfDraft
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		for _, m := range []string{`"from"`, `"to"`, `"unit_id"`} {
			if strings.Contains(err.Error(), "unknown field "+m) {
				return query.WhatIfRequest{}, fmt.Errorf("whatif: %s: %s is given on the command line (--from, --to, --unit), not in the draft file", cfg.DraftFile, m)
			}
		}
		return query.WhatIfRequest{}, fmt.Errorf(`whatif: %s: want {"standard_code": "…", "draft": {…}}: %v`, cfg.DraftFile, err)
	}
	if dec.More() {
		return query.WhatIfRequest{}, fmt.Errorf("whatif: %s: more than one JSON value", cfg.DraftFile)
	}
	if len(file.Draft) == 0 {
		return query.WhatIfRequest{}, fmt.Errorf(`whatif: %s: draft is required; "draft": {} replays the current version`, cfg.DraftFile)
	}
	draft, err := whatif.DecodeDraft(file.Draft)
	if err != nil {
		return query.WhatIfRequest{}, whatIfRefused(cfg, err)
	}
	req := query.WhatIfRequest{StandardCode: file.StandardCode, Draft: draft, From: cfg.From, To: cfg.To}
	if cfg.Unit != "" {
		req.UnitID = uuid.MustParse(cfg.Unit) // checked by Validate
	}
	if err := req.Validate(); err != nil {
		return query.WhatIfRequest{}, whatIfRefused(cfg, err)
	}
	return req, nil
}

// whatIfRefused names a refused request's field where the command line
// gives it: a flag, or a member of the draft file.
func whatIfRefused(cfg whatIfConfig, err error) error {
	var ve *fault.ValidationError
	if !errors.As(err, &ve) {
		return fmt.Errorf("whatif: %w", err)
	}
	switch ve.Field {
	case "from", "to":
		return fmt.Errorf("whatif: --%s: %s", ve.Field, ve.Reason)
	case "unit_id":
		return fmt.Errorf("whatif: --unit %s: %s", cfg.Unit, ve.Reason)
	}
	return fmt.Errorf("whatif: %s: %s: %s", cfg.DraftFile, ve.Field, ve.Reason)
}

// operatorName is the actor an analysis run from the command line is
// recorded under. Such a run signs in to no account: whoever runs it
// holds the database's URL or files, an operator of the service, known
// here only by the operating system's name for them.
func operatorName() string {
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	return "command-line operator (" + name + ")"
}

// noPersonalData is the keyring of a command that opens no personal data,
// so that it needs no master key: it refuses every value.
type noPersonalData struct{}

func (noPersonalData) Open(context.Context, uuid.UUID, string) (string, error) {
	return "", errors.New("this command opens no personal data")
}

// report is where the report goes: standard output, or a file written
// beside the one it replaces and put in its place only when whole.
type report struct {
	w    io.Writer
	tmp  *os.File // nil for standard output
	path string
}

// newReport opens the report for path, stdout when path is empty.
func newReport(path string, stdout io.Writer) (*report, error) {
	if path == "" {
		return &report{w: stdout}, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return nil, err
	}
	return &report{w: f, tmp: f, path: path}, nil
}

// keep puts a whole report in place.
func (r *report) keep() error {
	if r.tmp == nil {
		return nil
	}
	if err := errors.Join(r.tmp.Chmod(0o644), r.tmp.Sync(), r.tmp.Close()); err != nil {
		return err
	}
	if err := os.Rename(r.tmp.Name(), r.path); err != nil {
		return err
	}
	r.tmp = nil
	return nil
}

// discard removes a report that keep did not put in place.
func (r *report) discard() {
	if r.tmp != nil {
		_ = r.tmp.Close()
		_ = os.Remove(r.tmp.Name())
	}
}
