package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Topic is the Watermill topic the event store's global order is published
// on.
const Topic = "aidtrail.events"

// Metadata keys of a published event.
const (
	MetaPosition = "position"
	MetaType     = "type"
	MetaStream   = "stream"
)

// Config sets up a Runner.
type Config struct {
	DB          *sqldb.DB
	Source      Source
	Projections []Projection
	// Logger receives Watermill's and the runner's reports, a stopped
	// projection included; watermill.NewSlogLogger adapts a *slog.Logger.
	// Nil discards them.
	Logger watermill.LoggerAdapter
	// MaxRetries and RetryInterval set the retry middleware: an event a
	// projection fails to apply is tried again MaxRetries times with
	// exponential backoff from RetryInterval before the projection stops.
	// Zero values mean 5 retries from 100 ms.
	MaxRetries    int
	RetryInterval time.Duration
	// Middlewares are added to every projection's handler, innermost
	// (closest to the projection), after the runner's own.
	Middlewares []message.HandlerMiddleware
}

// Status is where a projection stands.
type Status struct {
	Name       string
	Checkpoint int64 // position of the last event applied
	// Stopped is why the projection stopped, nil while it runs: an event it
	// could not apply even after retries. Its checkpoint is just before that
	// event; it resumes from there when the runner is started again.
	Stopped error
}

// Runner feeds projections from the event store through a Watermill
// router. A forwarder subscribes to the store's global order after the
// lowest checkpoint and publishes every event on a gochannel topic; each
// projection has its own handler, named HandlerName(p), that applies the
// event with its checkpoint in one transaction. Publishing waits until
// every running handler has acknowledged the event, so no projection is
// ever more than one event behind the forwarder.
//
// A projection that fails on an event (after retries; a panic counts as a
// failure) stops without advancing its checkpoint; the others go on.
// Status reports it.
type Runner struct {
	cfg     Config
	mu      sync.Mutex
	stopped map[string]error
}

// NewRunner returns a Runner for cfg. Projection names must be distinct.
func NewRunner(cfg Config) (*Runner, error) {
	if cfg.DB == nil || cfg.Source == nil || len(cfg.Projections) == 0 {
		return nil, errors.New("projections: runner needs a database, a source and projections")
	}
	seen := map[string]bool{}
	for _, p := range cfg.Projections {
		if p.Name() == "" || seen[p.Name()] {
			return nil, fmt.Errorf("projections: projection name %q is empty or repeated", p.Name())
		}
		seen[p.Name()] = true
	}
	if cfg.Logger == nil {
		cfg.Logger = watermill.NopLogger{}
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 5
	}
	if cfg.RetryInterval == 0 {
		cfg.RetryInterval = 100 * time.Millisecond
	}
	return &Runner{cfg: cfg, stopped: map[string]error{}}, nil
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

// Status reports every projection's checkpoint and whether it has stopped.
func (r *Runner) Status(ctx context.Context) ([]Status, error) {
	out := make([]Status, 0, len(r.cfg.Projections))
	for _, p := range r.cfg.Projections {
		pos, err := Checkpoint(ctx, r.cfg.DB, p.Name())
		if err != nil {
			return nil, err
		}
		r.mu.Lock()
		stopped := r.stopped[p.Name()]
		r.mu.Unlock()
		out = append(out, Status{Name: p.Name(), Checkpoint: pos, Stopped: stopped})
	}
	return out, nil
}

// Run projects until ctx ends (then it returns nil) or every projection has
// stopped (then it returns an error naming them). Projections that stopped
// in an earlier Run start again from their checkpoints.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	clear(r.stopped)
	r.mu.Unlock()
	after := int64(-1)
	for _, p := range r.cfg.Projections {
		if err := ensureCheckpoint(ctx, r.cfg.DB, p.Name()); err != nil {
			return err
		}
		pos, err := Checkpoint(ctx, r.cfg.DB, p.Name())
		if err != nil {
			return err
		}
		if after < 0 || pos < after {
			after = pos
		}
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	pubsub := gochannel.NewGoChannel(gochannel.Config{BlockPublishUntilSubscriberAck: true}, r.cfg.Logger)
	defer func() { _ = pubsub.Close() }()
	router, err := message.NewRouter(message.RouterConfig{}, r.cfg.Logger)
	if err != nil {
		return fmt.Errorf("projections: router: %w", err)
	}
	for _, p := range r.cfg.Projections {
		h := router.AddConsumerHandler(HandlerName(p), Topic, pubsub, r.handle(p))
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

	fwdErr := r.cfg.Source.Subscribe(runCtx, after, func(_ context.Context, e event.Recorded) error {
		msg, err := encode(e)
		if err != nil {
			return err
		}
		return pubsub.Publish(Topic, msg)
	})
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
	errs := make([]error, 0, len(r.stopped))
	for _, err := range r.stopped {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return errors.New("projections: router stopped")
	}
	return fmt.Errorf("projections: every projection stopped: %w", errors.Join(errs...))
}

// handle is p's handler: decode the event and apply it exactly once.
func (r *Runner) handle(p Projection) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		e, err := decode(msg)
		if err != nil {
			return err
		}
		_, err = applyOne(msg.Context(), r.cfg.DB, p, e)
		return err
	}
}

// stopOnFailure stops p's handler when an event fails for good, so that p
// never moves past it, and records why. Failures caused by the runner
// shutting down are not p's.
func (r *Runner) stopOnFailure(p Projection, h *message.Handler) message.HandlerMiddleware {
	return func(next message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			if r.isStopped(p.Name()) {
				<-msg.Context().Done()
				return nil, msg.Context().Err()
			}
			out, err := next(msg)
			if err == nil || msg.Context().Err() != nil {
				return out, err
			}
			r.mu.Lock()
			r.stopped[p.Name()] = fmt.Errorf("event %s at position %s: %w", msg.UUID, msg.Metadata.Get(MetaPosition), err)
			r.mu.Unlock()
			r.cfg.Logger.Error("Projection stopped", err, watermill.LogFields{
				"projection": p.Name(), "position": msg.Metadata.Get(MetaPosition), "event_type": msg.Metadata.Get(MetaType)})
			h.Stop()
			<-msg.Context().Done()
			return nil, err
		}
	}
}

func (r *Runner) isStopped(name string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped[name] != nil
}

// encode makes the Watermill message of e: UUID the event id, payload the
// JSON of the envelope, metadata its position, type and stream.
func encode(e event.Recorded) (*message.Message, error) {
	payload, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("projections: encode event %s: %w", e.ID, err)
	}
	msg := message.NewMessage(e.ID.String(), payload)
	msg.Metadata.Set(MetaPosition, strconv.FormatInt(e.Position, 10))
	msg.Metadata.Set(MetaType, e.Type)
	msg.Metadata.Set(MetaStream, e.Stream)
	return msg, nil
}

func decode(msg *message.Message) (event.Recorded, error) {
	var e event.Recorded
	if err := json.Unmarshal(msg.Payload, &e); err != nil {
		return e, fmt.Errorf("projections: decode message %s: %w", msg.UUID, err)
	}
	return e, nil
}
