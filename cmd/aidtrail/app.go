package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"aidtrail/adapters/auth"
	"aidtrail/adapters/documents"
	"aidtrail/adapters/keyring"
	"aidtrail/commands"
)

// masterKeyFile is the master key's file inside --data, created on first
// start of the embedded store so that it runs with no setup.
const masterKeyFile = "master.key"

// masterKey finds the key that wraps every person's data key: the
// environment's AIDTRAIL_MASTER_KEY, else --master-key-file, else (embedded
// store only) a file in the data directory created on first use. Losing it
// makes all personal data unreadable; keep it apart from database backups.
func masterKey(cfg serveConfig, env environment) ([]byte, error) {
	switch {
	case env.MasterKey != "":
		return keyring.ParseMasterKey(env.MasterKey)
	case cfg.MasterKeyFile != "":
		return keyring.LoadOrCreateMasterKeyFile(cfg.MasterKeyFile)
	case cfg.Store.DatabaseURL == "":
		return keyring.LoadOrCreateMasterKeyFile(filepath.Join(cfg.Store.DataDir, masterKeyFile))
	default:
		return nil, errors.New("PostgreSQL needs a master key for personal data: set AIDTRAIL_MASTER_KEY (base64 of 32 random bytes) or --master-key-file")
	}
}

// newApp builds the use cases on an open database.
func newApp(db database, cfg serveConfig, env environment) (*commands.App, error) {
	master, err := masterKey(cfg, env)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	keys, err := keyring.New(db.tables, master)
	if err != nil {
		return nil, err
	}
	hasher, err := auth.NewArgon2id(auth.Argon2idConfig{})
	if err != nil {
		return nil, err
	}
	credentials := auth.NewStore(db.tables)
	var bootstrap []byte
	if env.BootstrapToken != "" {
		bootstrap = commands.HashToken(env.BootstrapToken)
	}
	return commands.New(commands.Deps{
		Store: db.events, Keyring: keys, Credentials: credentials, Sessions: credentials,
		Hasher: hasher, Documents: documents.New(db.tables), BootstrapTokenHash: bootstrap,
	})
}
