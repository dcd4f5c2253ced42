package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"

	"golang.org/x/mod/sumdb/note"

	"aidtrail/adapters/seal"
)

// sealKeyFile is the audit log's signing key inside --data, created on
// first start of the embedded store.
const sealKeyFile = "seal.key"

// sealKey finds the audit log's signing key: the environment's
// AIDTRAIL_SEAL_KEY, else --seal-key-file, else (embedded store only) a
// file in the data directory created on first use. Like the master key it
// never enters the database; unlike it, PostgreSQL runs without one (no
// audit log is kept) rather than refusing to start. ok is false then.
func sealKey(cfg serveConfig, env environment) (signer note.Signer, public string, ok bool, err error) {
	switch {
	case env.SealKey != "":
		signer, public, err = seal.ParseKey(env.SealKey)
	case cfg.SealKeyFile != "":
		signer, public, err = seal.LoadOrCreateKeyFile(cfg.SealKeyFile)
	case cfg.Store.DatabaseURL == "":
		signer, public, err = seal.LoadOrCreateKeyFile(filepath.Join(cfg.Store.DataDir, sealKeyFile))
	default:
		return nil, "", false, nil
	}
	return signer, public, err == nil, err
}

// newAuditLog builds the sealer and the auditors' view of db's audit log,
// or nils when there is no signing key.
func newAuditLog(db database, cfg serveConfig, env environment, log *slog.Logger) (*seal.Sealer, *seal.Auditor, error) {
	signer, public, ok, err := sealKey(cfg, env)
	if err != nil || !ok {
		if err == nil {
			log.Warn("no audit log is kept: set AIDTRAIL_SEAL_KEY or --seal-key-file to sign one (README: audit log)")
		}
		return nil, nil, err
	}
	sealer, err := seal.New(seal.Config{DB: db.tables, Log: db.events, Signer: signer, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	auditor, err := seal.NewAuditor(db.tables, db.events, public)
	if err != nil {
		return nil, nil, err
	}
	log.Info("audit log kept; its tree heads verify under the public key", "public_key", public)
	return sealer, auditor, nil
}

// runSealer seals the history until ctx ends.
func runSealer(ctx context.Context, s *seal.Sealer, log *slog.Logger) {
	if s == nil {
		return
	}
	if err := s.Run(ctx); err != nil && ctx.Err() == nil {
		log.Error("audit sealer stopped", "err", err)
	}
}

// runNewSealKey prints a new signing key for the audit log on stdout (for
// AIDTRAIL_SEAL_KEY; keep it like the master key) and its public key on
// stderr (for auditors).
func runNewSealKey(stdout, stderr io.Writer) error {
	private, public, err := seal.NewKey()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, private)
	fmt.Fprintln(stderr, "public key:", public)
	return nil
}
