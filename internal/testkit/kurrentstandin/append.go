package kurrentstandin

import (
	"context"
	"encoding/binary"
	"errors"
	"io"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// streamsService implements the Streams service's Append and Read; the
// other methods answer Unimplemented.
type streamsService struct {
	streams.UnimplementedStreamsServer
	s *Server
}

// Append receives the options (stream, expected revision), then the
// proposed events, and answers once the client has sent them all: either
// success with the stream's new revision and the last event's position,
// or the wrong expected version with the stream's actual revision.
func (svc *streamsService) Append(call streams.Streams_AppendServer) error {
	first, err := call.Recv()
	if err != nil {
		return err
	}
	opts := first.GetOptions()
	if opts == nil {
		return status.Error(codes.InvalidArgument, "append: the first message must carry the options")
	}
	stream := string(opts.GetStreamIdentifier().GetStreamName())
	if stream == "" {
		return status.Error(codes.InvalidArgument, "append: no stream name")
	}
	exp := expectationOf(opts)
	var events []*record
	for {
		msg, err := call.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		p := msg.GetProposedMessage()
		if p == nil {
			return status.Error(codes.InvalidArgument, "append: expected a proposed message")
		}
		id, err := fromProtoUUID(p.GetId())
		if err != nil {
			return status.Errorf(codes.InvalidArgument, "append: event id: %v", err)
		}
		typ := p.GetMetadata()["type"]
		events = append(events, &record{id: id, typ: typ, data: p.GetData(), custom: p.GetCustomMetadata(),
			metadata: systemMetadata(typ, p.GetMetadata()["content-type"])})
	}
	last, c := svc.s.log.append(stream, exp, events)
	if c != nil {
		return call.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_WrongExpectedVersion_{
			WrongExpectedVersion: wrongExpectedVersion(exp, c)}})
	}
	if svc.s.failAppends.Add(-1) >= 0 {
		return status.Error(codes.Unavailable, "stand-in: connection lost after the append was written")
	}
	success := &streams.AppendResp_Success{}
	if last == nil {
		success.CurrentRevisionOption = &streams.AppendResp_Success_NoStream{NoStream: &shared.Empty{}}
		success.PositionOption = &streams.AppendResp_Success_NoPosition{NoPosition: &shared.Empty{}}
	} else {
		success.CurrentRevisionOption = &streams.AppendResp_Success_CurrentRevision{CurrentRevision: last.revision}
		success.PositionOption = &streams.AppendResp_Success_Position{Position: &streams.AppendResp_Position{
			CommitPosition: last.position, PreparePosition: last.position}}
	}
	return call.SendAndClose(&streams.AppendResp{Result: &streams.AppendResp_Success_{Success: success}})
}

func expectationOf(opts *streams.AppendReq_Options) expectation {
	switch e := opts.GetExpectedStreamRevision().(type) {
	case *streams.AppendReq_Options_NoStream:
		return expectation{kind: expectNoStream}
	case *streams.AppendReq_Options_StreamExists:
		return expectation{kind: expectExists}
	case *streams.AppendReq_Options_Revision:
		return expectation{kind: expectRevision, revision: e.Revision}
	default:
		return expectation{kind: expectAny}
	}
}

// wrongExpectedVersion states what the append expected and what the
// stream was at.
func wrongExpectedVersion(exp expectation, c *conflict) *streams.AppendResp_WrongExpectedVersion {
	w := &streams.AppendResp_WrongExpectedVersion{}
	empty := &shared.Empty{}
	if c.exists {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentRevision{CurrentRevision: c.revision}
	} else {
		w.CurrentRevisionOption = &streams.AppendResp_WrongExpectedVersion_CurrentNoStream{CurrentNoStream: empty}
	}
	switch exp.kind {
	case expectNoStream:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedNoStream{ExpectedNoStream: empty}
	case expectExists:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedStreamExists{ExpectedStreamExists: empty}
	case expectRevision:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedRevision{ExpectedRevision: exp.revision}
	default:
		w.ExpectedRevisionOption = &streams.AppendResp_WrongExpectedVersion_ExpectedAny{ExpectedAny: empty}
	}
	return w
}

func protoUUID(id uuid.UUID) *shared.UUID {
	return &shared.UUID{Value: &shared.UUID_Structured_{Structured: &shared.UUID_Structured{
		MostSignificantBits:  int64(binary.BigEndian.Uint64(id[:8])),
		LeastSignificantBits: int64(binary.BigEndian.Uint64(id[8:])),
	}}}
}

func fromProtoUUID(u *shared.UUID) (uuid.UUID, error) {
	if s := u.GetStructured(); s != nil {
		var id uuid.UUID
		binary.BigEndian.PutUint64(id[:8], uint64(s.GetMostSignificantBits()))
		binary.BigEndian.PutUint64(id[8:], uint64(s.GetLeastSignificantBits()))
		return id, nil
	}
	return uuid.Parse(u.GetString_())
}

// ctxDone is ctx's end as the gRPC status a server reports.
func ctxDone(ctx context.Context) error { return status.FromContextError(ctx.Err()).Err() }
