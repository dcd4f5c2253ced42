package projections

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
)

// For random case histories written by concurrent writers while every
// projection of the service runs live (each batch delivered twice), every
// read-model table equals the same table rebuilt from position 0, all of
// them in one pass over the log.
func TestEveryReadModelLiveEqualsRebuilt(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		for seed := range uint64(3) {
			w := newWorld(100 + seed)
			if err := w.WriteOrganisation(t.Context(), env.Store); err != nil {
				t.Fatal(err)
			}
			write(t, w, env.Store, 5)
		}
		r, _, _ := start(t, t.Context(), env, All(), middleware.Duplicator)
		var writers sync.WaitGroup
		for seed := range uint64(4) {
			writers.Go(func() {
				if _, err := newWorld(200+seed).Write(t.Context(), env.Store, 8); err != nil {
					t.Error(err)
				}
			})
		}
		// Care work: the register and life events of a world's employees
		// while their cases are written, rules republished meanwhile.
		care := newWorld(300)
		writers.Go(func() {
			if _, err := care.Write(t.Context(), env.Store, 8); err != nil {
				t.Error(err)
			}
		})
		writers.Go(func() {
			for range 3 {
				if err := care.WriteCare(t.Context(), env.Store, 20); err != nil {
					t.Error(err)
				}
			}
		})
		writers.Wait()
		waitFor(t, r, caughtUp(t, env))
		live := dumpAll(t, env.DB)
		if _, err := RebuildAll(t.Context(), env.DB, env.Store, All(), nil); err != nil {
			t.Fatal(err)
		}
		fresh := dumpAll(t, env.DB)
		filled := 0
		for table, rows := range live {
			if len(rows) > 0 {
				filled++
			}
			if !reflect.DeepEqual(rows, fresh[table]) {
				t.Errorf("%s live differs from rebuilt:\n live %v\nfresh %v", table, rows, fresh[table])
			}
		}
		// The generator writes the organisation and cases, not budgets,
		// standards or payment streams: those tables stay empty.
		if len(live["rm_units"]) == 0 || len(live["rm_cases"]) == 0 || len(live["rm_inbox"]) == 0 ||
			len(live["rm_discovery"]) == 0 || len(live["rm_register"]) == 0 || filled < len(live)/2 {
			t.Errorf("the histories reached too few tables: %d of %d filled", filled, len(live))
		}
	})
}

// dumpAll returns every row of every read-model table (by its view), each
// table's rows in the order of all its columns.
func dumpAll(t *testing.T, db *sqldb.DB) map[string][][]any {
	t.Helper()
	out := map[string][][]any{}
	for _, p := range All() {
		for _, tb := range p.Tables() {
			cols, err := db.Query(t.Context(), "SELECT * FROM "+tb.Name+" LIMIT 0")
			if err != nil {
				t.Fatal(err)
			}
			names, err := cols.Columns()
			cols.Close()
			if err != nil {
				t.Fatal(err)
			}
			order := make([]string, len(names))
			for i := range names {
				order[i] = fmt.Sprint(i + 1)
			}
			rows, err := db.Query(t.Context(), "SELECT * FROM "+tb.Name+" ORDER BY "+strings.Join(order, ", "))
			if err != nil {
				t.Fatal(err)
			}
			var all [][]any
			for rows.Next() {
				vals := make([]any, len(names))
				ptrs := make([]any, len(names))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				all = append(all, vals)
			}
			rows.Close()
			out[tb.Name] = all
		}
	}
	return out
}
