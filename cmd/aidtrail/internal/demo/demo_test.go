package demo

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/casework"
	"aidtrail/internal/testkit/apptest"
)

// The demo loads the seed's organisation and five stories as complete
// histories, and loading it again changes nothing.
func TestDemoLoadsTheSeedsStories(t *testing.T) {
	t.Parallel()
	env := apptest.New(t, "postgres")
	ctx := t.Context()
	logins, err := Load(ctx, env.App, env.Query)
	if err != nil {
		t.Fatal(err)
	}
	if len(logins) != 4+2*len(stations)+2 {
		t.Fatalf("%d logins", len(logins))
	}
	head, err := env.Store.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, env.App, env.Query); err != nil {
		t.Fatalf("loading again: %v", err)
	}
	if again, _ := env.Store.Head(ctx); again != head {
		t.Fatalf("loading the demo again wrote events (%d → %d)", head, again)
	}

	// Every case of every story ends paid; 小姚's five add up to over
	// 100,000 yuan.
	signed, err := env.App.Login(ctx, commands.Login{Login: "auditor", Password: Password})
	if err != nil {
		t.Fatal(err)
	}
	auditor, err := env.App.Authenticate(ctx, signed.Token)
	if err != nil {
		t.Fatal(err)
	}
	events, err := env.Store.ReadAll(ctx, 0, 100_000)
	if err != nil {
		t.Fatal(err)
	}
	paidByEmployee := map[string]int64{}
	cases := 0
	for _, e := range events {
		if e.Type != casework.TypeCaseOpened {
			continue
		}
		cases++
		c, err := env.Query.GetCase(ctx, auditor, caseIDOf(t, e.Stream))
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != casework.StatusPaid {
			t.Fatalf("case %s of the demo is %s, want paid", c.ID, c.Status)
		}
		paidByEmployee[c.EmployeeID.String()] += c.PaidFen
	}
	if cases != 11 {
		t.Fatalf("%d cases, want the stories' 11", cases)
	}
	var most int64
	for _, paid := range paidByEmployee {
		most = max(most, paid)
	}
	if most < 100_000*yuan {
		t.Fatalf("the most any employee received is %d fen; the brain-tumour story is over 100,000 yuan", most)
	}
}

func caseIDOf(t *testing.T, stream string) uuid.UUID {
	t.Helper()
	id, err := uuid.Parse(stream[len("case-"):])
	if err != nil {
		t.Fatal(err)
	}
	return id
}
