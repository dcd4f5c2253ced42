package projections_test

import (
	"testing"

	"aidtrail/internal/testkit/brokertest"
	"aidtrail/projections"
)

// The in-process broker passes the brokers' conformance suite.
func TestChannelBrokerConformance(t *testing.T) {
	brokertest.Run(t, brokertest.Harness{New: func(t *testing.T) projections.Broker {
		b := projections.NewChannelBroker(nil)
		t.Cleanup(func() { _ = b.Close() })
		return b
	}})
}
