package query

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/care"
	"aidtrail/domain/event"
)

// CareReadModels is the part of ReadModels that serves care work: the
// hardship register, the discovery list and the profile.
type CareReadModels interface {
	Register(ctx context.Context, f RegisterFilter) ([]RegisterRow, int64, error)
	Discovery(ctx context.Context, f DiscoveryFilter) ([]DiscoveryRow, int64, error)
	DiscoverySummary(ctx context.Context, f DiscoveryFilter) (DiscoverySummary, error)
	Profile(ctx context.Context, r ProfileRequest) ([]ProfileRow, error)
}

// RegisterRow is an employee's place in the hardship register, as of
// their latest entry.
type RegisterRow struct {
	EmployeeID uuid.UUID // uuid.Nil in a masked list
	UnitID     uuid.UUID
	Level      care.Level
	Causes     []string
	Household  care.Household
	Since      string
	ReviewDue  string
	Status     string // active or exited
	ExitReason string
	Position   int64
}

// RegisterFilter selects register rows; zero fields do not filter, except
// Within as in CaseFilter. ReviewOverdue keeps the active rows whose
// review was due before Today.
type RegisterFilter struct {
	Within        []uuid.UUID
	Under         uuid.UUID
	Level         care.Level
	Status        string
	ReviewOverdue bool
	Today         string // YYYY-MM-DD, set by the query
	Page
}

// DiscoveryRow is one item of the discovery list.
type DiscoveryRow struct {
	ItemID       uuid.UUID
	EmployeeID   uuid.UUID // uuid.Nil in a masked list
	UnitID       uuid.UUID
	StandardCode string
	Year         int
	Reason       string // "" in a masked list
	RuleCode     string
	RuleVersion  int
	Status       string
	FoundAt      time.Time
	CaseID       uuid.UUID // the case opened for it, or uuid.Nil
	CaseOpenedAt string    // RFC 3339, or ""
	CasePaidAt   string
	FollowedBy   string // the account of the last follow-up, or ""
	FollowedAt   string
	Seq          int64
}

// DiscoveryFilter selects discovery items; zero fields do not filter,
// except Within as in CaseFilter.
type DiscoveryFilter struct {
	Within     []uuid.UUID
	Under      uuid.UUID
	Status     string
	EmployeeID uuid.UUID
	ItemID     uuid.UUID
	Year       int // the year an item was found; 0: any (the summary's only)
	Page
}

// DiscoverySummary is what the discovery list did: the items found, by
// status; how many led to a case, and to a payment; and the median days
// from finding to each (nil when none did) — how many people the system
// found before they asked, and how fast they were served.
type DiscoverySummary struct {
	Found               int
	ByStatus            map[string]int
	CasesOpened         int
	CasesPaid           int
	MedianDaysToCase    *float64
	MedianDaysToPayment *float64
}

// ProfileDimensions are what the profile groups by.
func ProfileDimensions() []string {
	return []string{"unit", "level", "cause", "age_band", "income_band", "household_size", "dependants", "month", "status"}
}

// ProfileRequest asks for register and case figures grouped by GroupBy
// (of ProfileDimensions; month is the month of entry), within the
// subtrees of Within (nil: everything) and Under.
type ProfileRequest struct {
	Within  []uuid.UUID
	Under   uuid.UUID
	GroupBy []string
	Status  string // active or exited; "" both
}

// ProfileRow is one group's figures: the employees entered, the cases they
// have had, and the aid approved and paid on those cases. Counted by
// cause, an employee counts once under each of their causes.
type ProfileRow struct {
	Dimensions  map[string]string
	Employees   int64
	Cases       int64
	ApprovedFen int64
	PaidFen     int64
}

// careScope decides what actor may read of care work: the subtrees where
// it holds care.manage or audit.read, with the employees named; failing
// those, where it holds stats.read, masked (no employee, no reason); an
// actor with neither is refused on the record.
func (s *Service) careScope(ctx context.Context, actor uow.Actor, reason string) (within []uuid.UUID, masked bool, err error) {
	return s.fullOrMasked(ctx, actor, reason, access.CareReadPermissions()...)
}

// fullOrMasked bounds a list to the subtrees where actor holds one of the
// full permissions; failing those, to where it holds stats.read, masked
// (the caller leaves out who is named); an actor with neither is refused
// on the record, reason saying what was read.
func (s *Service) fullOrMasked(ctx context.Context, actor uow.Actor, reason string, full ...access.Permission) (within []uuid.UUID, masked bool, err error) {
	scope, err := s.gate.QuietScope(ctx, actor, full...)
	if err != nil {
		return nil, false, err
	}
	if scope.Empty() {
		if scope, err = s.gate.StaffReadScope(ctx, actor, reason, access.PermStatsRead); err != nil {
			return nil, false, err
		}
		masked = true
	}
	return scope.Within(), masked, nil
}

// HardshipRegister lists the register within what actor may read, in
// order of entry.
func (s *Service) HardshipRegister(ctx context.Context, actor uow.Actor, f RegisterFilter) ([]RegisterRow, int64, error) {
	within, masked, err := s.careScope(ctx, actor, "listing the hardship register")
	if err != nil {
		return nil, 0, err
	}
	f.Within, f.Today = within, care.Today(s.clock.Now())
	rows, next, err := s.models.Register(ctx, f)
	if masked {
		for i := range rows {
			rows[i].EmployeeID = uuid.Nil
		}
	}
	return rows, next, err
}

// DiscoveryList lists discovery items within what actor may read, in the
// order they were found.
func (s *Service) DiscoveryList(ctx context.Context, actor uow.Actor, f DiscoveryFilter) ([]DiscoveryRow, int64, error) {
	within, masked, err := s.careScope(ctx, actor, "listing discovery items")
	if err != nil {
		return nil, 0, err
	}
	f.Within = within
	rows, next, err := s.models.Discovery(ctx, f)
	if masked {
		for i := range rows {
			rows[i].EmployeeID, rows[i].Reason = uuid.Nil, ""
		}
	}
	return rows, next, err
}

// DiscoverySummary sums up the discovery list within what actor may read;
// it names no one.
func (s *Service) DiscoverySummary(ctx context.Context, actor uow.Actor, f DiscoveryFilter) (DiscoverySummary, error) {
	within, _, err := s.careScope(ctx, actor, "summing up discovery")
	if err != nil {
		return DiscoverySummary{}, err
	}
	f.Within = within
	return s.models.DiscoverySummary(ctx, f)
}

// DiscoveryItem returns a discovery item for an actor who keeps the
// register somewhere (care.manage; refused on the record otherwise), to
// follow it up: the command that records the follow-up decides, and
// records, whether the actor may act at the item's employee's unit.
func (s *Service) DiscoveryItem(ctx context.Context, actor uow.Actor, id uuid.UUID) (DiscoveryRow, error) {
	if _, err := s.gate.StaffReadScope(ctx, actor, "following up a discovery item", access.PermCareManage); err != nil {
		return DiscoveryRow{}, err
	}
	rows, _, err := s.models.Discovery(ctx, DiscoveryFilter{ItemID: id})
	if err != nil {
		return DiscoveryRow{}, err
	}
	if len(rows) == 0 {
		return DiscoveryRow{}, fmt.Errorf("discovery item %s: %w", id, uow.ErrNotFound)
	}
	return rows[0], nil
}

// Profile returns the register and case figures within what actor may
// read; it never names anyone, so analysts read it as staff do.
func (s *Service) Profile(ctx context.Context, actor uow.Actor, r ProfileRequest) ([]ProfileRow, error) {
	within, _, err := s.careScope(ctx, actor, "reading the profile")
	if err != nil {
		return nil, err
	}
	r.Within = within
	return s.models.Profile(ctx, r)
}

// DiscoveryRules returns the rule set in force (Version 0 when none is
// published). Those who keep the register, publish rules or read
// statistics may read it: rules name no one.
func (s *Service) DiscoveryRules(ctx context.Context, actor uow.Actor) (care.RulesPublished, error) {
	if _, err := s.gate.StaffReadScope(ctx, actor, "reading the discovery rules",
		access.PermCareManage, access.PermDiscoveryRules, access.PermStatsRead, access.PermAuditRead); err != nil {
		return care.RulesPublished{}, err
	}
	history, err := s.store.ReadStream(ctx, care.RulesStream, 1)
	if err != nil || len(history) == 0 {
		return care.RulesPublished{}, ignoreNotFound(err)
	}
	set, err := care.LoadRuleSet(history)
	if err != nil {
		return care.RulesPublished{}, err
	}
	return set.Current(), nil
}

func (noReadModels) Register(context.Context, RegisterFilter) ([]RegisterRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

func (noReadModels) Discovery(context.Context, DiscoveryFilter) ([]DiscoveryRow, int64, error) {
	return nil, 0, ErrNoReadModels
}

func (noReadModels) DiscoverySummary(context.Context, DiscoveryFilter) (DiscoverySummary, error) {
	return DiscoverySummary{}, ErrNoReadModels
}

func (noReadModels) Profile(context.Context, ProfileRequest) ([]ProfileRow, error) {
	return nil, ErrNoReadModels
}

// ignoreNotFound is nil for a stream that does not exist.
func ignoreNotFound(err error) error {
	if errors.Is(err, event.ErrNotFound) {
		return nil
	}
	return err
}
