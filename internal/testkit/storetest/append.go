package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"aidtrail/commands"
	"aidtrail/domain/event"
)

// testRoundTrip: what is appended reads back as it was written, with
// versions 1..n, increasing positions and a recording time; ReadStream(from)
// returns the suffix from that version; an unknown stream is ErrNotFound.
func testRoundTrip(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	stream := NewStream("case")

	first := NewEvents(3, "case.submitted")
	r1 := mustAppend(ctx, t, s, stream, event.NoStream, first...)
	second := NewEvents(2, "case.approved")
	r2 := mustAppend(ctx, t, s, stream, event.Exact(3), second...)
	all := slices.Concat(first, second)

	recs := mustReadStream(ctx, t, s, stream, 0)
	checkStream(t, recs, stream, 1, all)
	checkRecordedAt(t, recs)
	if want := (event.Appended{Version: 3, Position: recs[2].Position}); r1 != want {
		t.Errorf("first Append returned %+v, want %+v", r1, want)
	}
	if want := (event.Appended{Version: 5, Position: recs[4].Position}); r2 != want {
		t.Errorf("second Append returned %+v, want %+v", r2, want)
	}

	for _, from := range []int64{1, 2, 3, 5} {
		got := mustReadStream(ctx, t, s, stream, from)
		checkStream(t, got, stream, from, all[from-1:])
		for i, rec := range got {
			if d := diffRecorded(rec, recs[int(from)-1+i]); d != "" {
				t.Errorf("ReadStream(from %d) disagrees with ReadStream(from 0): %s", from, d)
			}
		}
	}
	// The stream exists, so reading past its end is no events, not ErrNotFound.
	if got, err := s.ReadStream(ctx, stream, 6); err != nil || len(got) != 0 {
		t.Errorf("ReadStream(from 6) of a 5-event stream = %d events, %v; want none and no error", len(got), err)
	}
	if _, err := s.ReadStream(ctx, NewStream("never-written"), 0); !errors.Is(err, event.ErrNotFound) {
		t.Errorf("ReadStream of an unknown stream: %v, want ErrNotFound", err)
	}
}

// testStreamIsolation: streams whose names look alike (prefixes, case, SQL
// LIKE wildcards, trailing space, multi-byte characters, the maximum length)
// are distinct streams with their own versions.
func testStreamIsolation(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	base := NewStream("iso")
	pad := event.MaxStreamLength - len(base) - 1
	long := base + "-" + strings.Repeat("案", pad/3) + strings.Repeat("x", pad%3) // exactly MaxStreamLength bytes
	if len(long) != event.MaxStreamLength {
		t.Fatalf("test bug: long name has %d bytes", len(long))
	}
	names := []string{base, base + "-1", base + "-10", strings.ToUpper(base), base + "%", base + "_", base + " ", "案件-" + base, long}
	want := map[string][]event.Event{}
	for i, name := range names {
		evs := NewEvents(i+1, "iso.tested")
		want[name] = evs
		if res := mustAppend(ctx, t, s, name, event.NoStream, evs...); res.Version != int64(i+1) {
			t.Errorf("Append to %q returned version %d, want %d", name, res.Version, i+1)
		}
	}
	for _, name := range names {
		checkStream(t, mustReadStream(ctx, t, s, name, 0), name, 1, want[name])
	}
	// Each stream's version is its own: another event in one of them moves only it.
	more := NewEvents(1, "iso.tested")
	mustAppend(ctx, t, s, base, event.Exact(1), more...)
	checkStream(t, mustReadStream(ctx, t, s, base, 0), base, 1, slices.Concat(want[base], more))
	checkStream(t, mustReadStream(ctx, t, s, base+"-1", 0), base+"-1", 1, want[base+"-1"])
}

// testPayloadKinds: any JSON value that event.ValidateAppend accepts is a
// valid payload and reads back as the same JSON value, with integers beyond
// float64's precision (amounts in fen) intact; metadata text of any kind
// reads back unchanged. Whatever ValidateAppend refuses is ErrInvalid, so
// that no adapter accepts what another refuses.
func testPayloadKinds(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	payloads := []struct{ name, data string }{
		{"empty object", `{}`},
		{"empty array", `[]`},
		{"array", `[1,"two",{"three":3},null]`},
		{"string", `"just a string"`},
		{"integer", `42`},
		{"decimal", `-7.25`},
		{"true", `true`},
		{"null", `null`},
		{"big integers", `{"amount_fen":9007199254740993,"total_fen":-9223372036854775808}`},
		{"unicode and escapes", `{"name":"王芳","quote":"\"q\" \\ \/ \b\f\n\r\t","emoji":"😀","escaped":"\u00e9\u4e2d"}`},
		{"nested", `{"a":{"b":[{"c":[]},{"d":{"e":null}}]}}`},
		{"white space", " {\n\t\"spaced\" : 1 ,\"x\":[ 1 , 2 ] } "},
		{"NUL escape in a string", `{"note":"a\u0000b"}`},
		{"NUL escape in a key", `{"a\u0000":1}`},
	}
	for _, p := range payloads {
		t.Run(p.name, func(t *testing.T) {
			checkAcceptedAsValidated(ctx, t, s, NewEvent("payload.tested", p.data))
		})
	}
	texts := []struct{ name, text string }{
		{"quotes and backslashes", `"quoted" \ back\slash {json}`},
		{"control characters", "tab\tnewline\nbell\a"},
		{"non-ASCII", "张伟 · Ünïcødé · 😀"},
		{"NUL", "before\x00after"},
	}
	for _, m := range texts {
		t.Run("metadata "+m.name, func(t *testing.T) {
			e := NewEvent("metadata.tested", `{}`)
			e.Metadata.ActorName, e.Metadata.CausationID = m.text, m.text
			checkAcceptedAsValidated(ctx, t, s, e)
		})
	}
}

// checkAcceptedAsValidated appends e to a new stream and requires the
// outcome event.ValidateAppend prescribes: stored and read back unchanged,
// or ErrInvalid with nothing written.
func checkAcceptedAsValidated(ctx context.Context, t *testing.T, s commands.EventStore, e event.Event) {
	t.Helper()
	stream := NewStream("payload")
	invalid := event.ValidateAppend(stream, event.NoStream, []event.Event{e})
	_, err := callAppend(ctx, s, stream, event.NoStream, e)
	switch {
	case invalid != nil && !errors.Is(err, event.ErrInvalid):
		t.Fatalf("Append: %v; want ErrInvalid, as event.ValidateAppend says: %v", err, invalid)
	case invalid != nil:
		if _, err := s.ReadStream(ctx, stream, 0); !errors.Is(err, event.ErrNotFound) {
			t.Fatalf("after an invalid append, ReadStream: %v, want ErrNotFound", err)
		}
	case err != nil:
		t.Fatalf("Append: %v; event.ValidateAppend accepts this event, so the store must keep it", err)
	default:
		checkStream(t, mustReadStream(ctx, t, s, stream, 0), stream, 1, []event.Event{e})
	}
}

// testExpectedVersion: an append happens only if the stream is at the
// expected version; a refused append is ErrConcurrency carrying the actual
// version, and changes nothing.
func testExpectedVersion(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	stream := NewStream("ev")

	refused := func(stream string, expected event.ExpectedVersion, actual int64) {
		t.Helper()
		before := streamOrNil(ctx, t, s, stream)
		_, err := s.Append(ctx, stream, expected, NewEvents(2, "ev.refused")...)
		if !errors.Is(err, event.ErrConcurrency) {
			t.Errorf("Append(%s) to a stream at version %d: %v, want ErrConcurrency", expected, actual, err)
		}
		var ce *event.ConcurrencyError
		if !errors.As(err, &ce) {
			t.Errorf("Append(%s): error %v does not carry a *event.ConcurrencyError", expected, err)
		} else if ce.Actual != actual || ce.Expected != expected || ce.Stream != stream {
			t.Errorf("ConcurrencyError %+v, want stream %q, expected %s, actual %d", *ce, stream, expected, actual)
		}
		after := streamOrNil(ctx, t, s, stream)
		if !slices.Equal(RecordedIDs(after), RecordedIDs(before)) {
			t.Errorf("refused Append(%s) changed stream %q: %d events before, %d after", expected, stream, len(before), len(after))
		}
	}

	var want []event.Event
	var last event.Appended
	add := func(expected event.ExpectedVersion, n int) {
		t.Helper()
		evs := NewEvents(n, "ev.accepted")
		res := mustAppend(ctx, t, s, stream, expected, evs...)
		want, last = append(want, evs...), res
		if res.Version != int64(len(want)) {
			t.Errorf("Append(%s) returned version %d, want %d", expected, res.Version, len(want))
		}
	}

	refused(NewStream("missing"), event.Exact(5), 0)
	add(event.NoStream, 2)
	refused(stream, event.NoStream, 2)
	refused(stream, event.Exact(0), 2)
	refused(stream, event.Exact(1), 2)
	refused(stream, event.Exact(3), 2)
	add(event.Exact(2), 3)
	refused(stream, event.Exact(2), 5)
	refused(stream, event.Exact(6), 5)
	add(event.Any, 1)
	add(event.Exact(6), 1)
	checkStream(t, mustReadStream(ctx, t, s, stream, 0), stream, 1, want)

	// Any also starts a stream, and Exact(0) is NoStream.
	for _, exp := range []event.ExpectedVersion{event.Any, event.Exact(0)} {
		evs := NewEvents(1, "ev.accepted")
		if last = mustAppend(ctx, t, s, NewStream("ev-new"), exp, evs...); last.Version != 1 {
			t.Errorf("Append(%s) to a new stream returned version %d, want 1", exp, last.Version)
		}
		want = append(want, evs...)
	}
	// The refused appends left nothing anywhere.
	checkOnly(ctx, t, s, want, last.Position)
}

// testInvalidAppend: malformed appends are ErrInvalid, never a panic, and
// write nothing, not even their valid events.
func testInvalidAppend(t *testing.T, h Harness) {
	s := h.New(t)
	ctx := bounded(t, time.Minute)
	withEvent := func(change func(*event.Event)) []event.Event {
		evs := NewEvents(2, "bad.tested")
		change(&evs[1])
		return evs
	}
	existing := NewStream("bad-existing")
	seed := NewEvents(1, "bad.seed")
	seeded := mustAppend(ctx, t, s, existing, event.NoStream, seed...)

	cases := []struct {
		name     string
		stream   string
		expected event.ExpectedVersion
		events   []event.Event
	}{
		{"payload not JSON", "", event.Any, withEvent(func(e *event.Event) { e.Data = []byte(`{"a":`) })},
		{"payload empty", "", event.Any, withEvent(func(e *event.Event) { e.Data = nil })},
		{"payload with trailing garbage", "", event.Any, withEvent(func(e *event.Event) { e.Data = []byte(`{} x`) })},
		{"no events", "", event.Any, nil},
		{"empty type", "", event.Any, withEvent(func(e *event.Event) { e.Type = "" })},
		{"nil id", "", event.Any, withEvent(func(e *event.Event) { e.ID = [16]byte{} })},
		{"id twice in one append", "", event.Any, func() []event.Event {
			evs := NewEvents(3, "bad.tested")
			evs[2].ID = evs[0].ID
			return evs
		}()},
		{"empty stream name", "-", event.Any, NewEvents(1, "bad.tested")},
		{"stream name too long", strings.Repeat("s", event.MaxStreamLength+1), event.Any, NewEvents(1, "bad.tested")},
		{"expected version -5", "", event.ExpectedVersion(-5), NewEvents(1, "bad.tested")},
		{"bad event on an existing stream", existing, event.Exact(1), withEvent(func(e *event.Event) { e.Data = []byte(`nope`) })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stream := c.stream
			switch stream {
			case "":
				stream = NewStream("bad")
			case "-":
				stream = ""
			}
			_, err := callAppend(ctx, s, stream, c.expected, c.events...)
			if !errors.Is(err, event.ErrInvalid) {
				t.Errorf("Append: %v, want ErrInvalid", err)
			}
			if stream != "" && len(stream) <= event.MaxStreamLength && stream != existing {
				if _, err := s.ReadStream(ctx, stream, 0); !errors.Is(err, event.ErrNotFound) {
					t.Errorf("after an invalid append, ReadStream: %v, want ErrNotFound", err)
				}
			}
		})
	}
	checkStream(t, mustReadStream(ctx, t, s, existing, 0), existing, 1, seed)
	checkOnly(ctx, t, s, seed, seeded.Position)
}
