package query

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
)

// Opener opens personal data sealed for an employee (the keyring's
// reading half); a value whose key is erased is uow.ErrErased, which the
// commands package names ErrErased.
type Opener interface {
	Open(ctx context.Context, subject uuid.UUID, sealed string) (string, error)
}

// Deps are the ports the queries need.
type Deps struct {
	Store   uow.EventStore // the history, which reads of one aggregate fold
	Keyring Opener         // opens personal fields for those who may read them
	// Documents, optional: without it, documents are refused.
	Documents uow.DocumentStore
	// Models, optional: the read models lists and figures come from;
	// without them those answer ErrNoReadModels.
	Models ReadModels
	// Clock stamps the record of a refused read; the wall clock when nil.
	Clock uow.Clock
}

// ErrNoReadModels: the Service was built without read models, so it
// answers reads of one aggregate only.
var ErrNoReadModels = errors.New("query: no read models configured")

// Service answers the queries, each bounded to what its actor may see.
// It is safe for concurrent use.
type Service struct {
	store     uow.EventStore
	gate      *uow.Gate
	keyring   Opener
	documents uow.DocumentStore
	models    ReadModels
	clock     uow.Clock
}

// New builds the Service, refusing missing ports.
func New(deps Deps) (*Service, error) {
	if deps.Store == nil || deps.Keyring == nil {
		return nil, errors.New("query: a Store and a Keyring are required")
	}
	if deps.Clock == nil {
		deps.Clock = uow.SystemClock{}
	}
	models := deps.Models
	if models == nil {
		models = noReadModels{}
	}
	return &Service{store: deps.Store, gate: uow.NewGate(deps.Store, deps.Clock), keyring: deps.Keyring,
		documents: deps.Documents, models: models, clock: deps.Clock}, nil
}

// noReadModels stands in for read models a Service was built without.
type noReadModels struct{}

func (noReadModels) Cases(context.Context, CaseFilter) ([]CaseRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

func (noReadModels) Budgets(context.Context, BudgetFilter) ([]BudgetRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

func (noReadModels) Inbox(context.Context, uuid.UUID, Page) ([]InboxRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

func (noReadModels) Payments(context.Context, PaymentFilter) ([]PaymentRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

func (noReadModels) Stats(context.Context, StatsRequest) ([]StatsRow, error) {
	return nil, ErrNoReadModels
}

func (noReadModels) Trail(context.Context, TrailFilter) ([]TrailRow, int64, error) {
	return nil, 0, ErrNoReadModels
}
