package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/xuri/excelize/v2"

	"aidtrail/adapters/keyring"
	"aidtrail/cmd/aidtrail/internal/demo"
	"aidtrail/domain/calendar"
	"aidtrail/domain/event"
	"aidtrail/domain/org"
	"aidtrail/domain/whatif"
	"aidtrail/internal/testkit/pgtest"
)

// demoStore loads the demo into a new store of kind ("sqlite": the
// embedded store in a directory; "postgres": a schema of the test server),
// closes it, and returns the store flags that open it.
func demoStore(t *testing.T, kind string) (storeConfig, []string) {
	t.Helper()
	var cfg storeConfig
	var flags []string
	switch kind {
	case "sqlite":
		cfg.DataDir = t.TempDir()
		flags = []string{"--data", cfg.DataDir}
	case "postgres":
		cfg.DatabaseURL = pgtest.NewSchema(t)
		flags = []string{"--database-url", cfg.DatabaseURL}
	}
	master, err := keyring.NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	env := environment{MasterKey: base64.StdEncoding.EncodeToString(master)}
	db, cleanup, err := openMigrated(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	app, queries, err := newApp(t.Context(), db, serveConfig{Store: cfg}, env, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(t.Context(), app, queries); err != nil {
		t.Fatal(err)
	}
	return cfg, flags
}

// history reads the whole history of the store cfg opens.
func history(t *testing.T, cfg storeConfig) []event.Recorded {
	t.Helper()
	db, cleanup, err := openStore(t.Context(), cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer cleanup()
	events, err := db.events.ReadAll(t.Context(), 0, 1_000_000)
	if err != nil {
		t.Fatal(err)
	}
	return events
}

// whatIfCommand runs aidtrail whatif with a draft file holding body, this
// year's months so far as the period, and args, and returns what it wrote
// to stdout.
func whatIfCommand(t *testing.T, body string, args ...string) ([]byte, error) {
	t.Helper()
	draft := filepath.Join(t.TempDir(), "draft.json")
	if err := os.WriteFile(draft, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	from := time.Date(calendar.Year(now), 1, 1, 0, 0, 0, 0, calendar.Zone).Format("2006-01")
	args = append([]string{"whatif", "--draft", draft, "--from", from, "--to", calendar.Month(now)}, args...)
	var out bytes.Buffer
	err := run(t.Context(), args, environment{}, &out, io.Discard)
	return out.Bytes(), err
}

// whatIfAnswer is the part of the JSON answer the tests read.
type whatIfAnswer struct {
	Position int64             `json:"position"`
	Cases    int               `json:"cases"`
	Current  int64             `json:"current_fen"`
	Draft    int64             `json:"draft_fen"`
	Delta    int64             `json:"delta_fen"`
	UnitID   *string           `json:"unit_id"`
	Rows     []whatIfAnswerRow `json:"rows"`
}

type whatIfAnswerRow struct {
	CaseID     string `json:"case_id"`
	EmployeeID string `json:"employee_id"`
	UnitID     string `json:"unit_id"`
	Current    int64  `json:"current_fen"`
	Draft      int64  `json:"draft_fen"`
	Delta      int64  `json:"delta_fen"`
}

func decodeAnswer(t *testing.T, out []byte) whatIfAnswer {
	t.Helper()
	var a whatIfAnswer
	if err := json.Unmarshal(out, &a); err != nil {
		t.Fatalf("whatif wrote %q: %v", out, err)
	}
	return a
}

// aidtrail whatif on the embedded store and on PostgreSQL, over the demo:
// the command needs no master key; raising the serious-illness cap changes
// the grants by exactly what the test folds from the history itself; the
// current version replayed changes nothing; every run writes its record,
// under the command-line operator, and nothing else; rows name no case or
// employee; CSV and workbook downloads hold the same rows; --unit keeps a
// station's cases; refused drafts, periods and units record nothing and
// leave no report behind.
func TestWhatIfCommand(t *testing.T) {
	for _, kind := range []string{"sqlite", "postgres"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			cfg, flags := demoStore(t, kind)
			grants := seriousGrants(t, historyReader{t, cfg})
			before := history(t, cfg)

			out, err := whatIfCommand(t, `{"standard_code":"MED-SERIOUS","draft":{"annual_cap_fen":10000000}}`, flags...)
			if err != nil {
				t.Fatal(err)
			}
			raised := decodeAnswer(t, out)
			checkRecorded(t, cfg, before, raised)
			var got, want [][2]int64
			var delta int64
			for i, w := range capRaised(grants, 100_000*yuan) {
				want = append(want, [2]int64{grants[i].granted, w.draft})
				delta += w.draft - grants[i].granted
			}
			for _, r := range raised.Rows {
				if r.CaseID != "" || r.EmployeeID != "" {
					t.Errorf("a row names a case or an employee: %+v", r)
				}
				got = append(got, [2]int64{r.Current, r.Draft})
			}
			slices.SortFunc(got, compareGrants)
			slices.SortFunc(want, compareGrants)
			if !slices.Equal(got, want) || raised.Delta != delta || delta <= 0 || raised.Cases != len(grants) || raised.UnitID != nil {
				t.Errorf("cap raised: %d cases, delta %d, (granted, draft) %v; want %d cases, delta %d, %v", raised.Cases, raised.Delta, got, len(grants), delta, want)
			}

			before = history(t, cfg)
			out, err = whatIfCommand(t, `{"standard_code":"MED-SERIOUS","draft":{}}`, flags...)
			if err != nil {
				t.Fatal(err)
			}
			same := decodeAnswer(t, out)
			checkRecorded(t, cfg, before, same)
			for _, r := range same.Rows {
				if r.Delta != 0 {
					t.Errorf("the current version replayed changes a row: %+v", r)
				}
			}
			if same.Cases != len(grants) || same.Delta != 0 {
				t.Errorf("the current version replayed: %d cases, delta %d", same.Cases, same.Delta)
			}

			checkDownloads(t, flags, raised)
			checkUnit(t, cfg, flags)
			checkRefusals(t, cfg, flags)
		})
	}
}

func compareGrants(a, b [2]int64) int {
	if a[0] != b[0] {
		return int(a[0] - b[0])
	}
	return int(a[1] - b[1])
}

// historyReader reads the history of the store cfg opens.
type historyReader struct {
	t   *testing.T
	cfg storeConfig
}

func (h historyReader) ReadAll(_ context.Context, after int64, limit int) ([]event.Recorded, error) {
	var out []event.Recorded
	for _, e := range history(h.t, h.cfg) {
		if e.Position > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// checkRecorded: the run wrote its record and nothing else, at the
// position it answered, under the command-line operator, with the totals
// it answered.
func checkRecorded(t *testing.T, cfg storeConfig, before []event.Recorded, a whatIfAnswer) {
	t.Helper()
	after := history(t, cfg)
	if len(after) != len(before)+1 {
		t.Fatalf("the run wrote %d events, want its record only", len(after)-len(before))
	}
	rec := after[len(after)-1]
	var run whatif.AnalysisRun
	if err := event.Decode(rec, &run); err != nil || rec.Type != whatif.TypeAnalysisRun || rec.Position != a.Position {
		t.Fatalf("the record: %s at %d (%v), answer at %d", rec.Type, rec.Position, err, a.Position)
	}
	if rec.Stream != whatif.Stream(run.AnalysisID) || run.Cases != a.Cases || run.CurrentFen != a.Current || run.DraftFen != a.Draft {
		t.Errorf("the record %+v in %s does not match the answer %+v", run, rec.Stream, a)
	}
	m := rec.Metadata
	if !strings.HasPrefix(m.ActorName, "command-line operator (") || m.ActorAccountID != "" || m.OccurredAt.IsZero() {
		t.Errorf("the record's actor: %+v", m)
	}
}

// checkDownloads: --format csv and xlsx with --out write the rows the
// JSON answer holds, under headers without case or employee.
func checkDownloads(t *testing.T, flags []string, a whatIfAnswer) {
	t.Helper()
	dir := t.TempDir()
	for _, format := range []string{"csv", "xlsx"} {
		path := filepath.Join(dir, "report."+format)
		// A report already there is replaced.
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"--format", format, "--out", path}, flags...)
		out, err := whatIfCommand(t, `{"standard_code":"MED-SERIOUS","draft":{"annual_cap_fen":10000000}}`, args...)
		if err != nil || !strings.Contains(string(out), "wrote "+path) {
			t.Fatalf("--format %s: %v %s", format, err, out)
		}
		var table [][]string
		if format == "csv" {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			table, err = csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		} else {
			f, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			table, err = f.GetRows("Sheet1")
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(table) != a.Cases+1 || table[0][0] != "单位" || slices.Contains(table[0], "案件") {
			t.Fatalf("--format %s: %d lines for %d cases, header %v", format, len(table), a.Cases, table[0])
		}
		var delta int64
		col := slices.Index(table[0], "差额（元）")
		for _, row := range table[1:] {
			delta += yuanCell(t, row[col])
		}
		if delta != a.Delta {
			t.Errorf("--format %s: the rows' differences add up to %d fen, the answer says %d", format, delta, a.Delta)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("reports left behind: %v", left)
	}
}

// yuanCell reads an amount in yuan with two decimals as fen.
func yuanCell(t *testing.T, s string) int64 {
	t.Helper()
	fen, err := strconv.ParseInt(strings.Replace(s, ".", "", 1), 10, 64)
	if err != nil || !strings.Contains(s, ".") {
		t.Fatalf("amount %q: %v", s, err)
	}
	return fen
}

// checkUnit: --unit keeps the cases of the station's subtree and only them.
func checkUnit(t *testing.T, cfg storeConfig, flags []string) {
	t.Helper()
	var station uuid.UUID
	for _, e := range history(t, cfg) {
		var u org.UnitEstablished
		if e.Type == org.TypeUnitEstablished && event.Decode(e, &u) == nil && u.Code == "TYJ-dqcw" {
			station = u.UnitID
		}
	}
	all, err := whatIfCommand(t, `{"standard_code":"MED-SERIOUS","draft":{}}`, flags...)
	if err != nil {
		t.Fatal(err)
	}
	out, err := whatIfCommand(t, `{"standard_code":"MED-SERIOUS","draft":{}}`, append([]string{"--unit", station.String()}, flags...)...)
	if err != nil {
		t.Fatal(err)
	}
	whole, a := decodeAnswer(t, all), decodeAnswer(t, out)
	want := 0
	for _, r := range whole.Rows {
		if r.UnitID == station.String() {
			want++
		}
	}
	if a.UnitID == nil || *a.UnitID != station.String() || a.Cases != want || want == 0 || want == whole.Cases {
		t.Errorf("--unit %s: %d cases, want %d of %d", station, a.Cases, want, whole.Cases)
	}
	for _, r := range a.Rows {
		if r.UnitID != station.String() {
			t.Errorf("--unit %s: a row of unit %s", station, r.UnitID)
		}
	}
}

// checkRefusals: a draft, period or unit the command refuses says which
// flag or member is at fault, records nothing and writes no report.
func checkRefusals(t *testing.T, cfg storeConfig, flags []string) {
	t.Helper()
	before := len(history(t, cfg))
	out := filepath.Join(t.TempDir(), "report.json")
	for _, c := range []struct {
		body string
		args []string
		want string
	}{
		{`{"standard_code":"NO-SUCH","draft":{}}`, nil, "standard_code: names no standard"},
		{`{"standard_code":"MED-SERIOUS","draft":{"annual_cap_fen":-1}}`, nil, "draft.annual_cap_fen"},
		{`{"standard_code":"MED-SERIOUS","draft":{"annual_cap":1}}`, nil, "draft.annual_cap:"},
		{`{"standard_code":"MED-SERIOUS"}`, nil, "draft is required"},
		{`{"standard_code":"MED-SERIOUS","draft":{},"from":"2025-01"}`, nil, "--from"},
		{`{"standard_code":"MED-SERIOUS","draft":{}}`, []string{"--unit", uuid.NewString()}, "names no unit"},
		{`{"standard_code":"MED-SERIOUS","draft":{}}`, []string{"--unit", "dqcw"}, "--unit"},
		{`{"standard_code":"MED-SERIOUS","draft":{}}`, []string{"--from", "2025-13"}, "--from"},
		{`{"standard_code":"MED-SERIOUS","draft":{}}`, []string{"--to", "2000-01"}, "--to"},
		{`{"standard_code":"MED-SERIOUS","draft":{}}`, []string{"--format", "pdf"}, "--format"},
	} {
		args := append(append(slices.Clone(c.args), "--out", out), flags...)
		_, err := whatIfCommand(t, c.body, args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want an error naming %q", c.body, c.args, err, c.want)
		}
	}
	if n := len(history(t, cfg)); n != before {
		t.Errorf("refused runs wrote %d events", n-before)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), "*")); len(left) > 0 {
		t.Errorf("refused runs left %v", left)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*")); len(left) > 0 {
		t.Errorf("refused runs left %v", left)
	}
}
