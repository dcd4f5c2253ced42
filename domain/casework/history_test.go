package casework

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

func TestLoadCaseRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	f := inStatus(t, StatusApproved)
	clone := func() []event.Recorded { return append([]event.Recorded(nil), f.history...) }
	tests := []struct {
		name string
		edit func(h []event.Recorded) []event.Recorded
	}{
		{"unknown event type", func(h []event.Recorded) []event.Recorded { h[2].Type = "case.teleported"; return h }},
		{"not starting with case.opened", func(h []event.Recorded) []event.Recorded { return renumber(h[1:]) }},
		{"opened twice", func(h []event.Recorded) []event.Recorded { h[1] = h[0]; h[1].Version = 2; return h }},
		{"another stream's event", func(h []event.Recorded) []event.Recorded { h[1].Stream = CaseStream(uuid.New()); return h }},
		{"a gap", func(h []event.Recorded) []event.Recorded { return append(h[:2], h[3:]...) }},
		{"a decision out of turn", func(h []event.Recorded) []event.Recorded {
			i := len(h) - 3 // the first step's decision, before the second
			h[i], h[i+1] = h[i+1], h[i]
			return renumber(h)
		}},
		{"confirming a payment never instructed", func(h []event.Recorded) []event.Recorded {
			data, _ := json.Marshal(CasePaymentConfirmed{PaymentID: uuid.New(), AmountFen: 1})
			return append(h, event.Recorded{Stream: h[0].Stream, Version: int64(len(h) + 1), Type: TypeCasePaymentConfirmed, Data: data})
		}},
		{"a payload that is not an object", func(h []event.Recorded) []event.Recorded { h[1].Data = json.RawMessage(`[1]`); return h }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadCase(f.c.ID(), tt.edit(clone()))
			wantIs(t, err, fault.ErrHistory)
			var he *fault.HistoryError
			if !errors.As(err, &he) || he.Stream != f.c.Stream() {
				t.Fatalf("got %v", err)
			}
		})
	}
	if _, err := LoadCase(f.c.ID(), nil); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("empty history: %v", err)
	}
}

func renumber(h []event.Recorded) []event.Recorded {
	for i := range h {
		h[i].Version = int64(i + 1)
	}
	return h
}
