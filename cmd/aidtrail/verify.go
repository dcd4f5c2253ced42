package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"aidtrail/adapters/seal"
)

// verifyConfig is everything verify needs.
type verifyConfig struct {
	PublicKey   string
	SealKeyFile string
	Seal        bool
	Store       storeConfig
	Log         logConfig
}

func (c *verifyConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.PublicKey, "public-key", "", `the audit log's public key ("aidtrail+…", as serve logs it and GET /v1/audit/verify gives it); default: derived from the signing key`)
	fs.StringVar(&c.SealKeyFile, "seal-key-file", "", "the signing key to derive the public key from when --public-key is not given; default $AIDTRAIL_SEAL_KEY, else <data>/seal.key")
	fs.BoolVar(&c.Seal, "seal", false, "first seal what is new and sign a head, as a running service would (the embedded store's seal.key is created if missing)")
	c.Store.register(fs)
	c.Log.register(fs)
}

func (c *verifyConfig) setDefaults(env environment) {
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

// Validate refuses store and log settings that do not hold together.
func (c *verifyConfig) Validate() error { return errors.Join(c.Store.Validate(), c.Log.Validate()) }

// errNotVerified: verify found the history differs from what was sealed.
var errNotVerified = errors.New("verify: the history does not match its audit log")

// runVerify checks a live store's history against its audit log and
// prints what it found; it fails when anything differs, naming the first
// bad position.
func runVerify(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	bundle := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		bundle, args = args[0], args[1:] // aidtrail verify FILE --public-key KEY
	}
	var cfg verifyConfig
	if err := parseConfig("verify", &cfg, args, env, stderr); err != nil {
		return err
	}
	if bundle != "" {
		return verifyBundle(bundle, cfg, env, stdout)
	}
	log := cfg.Log.logger(stderr)
	db, cleanup, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer cleanup()
	if cfg.Seal {
		sealer, _, err := newAuditLog(db, serveConfig{SealKeyFile: cfg.SealKeyFile, Store: cfg.Store}, env, log)
		if err != nil {
			return err
		}
		if sealer == nil {
			return errors.New("verify --seal: no signing key (AIDTRAIL_SEAL_KEY or --seal-key-file)")
		}
		if _, err := sealer.Seal(ctx); err != nil {
			return err
		}
	}
	public, err := verifyKey(cfg, env) // after --seal, which may create the key
	if err != nil {
		return err
	}
	auditor, err := seal.NewAuditor(db.tables, db.events, public)
	if err != nil {
		return fmt.Errorf("verify: --public-key: %w", err)
	}
	r, err := auditor.Verify(ctx)
	if err != nil {
		return err
	}
	return printReport(stdout, r)
}

// verifyBundle checks a bundle written by aidtrail audit export, offline,
// with the public key alone.
func verifyBundle(path string, cfg verifyConfig, env environment, stdout io.Writer) error {
	public, err := verifyKey(cfg, env)
	if err != nil {
		return err
	}
	verifier, err := note.NewVerifier(public)
	if err != nil {
		return fmt.Errorf("verify: --public-key: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := seal.VerifyBundle(f, verifier)
	if err != nil {
		return err
	}
	return printReport(stdout, r)
}

// printReport says what a verification found; it is errNotVerified when
// anything differs.
func printReport(stdout io.Writer, r seal.Report) error {
	fmt.Fprintf(stdout, "events: %d\n", r.Events)
	if r.Head.Size > 0 {
		fmt.Fprintf(stdout, "signed head: %d events through position %d, root %s\n", r.Head.Size, r.Head.LastPosition,
			base64.StdEncoding.EncodeToString(r.Head.Root[:]))
	} else {
		fmt.Fprintln(stdout, "signed head: none yet")
	}
	if !r.OK {
		fmt.Fprintf(stdout, "NOT VERIFIED: first bad position %d: %s\n", r.FirstBadPosition, r.Problem)
		return errNotVerified
	}
	fmt.Fprintf(stdout, "verified: every signed head and every sealed event; sealed through position %d\n", r.SealedThrough)
	return nil
}

// verifyKey is --public-key, else the public half of the signing key,
// read but never created.
func verifyKey(cfg verifyConfig, env environment) (string, error) {
	if cfg.PublicKey != "" {
		return cfg.PublicKey, nil
	}
	private := env.SealKey
	if private == "" {
		path := cfg.SealKeyFile
		if path == "" && cfg.Store.DatabaseURL == "" {
			path = filepath.Join(cfg.Store.DataDir, sealKeyFile)
		}
		if path == "" {
			return "", errors.New("verify: give --public-key (or the signing key: AIDTRAIL_SEAL_KEY or --seal-key-file)")
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return "", fmt.Errorf("verify: read the signing key for its public key: %w; or give --public-key", err)
		}
		private = strings.TrimSpace(string(content))
	}
	_, public, err := seal.ParseKey(private)
	return public, err
}
