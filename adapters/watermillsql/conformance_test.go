package watermillsql

import (
	"testing"
	"time"

	"aidtrail/internal/testkit/brokertest"
	"aidtrail/internal/testkit/pgtest"
	"aidtrail/projections"
)

// The PostgreSQL broker passes the brokers' conformance suite, each test
// in a private schema.
func TestConformance(t *testing.T) {
	brokertest.Run(t, brokertest.Harness{Durable: true, New: func(t *testing.T) projections.Broker {
		b, err := New(t.Context(), Config{URL: pgtest.NewSchema(t), PollInterval: 5 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = b.Close() })
		return b
	}})
}
