package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"time"

	"aidtrail/adapters/kurrentdb"
)

// storeConfig chooses the event store: PostgreSQL when DatabaseURL is set,
// otherwise the embedded store in DataDir. EventStore, when set, moves the
// events alone to KurrentDB; keys, credentials, sessions and read models
// stay in the database the other two choose.
type storeConfig struct {
	DataDir     string
	DatabaseURL string
	EventStore  string
}

func (c *storeConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", "./aidtrail-data", "directory of the embedded store (created if missing); ignored with --database-url")
	// The default is not shown: the variable may hold a password.
	fs.StringVar(&c.DatabaseURL, "database-url", "", "PostgreSQL URL, postgres://...; default $AIDTRAIL_DATABASE_URL; unset means the embedded store")
	fs.StringVar(&c.EventStore, "eventstore", "", "keep the events in KurrentDB: kurrentdb://host:2113?tls=false; unset keeps them beside the tables")
}

// setDefaults fills what the command line left empty, from env first.
func (c *storeConfig) setDefaults(env environment) {
	if c.DatabaseURL == "" {
		c.DatabaseURL = env.DatabaseURL
	}
	if c.DataDir == "" {
		c.DataDir = "./aidtrail-data"
	}
}

// Validate reports every problem at once.
func (c storeConfig) Validate() error {
	var errs []error
	if c.DatabaseURL != "" {
		errs = append(errs, validatePostgresURL(c.DatabaseURL))
	}
	if c.EventStore != "" && !kurrentdb.IsURL(c.EventStore) {
		errs = append(errs, errors.New("--eventstore: want kurrentdb://host:port?tls=false (or kurrentdb+discover://...)"))
	}
	return errors.Join(errs...)
}

func validatePostgresURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("--database-url: not a URL (want postgres://user@host:port/db)")
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("--database-url: scheme %q, want postgres:// or postgresql://", u.Scheme)
	}
	return nil
}

// logConfig chooses the log format and level; logs go to stderr.
type logConfig struct {
	Format string
	Level  string
}

func (c *logConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Format, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.Level, "log-level", "info", "log level: debug, info, warn or error")
}

func (c *logConfig) setDefaults() {
	if c.Format == "" {
		c.Format = "text"
	}
	if c.Level == "" {
		c.Level = "info"
	}
}

func (c logConfig) Validate() error {
	var errs []error
	if c.Format != "text" && c.Format != "json" {
		errs = append(errs, fmt.Errorf("--log-format %q: want text or json", c.Format))
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Level)); err != nil {
		errs = append(errs, fmt.Errorf("--log-level %q: want debug, info, warn or error", c.Level))
	}
	return errors.Join(errs...)
}

// logger builds the logger c describes; call it after Validate.
func (c logConfig) logger(w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.Level)) // checked by Validate
	opts := &slog.HandlerOptions{Level: level}
	if c.Format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// storeLogConfig is what migrate, project and rebuild need: the event
// store and the log.
type storeLogConfig struct {
	Store storeConfig
	Log   logConfig
}

func (c *storeLogConfig) register(fs *flag.FlagSet) {
	c.Store.register(fs)
	c.Log.register(fs)
}

func (c *storeLogConfig) setDefaults(env environment) {
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

func (c storeLogConfig) Validate() error { return errors.Join(c.Store.Validate(), c.Log.Validate()) }

// flagConfig is a command's configuration as its flags and then defaults
// for what they left empty (env first) make it.
type flagConfig interface {
	register(fs *flag.FlagSet)
	setDefaults(env environment)
}

// commandConfig is a flagConfig that is validated before use.
type commandConfig interface {
	flagConfig
	Validate() error
}

// parseArgs parses args as the flags of the command name into cfg and fills
// in its defaults. A bad command line is errUsage (or flag.ErrHelp),
// explained on stderr.
func parseArgs(name string, cfg flagConfig, args []string, env environment, stderr io.Writer) error {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg.setDefaults(env)
	return nil
}

// parseConfig is parseArgs, then Validate: an invalid value is
// Validate's error.
func parseConfig(name string, cfg commandConfig, args []string, env environment, stderr io.Writer) error {
	if err := parseArgs(name, cfg, args, env, stderr); err != nil {
		return err
	}
	return cfg.Validate()
}

// serveConfig is everything serve needs.
type serveConfig struct {
	Addr            string
	MetricsAddr     string
	MasterKeyFile   string
	SealKeyFile     string
	ShutdownTimeout time.Duration
	Demo            bool
	Broker          string
	Store           storeConfig
	Log             logConfig
}

func (c *serveConfig) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on, host:port")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "127.0.0.1:9464", `address of the Prometheus /metrics listener, host:port, apart from the API: what it counts must not reach the public (empty: no metrics)`)
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long requests in flight may take to finish after SIGINT or SIGTERM")
	fs.BoolVar(&c.Demo, "demo", false, "load the demo organisation (the seed's railway bureau, stations and five stories) into an empty store and print its logins")
	fs.StringVar(&c.Broker, "broker", "", `where projections run: empty for in this process; "postgres" to forward events through PostgreSQL tables to "aidtrail project" workers (needs --database-url)`)
	fs.StringVar(&c.MasterKeyFile, "master-key-file", "", "file holding the base64 master key that wraps personal-data keys (created if missing); default $AIDTRAIL_MASTER_KEY, else <data>/master.key for the embedded store")
	fs.StringVar(&c.SealKeyFile, "seal-key-file", "", "file holding the audit log's private signing key (created if missing); default $AIDTRAIL_SEAL_KEY, else <data>/seal.key for the embedded store; without one on PostgreSQL no audit log is kept")
	c.Store.register(fs)
	c.Log.register(fs)
}

func (c *serveConfig) setDefaults(env environment) {
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8080"
	}
	if c.ShutdownTimeout == 0 {
		c.ShutdownTimeout = 15 * time.Second
	}
	c.Store.setDefaults(env)
	c.Log.setDefaults()
}

func (c serveConfig) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("--addr %q: want host:port", c.Addr))
	}
	if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil && c.MetricsAddr != "" {
		errs = append(errs, fmt.Errorf("--metrics-addr %q: want host:port, or empty for no metrics", c.MetricsAddr))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, errors.New("--shutdown-timeout must not be negative"))
	}
	switch {
	case c.Broker == "":
	case c.Broker != brokerPostgres:
		errs = append(errs, fmt.Errorf("--broker %q: want %q or nothing", c.Broker, brokerPostgres))
	case c.Store.DatabaseURL == "":
		errs = append(errs, errors.New("--broker postgres needs --database-url"))
	}
	errs = append(errs, c.Store.Validate(), c.Log.Validate())
	return errors.Join(errs...)
}

// brokerPostgres is --broker's one value: watermill-sql on the event
// store's PostgreSQL database.
const brokerPostgres = "postgres"
