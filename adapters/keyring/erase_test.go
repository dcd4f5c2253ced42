package keyring

import (
	"bytes"
	"os"
	"testing"

	"github.com/google/uuid"

	"aidtrail/internal/sqldb"
	"aidtrail/internal/testkit/sqldbtest"
)

// fileBytes checkpoints the SQLite database behind db into its main file,
// emptying the WAL, and returns the main file and WAL contents.
func fileBytes(t *testing.T, db *sqldb.DB) (main, wal []byte) {
	t.Helper()
	var busy, logFrames, done int
	if err := db.QueryRow(t.Context(), "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &done); err != nil {
		t.Fatal(err)
	}
	if busy != 0 {
		t.Fatalf("checkpoint blocked (busy=%d, frames %d, done %d)", busy, logFrames, done)
	}
	var seq int
	var name, path string
	if err := db.QueryRow(t.Context(), "PRAGMA database_list").Scan(&seq, &name, &path); err != nil {
		t.Fatal(err)
	}
	main, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, err = os.ReadFile(path + "-wal")
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return main, wal
}

// TestEraseOverwritesSQLiteFile checks that an erased key's wrapped bytes
// do not stay behind in the SQLite file's free space, where a plain DELETE
// leaves them.
func TestEraseOverwritesSQLiteFile(t *testing.T) {
	t.Parallel()
	db := sqldbtest.SQLite(t)
	kr := newKeyring(t, db)
	erased, deleted := uuid.New(), uuid.New()
	seal(t, kr, erased, "张建国")
	seal(t, kr, deleted, "李卫东")
	erasedKey, deletedKey := wrappedKey(t, db, erased), wrappedKey(t, db, deleted)
	if main, wal := fileBytes(t, db); !bytes.Contains(main, erasedKey) || len(wal) != 0 {
		t.Fatal("test setup: wrapped key not found in the checkpointed database file")
	}

	if err := kr.Erase(t.Context(), erased); err != nil {
		t.Fatal(err)
	}
	// Control: the other row goes by a plain DELETE.
	if _, err := db.Exec(t.Context(), "DELETE FROM personal_keys WHERE subject_id = $1", deleted); err != nil {
		t.Fatal(err)
	}
	main, _ := fileBytes(t, db)
	if bytes.Contains(main, erasedKey) {
		t.Error("erased key's wrapped bytes remain in the database file")
	}
	if !bytes.Contains(main, deletedKey) {
		t.Log("note: a plain DELETE also left no trace; this SQLite zeroes freed space by default")
	}
}
