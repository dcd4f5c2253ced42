package keyring

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// insertEvent writes an event row straight into the event log, with data
// encoded by Go's encoding/json as the stores do.
func insertEvent(t *testing.T, db *sqldb.DB, data any) {
	t.Helper()
	body, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	id := uuid.New()
	switch db.Dialect() {
	case sqldb.Postgres:
		_, err = db.Exec(t.Context(), `INSERT INTO events (event_id, stream_id, version, type, data,
			actor_account_id, actor_name, actor_position_id, actor_unit_id, command_id,
			correlation_id, causation_id, occurred_at, schema_version)
			VALUES ($1, $2, 1, 'employee.registered', $3, '', '', '', '', '', '', '', $4, 1)`,
			id, "employee-"+id.String(), string(body), time.Now().UTC())
	default:
		_, err = db.Exec(t.Context(), `INSERT INTO events (event_id, stream_id, version, type, data, metadata, recorded_at)
			VALUES ($1, $2, 1, 'employee.registered', $3, '{}', $4)`,
			id.String(), "employee-"+id.String(), string(body), time.Now().UTC().Format(time.RFC3339Nano))
	}
	if err != nil {
		t.Fatal(err)
	}
}

func scan(t *testing.T, db *sqldb.DB, needles ...string) []Finding {
	t.Helper()
	found, err := ScanForText(t.Context(), db, needles)
	if err != nil {
		t.Fatal(err)
	}
	return found
}

func has(found []Finding, table, column, needle string) bool {
	return slices.ContainsFunc(found, func(f Finding) bool {
		return f.Table == table && f.Column == column && f.Needle == needle
	})
}

func TestScanFindsAndForgets(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ddl := `CREATE TABLE scan_probe (id integer PRIMARY KEY, note text, raw bytea, n integer)`
		if db.Dialect() == sqldb.SQLite {
			ddl = `CREATE TABLE scan_probe (id INTEGER PRIMARY KEY, note TEXT, raw BLOB, n INTEGER) STRICT`
		}
		if _, err := db.Exec(t.Context(), ddl); err != nil {
			t.Fatal(err)
		}
		const name, phone = "张建国", "13800138000"
		if _, err := db.Exec(t.Context(), "INSERT INTO scan_probe (id, note, raw, n) VALUES (1, $1, $2, 7), (2, $1, NULL, NULL)",
			"申请人"+name+"，电话"+phone, []byte("bytes:"+phone)); err != nil {
			t.Fatal(err)
		}
		found := scan(t, db, name, phone, "张建华", "13800138000X")
		want := []Finding{
			{Table: "scan_probe", Column: "note", Needle: name, Rows: 2},
			{Table: "scan_probe", Column: "note", Needle: phone, Rows: 2},
			{Table: "scan_probe", Column: "raw", Needle: phone, Rows: 1},
		}
		if !slices.Equal(found, want) {
			t.Fatalf("found %v, want %v", found, want)
		}
		if found := scan(t, db, "张"+"建"); len(found) != 1 || found[0].Column != "note" {
			t.Fatalf("substring: %v", found)
		}
		if found := scan(t, db, "13800138000"[:4]); !has(found, "scan_probe", "raw", "1380") {
			t.Fatalf("substring of bytes: %v", found)
		}
		if found := scan(t, db, "申请人张建国"[:9]); len(found) == 0 {
			t.Fatal("prefix not found")
		}

		if _, err := db.Exec(t.Context(), "DELETE FROM scan_probe"); err != nil {
			t.Fatal(err)
		}
		if found := scan(t, db, name, phone); len(found) != 0 {
			t.Fatalf("after DELETE: %v", found)
		}
	})
}

func TestScanIsCaseSensitive(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := db.Exec(t.Context(), "CREATE TABLE scan_probe (note text)"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(t.Context(), "INSERT INTO scan_probe (note) VALUES ('Zhang Jianguo')"); err != nil {
			t.Fatal(err)
		}
		if found := scan(t, db, "zhang jianguo"); len(found) != 0 {
			t.Fatalf("case-insensitive match: %v", found)
		}
		if found := scan(t, db, "Zhang Jianguo"); len(found) != 1 {
			t.Fatalf("exact match: %v", found)
		}
	})
}

// TestScanEvents checks that the event log is searched, its JSON payloads
// included, and that a sealed field leaves nothing to find.
func TestScanEvents(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		kr := newKeyring(t, db)
		employee := uuid.New()
		sealed := seal(t, kr, employee, "李卫东")
		insertEvent(t, db, map[string]any{
			"name":       "王秀英",
			"employer":   "A&B <车务段>", // encoding/json writes \u0026, \u003c, \u003e
			"quote":      `他说"需要帮助"`,
			"spouse":     sealed,
			"amount_fen": 4000000,
		})

		found := scan(t, db, "王秀英", "A&B <车务段>", `他说"需要帮助"`, "李卫东")
		for _, n := range []string{"王秀英", "A&B <车务段>", `他说"需要帮助"`} {
			if !has(found, "events", "data", n) {
				t.Errorf("%q not found in events.data; found %v", n, found)
			}
		}
		if slices.ContainsFunc(found, func(f Finding) bool { return f.Needle == "李卫东" }) {
			t.Fatalf("a sealed name is readable in the database: %v", found)
		}
		wantOpen(t, kr, employee, sealed, "李卫东")

		// Scanned tables include the key table and the migrations table.
		if found := scan(t, db, "0002_personal_keys.sql"); !has(found, "schema_migrations", "name", "0002_personal_keys.sql") {
			t.Fatalf("schema_migrations not scanned: %v", found)
		}
	})
}

// TestScanManyNeedles checks that a scan for more needles than one
// PostgreSQL select list can count is split into several queries with the
// same answer.
func TestScanManyNeedles(t *testing.T) {
	t.Parallel()
	var needles []string
	for i := range 120 { // 120 needles × 16 event columns > 1664
		needles = append(needles, fmt.Sprintf("needle-%04d", i))
	}
	want := []Finding{
		{Table: "events", Column: "data", Needle: "needle-0005", Rows: 1},
		{Table: "events", Column: "data", Needle: "needle-0099", Rows: 1},
	}
	t.Run("postgres_120_needles", func(t *testing.T) {
		t.Parallel()
		db := sqldbtest.Postgres(t)
		insertEvent(t, db, map[string]string{"name": "needle-0005", "note": "needle-0099"})
		if found := scan(t, db, needles...); !slices.Equal(found, want) {
			t.Fatalf("found %v, want %v", found, want)
		}
	})
	// Small queries give the same answer as one large one.
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		insertEvent(t, db, map[string]string{"name": "needle-0005", "note": "needle-0099"})
		few := append(needles[:8:8], "needle-0099")
		for _, limit := range []int{1, 3, maxCounts} {
			found, err := scanForText(t.Context(), db, few, limit)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(found, want) {
				t.Fatalf("at most %d counts a query: found %v, want %v", limit, found, want)
			}
		}
	})
}

func TestScanRefusesEmptyNeedle(t *testing.T) {
	t.Parallel()
	db := sqldbtest.SQLite(t)
	if _, err := ScanForText(t.Context(), db, []string{"x", ""}); err == nil {
		t.Fatal("an empty needle matches everything; ScanForText must refuse it")
	}
	if found, err := ScanForText(t.Context(), db, nil); err != nil || len(found) != 0 {
		t.Fatalf("no needles: %v, %v", found, err)
	}
}

func TestNeedleForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []string
	}{
		{"张建国", []string{"张建国"}},
		{"A&B", []string{"A&B", `A\u0026B`}},
		{`say "hi"`, []string{`say "hi"`, `say \"hi\"`}},
	}
	for _, tt := range tests {
		if got := needleForms(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("needleForms(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
