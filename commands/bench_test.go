package commands_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/auth"
	"aidtrail/commands"
	"aidtrail/domain/access"
)

// BenchmarkAuthorizationCheck measures what write-side authorisation adds
// to a command on PostgreSQL: reading the actor's account stream from the
// event store and deciding on it. Compare with BenchmarkRenameUnit, a
// whole command that includes it.
func BenchmarkAuthorizationCheck(b *testing.B) {
	f := newBenchOrg(b)
	ctx := b.Context()
	unit := access.UnitRef{ID: f.station, Path: []uuid.UUID{f.root}}
	var lat []time.Duration
	for b.Loop() {
		start := time.Now()
		history, err := f.env.Store.ReadStream(ctx, access.AccountStream(f.workerID), 1)
		if err != nil {
			b.Fatal(err)
		}
		account, err := access.LoadAccount(f.workerID, history)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := account.Authorize(access.PermEmployeesRegister, unit); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

// BenchmarkRenameUnit measures a whole authorised command on PostgreSQL.
func BenchmarkRenameUnit(b *testing.B) {
	f := newBenchOrg(b)
	ctx := b.Context()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if _, err := f.env.App.RenameUnit(ctx, f.admin, commands.RenameUnit{UnitID: f.station, Name: fmt.Sprintf("太原站 %d", i)}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	reportPercentiles(b, lat)
}

// BenchmarkConcurrentLogins measures 100 people signing in at once with
// the production password hash (argon2id, 19 MiB, 2 passes), as happens
// when a shift starts. Each iteration is one wave of 100.
func BenchmarkConcurrentLogins(b *testing.B) {
	f := newBenchOrg(b)
	hasher, err := auth.NewArgon2id(auth.Argon2idConfig{})
	if err != nil {
		b.Fatal(err)
	}
	app := f.env.WithHasher(b, hasher)
	const people = 100
	for i := range people {
		login := fmt.Sprintf("shift%03d", i)
		if _, _, err := app.OpenAccount(b.Context(), f.admin, commands.OpenAccount{Login: login, Password: "correct horse battery", Name: login}); err != nil {
			b.Fatal(err)
		}
	}
	var lat []time.Duration
	var mu sync.Mutex
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range people {
			wg.Go(func() {
				start := time.Now()
				if _, err := app.Login(b.Context(), commands.Login{Login: fmt.Sprintf("shift%03d", i), Password: "correct horse battery"}); err != nil {
					b.Error(err)
				}
				mu.Lock()
				lat = append(lat, time.Since(start))
				mu.Unlock()
			})
		}
		wg.Wait()
	}
	reportPercentiles(b, lat)
}

func newBenchOrg(b *testing.B) *orgFixture {
	b.Helper()
	return newOrgTB(b, "postgres")
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50_ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99_ms")
}
