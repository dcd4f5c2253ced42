package kurrentstandin

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// The stand-in is held to KurrentDB's documented behaviour through the
// real client, as the adapter meets it.

func connect(t *testing.T, url string) *esdb.Client {
	t.Helper()
	conf, err := esdb.ParseConnectionString(url)
	if err != nil {
		t.Fatal(err)
	}
	conf.Logger = esdb.NoopLogging()
	c, err := esdb.NewClient(conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func events(n int, typ string) []esdb.EventData {
	out := make([]esdb.EventData, n)
	for i := range out {
		out[i] = esdb.EventData{EventID: uuid.New(), EventType: typ, ContentType: esdb.ContentTypeJson, Data: []byte(`{"n":1}`)}
	}
	return out
}

func appendOK(t *testing.T, c *esdb.Client, stream string, exp esdb.ExpectedRevision, evs ...esdb.EventData) *esdb.WriteResult {
	t.Helper()
	res, err := c.AppendToStream(t.Context(), stream, esdb.AppendToStreamOptions{ExpectedRevision: exp}, evs...)
	if err != nil {
		t.Fatalf("append to %s: %v", stream, err)
	}
	return res
}

// drain receives every event of a read.
func drain(rs *esdb.ReadStream, err error) ([]*esdb.ResolvedEvent, error) {
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []*esdb.ResolvedEvent
	for {
		e, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func code(err error) esdb.ErrorCode {
	var e *esdb.Error
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

func TestExpectedRevision(t *testing.T) {
	t.Parallel()
	c := connect(t, Start(t).URL())
	res := appendOK(t, c, "case-1", esdb.NoStream{}, events(2, "a")...)
	if res.NextExpectedVersion != 1 {
		t.Fatalf("after two events the revision is %d, want 1", res.NextExpectedVersion)
	}
	refused := []struct {
		exp  esdb.ExpectedRevision
		want string // the client's rendering of the actual revision
	}{
		{esdb.NoStream{}, "got '1'"},
		{esdb.Revision(0), "got '1'"},
		{esdb.Revision(5), "got '1'"},
	}
	for _, r := range refused {
		_, err := c.AppendToStream(t.Context(), "case-1", esdb.AppendToStreamOptions{ExpectedRevision: r.exp}, events(1, "a")...)
		if code(err) != esdb.ErrorCodeWrongExpectedVersion || !strings.Contains(err.Error(), r.want) {
			t.Errorf("expecting %v: %v; want wrong expected version, %s", r.exp, err, r.want)
		}
	}
	_, err := c.AppendToStream(t.Context(), "case-2", esdb.AppendToStreamOptions{ExpectedRevision: esdb.StreamExists{}}, events(1, "a")...)
	if code(err) != esdb.ErrorCodeWrongExpectedVersion || !strings.Contains(err.Error(), "got 'no_stream'") {
		t.Errorf("stream exists on a missing stream: %v", err)
	}
	appendOK(t, c, "case-1", esdb.Revision(1), events(1, "a")...)
	appendOK(t, c, "case-1", esdb.StreamExists{}, events(1, "a")...)
	if res := appendOK(t, c, "case-1", esdb.Any{}, events(1, "a")...); res.NextExpectedVersion != 4 {
		t.Errorf("revision after five events %d, want 4", res.NextExpectedVersion)
	}
	got, err := drain(c.ReadStream(t.Context(), "case-1", esdb.ReadStreamOptions{From: esdb.Start{}}, 100))
	if err != nil || len(got) != 5 {
		t.Fatalf("read case-1: %d events, %v; want 5 (refused appends write nothing)", len(got), err)
	}
}

func TestStreamNotFound(t *testing.T) {
	t.Parallel()
	c := connect(t, Start(t).URL())
	_, err := drain(c.ReadStream(t.Context(), "nothing-here", esdb.ReadStreamOptions{From: esdb.Start{}}, 10))
	if code(err) != esdb.ErrorCodeResourceNotFound {
		t.Fatalf("reading a missing stream: %v; want resource not found", err)
	}
}

// Reading a stream from a revision includes it, in either direction.
func TestReadStreamRevisions(t *testing.T) {
	t.Parallel()
	c := connect(t, Start(t).URL())
	appendOK(t, c, "s", esdb.NoStream{}, events(5, "a")...)
	fwd, _ := drain(c.ReadStream(t.Context(), "s", esdb.ReadStreamOptions{From: esdb.Revision(2)}, 2))
	back, _ := drain(c.ReadStream(t.Context(), "s", esdb.ReadStreamOptions{From: esdb.End{}, Direction: esdb.Backwards}, 2))
	if len(fwd) != 2 || fwd[0].Event.EventNumber != 2 || fwd[1].Event.EventNumber != 3 {
		t.Errorf("forwards from 2, 2 events: %v", numbers(fwd))
	}
	if len(back) != 2 || back[0].Event.EventNumber != 4 || back[1].Event.EventNumber != 3 {
		t.Errorf("backwards from the end, 2 events: %v", numbers(back))
	}
}

func numbers(es []*esdb.ResolvedEvent) []uint64 {
	var out []uint64
	for _, e := range es {
		out = append(out, e.Event.EventNumber)
	}
	return out
}

// $all holds the node's system events first, then every append
// contiguously; each event's commit and prepare positions are equal and
// increase; reading from a position starts at the event there.
func TestAllPositions(t *testing.T) {
	t.Parallel()
	c := connect(t, Start(t).URL())
	last := appendOK(t, c, "a", esdb.NoStream{}, events(3, "x")...)
	appendOK(t, c, "b", esdb.NoStream{}, events(2, "y")...)
	all, err := drain(c.ReadAll(t.Context(), esdb.ReadAllOptions{From: esdb.Start{}}, 100))
	if err != nil {
		t.Fatal(err)
	}
	var streams []string
	for i, e := range all {
		p := e.Event.Position
		if p.Commit != p.Prepare || (i > 0 && p.Commit <= all[i-1].Event.Position.Commit) {
			t.Fatalf("event %d at %+v after %+v", i, p, all[i-1].Event.Position)
		}
		if e.Commit == nil || *e.Commit != p.Commit {
			t.Fatalf("event %d: the read's commit position %v differs from the event's %d", i, e.Commit, p.Commit)
		}
		streams = append(streams, e.Event.StreamID)
	}
	if got := strings.Join(streams, " "); got != "$settings $users a a a b b" {
		t.Fatalf("$all holds %s", got)
	}
	if all[4].Event.Position.Commit != last.CommitPosition {
		t.Errorf("the append reported position %d; its last event is at %d", last.CommitPosition, all[4].Event.Position.Commit)
	}
	from, _ := drain(c.ReadAll(t.Context(), esdb.ReadAllOptions{From: all[3].Event.Position}, 2))
	if len(from) != 2 || from[0].Event.EventID != all[3].Event.EventID {
		t.Errorf("reading $all from the position of event 3 starts with %v", from)
	}
	back, _ := drain(c.ReadAll(t.Context(), esdb.ReadAllOptions{From: all[3].Event.Position, Direction: esdb.Backwards}, 10))
	if len(back) != 3 || back[0].Event.EventID != all[2].Event.EventID {
		t.Errorf("reading $all backwards from event 3 gives %d events", len(back))
	}
}

// The stand-in keeps no cache of event ids: an append repeated with the
// same ids is written again. Nothing may rest on deduplication.
func TestNoDeduplication(t *testing.T) {
	t.Parallel()
	c := connect(t, Start(t).URL())
	evs := events(1, "x")
	appendOK(t, c, "s", esdb.Any{}, evs...)
	appendOK(t, c, "s", esdb.Any{}, evs...)
	got, _ := drain(c.ReadStream(t.Context(), "s", esdb.ReadStreamOptions{From: esdb.Start{}}, 10))
	if len(got) != 2 {
		t.Fatalf("%d events after appending one id twice, want 2", len(got))
	}
}

// An append that fails after writing leaves its events in the log.
func TestFailAppendsAfterWrite(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.URL())
	s.FailAppendsAfterWrite(1)
	_, err := c.AppendToStream(t.Context(), "s", esdb.AppendToStreamOptions{ExpectedRevision: esdb.NoStream{}}, events(2, "x")...)
	if code(err) != esdb.ErrorUnavailable {
		t.Fatalf("append with a lost reply: %v, want unavailable", err)
	}
	got, err := drain(c.ReadStream(t.Context(), "s", esdb.ReadStreamOptions{From: esdb.Start{}}, 10))
	if err != nil || len(got) != 2 {
		t.Fatalf("after the lost reply the stream holds %d events, %v; want 2", len(got), err)
	}
}

// Discovery reads the gossip: a cluster of one leader, this node.
func TestGossipDiscovery(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, strings.Replace(s.URL(), "esdb://", "esdb+discover://", 1)+"&maxDiscoverAttempts=1")
	appendOK(t, c, "s", esdb.NoStream{}, events(1, "x")...)
}

// waitFor receives subscription messages until want says stop, failing
// after a few seconds.
func waitFor(t *testing.T, sub *esdb.Subscription, want func(*esdb.SubscriptionEvent) bool) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !want(sub.Recv()) {
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("subscription: gave up waiting")
	}
}

// A subscription is confirmed, starts after its position, sends what is
// stored, signals that it caught up, then sends new events; a filtered
// one sends a checkpoint every window × multiplier events searched, and
// resuming after a checkpoint misses nothing.
func TestSubscribeToAll(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.URL())
	appendOK(t, c, "app", esdb.NoStream{}, events(3, "x")...)
	s.WriteSystemEvent("$stats", "$statsCollected")
	appendOK(t, c, "other", esdb.NoStream{}, events(1, "x")...)

	sub, err := c.SubscribeToAll(t.Context(), esdb.SubscribeToAllOptions{
		From:            esdb.Start{},
		Filter:          &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"app"}},
		MaxSearchWindow: 2, CheckpointInterval: 1,
	})
	if err != nil {
		t.Fatal(err) // the client returns only once the stand-in confirmed
	}
	defer sub.Close()
	if sub.Id() == "" {
		t.Error("confirmation without a subscription id")
	}
	var seen []string
	var checkpoints []esdb.Position
	waitFor(t, sub, func(e *esdb.SubscriptionEvent) bool {
		switch {
		case e.EventAppeared != nil:
			seen = append(seen, e.EventAppeared.Event.StreamID)
		case e.CheckPointReached != nil:
			checkpoints = append(checkpoints, *e.CheckPointReached)
		case e.SubscriptionDropped != nil:
			t.Fatalf("dropped: %v", e.SubscriptionDropped.Error)
		}
		return e.CaughtUp != nil
	})
	// $all: $settings $users app app app $stats other — 7 searched, a
	// checkpoint after the 2nd, 4th and 6th.
	if strings.Join(seen, " ") != "app app app" || len(checkpoints) != 3 {
		t.Fatalf("caught up after events %v and %d checkpoints; want 3 app events and 3 checkpoints", seen, len(checkpoints))
	}
	live := appendOK(t, c, "app", esdb.Revision(2), events(1, "x")...)
	waitFor(t, sub, func(e *esdb.SubscriptionEvent) bool {
		return e.EventAppeared != nil && e.EventAppeared.Event.Position.Commit == live.CommitPosition
	})

	// After the last checkpoint (at $stats), a new subscription sees only
	// the live event.
	again, err := c.SubscribeToAll(t.Context(), esdb.SubscribeToAllOptions{From: checkpoints[2],
		Filter: &esdb.SubscriptionFilter{Type: esdb.StreamFilterType, Prefixes: []string{"app"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var first *esdb.RecordedEvent
	waitFor(t, again, func(e *esdb.SubscriptionEvent) bool {
		if e.EventAppeared != nil {
			first = e.EventAppeared.Event
		}
		return first != nil
	})
	if first.Position.Commit != live.CommitPosition {
		t.Errorf("resumed after the checkpoint at %d with the event at %d, want %d", checkpoints[2].Commit, first.Position.Commit, live.CommitPosition)
	}
}

// Excluding system events by event type, as the client's filter offers.
func TestSubscribeExcludingSystemEvents(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.URL())
	appendOK(t, c, "app", esdb.NoStream{}, events(2, "x")...)
	sub, err := c.SubscribeToAll(t.Context(), esdb.SubscribeToAllOptions{From: esdb.Start{}, Filter: esdb.ExcludeSystemEventsFilter()})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	n := 0
	waitFor(t, sub, func(e *esdb.SubscriptionEvent) bool {
		if e.EventAppeared != nil {
			n++
			if strings.HasPrefix(e.EventAppeared.Event.EventType, "$") {
				t.Errorf("system event %s delivered", e.EventAppeared.Event.EventType)
			}
		}
		return e.CaughtUp != nil
	})
	if n != 2 {
		t.Errorf("%d events before caught up, want 2", n)
	}
}

// A dropped subscription ends as a lost connection does: Unavailable.
func TestDropSubscriptions(t *testing.T) {
	t.Parallel()
	s := Start(t)
	c := connect(t, s.URL())
	sub, err := c.SubscribeToAll(t.Context(), esdb.SubscribeToAllOptions{From: esdb.Start{}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitFor(t, sub, func(e *esdb.SubscriptionEvent) bool { return e.CaughtUp != nil })
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for s.DropSubscriptions() == 0 && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
	}
	waitFor(t, sub, func(e *esdb.SubscriptionEvent) bool {
		if e.SubscriptionDropped == nil {
			return false
		}
		if st, ok := status.FromError(e.SubscriptionDropped.Error); !ok || st.Code() != codes.Unavailable {
			t.Errorf("dropped with %v, want Unavailable", e.SubscriptionDropped.Error)
		}
		return true
	})
}
