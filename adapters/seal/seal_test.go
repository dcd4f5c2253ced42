package seal_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/adapters/seal"
	"aidtrail/commands"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/apptest"
	"aidtrail/internal/testkit/orgkit"
)

// fixture is a store with a sealed history of 40 events in 8 streams,
// with a gap of unused positions after the 20th (as an append that
// rolled back leaves), and the key that signed its head.
type fixture struct {
	env      *apptest.Env
	kind     string
	sealer   *seal.Sealer
	verifier note.Verifier
	public   string
	pos      []int64 // the positions of the events, in order
	gap      int64   // a position inside the gap
}

func newFixture(t *testing.T, kind string) *fixture {
	t.Helper()
	f := sealing(t, apptest.New(t, kind), kind)
	f.append(t, 20)
	f.gap = f.makeGap(t)
	f.append(t, 20)
	return f
}

// eachFixture runs test over a fresh fixture on every kind of store, each
// in a parallel subtest.
func eachFixture(t *testing.T, test func(t *testing.T, f *fixture)) {
	t.Helper()
	apptest.EachKind(t, func(t *testing.T, kind string) { test(t, newFixture(t, kind)) })
}

// sealing returns a fixture over env's history as it stands, with a fresh
// key to seal and verify it.
func sealing(t *testing.T, env *apptest.Env, kind string) *fixture {
	t.Helper()
	private, public, err := seal.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	signer, derived, err := seal.ParseKey(private)
	if err != nil || derived != public {
		t.Fatalf("ParseKey: %v; public key %q, want %q", err, derived, public)
	}
	verifier, err := note.NewVerifier(public)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := seal.New(seal.Config{DB: env.DB, Log: env.Store, Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{env: env, kind: kind, sealer: sealer, verifier: verifier, public: public}
}

// append writes n events, one at a time, round the fixture's streams.
func (f *fixture) append(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		k := len(f.pos)
		stream := fmt.Sprintf("audit-%d", k%8)
		data, _ := json.Marshal(map[string]any{"n": k, "fen": 100 * k, "note": "困难帮扶"})
		a, err := f.env.Store.Append(t.Context(), stream, event.Any, event.Event{ID: uuid.New(), Type: "audit.tested", Data: data,
			Metadata: event.Metadata{ActorAccountID: uuid.NewString(), ActorName: "审计员", SchemaVersion: 1}})
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		f.pos = append(f.pos, a.Position)
	}
}

// makeGap leaves three positions unused before the next append and
// returns one of them.
func (f *fixture) makeGap(t *testing.T) int64 {
	t.Helper()
	last := f.pos[len(f.pos)-1]
	switch f.kind {
	case "postgres":
		f.exec(t, "SELECT setval(pg_get_serial_sequence('events', 'position'), $1)", last+3)
	default: // SQLite gives max(position)+1: a later event leaves the gap
		f.exec(t, `INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, recorded_at)
			VALUES ($1, $2, 'audit-gap', 1, 'audit.tested', '{}', '{}', '2026-01-01T00:00:00.000000000Z')`, last+4, uuid.NewString())
		f.pos = append(f.pos, last+4)
	}
	return last + 2
}

func (f *fixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := f.env.DB.Exec(t.Context(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// allowTampering lifts the triggers that refuse changes to events, as an
// attacker with the database's rights would.
func (f *fixture) allowTampering(t *testing.T) {
	t.Helper()
	if f.kind == "postgres" {
		f.exec(t, "ALTER TABLE events DISABLE TRIGGER USER")
		return
	}
	f.exec(t, "DROP TRIGGER events_no_update")
	f.exec(t, "DROP TRIGGER events_no_delete")
}

// replaceInData changes the payload of the event at position, text for
// text, in the store's own column type.
func (f *fixture) replaceInData(t *testing.T, position int64, from, to string) {
	t.Helper()
	query := "UPDATE events SET data = replace(data, $2, $3) WHERE position = $1"
	if f.kind == "postgres" {
		query = "UPDATE events SET data = replace(data::text, $2, $3)::json WHERE position = $1"
	}
	f.exec(t, query, position, from, to)
}

func (f *fixture) verify(t *testing.T) seal.Report {
	t.Helper()
	r, err := seal.Verify(t.Context(), f.env.DB, f.env.Store, f.verifier)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return r
}

func (f *fixture) seal(t *testing.T) seal.Head {
	t.Helper()
	h, err := f.sealer.Seal(t.Context())
	if err != nil {
		t.Fatalf("seal: %v", err)
	}
	return h
}

// An untampered store verifies, and keeps verifying as it grows.
func TestSealedHistoryVerifies(t *testing.T) {
	t.Parallel()
	eachFixture(t, func(t *testing.T, f *fixture) {
		head := f.seal(t)
		if head.Size != int64(len(f.pos)) || head.LastPosition != f.pos[len(f.pos)-1] {
			t.Fatalf("head over %d events through %d; want %d through %d", head.Size, head.LastPosition, len(f.pos), f.pos[len(f.pos)-1])
		}
		r := f.verify(t)
		if !r.OK || r.Events != int64(len(f.pos)) || r.SealedThrough != head.LastPosition {
			t.Fatalf("verify: %+v", r)
		}
		f.append(t, 5)
		if r := f.verify(t); !r.OK || r.Events != int64(len(f.pos)) || r.SealedThrough != head.LastPosition {
			t.Fatalf("verify with events not sealed yet: %+v", r)
		}
		if again := f.seal(t); again.Size != int64(len(f.pos)) {
			t.Fatalf("second head over %d events, want %d", again.Size, len(f.pos))
		}
		if r := f.verify(t); !r.OK {
			t.Fatalf("verify after the second head: %+v", r)
		}
	})
}

// Tampering done directly with SQL is found, and the report names the
// first position that differs from what was sealed.
func TestTamperingIsFound(t *testing.T) {
	t.Parallel()
	type tamper struct {
		name  string
		do    func(t *testing.T, f *fixture)
		first func(f *fixture) int64
		says  string
	}
	at := func(i int) func(f *fixture) int64 { return func(f *fixture) int64 { return f.pos[i] } }
	tampers := []tamper{
		{"one byte of a payload", func(t *testing.T, f *fixture) {
			f.replaceInData(t, f.pos[12], `"fen":1200`, `"fen":9200`)
		}, at(12), "changed"},
		{"an event deleted", func(t *testing.T, f *fixture) {
			f.exec(t, "DELETE FROM events WHERE position = $1", f.pos[7])
		}, at(7), "missing"},
		{"two payloads swapped", func(t *testing.T, f *fixture) {
			f.exec(t, `UPDATE events SET data = CASE WHEN position = $1 THEN (SELECT data FROM events WHERE position = $2)
				ELSE (SELECT data FROM events WHERE position = $1) END WHERE position IN ($1, $2)`, f.pos[3], f.pos[30])
		}, at(3), "changed"},
		{"an event inserted", func(t *testing.T, f *fixture) {
			err := f.env.DB.InTx(t.Context(), func(tx *sqldb.Tx) error {
				overriding := ""
				if f.kind == "postgres" {
					overriding = "OVERRIDING SYSTEM VALUE"
				}
				for _, q := range []struct {
					sql  string
					args []any
				}{
					{"CREATE TEMP TABLE forged AS SELECT * FROM events WHERE position = $1", []any{f.pos[5]}},
					{"UPDATE forged SET position = $1, event_id = $2, stream_id = 'audit-forged'", []any{f.gap, uuid.NewString()}},
					{"INSERT INTO events " + overriding + " SELECT * FROM forged", nil},
				} {
					if _, err := tx.Exec(t.Context(), q.sql, q.args...); err != nil {
						return fmt.Errorf("%s: %w", q.sql, err)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}, func(f *fixture) int64 { return f.gap }, "inserted"},
		{"the tail truncated", func(t *testing.T, f *fixture) {
			f.exec(t, "DELETE FROM events WHERE position >= $1", f.pos[35])
		}, at(35), "ends before"},
		{"a signed head altered", func(t *testing.T, f *fixture) {
			f.exec(t, "UPDATE seal_heads SET signed = replace(signed, 'aidtrail audit log', 'aidtrail audit lag')")
		}, func(f *fixture) int64 { return f.pos[len(f.pos)-1] }, "does not verify"},
		{"an event and its sealed hash both rewritten", func(t *testing.T, f *fixture) {
			f.replaceInData(t, f.pos[25], `"fen":2500`, `"fen":2501`)
			recs, err := f.env.Store.ReadAll(t.Context(), f.pos[25]-1, 1)
			if err != nil || len(recs) != 1 {
				t.Fatalf("read the rewritten event: %v", err)
			}
			// Leaf 25's hash is the tenth of the second tile of the tree's
			// first level (tiles of 16 hashes: leaves 16 to 31).
			leaf := tlog.RecordHash(event.LeafBytes(recs[0]))
			var tile []byte
			if err := f.env.DB.QueryRow(t.Context(), "SELECT hashes FROM seal_tiles WHERE level = 0 AND idx = 1").Scan(&tile); err != nil {
				t.Fatal(err)
			}
			copy(tile[9*tlog.HashSize:], leaf[:])
			f.exec(t, "UPDATE seal_tiles SET hashes = $1 WHERE level = 0 AND idx = 1", tile)
		}, at(16), "positions"}, // the hash stored over leaves 16 to 31 tells
	}
	for _, kind := range apptest.Kinds {
		for _, tc := range tampers {
			t.Run(kind+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, kind)
				f.seal(t)
				if r := f.verify(t); !r.OK {
					t.Fatalf("before tampering: %+v", r)
				}
				f.allowTampering(t)
				tc.do(t, f)
				r := f.verify(t)
				if r.OK || r.FirstBadPosition != tc.first(f) || !strings.Contains(r.Problem, tc.says) {
					t.Fatalf("after tampering: %+v; want the first bad position %d and a problem saying %q", r, tc.first(f), tc.says)
				}
				// A bundle exported from the tampered store does not verify
				// either (or cannot be exported: the log is shorter than its head).
				var b bytes.Buffer
				if _, err := seal.WriteBundle(t.Context(), f.env.DB, f.env.Store, &b, 0); err == nil {
					rb, err := seal.VerifyBundle(&b, f.verifier)
					if err != nil || rb.OK {
						t.Fatalf("a bundle of the tampered store: %+v, %v", rb, err)
					}
				}
			})
		}
	}
}

// A head an auditor saved before 1,000 more events is extended by the
// later head (consistency proof), and an event's inclusion in the latest
// head checks with the public key and the event alone.
func TestProofsCheckWithThePublicKeyAlone(t *testing.T) {
	t.Parallel()
	eachFixture(t, func(t *testing.T, f *fixture) {
		saved := f.seal(t).Signed // what the auditor keeps
		f.append(t, 1000)
		f.seal(t)

		old, err := seal.OpenHead(saved, f.verifier)
		if err != nil {
			t.Fatal(err)
		}
		ext, err := seal.Consistency(t.Context(), f.env.DB, old.Size)
		if err != nil {
			t.Fatal(err)
		}
		latest, err := seal.OpenHead(ext.Head.Signed, f.verifier)
		if err != nil {
			t.Fatalf("the latest head under the public key: %v", err)
		}
		if err := tlog.CheckTree(ext.Proof, latest.Size, latest.Root, old.Size, old.Root); err != nil {
			t.Fatalf("the latest head does not extend the saved one: %v", err)
		}
		forged := old.Root
		forged[0] ^= 1
		if tlog.CheckTree(ext.Proof, latest.Size, latest.Root, old.Size, forged) == nil {
			t.Fatal("the proof also extends a head the auditor never saw")
		}

		for _, i := range []int{0, 17, len(f.pos) - 1} {
			recs, err := f.env.Store.ReadAll(t.Context(), f.pos[i]-1, 1)
			if err != nil || len(recs) != 1 || recs[0].Position != f.pos[i] {
				t.Fatalf("read position %d: %v", f.pos[i], err)
			}
			in, err := seal.Prove(t.Context(), f.env.DB, f.pos[i])
			if err != nil {
				t.Fatal(err)
			}
			head, err := seal.OpenHead(in.Head.Signed, f.verifier)
			if err != nil {
				t.Fatal(err)
			}
			leaf := tlog.RecordHash(event.LeafBytes(recs[0]))
			if leaf != tlog.Hash(event.LeafHash(recs[0])) {
				t.Fatal("event.LeafHash is not the tree's leaf hash of the event")
			}
			if err := tlog.CheckRecord(in.Proof, head.Size, head.Root, in.Leaf, leaf); err != nil {
				t.Fatalf("inclusion of position %d: %v", f.pos[i], err)
			}
			recs[0].Data = json.RawMessage(`{"n":0}`)
			if tlog.CheckRecord(in.Proof, head.Size, head.Root, in.Leaf, tlog.RecordHash(event.LeafBytes(recs[0]))) == nil {
				t.Fatalf("the proof of position %d also holds for another payload", f.pos[i])
			}
		}
		if _, err := seal.Prove(t.Context(), f.env.DB, f.gap); !errors.Is(err, seal.ErrNotSealed) {
			t.Fatalf("proof of a position with no event: %v, want ErrNotSealed", err)
		}
	})
}

// Erasing a person deletes their key, not their events: the history they
// are in still verifies, before and after a head that covers the erasure.
func TestHistoryVerifiesAfterAnErasure(t *testing.T) {
	t.Parallel()
	apptest.EachKind(t, func(t *testing.T, kind string) {
		o := orgkit.New(t, kind)
		_, caseworker := o.SignUp(t, o.Admin, o.Root, access.RoleCaseworker)
		emp, _, err := o.Env.App.RegisterEmployee(t.Context(), caseworker, commands.RegisterEmployee{
			UnitID: o.Root, Name: "张伟", IDNumber: "11010519491231002X", Phone: "13800138000", BankAccount: "6222020200112233445",
		})
		if err != nil {
			t.Fatal(err)
		}
		f := sealing(t, o.Env, kind)
		f.seal(t)
		if _, err := o.Env.App.EraseEmployee(t.Context(), o.Admin, commands.EraseEmployee{EmployeeID: emp, Reason: "本人申请删除"}); err != nil {
			t.Fatal(err)
		}
		if r := f.verify(t); !r.OK {
			t.Fatalf("after the erasure: %+v", r)
		}
		f.seal(t)
		if r := f.verify(t); !r.OK {
			t.Fatalf("after a head over the erasure: %+v", r)
		}
	})
}

// A bundle carried away verifies with the public key alone, whole or from
// a position on, and a change made to it names the first bad position.
func TestBundleVerifiesOffline(t *testing.T) {
	t.Parallel()
	eachFixture(t, func(t *testing.T, f *fixture) {
		first := f.seal(t).Size
		f.append(t, 10)
		f.seal(t)
		f.append(t, 10)
		f.seal(t) // three heads

		export := func(from int64) []string {
			var b bytes.Buffer
			if _, err := seal.WriteBundle(t.Context(), f.env.DB, f.env.Store, &b, from); err != nil {
				t.Fatal(err)
			}
			return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		}
		check := func(lines []string) seal.Report {
			r, err := seal.VerifyBundle(strings.NewReader(strings.Join(lines, "\n")+"\n"), f.verifier)
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		// line i+1 of a whole bundle is the event at f.pos[i]
		changeData := func(lines []string, i int, fixLeaf bool) []string {
			out := append([]string(nil), lines...)
			var l map[string]any
			if err := json.Unmarshal([]byte(out[i+1]), &l); err != nil {
				t.Fatal(err)
			}
			ev := l["event"].(map[string]any)
			ev["data"] = strings.Replace(ev["data"].(string), `"fen":`, `"fen":9`, 1)
			if fixLeaf {
				raw, _ := json.Marshal(ev)
				var rec struct {
					Position   int64          `json:"position"`
					ID         uuid.UUID      `json:"id"`
					Stream     string         `json:"stream"`
					Version    int64          `json:"version"`
					Type       string         `json:"type"`
					Data       string         `json:"data"`
					Metadata   event.Metadata `json:"metadata"`
					RecordedAt time.Time      `json:"recorded_at"`
				}
				if err := json.Unmarshal(raw, &rec); err != nil {
					t.Fatal(err)
				}
				h := event.LeafHash(event.Recorded{ID: rec.ID, Stream: rec.Stream, Version: rec.Version, Position: rec.Position,
					Type: rec.Type, Data: json.RawMessage(rec.Data), Metadata: rec.Metadata, RecordedAt: rec.RecordedAt})
				l["leaf_hash"] = base64.StdEncoding.EncodeToString(h[:])
			}
			b, _ := json.Marshal(l)
			out[i+1] = string(b)
			return out
		}

		whole := export(0)
		if r := check(whole); !r.OK || r.Events != int64(len(f.pos)) {
			t.Fatalf("the whole bundle: %+v", r)
		}
		if r := check(changeData(whole, 12, false)); r.OK || r.FirstBadPosition != f.pos[12] {
			t.Errorf("a payload changed in the bundle: %+v, want position %d", r, f.pos[12])
		}
		// The change hidden by a new leaf hash breaks the first head
		// that covers it: it is named within that head's events.
		if r := check(changeData(whole, 12, true)); r.OK || r.FirstBadPosition > f.pos[12] || !strings.Contains(r.Problem, "do not hash") {
			t.Errorf("a payload changed with its leaf hash: %+v", r)
		}
		if r := check(changeData(whole, 45, true)); r.OK || r.FirstBadPosition <= f.pos[first-1] || r.FirstBadPosition > f.pos[45] {
			t.Errorf("a change after the first head is bounded by the second: %+v (the first head ends at %d)", r, f.pos[first-1])
		}
		dropped := append(append([]string(nil), whole[:8]...), whole[9:]...)
		if r := check(dropped); r.OK || r.FirstBadPosition != f.pos[6]+1 || !strings.Contains(r.Problem, "missing") {
			t.Errorf("an event taken out: %+v, want the position after %d", r, f.pos[6])
		}
		if r := check(whole[:30]); r.OK {
			t.Errorf("a truncated bundle verified: %+v", r)
		}

		part := export(f.pos[29])
		if r := check(part); !r.OK || r.Events != int64(len(f.pos)-30) {
			t.Fatalf("the bundle from position %d: %+v", f.pos[29], r)
		}
		if r := check(changeData(part, 3, true)); r.OK || r.FirstBadPosition != f.pos[33] {
			t.Errorf("a change in a part bundle: %+v, want position %d", r, f.pos[33])
		}
	})
}
