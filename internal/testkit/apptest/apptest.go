// Package apptest builds the whole application on a real store for tests:
// PostgreSQL (a private schema of the test server), the embedded SQLite
// store or KurrentDB (see kurrenttest), with the real keyring, credentials
// and sessions. Password hashing uses argon2id with a small memory cost so
// that tests run quickly; the algorithm and code path are the production
// ones.
package apptest

import (
	"testing"
	"time"

	"aidtrail/adapters/auth"
	"aidtrail/adapters/documents"
	"aidtrail/adapters/keyring"
	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/kurrenttest"
	"aidtrail/internal/testkit/sqldbtest"
)

// Env is an application and what it stands on.
type Env struct {
	App *commands.App
	// Query answers reads of one aggregate (no read models: see
	// QueryWith).
	Query          *query.Service
	Store          commands.EventStore
	DB             *sqldb.DB
	BootstrapToken string
	// DatabaseURL is the PostgreSQL schema's URL (pgtest.NewSchema); empty
	// on SQLite.
	DatabaseURL string
	deps        commands.Deps
}

// WithHasher builds another App on the same store and tables, hashing
// passwords with h (for measuring the production hash).
func (e *Env) WithHasher(t testing.TB, h commands.PasswordHasher) *commands.App {
	t.Helper()
	return e.With(t, func(d *commands.Deps) { d.Hasher = h })
}

// With builds another App on the same store and tables, with the ports
// change alters (to count what the App asks of its store, say).
func (e *Env) With(t testing.TB, change func(*commands.Deps)) *commands.App {
	t.Helper()
	deps := e.deps
	change(&deps)
	app, err := commands.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// QueryWith builds the query side on the same store, keyring and
// documents as the App, over models (nil: reads of one aggregate only).
func (e *Env) QueryWith(t testing.TB, models query.ReadModels) *query.Service {
	t.Helper()
	q, err := query.New(query.Deps{Store: e.deps.Store, Keyring: e.deps.Keyring, Documents: e.deps.Documents,
		Clock: e.deps.Clock, Models: models})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// Kinds are the stores the tests of every package run on. An Env can also
// stand on "kurrentdb", which a package's tests add to Kinds when they
// should hold on KurrentDB too (the commands' invariants do).
var Kinds = []string{"postgres", "sqlite"}

// Each runs test once for every kind of store, each in a parallel subtest
// named after the kind, over an Env of its own.
func Each(t *testing.T, test func(t *testing.T, env *Env)) {
	t.Helper()
	EachKind(t, func(t *testing.T, kind string) { test(t, New(t, kind)) })
}

// EachKind runs test once for every kind of store, each in a parallel
// subtest named after the kind, for tests that build on the kind
// themselves (a fixture of their own, or more than one Env).
func EachKind(t *testing.T, test func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range Kinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			test(t, kind)
		})
	}
}

// New builds an Env on the store of the given kind ("postgres", "sqlite"
// or "kurrentdb"); everything is released when t ends.
func New(t testing.TB, kind string) *Env {
	t.Helper()
	var store commands.EventStore
	var db *sqldb.DB
	var databaseURL string
	switch kind {
	case "postgres":
		store, db, databaseURL = sqldbtest.PostgresStore(t)
	case "sqlite":
		store, db = sqldbtest.SQLiteStore(t)
	case "kurrentdb":
		// Events in KurrentDB (the real server of KURRENTDB_URL, or the
		// stand-in); keys, credentials and read models in SQLite, as
		// serve keeps them beside a KurrentDB event store.
		store, _ = kurrenttest.Store(t)
		_, db = sqldbtest.SQLiteStore(t)
	default:
		t.Fatalf("apptest: unknown store kind %q", kind)
	}

	master, err := keyring.NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := keyring.New(db, master)
	if err != nil {
		t.Fatal(err)
	}
	hasher, err := auth.NewArgon2id(auth.Argon2idConfig{MemoryKiB: 1024, Iterations: 1})
	if err != nil {
		t.Fatal(err)
	}
	authStore := auth.NewStore(db)
	token, hash, err := commands.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	deps := commands.Deps{
		Store: store, Keyring: keys, Credentials: authStore, Sessions: authStore, Hasher: hasher,
		Documents: documents.New(db), BootstrapTokenHash: hash,
		Policy: commands.LoginPolicy{Delay: func(int) time.Duration { return 0 }},
	}
	app, err := commands.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{App: app, Store: store, DB: db, BootstrapToken: token, DatabaseURL: databaseURL, deps: deps}
	env.Query = env.QueryWith(t, nil)
	return env
}
