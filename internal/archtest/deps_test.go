package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// deps lists the non-standard packages the packages matching patterns
// depend on, themselves included, as go list sees them from the module.
func deps(t *testing.T, patterns ...string) []string {
	t.Helper()
	args := append([]string{"list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"}, patterns...)
	cmd := exec.Command("go", args...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v", strings.Join(args, " "), err)
	}
	return strings.Fields(string(out))
}

func TestDomainStandsOnTheStandardLibraryAndUUID(t *testing.T) {
	t.Parallel()
	for _, p := range deps(t, "./domain/...") {
		if !strings.HasPrefix(p, "aidtrail/domain/") && p != "github.com/google/uuid" {
			t.Errorf("domain/ depends on %s; it may use the standard library and github.com/google/uuid only", p)
		}
	}
}

func TestNoDatabaseDriverAboveTheAdapters(t *testing.T) {
	t.Parallel()
	drivers := []string{"github.com/jackc/pgx", "modernc.org/sqlite", "github.com/lib/pq"}
	for _, p := range deps(t, "./domain/...", "./commands/...", "./projections/...", "./internal/sqldb/...") {
		for _, d := range drivers {
			if strings.HasPrefix(p, d) {
				t.Errorf("%s is linked into domain/, commands/, projections/ or internal/sqldb; database drivers belong in adapters/", p)
			}
		}
	}
}

func TestTestKitsStayOutOfTheBinary(t *testing.T) {
	t.Parallel()
	for _, p := range deps(t, "./cmd/...") {
		if strings.HasPrefix(p, "aidtrail/internal/testkit/") {
			t.Errorf("the binary links %s; test kits are for tests only", p)
		}
	}
}

// The HTTP adapter reads through the application layer (commands and
// commands/query) only: read models and their tables are the query side's
// business, behind query.ReadModels.
func TestHTTPReachesReadModelsThroughTheQuerySide(t *testing.T) {
	t.Parallel()
	for _, p := range imports(t, "./adapters/httpapi") {
		if p == "aidtrail/internal/sqldb" || p == "aidtrail/projections" || strings.HasPrefix(p, "aidtrail/projections/") {
			t.Errorf("adapters/httpapi imports %s; it reads read models through commands/query", p)
		}
	}
}

// The query side knows its port, not what implements it.
func TestQuerySideKnowsNoReadModelStore(t *testing.T) {
	t.Parallel()
	for _, p := range deps(t, "./commands/...") {
		if p == "aidtrail/internal/sqldb" || p == "aidtrail/projections" || strings.HasPrefix(p, "aidtrail/projections/") {
			t.Errorf("commands/ depends on %s; the query side reads through query.ReadModels", p)
		}
	}
}

// imports lists what the package at path imports directly, outside its
// tests.
func imports(t *testing.T, path string) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-f", `{{join .Imports " "}}`, path)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list %s: %v", path, err)
	}
	return strings.Fields(string(out))
}

// Mutations and reads stand side by side on commands/internal/uow:
// neither imports the other, so a read cannot grow a write and a command
// cannot lean on a read's shape.
func TestCommandsAndQueriesApart(t *testing.T) {
	t.Parallel()
	for _, p := range deps(t, "./commands/query") {
		if p == "aidtrail/commands" {
			t.Errorf("commands/query depends on commands; what both need lives in commands/internal/uow")
		}
	}
	for _, p := range deps(t, "./commands") {
		if p == "aidtrail/commands/query" {
			t.Errorf("commands depends on commands/query; what both need lives in commands/internal/uow")
		}
	}
}
