package query

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
)

// Dimension is what statistics may be grouped by.
type Dimension string

// The dimensions, as the API names them.
const (
	DimUnit     Dimension = "unit"     // the scope's children, each with its subtree, and the scope itself
	DimCategory Dimension = "category" // hardship, medical, education
	DimCause    Dimension = "cause"    // cause of hardship named by the case
	DimStandard Dimension = "standard" // standard code
	DimLine     Dimension = "line"     // budget line (expenditure structure)
	DimMonth    Dimension = "month"    // YYYY-MM of opening
)

// Dimensions lists every dimension, in the order rows are sorted by.
func Dimensions() []Dimension {
	return []Dimension{DimUnit, DimCategory, DimCause, DimStandard, DimLine, DimMonth}
}

// StatsRequest asks for figures grouped by Dimensions (none: one row of
// totals; a dimension named twice counts once). From and To bound the
// month of opening, YYYY-MM, both inclusive, "" for no bound. Scope
// bounds the cases to the subtree of one unit, uuid.Nil for the whole
// organisation.
//
// Grouped by unit, a row stands for a child of Scope with everything below
// it, or for Scope itself with the cases filed directly at it; with no
// Scope, for each root of the organisation with its whole tree.
type StatsRequest struct {
	Dimensions []Dimension
	From, To   string
	Scope      uuid.UUID
}

// StatsRow is one group. Dimension fields not asked for are zero;
// UnitName is set with UnitID. Cases counts the group's cases, Employees
// the distinct employees they are for; a case with several causes counts
// in each cause's row, so rows grouped by cause may add up to more than
// the total.
type StatsRow struct {
	UnitID       uuid.UUID
	UnitName     string
	Category     string
	Cause        string
	StandardCode string
	BudgetLine   string
	Month        string
	Cases        int64
	Employees    int64
	ApprovedFen  int64
	PaidFen      int64
	// Condolence visits, grouped by unit, line and month only (they have
	// no category, cause or standard): how many, the employees they
	// visited (one per employee and visit), and what their budgets were
	// charged, corrections applied.
	Visits           int64
	VisitedEmployees int64
	VisitFen         int64
}

// StatsError is a statistics request refused as malformed: Field names
// the part (dimensions, from, to) and Reason what is wrong.
type StatsError struct{ Field, Reason string }

func (e *StatsError) Error() string { return "stats: " + e.Field + " " + e.Reason }

// ErrBadStats matches every *StatsError.
var ErrBadStats = errors.New("stats: bad query")

// Is makes errors.Is(err, ErrBadStats) hold for a *StatsError.
func (e *StatsError) Is(target error) bool { return target == ErrBadStats }

// ParseDimension returns the dimension named s, or a *StatsError.
func ParseDimension(s string) (Dimension, error) {
	if d := Dimension(s); slices.Contains(Dimensions(), d) {
		return d, nil
	}
	return "", &StatsError{Field: "dimensions", Reason: fmt.Sprintf("has %q, not one of unit, category, cause, standard, line, month", s)}
}

// ValidMonth reports whether s is a month YYYY-MM.
func ValidMonth(s string) bool {
	_, err := time.Parse("2006-01", s)
	return err == nil && len(s) == 7
}

// Validate checks r, returning the first problem as a *StatsError.
func (r StatsRequest) Validate() error {
	for _, d := range r.Dimensions {
		if _, err := ParseDimension(string(d)); err != nil {
			return err
		}
	}
	for _, m := range []struct{ field, v string }{{"from", r.From}, {"to", r.To}} {
		if m.v != "" && !ValidMonth(m.v) {
			return &StatsError{Field: m.field, Reason: "must be a month YYYY-MM"}
		}
	}
	if r.From != "" && r.To != "" && r.From > r.To {
		return &StatsError{Field: "to", Reason: "must not be before from"}
	}
	return nil
}

// Stats returns the figures r asks for within the subtree of unit (the
// unit where actor reads statistics when uuid.Nil; see
// StatsScope), one row per group that has cases, sorted by
// the dimensions in the order of Dimensions(). With no dimensions it
// returns exactly one row, the totals. r.Scope is set here.
func (s *Service) Stats(ctx context.Context, actor uow.Actor, unit uuid.UUID, r StatsRequest) ([]StatsRow, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	scope, err := s.StatsScope(ctx, actor, unit)
	if err != nil {
		return nil, err
	}
	r.Scope = scope
	return s.models.Stats(ctx, r)
}
