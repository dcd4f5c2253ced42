package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"aidtrail/adapters/auth"
	"aidtrail/adapters/documents"
	"aidtrail/adapters/keyring"
	"aidtrail/commands"
	"aidtrail/commands/query"
	"aidtrail/projections"
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

// openKeyring opens the personal-data keys under the master key, refusing
// a master key other than the one the database's keys are wrapped under:
// the service would start, then fail every read of personal data.
func openKeyring(ctx context.Context, db database, cfg serveConfig, env environment) (*keyring.Keyring, error) {
	master, err := masterKey(cfg, env)
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	keys, err := keyring.New(db.tables, master)
	if err != nil {
		return nil, err
	}
	if err := keys.Verify(ctx); errors.Is(err, keyring.ErrWrongMasterKey) {
		return nil, errors.New("the master key does not open this database's personal keys: start with the master key " +
			"it was set up with (AIDTRAIL_MASTER_KEY, --master-key-file or master.key in --data); to change keys, run aidtrail rotate-master-key")
	} else if err != nil {
		return nil, err
	}
	return keys, nil
}

// newApp builds the commands and the queries on an open database;
// observer, optional, is told of every command decided.
func newApp(ctx context.Context, db database, cfg serveConfig, env environment, observer commands.Observer) (*commands.App, *query.Service, error) {
	keys, err := openKeyring(ctx, db, cfg, env)
	if err != nil {
		return nil, nil, err
	}
	hasher, err := auth.NewArgon2id(auth.Argon2idConfig{})
	if err != nil {
		return nil, nil, err
	}
	credentials := auth.NewStore(db.tables)
	var bootstrap []byte
	if env.BootstrapToken != "" {
		bootstrap = commands.HashToken(env.BootstrapToken)
	}
	docs := documents.New(db.tables)
	app, err := commands.New(commands.Deps{
		Store: db.events, Keyring: keys, Credentials: credentials, Sessions: credentials,
		Hasher: hasher, Documents: docs, BootstrapTokenHash: bootstrap, Observer: observer,
	})
	if err != nil {
		return nil, nil, err
	}
	queries, err := query.New(query.Deps{Store: db.events, Keyring: keys, Documents: docs,
		Models: projections.Queries{DB: db.tables}})
	if err != nil {
		return nil, nil, err
	}
	return app, queries, nil
}
