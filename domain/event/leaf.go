package event

import (
	"crypto/sha256"
	"encoding/binary"
	"time"
)

// leafDomain opens every leaf's bytes, so that no other byte string
// aidtrail hashes can pass for an event.
const leafDomain = "aidtrail event v1\n"

// LeafBytes is the canonical byte form of a recorded event, which the
// audit log's leaf hash covers: every field the store keeps — position,
// id, stream, version, type, the payload byte for byte, each metadata
// field and the recorded time — in a fixed order, each variable field
// preceded by its length, so that no two different events share it.
// Times count nanoseconds since 1970 in UTC. A personal field sealed in a
// payload is covered as its ciphertext, so erasing a person's key changes
// nothing here.
func LeafBytes(r Recorded) []byte {
	b := make([]byte, 0, len(leafDomain)+64+len(r.Stream)+len(r.Type)+len(r.Data)+128)
	b = append(b, leafDomain...)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Position))
	b = append(b, r.ID[:]...)
	b = appendText(b, r.Stream)
	b = binary.BigEndian.AppendUint64(b, uint64(r.Version))
	b = appendText(b, r.Type)
	b = appendText(b, string(r.Data))
	m := r.Metadata
	for _, s := range []string{m.ActorAccountID, m.ActorName, m.ActorPositionID, m.ActorUnitID, m.CommandID, m.CorrelationID, m.CausationID} {
		b = appendText(b, s)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(nanos(m.OccurredAt)))
	b = binary.BigEndian.AppendUint64(b, uint64(m.SchemaVersion))
	return binary.BigEndian.AppendUint64(b, uint64(nanos(r.RecordedAt)))
}

func appendText(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// nanos is t in nanoseconds since 1970, 0 for the zero time.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// LeafHash is the audit log's leaf hash of r: SHA-256 of a zero byte and
// LeafBytes(r), as RFC 6962 hashes a leaf.
func LeafHash(r Recorded) [32]byte {
	return sha256.Sum256(append([]byte{0}, LeafBytes(r)...))
}
