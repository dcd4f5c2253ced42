package kurrentstandin

import (
	"context"

	"github.com/EventStore/EventStore-Client-Go/v4/protos/gossip"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/serverfeatures"
	"github.com/EventStore/EventStore-Client-Go/v4/protos/shared"
	"github.com/google/uuid"
)

// Version is the server version the stand-in reports; its behaviour is
// that of this KurrentDB release's Streams API.
const Version = "24.10.0"

// featuresService answers the client's first question on a connection:
// which methods the node supports. The stand-in lists the Streams methods
// it implements; batch append is not among them, so the client uses
// Append.
type featuresService struct {
	serverfeatures.UnimplementedServerFeaturesServer
}

func (featuresService) GetSupportedMethods(context.Context, *shared.Empty) (*serverfeatures.SupportedMethods, error) {
	const svc = "event_store.client.streams.streams"
	return &serverfeatures.SupportedMethods{
		EventStoreServerVersion: Version,
		Methods: []*serverfeatures.SupportedMethod{
			{ServiceName: svc, MethodName: "read"},
			{ServiceName: svc, MethodName: "append"},
		},
	}, nil
}

// gossipService describes a cluster of one: this node, alive and leader.
// The client asks for it when the connection string names gossip seeds or
// asks for discovery (esdb+discover://).
type gossipService struct {
	gossip.UnimplementedGossipServer
	s *Server
}

func (g gossipService) Read(context.Context, *shared.Empty) (*gossip.ClusterInfo, error) {
	return &gossip.ClusterInfo{Members: []*gossip.MemberInfo{{
		InstanceId:   protoUUID(uuid.NewSHA1(uuid.NameSpaceURL, []byte(g.s.URL()))),
		State:        gossip.MemberInfo_Leader,
		IsAlive:      true,
		HttpEndPoint: &gossip.EndPoint{Address: g.s.Host(), Port: uint32(g.s.Port())},
	}}}, nil
}
