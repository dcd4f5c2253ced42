package sqlite

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// BenchmarkFsync measures the disk's cost of making 4 KiB durable, the
// floor under one synchronous=FULL commit (SQLite syncs the WAL once per
// commit in WAL mode).
func BenchmarkFsync(b *testing.B) {
	for _, name := range []string{"fsync", "fdatasync"} {
		b.Run(name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "sync"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			buf := make([]byte, 4096)
			for b.Loop() {
				if _, err := f.Write(buf); err != nil {
					b.Fatal(err)
				}
				if name == "fsync" {
					err = f.Sync()
				} else {
					err = syscall.Fdatasync(int(f.Fd()))
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
