package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/ThreeDotsLabs/watermill"

	"aidtrail/adapters/httpapi"
	"aidtrail/adapters/metrics"
	"aidtrail/adapters/replies"
	"aidtrail/adapters/seal"
	"aidtrail/adapters/watermillsql"
	"aidtrail/cmd/aidtrail/internal/demo"
	"aidtrail/projections"
)

// runServe serves the HTTP API until ctx ends (SIGINT or SIGTERM), then
// lets requests in flight finish within --shutdown-timeout.
func runServe(ctx context.Context, args []string, env environment, stderr io.Writer) error {
	var cfg serveConfig
	if err := parseConfig("serve", &cfg, args, env, stderr); err != nil {
		return err
	}
	log := cfg.Log.logger(stderr)
	srv, cleanup, err := newServer(ctx, cfg, env, log)
	if err != nil {
		return err
	}
	defer cleanup()
	return srv.run(ctx)
}

// server is the running service: the store, the API and the metrics on
// their listeners, and the projections that keep the read models.
type server struct {
	http            *http.Server
	listener        net.Listener
	metrics         *http.Server // nil without --metrics-addr
	metricsListener net.Listener
	projections     *projections.Runner
	sealer          *seal.Sealer // nil: no audit log is kept
	forwardOnly     bool         // projection workers run elsewhere (--broker)
	shutdownTimeout time.Duration
	log             *slog.Logger
}

// newServer opens and migrates the store, builds the API and listens. The
// cleanup closes what newServer opened; call it after run returns.
func newServer(ctx context.Context, cfg serveConfig, env environment, log *slog.Logger) (*server, func(), error) {
	db, closeStore, err := openMigrated(ctx, cfg.Store, log)
	if err != nil {
		return nil, nil, err
	}
	counters := metrics.New()
	app, queries, err := newApp(ctx, db, cfg, env, counters)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	if cfg.Demo {
		logins, err := demo.Load(ctx, app, queries)
		if err != nil {
			closeStore()
			return nil, nil, err
		}
		if len(logins) == 0 {
			log.Warn("--demo: the store has an organisation already; nothing was loaded")
		}
		for _, l := range logins {
			log.Info("demo login", "login", l.Login, "password", demo.Password, "role", l.Role, "unit", l.Unit)
		}
	}
	if env.BootstrapToken != "" {
		log.Info("bootstrap token accepted as the root's administrator until one is appointed")
	} else if started, err := app.Bootstrapped(ctx); err != nil {
		closeStore()
		return nil, nil, err
	} else if !started {
		log.Warn("nobody can sign in yet: this store has no administrator. Start once with AIDTRAIL_BOOTSTRAP_TOKEN set " +
			"to a secret of your choosing and use it as a bearer token to appoint one (README: First start), or start with --demo")
	}
	var broker *watermillsql.Broker
	if cfg.Broker == brokerPostgres {
		broker, err = watermillsql.New(ctx, watermillsql.Config{URL: cfg.Store.DatabaseURL, Logger: watermill.NewSlogLogger(log)})
		if err != nil {
			closeStore()
			return nil, nil, err
		}
		inner := closeStore
		closeStore = func() { _ = broker.Close(); inner() }
		log.Info("projections run in aidtrail project workers; forwarding events to them through PostgreSQL")
	}
	runner, err := newRunner(db, broker, log)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	if err := runner.Prepare(ctx); err != nil { // lists answer from the first request on
		closeStore()
		return nil, nil, err
	}
	sealer, auditor, err := newAuditLog(db, cfg, env, log)
	if err != nil {
		closeStore()
		return nil, nil, fmt.Errorf("audit log: %w", err)
	}
	deps := httpapi.Deps{Store: db.events, App: app, Logger: log, Replies: replies.New(db.tables),
		Query: queries, ReadModels: runner, Metrics: counters}
	if auditor != nil {
		deps.Audit = auditor
	}
	handlers, err := httpapi.New(deps)
	if err != nil {
		closeStore()
		return nil, nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		closeStore()
		return nil, nil, fmt.Errorf("listen: %w", err)
	}
	ln = httpapi.ProblemListener(ln) // net/http's own error answers as problem+json too
	srv := &server{
		http:            newHTTPServer(handlers.API, log),
		listener:        ln,
		projections:     runner,
		sealer:          sealer,
		forwardOnly:     broker != nil,
		shutdownTimeout: cfg.ShutdownTimeout,
		log:             log,
	}
	if cfg.MetricsAddr != "" {
		mln, err := lc.Listen(ctx, "tcp", cfg.MetricsAddr)
		if err != nil {
			_ = ln.Close()
			closeStore()
			return nil, nil, fmt.Errorf("listen for metrics: %w", err)
		}
		srv.metrics, srv.metricsListener = newHTTPServer(handlers.Metrics, log), mln
	}
	cleanup := func() {
		_ = ln.Close() // already closed by Shutdown, unless run was never called
		if srv.metricsListener != nil {
			_ = srv.metricsListener.Close()
		}
		closeStore()
	}
	return srv, cleanup, nil
}

// newHTTPServer serves h with the service's timeouts and limits.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// addr is the address the server listens on (with the port chosen when
// --addr asked for port 0).
func (s *server) addr() string { return s.listener.Addr().String() }

// run serves and projects until ctx ends, then shuts down within
// shutdownTimeout. Projections that stop (a poison event) are logged and
// reported by /readyz; the API goes on serving commands and reads of
// single aggregates, which come from the event store.
func (s *server) run(ctx context.Context) error {
	projCtx, stopProjections := context.WithCancel(ctx)
	projDone := make(chan struct{})
	go func() {
		defer close(projDone)
		project := s.projections.Run
		if s.forwardOnly {
			project = s.projections.Forward
		}
		if err := project(projCtx); err != nil {
			s.log.Error("projections stopped", "err", err)
		}
	}()
	sealDone := make(chan struct{})
	go func() { defer close(sealDone); runSealer(projCtx, s.sealer, s.log) }()
	defer func() { stopProjections(); <-projDone; <-sealDone }()
	servers := []*http.Server{s.http}
	errc := make(chan error, 2)
	go func() { errc <- s.http.Serve(s.listener) }()
	s.log.Info("serving HTTP", "addr", "http://"+s.addr())
	if s.metrics != nil {
		servers = append(servers, s.metrics)
		go func() { errc <- s.metrics.Serve(s.metricsListener) }()
		s.log.Info("serving metrics", "addr", "http://"+s.metricsListener.Addr().String()+"/metrics")
	}

	select {
	case err := <-errc:
		for _, hs := range servers {
			_ = hs.Close()
		}
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "deadline", s.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	var err error
	for _, hs := range servers {
		err = errors.Join(err, hs.Shutdown(sctx))
	}
	for range servers {
		if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) {
			err = errors.Join(err, serr)
		}
	}
	if err != nil {
		for _, hs := range servers {
			_ = hs.Close()
		}
		return fmt.Errorf("shutdown: %w", err)
	}
	s.log.Info("stopped")
	return nil
}

// newRunner is the runner of every projection over db: in-process when
// broker is nil, else publishing to and consuming from broker.
func newRunner(db database, broker *watermillsql.Broker, log *slog.Logger) (*projections.Runner, error) {
	cfg := projections.Config{DB: db.tables, Source: db.events, Projections: projections.All(), Logger: watermill.NewSlogLogger(log)}
	if broker != nil {
		cfg.Broker = broker
	}
	return projections.NewRunner(cfg)
}
