package storetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"aidtrail/domain/event"
)

// jsonEqual reports whether a and b are the same JSON value: object key
// order and white space do not matter, numbers compare by their text so that
// an integer beyond float64's precision (money in fen) must survive intact.
func jsonEqual(a, b []byte) bool {
	va, errA := decodeJSON(a)
	vb, errB := decodeJSON(b)
	return errA == nil && errB == nil && reflect.DeepEqual(va, vb)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

// diffMetadata describes how got differs from want; "" when equal.
// OccurredAt compares as an instant, to the microsecond.
func diffMetadata(got, want event.Metadata) string {
	if !got.OccurredAt.Equal(want.OccurredAt) {
		return fmt.Sprintf("metadata occurred_at %s, want %s", got.OccurredAt.Format(time.RFC3339Nano), want.OccurredAt.Format(time.RFC3339Nano))
	}
	got.OccurredAt, want.OccurredAt = time.Time{}, time.Time{}
	if got != want {
		return fmt.Sprintf("metadata %+v, want %+v", got, want)
	}
	return ""
}

// diffEvent describes how a recorded event differs from the event that was
// appended; "" when it carries the same id, type, payload and metadata.
func diffEvent(rec event.Recorded, want event.Event) string {
	switch {
	case rec.ID != want.ID:
		return fmt.Sprintf("id %s, want %s", rec.ID, want.ID)
	case rec.Type != want.Type:
		return fmt.Sprintf("event %s: type %q, want %q", rec.ID, rec.Type, want.Type)
	case !jsonEqual(rec.Data, want.Data):
		return fmt.Sprintf("event %s: data %s, want %s", rec.ID, rec.Data, want.Data)
	}
	if d := diffMetadata(rec.Metadata, want.Metadata); d != "" {
		return fmt.Sprintf("event %s: %s", rec.ID, d)
	}
	return ""
}

// diffRecorded describes how two reads of what should be the same stored
// event differ; "" when they agree on everything.
func diffRecorded(a, b event.Recorded) string {
	switch {
	case a.ID != b.ID:
		return fmt.Sprintf("id %s vs %s", a.ID, b.ID)
	case a.Stream != b.Stream, a.Version != b.Version, a.Position != b.Position:
		return fmt.Sprintf("event %s: stream/version/position %q/%d/%d vs %q/%d/%d",
			a.ID, a.Stream, a.Version, a.Position, b.Stream, b.Version, b.Position)
	case a.Type != b.Type:
		return fmt.Sprintf("event %s: type %q vs %q", a.ID, a.Type, b.Type)
	case !jsonEqual(a.Data, b.Data):
		return fmt.Sprintf("event %s: data %s vs %s", a.ID, a.Data, b.Data)
	case !a.RecordedAt.Equal(b.RecordedAt):
		return fmt.Sprintf("event %s: recorded_at %s vs %s", a.ID, a.RecordedAt, b.RecordedAt)
	}
	if d := diffMetadata(a.Metadata, b.Metadata); d != "" {
		return fmt.Sprintf("event %s: %s", a.ID, d)
	}
	return ""
}

// checkStream fails t unless recs are exactly want, recorded in stream with
// versions firstVersion, firstVersion+1, ... and strictly increasing positions.
func checkStream(t *testing.T, recs []event.Recorded, stream string, firstVersion int64, want []event.Event) {
	t.Helper()
	if len(recs) != len(want) {
		t.Fatalf("stream %q from version %d: %d events, want %d", stream, firstVersion, len(recs), len(want))
	}
	for i, rec := range recs {
		if rec.Stream != stream {
			t.Fatalf("event %d: stream %q, want %q", i, rec.Stream, stream)
		}
		if v := firstVersion + int64(i); rec.Version != v {
			t.Fatalf("stream %q event %d: version %d, want %d", stream, i, rec.Version, v)
		}
		if d := diffEvent(rec, want[i]); d != "" {
			t.Fatalf("stream %q version %d: %s", stream, rec.Version, d)
		}
		if i > 0 && rec.Position <= recs[i-1].Position {
			t.Fatalf("stream %q: version %d has position %d, not above version %d's %d",
				stream, rec.Version, rec.Position, recs[i-1].Version, recs[i-1].Position)
		}
	}
}

// checkRecordedAt fails t unless every event carries a UTC recording time
// within a day of the test (a sanity bound, not a timing requirement).
func checkRecordedAt(t *testing.T, recs []event.Recorded) {
	t.Helper()
	now := time.Now()
	for _, r := range recs {
		switch {
		case r.RecordedAt.IsZero():
			t.Fatalf("event %s: RecordedAt not set", r.ID)
		case r.RecordedAt.Location() != time.UTC:
			t.Fatalf("event %s: RecordedAt %s is in location %q, want UTC", r.ID, r.RecordedAt, r.RecordedAt.Location())
		case r.RecordedAt.Before(now.Add(-24*time.Hour)) || r.RecordedAt.After(now.Add(24*time.Hour)):
			t.Fatalf("event %s: RecordedAt %s is not around now (%s)", r.ID, r.RecordedAt, now.UTC())
		}
	}
}
