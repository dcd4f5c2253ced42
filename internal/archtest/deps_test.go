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
