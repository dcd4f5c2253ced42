package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"aidtrail/adapters/keyring"
	"aidtrail/domain/access"
	"aidtrail/domain/event"
)

// rotateConfig is everything rotate-master-key needs.
type rotateConfig struct {
	MasterKeyFile    string
	NewMasterKeyFile string
	Reason           string
	Store            storeConfig
	Log              logConfig
}

func (c *rotateConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the current master key; default $AIDTRAIL_MASTER_KEY, else <data>/master.key for the embedded store")
	fs.StringVar(&c.NewMasterKeyFile, "new-master-key-file", "", "file holding the new master key, created with a fresh key if missing (required)")
	fs.StringVar(&c.Reason, "reason", "", "why the key changes, recorded in the event history (required)")
	c.Store.register(fs)
	c.Log.register(fs)
}

func (c *rotateConfig) setDefaults(env environment) {
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

// Validate refuses store and log settings that do not hold together.
func (c *rotateConfig) Validate() error { return errors.Join(c.Store.Validate(), c.Log.Validate()) }

// runRotateMasterKey re-wraps every person's data key under a new master
// key, with the service stopped, and records it in the event history
// (master_key.rotated). The embedded store's own key file (master.key in
// --data), when it held the current key, is replaced by the new key; any
// other source of the current key must be changed by the operator.
func runRotateMasterKey(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	var cfg rotateConfig
	if err := parseConfig("rotate-master-key", &cfg, args, env, stderr); err != nil {
		return err
	}
	cfg.Reason = strings.TrimSpace(cfg.Reason)
	switch {
	case cfg.NewMasterKeyFile == "":
		return errors.New("rotate-master-key: --new-master-key-file is required")
	case cfg.Reason == "":
		return errors.New("rotate-master-key: --reason is required; it is recorded with the rotation")
	}
	log := cfg.Log.logger(stderr)
	db, cleanup, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return err
	}
	defer cleanup()
	current := serveConfig{MasterKeyFile: cfg.MasterKeyFile, Store: cfg.Store}
	keys, err := openKeyring(ctx, db, current, env)
	if err != nil {
		return err
	}
	next, err := keyring.LoadOrCreateMasterKeyFile(cfg.NewMasterKeyFile)
	if err != nil {
		return err
	}
	n, err := keys.Rotate(ctx, next)
	if err != nil {
		return err
	}
	// From here the database opens only under next: say so whatever else fails.
	fmt.Fprintf(stdout, "re-wrapped %d personal keys under the master key in %s\n", n, cfg.NewMasterKeyFile)
	if env.MasterKey == "" && cfg.MasterKeyFile == "" && cfg.Store.DatabaseURL == "" {
		own := filepath.Join(cfg.Store.DataDir, masterKeyFile)
		if err := keyring.ReplaceMasterKeyFile(own, next); err != nil {
			return fmt.Errorf("the keys are re-wrapped, but %s still holds the old key; copy %s over it: %w", own, cfg.NewMasterKeyFile, err)
		}
		fmt.Fprintf(stdout, "%s now holds the new key\n", own)
	} else {
		fmt.Fprintln(stdout, "start the service with the new master key (AIDTRAIL_MASTER_KEY or --master-key-file); retire the old one")
	}
	rotated, err := event.New(access.TypeMasterKeyRotated, access.MasterKeyRotated{Keys: n, Reason: cfg.Reason})
	if err != nil {
		return err
	}
	rotated.Metadata = event.Metadata{OccurredAt: time.Now().UTC(), SchemaVersion: 1}
	if _, err := db.events.Append(ctx, access.MasterKeyStream, event.Any, rotated); err != nil {
		return fmt.Errorf("the keys are re-wrapped, but the rotation could not be recorded in the event history: %w", err)
	}
	return nil
}
