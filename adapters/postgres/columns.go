package postgres

import (
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// The envelope's metadata is stored in typed columns rather than a JSON
// document: auditors and analysts query "who did what, in which capacity"
// with plain SQL, and readers decode no JSON but the payload.

// appendColumns are the columns an append supplies, in parameter order
// ($2, $3, ...; $1 is the stream). The store adds stream_id, version,
// position and recorded_at.
var appendColumns = []struct{ name, sqlType string }{
	{"event_id", "uuid"},
	{"type", "text"},
	{"data", "json"},
	{"actor_account_id", "text"},
	{"actor_name", "text"},
	{"actor_position_id", "text"},
	{"actor_unit_id", "text"},
	{"command_id", "text"},
	{"correlation_id", "text"},
	{"causation_id", "text"},
	{"occurred_at", "timestamptz"},
	{"schema_version", "integer"},
}

// selectColumns are the columns a read scans, in scanRecorded's order.
const selectColumns = `position, event_id, stream_id, version, type, data,
	actor_account_id, actor_name, actor_position_id, actor_unit_id,
	command_id, correlation_id, causation_id, occurred_at, schema_version, recorded_at`

// columnRows holds an append's values column by column: as arrays for the
// statement that appends several events, or one value each for one event.
type columnRows struct {
	ids                                               []uuid.UUID
	types, data                                       []string
	actor, name, position, unit, command, corr, cause []string
	occurred                                          []time.Time
	schema                                            []int32
}

func newColumnRows(events []event.Event) columnRows {
	n := len(events)
	c := columnRows{
		ids: make([]uuid.UUID, n), types: make([]string, n), data: make([]string, n),
		actor: make([]string, n), name: make([]string, n), position: make([]string, n), unit: make([]string, n),
		command: make([]string, n), corr: make([]string, n), cause: make([]string, n),
		occurred: make([]time.Time, n), schema: make([]int32, n),
	}
	for i, e := range events {
		m := e.Metadata
		c.ids[i], c.types[i], c.data[i] = e.ID, e.Type, string(e.Data)
		c.actor[i], c.name[i], c.position[i], c.unit[i] = m.ActorAccountID, m.ActorName, m.ActorPositionID, m.ActorUnitID
		c.command[i], c.corr[i], c.cause[i] = m.CommandID, m.CorrelationID, m.CausationID
		c.occurred[i], c.schema[i] = storedTime(m.OccurredAt), int32(m.SchemaVersion)
	}
	return c
}

// arrays returns the statement's parameters after the stream for several events.
func (c columnRows) arrays() []any {
	return []any{c.ids, c.types, c.data, c.actor, c.name, c.position, c.unit, c.command, c.corr, c.cause, c.occurred, c.schema}
}

// scalars returns the statement's parameters after the stream for event i alone.
func (c columnRows) scalars(i int) []any {
	return []any{c.ids[i], c.types[i], c.data[i], c.actor[i], c.name[i], c.position[i], c.unit[i], c.command[i], c.corr[i], c.cause[i], c.occurred[i], c.schema[i]}
}

// storedTime is t as timestamptz keeps it: UTC, to the microsecond.
func storedTime(t time.Time) time.Time { return t.UTC().Round(time.Microsecond) }

// appendSource renders the FROM item that yields the events as rows e(...,
// ord): unnest of arrays, or a one-row SELECT of plain parameters.
func appendSource(many bool) string {
	names := make([]string, len(appendColumns))
	params := make([]string, len(appendColumns))
	for i, col := range appendColumns {
		names[i] = col.name
		if many {
			params[i] = fmt.Sprintf("$%d::%s[]", i+2, col.sqlType)
		} else {
			params[i] = fmt.Sprintf("$%d::%s", i+2, col.sqlType)
		}
	}
	if many {
		return fmt.Sprintf("unnest(%s) WITH ORDINALITY AS e(%s, ord)", strings.Join(params, ", "), strings.Join(names, ", "))
	}
	return fmt.Sprintf("(SELECT %s, 1::bigint) AS e(%s, ord)", strings.Join(params, ", "), strings.Join(names, ", "))
}

// columnList renders the append's columns, each prefixed with prefix.
func columnList(prefix string) string {
	out := make([]string, len(appendColumns))
	for i, col := range appendColumns {
		out[i] = prefix + col.name
	}
	return strings.Join(out, ", ")
}
