package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Broker carries batches of events from a forwarder to projection
// handlers, possibly in other processes (see the broker package).
type Broker interface {
	Publisher() message.Publisher
	// Subscriber returns the subscriber of one handler. Each handler is a
	// consumer group of its own, so every projection receives every batch.
	Subscriber(handler string) (message.Subscriber, error)
}

// Config sets up a Runner.
type Config struct {
	DB          *sqldb.DB
	Source      Source
	Projections []Projection
	// Broker carries the batches; nil means an in-process gochannel, with
	// which only Run is possible.
	Broker Broker
	// Logger receives Watermill's and the runner's reports, a stopped
	// projection included; watermill.NewSlogLogger adapts a *slog.Logger.
	// Nil discards them.
	Logger watermill.LoggerAdapter
	// MaxRetries and RetryInterval set the retry middleware: a batch a
	// projection fails to apply is tried again MaxRetries times with
	// exponential backoff from RetryInterval before the projection stops.
	// Zero values mean 5 retries from 100 ms.
	MaxRetries    int
	RetryInterval time.Duration
	// MaxBatch bounds the events of one published batch, and of one
	// delivery of the in-process broker; 0 means 256. A batch holds what
	// the store delivered while the previous one was being published, and
	// a delivery what queued while the handler was busy, so batches grow
	// only when projections fall behind.
	MaxBatch int
	// Middlewares are added to every projection's handler, innermost
	// (closest to the projection), after the runner's own.
	Middlewares []message.HandlerMiddleware
	// SelfCheckInterval is how often Run, Consume and Forward compare each
	// projection's count of applied events per type with the log
	// (CheckCounts); 0 means every minute, a negative value never.
	SelfCheckInterval time.Duration
}

// Source is the part of the event store projections read: the global order
// (see commands.EventStore).
type Source interface {
	Subscribe(ctx context.Context, after int64, fn func(context.Context, event.Recorded) error) error
	ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error)
	Head(ctx context.Context) (int64, error)
}

// defaultMaxBatch is Config.MaxBatch when it is not set.
const defaultMaxBatch = 256

// Runner feeds projections from the event store through a Watermill
// router. A forwarder subscribes to the store's global order after the
// lowest checkpoint and publishes it in batches; each projection has its
// own handler, named HandlerName(p), that applies a batch with its
// checkpoint in one transaction. In-process (ChannelBroker), each handler
// has a queue of its own, so one slow read model does not hold the others
// back until its queue is full.
//
// A projection that fails on an event (after retries; a panic counts as a
// failure) stops with its checkpoint just before that event; the others go
// on. Status reports it.
type Runner struct {
	cfg   Config
	mu    sync.Mutex
	stats map[string]*counters
	moved chan struct{} // closed and replaced whenever a checkpoint moves
	check *selfCheck
}

// counters is what the runner has seen of one projection since it started.
type counters struct {
	applied  uint64 // events applied
	failures uint64 // batches that failed (each retry counts)
	stopped  error
}

// NewRunner returns a Runner for cfg. Projection names must be distinct.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.DB == nil || cfg.Source == nil || len(cfg.Projections) == 0 {
		return nil, errors.New("projections: runner needs a database, a source and projections")
	}
	r := &Runner{stats: map[string]*counters{}, moved: make(chan struct{}),
		check: &selfCheck{tallies: map[string]*logTally{}, results: map[string]CountCheck{}}}
	for _, p := range cfg.Projections {
		if p.Name() == "" || r.stats[p.Name()] != nil {
			return nil, fmt.Errorf("projections: projection name %q is empty or repeated", p.Name())
		}
		r.stats[p.Name()] = &counters{}
	}
	if cfg.Logger == nil {
		cfg.Logger = watermill.NopLogger{}
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 5
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = 100 * time.Millisecond
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = defaultMaxBatch
	}
	if cfg.SelfCheckInterval == 0 {
		cfg.SelfCheckInterval = time.Minute
	}
	r.cfg = cfg
	return r, nil
}

// Names lists the runner's projections.
func (r *Runner) Names() []string {
	out := make([]string, len(r.cfg.Projections))
	for i, p := range r.cfg.Projections {
		out[i] = p.Name()
	}
	return out
}

// HandlerName is the router handler name of p: "Project<Name>OnEvents" with
// the name's first letter upper-cased, e.g. ProjectCasesOnEvents. It is as
// stable as p's name.
func HandlerName(p Projection) string {
	n := p.Name()
	if n != "" && n[0] >= 'a' && n[0] <= 'z' {
		n = string(n[0]-'a'+'A') + n[1:]
	}
	return "Project" + n + "OnEvents"
}

// prepare gives every projection its live generation and returns the
// lowest checkpoint: where forwarding must start.
func (r *Runner) prepare(ctx context.Context) (int64, error) {
	var after int64
	err := r.untilReachable(ctx, "prepare", func() error {
		if err := r.Prepare(ctx); err != nil {
			return err
		}
		var err error
		after, err = Reached(ctx, r.cfg.DB, r.Names())
		return err
	})
	return after, err
}

// untilReachable runs do until it succeeds, fails for another reason than
// the database being out of reach (sqldb.Engine.Transient), or ctx ends;
// between tries it waits, longer each time up to maxTransientWait.
func (r *Runner) untilReachable(ctx context.Context, what string, do func() error) error {
	err := do()
	for wait := r.cfg.RetryInterval; err != nil && ctx.Err() == nil && r.cfg.DB.Engine().Transient(err); wait = min(2*wait, maxTransientWait) {
		r.cfg.Logger.Info("Projections wait for the database", watermill.LogFields{"step": what, "err": err.Error(), "retry_in": wait.String()})
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		err = do()
	}
	return err
}

// Prepare creates the tables of every projection of the runner that has
// none yet (see Prepare). Run, Consume and Forward do it as they start;
// a service calls it before it answers reads, so that a list asked for
// at once finds its tables, empty, rather than none.
func (r *Runner) Prepare(ctx context.Context) error {
	for _, p := range r.cfg.Projections {
		if err := Prepare(ctx, r.cfg.DB, p); err != nil {
			return err
		}
	}
	return nil
}

// unlessEnded returns err, or nil when ctx has ended: a start cut short by
// the caller's own stop is no failure.
func (r *Runner) unlessEnded(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// selfCheckUntilDone runs the periodic self-check (if configured) until
// ctx ends, and returns a function that waits for it to have stopped.
func (r *Runner) selfCheckUntilDone(ctx context.Context) (wait func()) {
	if r.cfg.SelfCheckInterval < 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.checkCountsEvery(ctx, r.cfg.SelfCheckInterval)
	}()
	return func() { <-done }
}

// Run forwards and projects until ctx ends (then it returns nil) or every
// projection has stopped (then it returns an error naming them).
// Projections that stopped in an earlier Run start again from their
// checkpoints.
func (r *Runner) Run(ctx context.Context) error {
	after, err := r.prepare(ctx)
	if err != nil {
		return r.unlessEnded(ctx, err)
	}
	broker := r.cfg.Broker
	if broker == nil {
		ch := newChannelBroker(r.cfg.Logger, r.cfg.MaxBatch)
		defer func() { _ = ch.Close() }()
		broker = ch
	}
	return r.run(ctx, broker, func(ctx context.Context) error { return r.forward(ctx, broker.Publisher(), after) })
}

// Consume projects what a forwarder in another process publishes on the
// configured broker, until ctx ends or every projection has stopped.
func (r *Runner) Consume(ctx context.Context) error {
	if r.cfg.Broker == nil {
		return errors.New("projections: consuming needs a broker")
	}
	if _, err := r.prepare(ctx); err != nil {
		return r.unlessEnded(ctx, err)
	}
	return r.run(ctx, r.cfg.Broker, nil)
}

// Forward publishes the store's global order on the configured broker for
// projection workers elsewhere, from the lowest checkpoint of this
// runner's projections, until ctx ends.
func (r *Runner) Forward(ctx context.Context) error {
	if r.cfg.Broker == nil {
		return errors.New("projections: forwarding needs a broker")
	}
	after, err := r.prepare(ctx)
	if err != nil {
		return r.unlessEnded(ctx, err)
	}
	checkCtx, stopCheck := context.WithCancel(ctx)
	waitCheck := r.selfCheckUntilDone(checkCtx)
	defer func() { stopCheck(); waitCheck() }()
	err = r.forward(ctx, r.cfg.Broker.Publisher(), after)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// run starts one handler per projection on broker, runs forward (if any)
// beside them, and returns as Run does.
func (r *Runner) run(ctx context.Context, broker Broker, forward func(context.Context) error) error {
	r.mu.Lock()
	for _, c := range r.stats {
		c.stopped = nil
	}
	r.mu.Unlock()
	runCtx, cancel := context.WithCancel(ctx)
	waitCheck := r.selfCheckUntilDone(runCtx)
	defer func() { cancel(); waitCheck() }()
	router, err := message.NewRouter(message.RouterConfig{}, r.cfg.Logger)
	if err != nil {
		return fmt.Errorf("projections: router: %w", err)
	}
	for _, p := range r.cfg.Projections {
		sub, err := broker.Subscriber(HandlerName(p))
		if err != nil {
			return fmt.Errorf("projections: subscriber of %s: %w", p.Name(), err)
		}
		h := router.AddConsumerHandler(HandlerName(p), Topic, sub, r.handle(p))
		h.AddMiddleware(r.stopOnFailure(p, h),
			middleware.Retry{MaxRetries: r.cfg.MaxRetries, InitialInterval: r.cfg.RetryInterval, Logger: r.cfg.Logger}.Middleware,
			middleware.Recoverer)
		h.AddMiddleware(r.cfg.Middlewares...)
	}
	routerDone := make(chan error, 1)
	go func() {
		routerDone <- router.Run(runCtx)
		cancel() // every handler has stopped, or ctx ended
	}()
	select {
	case <-router.Running():
	case err := <-routerDone:
		return fmt.Errorf("projections: router: %w", err)
	}

	var fwdErr error
	if forward != nil {
		fwdErr = forward(runCtx)
	} else {
		<-runCtx.Done()
	}
	cancel()
	_ = router.Close()
	routerErr := <-routerDone
	switch {
	case ctx.Err() != nil:
		return nil
	case fwdErr != nil && !errors.Is(fwdErr, context.Canceled):
		return fmt.Errorf("projections: forwarder: %w", fwdErr)
	case routerErr != nil:
		return fmt.Errorf("projections: router: %w", routerErr)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, c := range r.stats {
		if c.stopped != nil {
			errs = append(errs, c.stopped)
		}
	}
	if len(errs) == 0 {
		return errors.New("projections: router stopped")
	}
	return fmt.Errorf("projections: every projection stopped: %w", errors.Join(errs...))
}

// forward publishes the global order after position after, in batches of
// what arrived while the previous batch was being published.
func (r *Runner) forward(ctx context.Context, pub message.Publisher, after int64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	arrived := make(chan event.Recorded, r.cfg.MaxBatch)
	subErr := make(chan error, 1)
	go func() {
		// A subscription cut by the database going away resumes after
		// the last event it passed on, once the database answers again.
		from := after
		subErr <- r.untilReachable(ctx, "read the log", func() error {
			return r.cfg.Source.Subscribe(ctx, from, func(ctx context.Context, e event.Recorded) error {
				select {
				case arrived <- e:
					from = e.Position
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
		})
		cancel()
	}()
	prev := after
	for {
		var b batch
		select {
		case e := <-arrived:
			b = batch{prev: prev, events: []event.Recorded{e}}
		case <-ctx.Done():
			return <-subErr
		}
	more:
		for len(b.events) < r.cfg.MaxBatch {
			select {
			case e := <-arrived:
				b.events = append(b.events, e)
			default:
				break more
			}
		}
		msg, err := encodeBatch(b)
		if err != nil {
			return err
		}
		if err := r.untilReachable(ctx, "publish", func() error { return pub.Publish(Topic, msg) }); err != nil {
			if ctx.Err() != nil {
				return <-subErr
			}
			return fmt.Errorf("publish: %w", err)
		}
		prev = b.events[len(b.events)-1].Position
	}
}

// handle is p's handler: decode a batch and apply it exactly once in
// effect, reading from the store first whatever p missed before it.
func (r *Runner) handle(p Projection) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		b, err := decodeBatch(msg)
		if err != nil {
			return err
		}
		ctx := msg.Context()
		n, err := applyBatch(ctx, r.cfg.DB, p, b.events, b.prev)
		var gap *gapError
		if errors.As(err, &gap) {
			if _, err := catchUpTo(ctx, r.cfg.DB, r.cfg.Source, p, b.prev); err != nil {
				return r.failed(p, err)
			}
			n, err = applyBatch(ctx, r.cfg.DB, p, b.events, b.prev)
		}
		if err != nil && len(b.events) > 1 {
			// Apply what precedes the failing event, so that the
			// projection stops exactly before it.
			n = 0
			for i := range b.events {
				prev := b.prev
				if i > 0 {
					prev = b.events[i-1].Position
				}
				one, oneErr := applyBatch(ctx, r.cfg.DB, p, b.events[i:i+1], prev)
				n += one
				if oneErr != nil {
					err = oneErr
					break
				}
			}
		}
		r.applied(p, n)
		if err != nil {
			return r.failed(p, err)
		}
		return nil
	}
}

// applied counts n events applied by p and wakes waiters: p's checkpoint
// may have moved, with or without events it had a use for.
func (r *Runner) applied(p Projection, n int) {
	r.mu.Lock()
	r.stats[p.Name()].applied += uint64(n)
	close(r.moved)
	r.moved = make(chan struct{})
	r.mu.Unlock()
}

func (r *Runner) failed(p Projection, err error) error {
	r.mu.Lock()
	r.stats[p.Name()].failures++
	r.mu.Unlock()
	return err
}

// stopOnFailure stops p's handler when a batch fails for good, so that p
// never moves past it, and records why. Failures caused by the runner
// shutting down are not p's, nor is the database being out of reach
// (sqldb.Engine.Transient): that batch is tried again until it goes
// through.
func (r *Runner) stopOnFailure(p Projection, h *message.Handler) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if r.isStopped(p.Name()) {
				<-msg.Context().Done()
				return nil, msg.Context().Err()
			}
			// The database out of reach is no fault of the batch: try it
			// again, however long that takes, rather than stop p for good.
			var out []*message.Message
			err := r.untilReachable(msg.Context(), "apply "+p.Name(), func() error {
				var err error
				out, err = next(msg)
				return err
			})
			if err == nil || msg.Context().Err() != nil {
				return out, err
			}
			r.mu.Lock()
			r.stats[p.Name()].stopped = fmt.Errorf("batch %s: %w", msg.UUID, err)
			r.mu.Unlock()
			r.cfg.Logger.Error("Projection stopped", err, watermill.LogFields{
				"projection": p.Name(), "batch": msg.UUID})
			h.Stop()
			<-msg.Context().Done()
			return nil, err
		}
	}
}

// maxTransientWait bounds the wait between tries of a batch while the
// database is out of reach.
const maxTransientWait = 5 * time.Second

func (r *Runner) isStopped(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats[name].stopped != nil
}
