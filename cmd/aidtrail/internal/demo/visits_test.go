package demo

import (
	"encoding/json"
	"testing"

	"aidtrail/domain/budget"
	"aidtrail/domain/visit"
	"aidtrail/internal/testkit/apptest"
)

// The demo's visits: two registered, one corrected, and the visits budget
// spent exactly what they cost after the correction (2 × 500 + 360 yuan,
// and 1,000 + 150 yuan).
func TestDemoRegistersVisits(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, "sqlite")
	ctx := t.Context()
	if _, err := Load(ctx, env.App, env.Query); err != nil {
		t.Fatal(err)
	}
	events, err := env.Store.ReadAll(ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	var charged int64
	for _, e := range events {
		count[e.Type]++
		switch e.Type {
		case budget.TypeCharged:
			var c budget.Charged
			mustDecode(t, e.Data, &c)
			charged += c.AmountFen
		case budget.TypeRefunded:
			var r budget.Refunded
			mustDecode(t, e.Data, &r)
			charged -= r.AmountFen
		}
	}
	if count[visit.TypeRegistered] != 2 || count[visit.TypeCorrected] != 1 || charged != (2*500+360+1_000+150)*yuan {
		t.Fatalf("visits %v, charged %d fen", count, charged)
	}
}

func mustDecode(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}
