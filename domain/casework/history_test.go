package casework

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
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
			aggtest.WantReplayError(t, err, fault.ErrHistory, f.c.Stream())
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

var (
	fuzzCase = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000c1")
	fuzzA    = uuid.MustParse("0196f7a0-0000-7000-8000-0000000000a1")
)

// FuzzLoadCase feeds arbitrary payloads under valid type names after a
// valid opening and submission: replaying must never panic, may only fail
// with fault.ErrHistory, and a case it accepts must answer every query and take
// further commands without panicking, leaving paid + outstanding within
// the approved amount.
func FuzzLoadCase(f *testing.F) {
	opened := `{"case_id":"` + fuzzCase.String() + `","employee_id":"` + fuzzA.String() + `","unit_id":"` + fuzzA.String() +
		`","beneficiary":{"relation":"self","name":""},"standard_code":"S","category":"medical","causes":[],"expense_fen":0,` +
		`"requested_fen":500,"description":"d","opened_by_account_id":"` + uuid.New().String() + `","on_behalf":true}`
	submitted := `{"standard_version":1,"max_payable_fen":400,"amount_fen":500,"flow_unit_id":"` + fuzzA.String() +
		`","flow_version":1,"steps":[{"name":"s","assignee_account_id":"` + fuzzA.String() + `"}]}`
	for _, seed := range []struct {
		typ  uint8
		data string
	}{
		{3, `{"step":"s","decision":"approve","amount_fen":300,"decided_by_account_id":"` + fuzzA.String() + `","decided_at":"2025-01-01T00:00:00Z"}`},
		{3, `{"step":"s","decision":"maybe","amount_fen":-1}`},
		{4, `{"step":"s","from_account_id":"` + fuzzA.String() + `","to_account_id":"` + uuid.New().String() + `"}`},
		{6, `{"amount_fen":9223372036854775807}`},
		{9, `{"payment_id":"` + uuid.New().String() + `","amount_fen":1}`},
		{10, `{"payment_id":"00000000-0000-0000-0000-000000000000","amount_fen":0}`},
		{2, `{"steps":[]}`},
		{2, submitted},
		{0, opened},
		{1, `null`},
		{13, `[]`},
	} {
		f.Add(seed.typ, seed.data)
	}
	types := CaseEventTypes()
	f.Fuzz(func(t *testing.T, typ uint8, data string) {
		s := CaseStream(fuzzCase)
		c, err := LoadCase(fuzzCase, []event.Recorded{aggtest.Rec(s, 1, TypeCaseOpened, opened),
			aggtest.Rec(s, 2, TypeCaseSubmitted, submitted), aggtest.Rec(s, 3, aggtest.Pick(types, typ), data)})
		if aggtest.Refused(t, err) {
			return
		}
		_, _ = c.Steps(), c.OpenSteps()
		_, _, _ = c.Flow()
		_ = c.HeldBy(fuzzA)
		_ = c.Decide(Decision{Step: "s", Kind: Approve, AmountFen: 100, By: fuzzA}, now)
		_ = c.ReassignStep("s", fuzzA, uuid.New(), "")
		_ = c.Resubmit()
		id := uuid.New()
		_ = c.InstructPayment(id, 100)
		_ = c.ConfirmPayment(id)
		_ = c.Close("x")
		if c.PaidFen()+c.OutstandingFen() > c.ApprovedFen() && len(c.Changes()) > 0 {
			t.Fatalf("commands overpaid: paid %d outstanding %d approved %d", c.PaidFen(), c.OutstandingFen(), c.ApprovedFen())
		}
	})
}

// FuzzLoadFlow: as FuzzLoadCase, for flow streams.
func FuzzLoadFlow(f *testing.F) {
	f.Add(`{"unit_id":"` + fuzzA.String() + `","category":"medical","version":1,"steps":[{"name":"x","assignee_account_id":"` + fuzzA.String() + `"}]}`)
	f.Add(`{"version":1,"steps":null}`)
	f.Fuzz(func(t *testing.T, data string) {
		fl, err := LoadFlow(fuzzA, "medical", []event.Recorded{{Stream: FlowStream(fuzzA, "medical"), Version: 1, Type: TypeFlowConfigured, Data: json.RawMessage(data)}})
		if aggtest.Refused(t, err) {
			return
		}
		_, _ = fl.Steps(), fl.FlowVersion()
		_ = fl.Configure([]FlowStep{{Name: "y", AssigneeAccountID: uuid.New()}})
		_, _ = Nearest(map[uuid.UUID]*Flow{fuzzA: fl}, []uuid.UUID{fuzzA})
	})
}
