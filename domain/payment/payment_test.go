package payment

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func TestInstruct(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		id     uuid.UUID
		change func(in *Instruction)
		field  string
	}{
		{"ok", uuid.New(), func(*Instruction) {}, ""},
		{"max", uuid.New(), func(in *Instruction) { in.AmountFen = MaxFen }, ""},
		{"no id", uuid.Nil, func(*Instruction) {}, "payment_id"},
		{"no case", uuid.New(), func(in *Instruction) { in.CaseID = uuid.Nil }, "case_id"},
		{"no employee", uuid.New(), func(in *Instruction) { in.EmployeeID = uuid.Nil }, "employee_id"},
		{"no budget", uuid.New(), func(in *Instruction) { in.BudgetID = uuid.Nil }, "budget_id"},
		{"zero", uuid.New(), func(in *Instruction) { in.AmountFen = 0 }, "amount_fen"},
		{"negative", uuid.New(), func(in *Instruction) { in.AmountFen = -1 }, "amount_fen"},
		{"too much", uuid.New(), func(in *Instruction) { in.AmountFen = MaxFen + 1 }, "amount_fen"},
		{"no account", uuid.New(), func(in *Instruction) { in.BankAccount = "" }, "bank_account"},
		{"long account", uuid.New(), func(in *Instruction) { in.BankAccount = Sealed(strings.Repeat("a", MaxSealedLen+1)) }, "bank_account"},
		{"control account", uuid.New(), func(in *Instruction) { in.BankAccount = "a\nb" }, "bank_account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := instruction()
			tt.change(&in)
			p, err := Instruct(tt.id, in)
			if tt.field != "" {
				aggtest.WantField(t, err, tt.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.ID() != tt.id || p.Status() != StatusInstructed || p.Instruction() != in || p.CaseID() != in.CaseID ||
				p.EmployeeID() != in.EmployeeID || p.BudgetID() != in.BudgetID || p.AmountFen() != in.AmountFen ||
				p.BankRef() != "" || p.ConfirmedOn() != "" || p.FailReason() != "" || p.Version() != 0 ||
				len(p.Changes()) != 1 || p.Stream() != "payment-"+tt.id.String() {
				t.Fatalf("payment %+v", p.s)
			}
		})
	}
}

func TestConfirm(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		ref, date, field string
	}{
		{"", "2025-06-01", "bank_ref"},
		{strings.Repeat("R", 65), "2025-06-01", "bank_ref"},
		{"A,B", "2025-06-01", "bank_ref"},
		{`A"B`, "2025-06-01", "bank_ref"},
		{"A'B", "2025-06-01", "bank_ref"},
		{"A\nB", "2025-06-01", "bank_ref"},
		{" AB", "2025-06-01", "bank_ref"},
		{"AB€", "2025-06-01", "bank_ref"},
		{"REF1", "", "confirmed_at"},
		{"REF1", "2025-02-30", "confirmed_at"},
		{"REF1", "2025-6-1", "confirmed_at"},
		{"REF1", "1999-12-31", "confirmed_at"},
		{"REF1", "2025-06-01T00:00:00Z", "confirmed_at"},
	} {
		s := newPayment(t)
		_, err := s.do(func(p *Payment) error { return p.Confirm(tt.ref, tt.date) })
		aggtest.WantField(t, err, tt.field)
	}
	s := newPayment(t)
	ref := strings.Repeat("R", 64)
	if n, err := s.do(func(p *Payment) error { return p.Confirm(ref, "2025-06-01") }); err != nil || n != 1 {
		t.Fatalf("confirm: %v, %d events", err, n)
	}
	if n, err := s.do(func(p *Payment) error { return p.Confirm(ref, "2025-06-02") }); err != nil || n != 0 {
		t.Fatalf("confirm again: %v, %d events", err, n)
	}
	if _, err := s.do(func(p *Payment) error { return p.Confirm("OTHER", "2025-06-01") }); !errors.Is(err, ErrConfirmed) || !errors.Is(err, fault.ErrInvalidState) {
		t.Fatalf("other ref: %v", err)
	}
	if _, err := s.do(func(p *Payment) error { return p.Fail("bounced") }); !errors.Is(err, ErrConfirmed) {
		t.Fatalf("fail confirmed: %v", err)
	}
	p := s.load()
	if p.Status() != StatusConfirmed || p.BankRef() != ref || p.ConfirmedOn() != "2025-06-01" || p.Version() != 2 {
		t.Fatalf("confirmed %+v", p.s)
	}
}

func TestFail(t *testing.T) {
	t.Parallel()
	for _, reason := range []string{"", "  ", strings.Repeat("x", MaxReasonRunes+1), "a\x00", "\xff"} {
		s := newPayment(t)
		_, err := s.do(func(p *Payment) error { return p.Fail(reason) })
		aggtest.WantField(t, err, "reason")
	}
	s := newPayment(t)
	if n, err := s.do(func(p *Payment) error { return p.Fail(" 账户已销户 \n") }); err != nil || n != 1 {
		t.Fatalf("fail: %v, %d", err, n)
	}
	if n, err := s.do(func(p *Payment) error { return p.Fail("again") }); err != nil || n != 0 {
		t.Fatalf("fail again: %v, %d", err, n)
	}
	if _, err := s.do(func(p *Payment) error { return p.Confirm("REF", "2025-06-01") }); !errors.Is(err, ErrFailed) || !errors.Is(err, fault.ErrInvalidState) {
		t.Fatalf("confirm failed: %v", err)
	}
	if p := s.load(); p.Status() != StatusFailed || p.FailReason() != "账户已销户" || p.BankRef() != "" {
		t.Fatalf("failed %+v", p.s)
	}
}
