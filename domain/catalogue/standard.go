// Package catalogue holds the bureau's catalogue of aid standards (救助标准):
// each standard's amount rule, caps, required documents, beneficiaries and
// budget line, versioned so that a case keeps the version it was decided
// under. Standards published by a station for its own programme (帮扶项目
// 自定义) are standards too, owned by that station's unit.
package catalogue

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"

	"aidtrail/domain/event"
	agg "aidtrail/domain/internal/aggregate"
)

// StandardStream names the stream of the standard with code:
// "standard-<code>". Stored names are chosen once; never change this.
func StandardStream(code string) string { return "standard-" + code }

// Event types of a standard's stream. They are stored; never rename them.
const (
	TypeStandardPublished = "standard.published"
	TypeStandardRevised   = "standard.revised"
	TypeStandardRetired   = "standard.retired"
)

// StandardEventTypes lists every event type a standard stream may hold.
func StandardEventTypes() []string {
	return []string{TypeStandardPublished, TypeStandardRevised, TypeStandardRetired}
}

// StandardPublished is the payload of standard.published, the first event
// of a standard stream: the whole definition, version 1.
type StandardPublished struct {
	Definition
}

// StandardRevised is the payload of standard.revised: the whole definition
// of the next version, which replaces the previous one for new cases.
type StandardRevised struct {
	Definition
}

// StandardRetired is the payload of standard.retired.
type StandardRetired struct {
	Reason string `json:"reason"`
}

// Standard is one aid standard of the catalogue with all its versions.
// Create one with Publish, rebuild one with LoadStandard; the zero value is
// not usable. A Standard is not safe for concurrent use; the event store's
// expected version serialises writers.
type Standard struct {
	code string
	s    standardState
	agg.Root
}

type standardState struct {
	versions     []Definition // versions[i] is version i+1
	retired      bool
	retireReason string
}

// Publish records standard.published: def, validated, becomes version 1 of
// a new standard. Whether the code is already taken is the command layer's
// to check (the stream exists: ErrAlreadyPublished).
func Publish(def Definition) (*Standard, error) {
	d, err := def.normalise()
	if err != nil {
		return nil, err
	}
	d.Version = 1
	st := &Standard{code: d.Code}
	if err := agg.Record(&st.Root, st.apply, TypeStandardPublished, StandardPublished{d}); err != nil {
		return nil, err
	}
	return st, nil
}

// Revise records standard.revised: def, validated, becomes the next
// version and replaces the whole current definition for new cases; earlier
// versions stay readable through Version. An empty def.Code means the
// standard's own; another code is invalid. A def equal to the current
// definition records nothing. A retired standard is not revised
// (ErrRetired).
func (st *Standard) Revise(def Definition) error {
	if st.s.retired {
		return ErrRetired
	}
	if def.Code == "" {
		def.Code = st.code
	}
	if def.Code != st.code {
		return invalid("code", "must be the standard's code %s", st.code)
	}
	d, err := def.normalise()
	if err != nil {
		return err
	}
	cur := st.s.versions[len(st.s.versions)-1]
	d.Version = cur.Version
	if reflect.DeepEqual(d, cur) {
		return nil
	}
	d.Version = cur.Version + 1
	return agg.Record(&st.Root, st.apply, TypeStandardRevised, StandardRevised{d})
}

// Retire records standard.retired: no new case may use the standard, and
// it is not revised again. Cases already under it keep their version.
// reason is required.
func (st *Standard) Retire(reason string) error {
	if st.s.retired {
		return ErrRetired
	}
	reason, err := cleanReason(reason)
	if err != nil {
		return err
	}
	return agg.Record(&st.Root, st.apply, TypeStandardRetired, StandardRetired{Reason: reason})
}

// Code returns the standard's code.
func (st *Standard) Code() string { return st.code }

// Stream returns StandardStream(st.Code()).
func (st *Standard) Stream() string { return StandardStream(st.code) }

// Current returns a copy of the latest version's definition.
func (st *Standard) Current() Definition { return st.s.versions[len(st.s.versions)-1].clone() }

// Version returns a copy of version n's definition, or ErrVersionNotFound.
func (st *Standard) Version(n int) (Definition, error) {
	if n < 1 || n > len(st.s.versions) {
		return Definition{}, fmt.Errorf("%w: %s version %d", ErrVersionNotFound, st.code, n)
	}
	return st.s.versions[n-1].clone(), nil
}

// Retired reports whether the standard is retired, and why.
func (st *Standard) Retired() (bool, string) { return st.s.retired, st.s.retireReason }

// StreamVersion returns the stream version the standard was loaded at, 0
// for one published in this command: the expected version for appending
// Changes.
func (st *Standard) StreamVersion() int64 { return st.Root.Version() }

// LoadStandard rebuilds the standard with code from its whole stream, in
// order from version 1. An empty history is event.ErrNotFound; an event it
// cannot apply, of an unknown type included, is a *fault.HistoryError
// (fault.ErrHistory).
func LoadStandard(code string, history []event.Recorded) (*Standard, error) {
	st := &Standard{code: code}
	return agg.Load(st, StandardStream(code), history, st.apply)
}

// apply changes the state by one event, for recorded and replayed events
// alike; it changes nothing when it fails.
func (st *Standard) apply(typ string, data json.RawMessage) error {
	s := &st.s
	if typ != TypeStandardPublished && len(s.versions) == 0 {
		return errNotStarted
	}
	switch typ {
	case TypeStandardPublished, TypeStandardRevised:
		return agg.On(data, func(p StandardPublished) error {
			switch {
			case typ == TypeStandardPublished && len(s.versions) > 0:
				return ErrAlreadyPublished
			case typ == TypeStandardRevised && s.retired:
				return ErrRetired
			case p.Version != len(s.versions)+1:
				return fmt.Errorf("version %d does not follow %d", p.Version, len(s.versions))
			case p.Code != st.code:
				return fmt.Errorf("code %q is not the stream's %q", p.Code, st.code)
			}
			d, err := p.Definition.normalise()
			if err != nil {
				return err
			}
			s.versions = append(s.versions, d)
			return nil
		})
	case TypeStandardRetired:
		return agg.On(data, func(p StandardRetired) error {
			if s.retired {
				return ErrRetired
			}
			if p.Reason == "" {
				return errors.New("reason is empty")
			}
			s.retired, s.retireReason = true, p.Reason
			return nil
		})
	default:
		return agg.Unknown(typ)
	}
}
