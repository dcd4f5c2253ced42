package keyring

import (
	"testing"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// BenchmarkSealOpen measures Seal and Open of a 20-byte field for a subject
// whose key exists: "warm" serves the key from the cache, "uncached" reads
// and unwraps its row every time (what a key costs once its cache entry
// has expired).
func BenchmarkSealOpen(b *testing.B) {
	engines := []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{
		{"postgres", sqldbtest.Postgres},
		{"sqlite", sqldbtest.SQLite},
	}
	const field = "110101198003071234AB" // 20 bytes
	for _, e := range engines {
		b.Run(e.name, func(b *testing.B) {
			db := e.open(b)
			for _, mode := range []string{"warm", "uncached"} {
				kr := newKeyring(b, db)
				if mode == "uncached" {
					kr.ttl = 0
				}
				subject := uuid.New()
				sealed, err := kr.Seal(b.Context(), subject, field)
				if err != nil {
					b.Fatal(err)
				}
				b.Run(mode+"/seal", func(b *testing.B) {
					for b.Loop() {
						if _, err := kr.Seal(b.Context(), subject, field); err != nil {
							b.Fatal(err)
						}
					}
				})
				b.Run(mode+"/open", func(b *testing.B) {
					for b.Loop() {
						if _, err := kr.Open(b.Context(), subject, sealed); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
