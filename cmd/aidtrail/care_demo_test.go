package main

import (
	"testing"

	"aidtrail/internal/testkit/apptest"
)

// The demo's care work over HTTP: each station's caseworker finds on the
// discovery list, before anyone applied, what the rules found for their
// station's newcomers — 李红梅 (in the register, her son admitted to
// university) the hardship subsidy and the university grant, 张卫东 (a
// serious illness, then the register) medical aid, already followed up with
// a visit, and the subsidy — and
// nothing of the other station's; the analyst reads the register without
// anyone named.
func TestTheDemosDiscoveryList(t *testing.T) {
	for _, kind := range apptest.Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			_, srv := demoOverHTTP(t, kind)
			for station, want := range map[string][]string{
				"tyz-caseworker":  {"HARD-LIVING", "EDU-UNIV"},
				"dqcw-caseworker": {"MED-SERIOUS", "HARD-LIVING"},
			} {
				items := trailOf(t, srv.URL, login(t, srv.URL, station), "/v1/discovery")
				var got []string
				for _, it := range items {
					status := "open"
					if it["standard_code"] == "MED-SERIOUS" {
						status = "visited" // the station went to see him
					}
					if it["status"] != status || it["reason"] == "" || it["employee_id"] == nil {
						t.Errorf("%s: item %v, want %s", station, it, status)
					}
					got = append(got, it["standard_code"].(string))
				}
				if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
					t.Fatalf("%s sees %v, want %v", station, got, want)
				}
			}
			register := trailOf(t, srv.URL, login(t, srv.URL, "analyst"), "/v1/hardship-register")
			if len(register) != 2 {
				t.Fatalf("the analyst's register has %d rows, want 2", len(register))
			}
			for _, row := range register {
				if _, named := row["employee_id"]; named {
					t.Fatalf("the analyst's register names an employee: %v", row)
				}
			}
		})
	}
}
