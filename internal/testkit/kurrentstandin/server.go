package kurrentstandin

import (
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/streams"
	"github.com/google/uuid"
	"google.golang.org/grpc"
)

// Server is a running stand-in node. Its methods are safe for concurrent
// use.
type Server struct {
	log  *log
	grpc *grpc.Server
	addr *net.TCPAddr

	mu   sync.Mutex
	subs map[*subscription]struct{} // open subscriptions, for DropSubscriptions

	failAppends atomic.Int64 // appends still to fail after writing
	nextSub     atomic.Int64
}

// Start runs a stand-in node on a free port of the loopback interface,
// stopped when tb ends. Its $all starts with system events, as a fresh
// node's does.
func Start(tb testing.TB) *Server {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("kurrentstandin: listen: %v", err)
	}
	s := &Server{log: newLog(), grpc: grpc.NewServer(grpc.InitialWindowSize(1<<24), grpc.InitialConnWindowSize(1<<24)), addr: lis.Addr().(*net.TCPAddr), subs: map[*subscription]struct{}{}}
	streams.RegisterStreamsServer(s.grpc, &streamsService{s: s})
	serverfeatures.RegisterServerFeaturesServer(s.grpc, featuresService{})
	gossip.RegisterGossipServer(s.grpc, gossipService{s: s})
	s.WriteSystemEvent("$settings", "$settings")
	s.WriteSystemEvent("$users", "$User")
	go func() { _ = s.grpc.Serve(lis) }()
	tb.Cleanup(s.grpc.Stop)
	return s
}

// URL is the connection string EventStore-Client-Go takes for this node:
// a single node without TLS.
func (s *Server) URL() string {
	return fmt.Sprintf("esdb://%s?tls=false", s.addr)
}

// Host and Port are the node's address.
func (s *Server) Host() string { return s.addr.IP.String() }
func (s *Server) Port() int    { return s.addr.Port }

// WriteSystemEvent appends an event of type typ to the system stream
// stream (both should start with "$"), as the node does for its own
// bookkeeping (statistics, settings, users).
func (s *Server) WriteSystemEvent(stream, typ string) {
	r := &record{id: uuid.New(), typ: typ, data: []byte(`{}`), metadata: systemMetadata(typ, "application/json")}
	s.log.append(stream, expectation{kind: expectAny}, []*record{r})
}

// DropSubscriptions ends every open subscription with gRPC status
// Unavailable, as a node that restarts or a connection that breaks does.
// It returns how many it ended.
func (s *Server) DropSubscriptions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sub := range s.subs {
		sub.drop()
	}
	return len(s.subs)
}

// FailAppendsAfterWrite makes the next n appends write their events and
// then answer with gRPC status Unavailable, as when the connection breaks
// after the node committed but before the reply arrived.
func (s *Server) FailAppendsAfterWrite(n int) { s.failAppends.Store(int64(n)) }

func (s *Server) track(sub *subscription) func() {
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		delete(s.subs, sub)
		s.mu.Unlock()
	}
}

// systemMetadata is the system metadata the node records with an event:
// its type, content type and creation time in .NET ticks (100 ns) since
// 1970.
func systemMetadata(typ, contentType string) map[string]string {
	return map[string]string{
		"type":         typ,
		"content-type": contentType,
		"created":      strconv.FormatInt(time.Now().UnixNano()/100, 10),
	}
}
