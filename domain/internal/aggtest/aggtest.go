// Package aggtest holds what the aggregate packages' tests share: recorded
// events for hand-written histories, the append a store would make of an
// aggregate's changes, and the checks every package makes of errors and of
// replay. Only tests import it.
package aggtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

// Rec returns the event at version v of stream, with a fresh id and data
// taken as it is (it need not be valid JSON).
func Rec(stream string, v int64, typ, data string) event.Recorded {
	return event.Recorded{ID: uuid.New(), Stream: stream, Version: v, Type: typ, Data: json.RawMessage(data)}
}

// Pick returns the event type a fuzzed byte n names among types: a fuzz
// target's arbitrary payloads go under valid type names.
func Pick(types []string, n uint8) string { return types[int(n)%len(types)] }

// Append returns history with changes appended as a store records an
// append to stream at the expected version: ids, types and payloads kept,
// versions following on. It is an error when history does not end at
// version or event.ValidateAppend refuses the changes. Like append, it may
// write into history's spare capacity.
func Append(history []event.Recorded, stream string, version int64, changes []event.Event) ([]event.Recorded, error) {
	if int64(len(history)) != version {
		return nil, fmt.Errorf("expected version %d, stream at %d", version, len(history))
	}
	if len(changes) > 0 {
		if err := event.ValidateAppend(stream, event.Exact(version), changes); err != nil {
			return nil, err
		}
	}
	for _, e := range changes {
		history = append(history, event.Recorded{ID: e.ID, Stream: stream, Version: int64(len(history) + 1), Type: e.Type, Data: e.Data})
	}
	return history, nil
}

// Aggregate is what a test commits: an aggregate's stream, the version it
// was loaded at and the events it recorded since.
type Aggregate interface {
	Stream() string
	Version() int64
	Changes() []event.Event
}

// Commit appends a's changes to history as a store records them, reloads
// the stream with load and checks with SameState that the state of the
// reloaded aggregate (as state reads it) is the state a's behaviour
// methods left. It returns the stream and the aggregate loaded afresh.
func Commit[A Aggregate](t testing.TB, history []event.Recorded, a A, load func([]event.Recorded) (A, error), state func(A) any) ([]event.Recorded, A) {
	t.Helper()
	history, err := Append(history, a.Stream(), a.Version(), a.Changes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := load(history)
	if err != nil {
		t.Fatalf("reload %s: %v", a.Stream(), err)
	}
	SameState(t, state(got), state(a))
	return history, got
}

// SameState fails t unless got, the state of an aggregate rebuilt from its
// stream, deeply equals want, the state its behaviour methods left: deciding
// and replaying must go through one apply.
func SameState(t testing.TB, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
}

// WantErr checks err against the expectation of a table row: nil wants no
// error; otherwise err must match want with errors.Is.
func WantErr(t testing.TB, err, want error) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

// WantField checks that err carries a *fault.ValidationError on field.
func WantField(t testing.TB, err error, field string) {
	t.Helper()
	var ve *fault.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("error %v carries no *fault.ValidationError", err)
	}
	if ve.Field != field {
		t.Fatalf("validation error on %q, want %q (%v)", ve.Field, field, err)
	}
}

// WantReplayError checks the error of loading a broken history of stream:
// it must match want and, unless want is event.ErrNotFound (no history at
// all), be a *fault.HistoryError of stream.
func WantReplayError(t testing.TB, err, want error, stream string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var he *fault.HistoryError
	if want != event.ErrNotFound && (!errors.As(err, &he) || he.Stream != stream) {
		t.Fatalf("%v is no *fault.HistoryError of %s", err, stream)
	}
}

// Broken is a history that replay must refuse, and the error it must be
// refused with (see WantReplayError).
type Broken struct {
	Name    string
	History []event.Recorded
	Want    error
}

// RefusesHistory loads each broken history as aggregate id's with load, in
// parallel subtests, and checks that it is refused as the case wants, for
// stream, and that no aggregate comes back.
func RefusesHistory[ID any, A comparable](t *testing.T, stream string, id ID, load func(ID, []event.Recorded) (A, error), cases []Broken) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.Name, func(t *testing.T) {
			t.Parallel()
			a, err := load(id, tt.History)
			WantReplayError(t, err, tt.Want, stream)
			var none A
			if a != none {
				t.Fatalf("loaded %v", a)
			}
		})
	}
}

// Refused reports whether loading a fuzzed history failed, and fails t
// when it failed with anything but fault.ErrHistory: replay may refuse any
// input, but only as history that cannot be replayed.
func Refused(t testing.TB, err error) bool {
	t.Helper()
	if err != nil && !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("error %v is not fault.ErrHistory", err)
	}
	return err != nil
}

// Types lists the types of events, in order.
func Types(events []event.Event) []string {
	var ts []string
	for _, e := range events {
		ts = append(ts, e.Type)
	}
	return ts
}
