package kurrentstandin

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Read serves reads of a stream, reads of $all and subscriptions to $all.
func (svc *streamsService) Read(req *streams.ReadReq, call streams.Streams_ReadServer) error {
	o := req.GetOptions()
	if o == nil {
		return status.Error(codes.InvalidArgument, "read: no options")
	}
	f, err := filterOf(o.GetFilter())
	if err != nil {
		return err
	}
	enc := encoder{asString: o.GetUuidOption().GetString_() != nil}
	switch {
	case o.GetSubscription() != nil && o.GetAll() != nil:
		return svc.subscribeAll(o.GetAll(), f, call, enc)
	case o.GetSubscription() != nil:
		return status.Error(codes.Unimplemented, "stand-in: subscriptions to a single stream are not implemented")
	case o.GetStream() != nil:
		return svc.readStream(o.GetStream(), o.GetCount(), forwards(o), call, enc)
	case o.GetAll() != nil:
		return svc.readAll(o.GetAll(), o.GetCount(), forwards(o), f, call, enc)
	}
	return status.Error(codes.InvalidArgument, "read: neither a stream nor $all")
}

func forwards(o *streams.ReadReq_Options) bool {
	return o.GetReadDirection() == streams.ReadReq_Options_Forwards
}

// readStream sends at most count events of a stream from a revision
// (inclusive) in either direction, or "stream not found".
func (svc *streamsService) readStream(o *streams.ReadReq_Options_StreamOptions, count uint64, fwd bool, call streams.Streams_ReadServer, enc encoder) error {
	name := string(o.GetStreamIdentifier().GetStreamName())
	recs := svc.s.log.stream(name)
	if len(recs) == 0 {
		return call.Send(&streams.ReadResp{Content: &streams.ReadResp_StreamNotFound_{StreamNotFound: &streams.ReadResp_StreamNotFound{
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(name)}}}})
	}
	last := uint64(len(recs) - 1)
	var from uint64
	switch {
	case o.GetEnd() != nil:
		from = last
		if fwd {
			from = last + 1
		}
	case o.GetStart() != nil:
		from = 0
	default:
		from = o.GetRevision()
	}
	var picked []*record
	if fwd {
		if from <= last {
			picked = recs[from:]
		}
	} else {
		from = min(from, last)
		for i := int(from); i >= 0; i-- {
			picked = append(picked, recs[i])
		}
	}
	return sendUpTo(call, enc, picked, count, nil)
}

// readAll sends at most count events of $all from a position: forwards
// from the event at that position on, backwards from the event before it.
func (svc *streamsService) readAll(o *streams.ReadReq_Options_AllOptions, count uint64, fwd bool, f *filter, call streams.Streams_ReadServer, enc encoder) error {
	var picked []*record
	switch {
	case fwd && o.GetEnd() != nil:
	case fwd:
		picked, _ = svc.s.log.allFrom(o.GetPosition().GetCommitPosition(), false)
	default:
		before := svc.s.log.end()
		if o.GetPosition() != nil {
			before = o.GetPosition().GetCommitPosition()
		}
		if o.GetStart() != nil {
			before = 0
		}
		older := svc.s.log.allBefore(before, false)
		for i := len(older) - 1; i >= 0; i-- {
			picked = append(picked, older[i])
		}
	}
	return sendUpTo(call, enc, picked, count, f)
}

func sendUpTo(call streams.Streams_ReadServer, enc encoder, recs []*record, count uint64, f *filter) error {
	sent := uint64(0)
	for _, r := range recs {
		if sent == count {
			break
		}
		if !f.match(r) {
			continue
		}
		if err := call.Send(enc.event(r)); err != nil {
			return err
		}
		sent++
	}
	return nil
}

// encoder turns records into read responses, with event ids in the form
// the request asked for.
type encoder struct{ asString bool }

func (e encoder) event(r *record) *streams.ReadResp {
	id := protoUUID(r.id)
	if e.asString {
		id = &shared.UUID{Value: &shared.UUID_String_{String_: r.id.String()}}
	}
	return &streams.ReadResp{Content: &streams.ReadResp_Event{Event: &streams.ReadResp_ReadEvent{
		Event: &streams.ReadResp_ReadEvent_RecordedEvent{
			Id:               id,
			StreamIdentifier: &shared.StreamIdentifier{StreamName: []byte(r.stream)},
			StreamRevision:   r.revision,
			PreparePosition:  r.position,
			CommitPosition:   r.position,
			Metadata:         r.metadata,
			CustomMetadata:   r.custom,
			Data:             r.data,
		},
		Position: &streams.ReadResp_ReadEvent_CommitPosition{CommitPosition: r.position},
	}}}
}

// filter is a server-side filter of $all: on the stream name or on the
// event type, by prefixes or by a regular expression. A nil filter lets
// everything through.
type filter struct {
	onType   bool
	prefixes []string
	regex    *regexp.Regexp
	every    int // checkpoint after this many events searched
}

func filterOf(o *streams.ReadReq_Options_FilterOptions) (*filter, error) {
	if o == nil {
		return nil, nil
	}
	f := &filter{}
	expr := o.GetStreamIdentifier()
	if o.GetEventType() != nil {
		f.onType, expr = true, o.GetEventType()
	}
	f.prefixes = expr.GetPrefix()
	if expr.GetRegex() != "" {
		re, err := regexp.Compile(expr.GetRegex())
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "filter: %v", err)
		}
		f.regex = re
	}
	if len(f.prefixes) == 0 && f.regex == nil {
		return nil, status.Error(codes.InvalidArgument, "filter: neither prefixes nor a regular expression")
	}
	window := int(o.GetMax())
	if o.GetCount() != nil || window == 0 {
		window = 32 // the node's default search window
	}
	f.every = window * int(max(1, o.GetCheckpointIntervalMultiplier()))
	return f, nil
}

func (f *filter) match(r *record) bool {
	if f == nil {
		return true
	}
	subject := r.stream
	if f.onType {
		subject = r.typ
	}
	if f.regex != nil {
		return f.regex.MatchString(subject)
	}
	for _, p := range f.prefixes {
		if strings.HasPrefix(subject, p) {
			return true
		}
	}
	return false
}

// subscription is an open subscription, which DropSubscriptions can end.
type subscription struct {
	once    sync.Once
	dropped chan struct{}
}

func (s *subscription) drop() { s.once.Do(func() { close(s.dropped) }) }

// subscribeAll confirms the subscription, sends the stored events after
// its start (with checkpoints when filtered), signals that it caught up,
// then sends new events as they commit, until the client goes away or the
// subscription is dropped.
func (svc *streamsService) subscribeAll(o *streams.ReadReq_Options_AllOptions, f *filter, call streams.Streams_ReadServer, enc encoder) error {
	sub := &subscription{dropped: make(chan struct{})}
	defer svc.s.track(sub)()
	id := fmt.Sprintf("standin-sub-%d", svc.s.nextSub.Add(1))
	if err := call.Send(&streams.ReadResp{Content: &streams.ReadResp_Confirmation{
		Confirmation: &streams.ReadResp_SubscriptionConfirmation{SubscriptionId: id}}}); err != nil {
		return err
	}
	cursor, after := uint64(0), false
	switch {
	case o.GetEnd() != nil:
		cursor = svc.s.log.end()
	case o.GetPosition() != nil:
		cursor, after = o.GetPosition().GetCommitPosition(), true
	}
	searched, caughtUp := 0, false
	for {
		recs, changed := svc.s.log.allFrom(cursor, after)
		for _, r := range recs {
			select {
			case <-sub.dropped:
				return status.Error(codes.Unavailable, "stand-in: subscription dropped")
			default:
			}
			cursor, after = r.position, true
			searched++
			if f.match(r) {
				if err := call.Send(enc.event(r)); err != nil {
					return err
				}
			}
			if f != nil && searched%f.every == 0 {
				if err := call.Send(&streams.ReadResp{Content: &streams.ReadResp_Checkpoint_{Checkpoint: &streams.ReadResp_Checkpoint{
					CommitPosition: r.position, PreparePosition: r.position}}}); err != nil {
					return err
				}
			}
		}
		if !caughtUp {
			caughtUp = true
			if err := call.Send(&streams.ReadResp{Content: &streams.ReadResp_CaughtUp_{CaughtUp: &streams.ReadResp_CaughtUp{}}}); err != nil {
				return err
			}
		}
		select {
		case <-changed:
		case <-sub.dropped:
			return status.Error(codes.Unavailable, "stand-in: subscription dropped")
		case <-call.Context().Done():
			return ctxDone(call.Context())
		}
	}
}
