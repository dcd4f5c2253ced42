package postgres

import (
	"context"
	"testing"

	"aidtrail/adapters/storetest"
	"aidtrail/commands"
	"aidtrail/domain/event"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Harness{
		New: func(t *testing.T) commands.EventStore { return newStore(t) },
		HoldAppend: func(ctx context.Context, t *testing.T, s commands.EventStore, stream string, events ...event.Event) func() error {
			return holdAppend(ctx, t, s.(*Store), stream, events...)
		},
	})
}
