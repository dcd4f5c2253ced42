package payment

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
)

func rec(stream string, v int64, typ, data string) event.Recorded {
	return event.Recorded{ID: uuid.New(), Stream: stream, Version: v, Type: typ, Data: json.RawMessage(data)}
}

func instructedJSON(id uuid.UUID, amount string) string {
	return `{"payment_id":"` + id.String() + `","case_id":"` + uuid.NewString() + `","employee_id":"` + uuid.NewString() +
		`","budget_id":"` + uuid.NewString() + `","amount_fen":` + amount + `,"bank_account":"sealed"}`
}

func TestLoadPaymentRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	id := uuid.New()
	s := Stream(id)
	ins := instructedJSON(id, "100")
	conf := `{"bank_ref":"R1","confirmed_at":"2025-06-01"}`
	tests := []struct {
		name    string
		history []event.Recorded
	}{
		{"first is not instructed", []event.Recorded{rec(s, 1, TypeConfirmed, conf)}},
		{"other payment", []event.Recorded{rec(s, 1, TypeInstructed, instructedJSON(uuid.New(), "100"))}},
		{"zero amount", []event.Recorded{rec(s, 1, TypeInstructed, instructedJSON(id, "0"))}},
		{"nil case", []event.Recorded{rec(s, 1, TypeInstructed, `{"payment_id":"`+id.String()+`","amount_fen":1}`)}},
		{"not json", []event.Recorded{rec(s, 1, TypeInstructed, `[`)}},
		{"instructed twice", []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeInstructed, ins)}},
		{"confirmed twice", []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, conf), rec(s, 3, TypeConfirmed, conf)}},
		{"confirmed after failed", []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeFailed, `{"reason":"x"}`), rec(s, 3, TypeConfirmed, conf)}},
		{"failed after confirmed", []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, conf), rec(s, 3, TypeFailed, `{"reason":"x"}`)}},
		{"no bank ref", []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, `{}`)}},
		{"unknown type", []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, "payment.cancelled", `{}`)}},
		{"wrong stream", []event.Recorded{rec("payment-x", 1, TypeInstructed, ins)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadPayment(id, tt.history)
			var he *fault.HistoryError
			if !errors.Is(err, fault.ErrHistory) || !errors.As(err, &he) {
				t.Fatalf("error %v, want a *fault.HistoryError", err)
			}
		})
	}
	if _, err := LoadPayment(id, nil); !errors.Is(err, event.ErrNotFound) {
		t.Fatalf("empty: %v", err)
	}
	p, err := LoadPayment(id, []event.Recorded{rec(s, 1, TypeInstructed, ins), rec(s, 2, TypeConfirmed, conf)})
	if err != nil || p.Status() != StatusConfirmed || p.BankRef() != "R1" || p.Version() != 2 || p.Changes() != nil {
		t.Fatalf("load: %v %+v", err, p)
	}
	if len(EventTypes()) != 3 {
		t.Fatal(EventTypes())
	}
}
