// Package postgres is aidtrail's production event store, on PostgreSQL
// through pgx's native interface.
//
// Appends are one statement each, so a stream's version check and its
// events commit together or not at all, and appends to different streams
// never wait for each other. Readers of the global order stay safe without
// a global lock: see README.md in this directory for the technique and its
// limits.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"

	"aidtrail/adapters/internal/subscription"
)

// Config says how to reach PostgreSQL.
type Config struct {
	// URL is a libpq-style connection URL or DSN. Parameters pgx does not
	// know, such as search_path, are sent to the server as settings.
	URL string
	// MaxConns caps the pool; 0 keeps pgx's default (4 × CPUs, at least 4).
	MaxConns int32
	// Channel is the LISTEN/NOTIFY channel that wakes subscribers; several
	// stores in one database (tests, benchmarks) use different channels.
	// Empty means "aidtrail_events" qualified by the connection's schema.
	Channel string
	// Logger receives what the store's background work cannot return: a
	// LISTEN connection that fails (subscribers then fall back to polling
	// every second) and its recovery. Nil discards it.
	Logger *slog.Logger
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("postgres: URL is required"))
	}
	if c.MaxConns < 0 {
		errs = append(errs, errors.New("postgres: MaxConns must not be negative"))
	}
	return errors.Join(errs...)
}

// Store is the PostgreSQL event store. It is safe for concurrent use.
// Close releases it.
type Store struct {
	pool    *pgxpool.Pool
	channel string
	wake    *subscription.Signal
	notify  chan struct{} // capacity 1: "some append committed since the last NOTIFY"
	log     *slog.Logger

	stop context.CancelFunc
	done sync.WaitGroup
}

// Open connects to PostgreSQL. It does not change the schema: call Migrate.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse URL: %w", err)
	}
	if cfg.MaxConns > 0 {
		pcfg.MaxConns = cfg.MaxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	channel := cfg.Channel
	if channel == "" {
		var schema string
		if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: current schema: %w", err)
		}
		channel = "aidtrail_events." + schema
	}

	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	s := &Store{
		pool:    pool,
		channel: channel,
		wake:    subscription.NewSignal(),
		notify:  make(chan struct{}, 1),
		log:     cfg.Logger,
		stop:    stop,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.done.Add(2)
	go func() { defer s.done.Done(); s.sendNotices(bg) }()
	go func() { defer s.done.Done(); s.listen(bg) }()
	return s, nil
}

// Pool exposes the connection pool for read models that live in the same
// database.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close stops the store's background work and closes the pool. Calls in
// flight fail; Close must not race with new calls.
func (s *Store) Close() {
	s.stop()
	s.done.Wait()
	s.pool.Close()
}
