package event

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
)

// Every field of a recorded event reaches its leaf bytes: changing any one
// of them changes the bytes, and a field's bytes cannot slide into its
// neighbour's.
func TestLeafBytesCoverEveryField(t *testing.T) {
	base := Recorded{
		ID: uuid.New(), Stream: "case-1", Version: 3, Position: 42, Type: "case.submitted",
		Data: json.RawMessage(`{"a":1}`), RecordedAt: time.Date(2026, 3, 1, 8, 0, 0, 123000, time.UTC),
		Metadata: Metadata{ActorAccountID: "acc", ActorName: "李", ActorPositionID: "pos", ActorUnitID: "unit",
			CommandID: "cmd", CorrelationID: "cor", CausationID: "cau", OccurredAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), SchemaVersion: 1},
	}
	want := LeafBytes(base)
	if !bytes.Equal(want, LeafBytes(base)) {
		t.Fatal("LeafBytes is not deterministic")
	}
	changes := map[string]func(*Recorded){
		"id":          func(r *Recorded) { r.ID = uuid.New() },
		"stream":      func(r *Recorded) { r.Stream = "case-2" },
		"version":     func(r *Recorded) { r.Version = 4 },
		"position":    func(r *Recorded) { r.Position = 43 },
		"type":        func(r *Recorded) { r.Type = "case.approved" },
		"data":        func(r *Recorded) { r.Data = json.RawMessage(`{"a":2}`) },
		"data spaces": func(r *Recorded) { r.Data = json.RawMessage(`{"a": 1}`) },
		"recorded at": func(r *Recorded) { r.RecordedAt = r.RecordedAt.Add(time.Microsecond) },
		"account":     func(r *Recorded) { r.Metadata.ActorAccountID = "acd" },
		"name":        func(r *Recorded) { r.Metadata.ActorName = "王" },
		"position id": func(r *Recorded) { r.Metadata.ActorPositionID = "poz" },
		"unit":        func(r *Recorded) { r.Metadata.ActorUnitID = "unix" },
		"command":     func(r *Recorded) { r.Metadata.CommandID = "" },
		"correlation": func(r *Recorded) { r.Metadata.CorrelationID = "coR" },
		"causation":   func(r *Recorded) { r.Metadata.CausationID = "x" },
		"occurred at": func(r *Recorded) { r.Metadata.OccurredAt = time.Time{} },
		"schema":      func(r *Recorded) { r.Metadata.SchemaVersion = 2 },
		// The same characters split differently between two fields.
		"boundary": func(r *Recorded) { r.Metadata.ActorAccountID, r.Metadata.ActorName = "acc李", "" },
	}
	for name, change := range changes {
		r := base
		change(&r)
		if bytes.Equal(LeafBytes(r), want) {
			t.Errorf("changing %s leaves the leaf bytes as they were", name)
		}
	}
}
