// Package watermillsql is the broker for projection workers in other
// processes: batches of the event store's global order travel through
// PostgreSQL tables (watermill-sql), in the same database as the event
// store. The forwarder (in `aidtrail serve --broker postgres`) inserts
// them; each projection's handler (in `aidtrail project`) reads them as a
// consumer group of its own, so every projection sees every batch, in
// order, and several worker processes compete for one projection's
// batches without applying one twice (the projection's checkpoint decides).
package watermillsql

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v4/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Config sets up a Broker.
type Config struct {
	// URL is the PostgreSQL database (the event store's); required. The
	// broker opens a pool of its own, so that waiting subscribers never
	// take connections from commands.
	URL string
	// MaxConns bounds the broker's pool; 0 means 16; a subscriber (one
	// per projection handler) holds one while it polls.
	MaxConns int32
	Logger   watermill.LoggerAdapter
	// PollInterval is how often an idle subscriber looks for new batches;
	// 0 means 20 ms. It bounds the projection lag a worker adds.
	PollInterval time.Duration
}

// Broker implements projections.Broker on PostgreSQL.
type Broker struct {
	cfg      Config
	pool     *pgxpool.Pool
	db       wsql.Beginner
	pub      *wsql.Publisher
	schema   wsql.DefaultPostgreSQLSchema
	offsets  wsql.DefaultPostgreSQLOffsetsAdapter
	ackAfter time.Duration
}

// New connects a Broker. Its tables (watermill_aidtrail_events and its
// offsets) are created on first use; Close releases the pool.
func New(ctx context.Context, cfg Config) (*Broker, error) {
	if cfg.URL == "" {
		return nil, errors.New("watermillsql: a database URL is required")
	}
	pcfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("watermillsql: %w", err)
	}
	pcfg.MaxConns = cfg.MaxConns
	if pcfg.MaxConns <= 0 {
		pcfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("watermillsql: %w", err)
	}
	if cfg.Logger == nil {
		cfg.Logger = watermill.NopLogger{}
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 20 * time.Millisecond
	}
	b := &Broker{cfg: cfg, pool: pool, db: wsql.BeginnerFromPgx(pool),
		// One batch per query keeps the order strict and redelivery after a
		// crash to one batch.
		schema: wsql.DefaultPostgreSQLSchema{SubscribeBatchSize: 1}, ackAfter: 5 * time.Minute}
	pub, err := wsql.NewPublisher(b.db, wsql.PublisherConfig{SchemaAdapter: b.schema, AutoInitializeSchema: true}, cfg.Logger)
	if err != nil {
		pool.Close()
		return nil, err
	}
	b.pub = pub
	return b, nil
}

// Publisher implements projections.Broker.
func (b *Broker) Publisher() message.Publisher { return b.pub }

// Subscriber implements projections.Broker: handler names the consumer
// group. A batch not acknowledged within five minutes (a worker that died
// holding it) is delivered again.
func (b *Broker) Subscriber(handler string) (message.Subscriber, error) {
	ack := b.ackAfter
	return wsql.NewSubscriber(b.db, wsql.SubscriberConfig{
		ConsumerGroup: handler, SchemaAdapter: b.schema, OffsetsAdapter: b.offsets,
		InitializeSchema: true, PollInterval: b.cfg.PollInterval, AckDeadline: &ack,
	}, b.cfg.Logger)
}

// Close stops publishing and releases the pool, once subscribers are
// closed (the router closes them when it stops).
func (b *Broker) Close() error {
	err := b.pub.Close()
	b.pool.Close()
	return err
}
