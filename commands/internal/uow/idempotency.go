package uow

import (
	"strconv"

	"github.com/google/uuid"

	"aidtrail/domain/event"
)

// Retried commands. A client that sends an Idempotency-Key may send the
// same request again after a lost answer; the HTTP layer replays the
// stored answer when it has one. For the window where the command
// committed but its answer was not stored (a crash in between), the ids a
// keyed command creates are derived from the key: a re-run creates the
// same aggregate and the same event ids, which the event store recognises,
// so the command still has exactly one effect.

// idempotencyNamespace seeds the name-based UUIDs of keyed commands.
var idempotencyNamespace = uuid.MustParse("6f1d2c3e-8a9b-4c5d-9e0f-a1b2c3d4e5f6")

// NewID returns the id of something a command creates: derived from the
// actor's Idempotency-Key and purpose when there is one, else a fresh
// UUIDv7.
func NewID(actor Actor, purpose string) uuid.UUID {
	if actor.IdempotencyKey == "" {
		return uuid.Must(uuid.NewV7())
	}
	return uuid.NewSHA1(idempotencyNamespace, []byte(actor.AccountID.String()+"\x00"+actor.IdempotencyKey+"\x00"+purpose))
}

// keyEventIDs gives the events of a keyed command ids derived from the
// key, the stream and their place in it.
func keyEventIDs(actor Actor, stream string, events []event.Event) {
	if actor.IdempotencyKey == "" {
		return
	}
	for i := range events {
		events[i].ID = NewID(actor, "event\x00"+stream+"\x00"+strconv.Itoa(i))
	}
}

// AnswerStream is where a keyed command records its answer: one stream per
// account, key and command.
func AnswerStream(actor Actor, command string) string {
	return event.AnswerStream(NewID(actor, "answer\x00"+command))
}
