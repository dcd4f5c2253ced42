package commands

import (
	"errors"
	"time"

	"aidtrail/commands/internal/uow"
)

// Deps are the ports the use cases need.
type Deps struct {
	Store       EventStore
	Keyring     Keyring
	Credentials Credentials
	Sessions    Sessions
	Hasher      PasswordHasher
	Documents   DocumentStore // optional: without it, documents are refused
	Clock       Clock
	Policy      LoginPolicy
	// SessionTTL is how long a bearer token from a login stays valid.
	SessionTTL time.Duration
	// BootstrapTokenHash is HashToken of AIDTRAIL_BOOTSTRAP_TOKEN, or nil:
	// that token acts as the bureau administrator of the root until a real
	// administrator exists.
	BootstrapTokenHash []byte
	// Observer, optional, is told of every command decided.
	Observer Observer
}

// Observer is told of every command the App decides: its name (as in
// command.answered), how long it took, retries included, and its error
// (nil when it committed or answered from a run before).
type Observer interface {
	CommandDone(command string, took time.Duration, err error)
}

func (d *Deps) setDefaults() {
	if d.Clock == nil {
		d.Clock = SystemClock{}
	}
	if d.SessionTTL <= 0 {
		d.SessionTTL = 12 * time.Hour
	}
	d.Policy.setDefaults()
}

// Validate reports every missing port at once.
func (d Deps) Validate() error {
	var errs []error
	for name, missing := range map[string]bool{
		"Store": d.Store == nil, "Keyring": d.Keyring == nil, "Credentials": d.Credentials == nil,
		"Sessions": d.Sessions == nil, "Hasher": d.Hasher == nil,
	} {
		if missing {
			errs = append(errs, errors.New("commands: "+name+" is required"))
		}
	}
	return errors.Join(append(errs, d.Policy.Validate())...)
}

// App gathers aidtrail's commands. It is safe for concurrent use.
type App struct {
	store       EventStore
	keyring     Keyring
	credentials Credentials
	sessions    Sessions
	hasher      PasswordHasher
	documents   DocumentStore
	clock       Clock
	policy      LoginPolicy
	sessionTTL  time.Duration
	bootstrap   []byte
	dummyHash   string    // verified against when a login is unknown, so timing reveals nothing
	gate        *uow.Gate // authorises every command and records refusals
	hot         *uow.StreamLocks
	budgets     *uow.BudgetCache
	observer    Observer
}

// New builds the App, refusing missing ports.
func New(deps Deps) (*App, error) {
	deps.setDefaults()
	if err := deps.Validate(); err != nil {
		return nil, err
	}
	dummy, err := deps.Hasher.Hash("not a password anyone has")
	if err != nil {
		return nil, err
	}
	return &App{
		store: deps.Store, keyring: deps.Keyring, credentials: deps.Credentials, sessions: deps.Sessions,
		hasher: deps.Hasher, documents: deps.Documents, clock: deps.Clock, policy: deps.Policy, sessionTTL: deps.SessionTTL,
		bootstrap: deps.BootstrapTokenHash, dummyHash: dummy, gate: uow.NewGate(deps.Store, deps.Clock), hot: uow.NewStreamLocks(), budgets: uow.NewBudgetCache(), observer: deps.Observer,
	}, nil
}
