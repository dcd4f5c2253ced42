package catalogue

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

// commit appends st's changes to history at its expected version, checks
// that replaying the stream rebuilds exactly the state the behaviour
// methods left (the round trip), and returns the stream and a fresh load.
func commit(t *testing.T, history []event.Recorded, st *Standard) ([]event.Recorded, *Standard) {
	t.Helper()
	history, err := aggtest.Append(history, st.Stream(), st.StreamVersion(), st.Changes())
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadStandard(st.Code(), history)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	aggtest.SameState(t, got.s, st.s)
	return history, got
}

func TestStandardLifecycle(t *testing.T) {
	t.Parallel()
	first := with(func(d *Definition) { d.Name, d.Version = "  重大疾病救助 ", 9 })
	st, err := Publish(first)
	if err != nil {
		t.Fatal(err)
	}
	if st.StreamVersion() != 0 || st.Stream() != "standard-MED-SERIOUS" || StandardStream("X1") != "standard-X1" {
		t.Fatalf("stream %s at %d", st.Stream(), st.StreamVersion())
	}
	changes := st.Changes()
	if len(changes) != 1 || changes[0].Type != TypeStandardPublished || changes[0].ID.Version() != 7 || changes[0].Metadata != (event.Metadata{}) {
		t.Fatalf("changes %+v", changes)
	}
	var payload map[string]any
	if err := json.Unmarshal(changes[0].Data, &payload); err != nil || payload["version"] != 1.0 || payload["name"] != "重大疾病救助" || len(payload) != 11 {
		t.Fatalf("payload %s", changes[0].Data)
	}
	history, st := commit(t, nil, st)
	if cur := st.Current(); cur.Version != 1 || cur.Name != "重大疾病救助" {
		t.Fatalf("current %+v", cur)
	}

	// A revision replaces the whole definition; version 1 stays.
	second := with(func(d *Definition) {
		d.Code, d.AmountRule, d.RequiredDocuments = "", PercentRule(50, 4000000), nil
	})
	if err := st.Revise(second); err != nil {
		t.Fatal(err)
	}
	history, st = commit(t, history, st)
	if st.StreamVersion() != 2 {
		t.Fatalf("stream version %d", st.StreamVersion())
	}
	v1, err := st.Version(1)
	if err != nil || v1.AmountRule.Kind() != KindTiered || len(v1.RequiredDocuments) != 2 {
		t.Fatalf("version 1 %+v, %v", v1, err)
	}
	v2, err := st.Version(2)
	if err != nil || v2.Version != 2 || v2.AmountRule.Kind() != KindPercentOfExpense || v2.RequiredDocuments == nil || !reflect.DeepEqual(v2, st.Current()) {
		t.Fatalf("version 2 %+v, %v", v2, err)
	}
	for _, n := range []int{0, 3, -1} {
		if _, err := st.Version(n); !errors.Is(err, ErrVersionNotFound) {
			t.Fatalf("Version(%d): %v", n, err)
		}
	}

	// Revising to the same definition records nothing.
	if err := st.Revise(st.Current()); err != nil || st.Changes() != nil {
		t.Fatalf("same definition: %v, %v", err, st.Changes())
	}
	// Copies: editing what the standard returns changes nothing.
	cur := st.Current()
	cur.Beneficiaries[0] = BeneficiaryParent
	v1.AmountRule.tiers[0].AmountFen = 1
	if st.Current().Beneficiaries[0] != BeneficiarySelf {
		t.Fatal("Current exposes the standard's lists")
	}
	if again, _ := st.Version(1); again.AmountRule.tiers[0].AmountFen == 1 {
		t.Fatal("Version exposes the standard's tiers")
	}

	if err := st.Retire("  并入新标准 "); err != nil {
		t.Fatal(err)
	}
	history, st = commit(t, history, st)
	if retired, why := st.Retired(); !retired || why != "并入新标准" {
		t.Fatalf("retired %v %q", retired, why)
	}
	if err := st.Revise(second); !errors.Is(err, ErrRetired) || !errors.Is(err, fault.ErrInvalidState) {
		t.Fatalf("revise retired: %v", err)
	}
	if err := st.Retire("again"); !errors.Is(err, ErrRetired) {
		t.Fatalf("retire twice: %v", err)
	}
	if _, err := st.Version(2); err != nil || len(history) != 3 {
		t.Fatal("a retired standard keeps its versions")
	}
}

func TestStandardRefusals(t *testing.T) {
	t.Parallel()
	if _, err := Publish(with(func(d *Definition) { d.Code = "x" })); !errors.Is(err, fault.ErrInvalid) {
		t.Fatalf("publish invalid: %v", err)
	}
	st, err := Publish(validDef())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		act   func() error
		field string
	}{
		{"revise another code", func() error { return st.Revise(with(func(d *Definition) { d.Code = "MED-OTHER" })) }, "code"},
		{"revise invalid", func() error { return st.Revise(with(func(d *Definition) { d.MaxTimesPerYear = 0 })) }, "max_times_per_year"},
		{"retire without reason", func() error { return st.Retire(" \n ") }, "reason"},
		{"retire with control characters", func() error { return st.Retire("a\x07") }, "reason"},
		{"retire with a long reason", func() error { return st.Retire(repeat("因", MaxReasonRunes+1)) }, "reason"},
	}
	for _, tt := range tests {
		checkField(t, tt.act(), tt.field)
	}
	if len(st.Changes()) != 1 {
		t.Fatalf("refusals recorded: %v", st.Changes())
	}
}

func rec(code string, v int64, typ, data string) event.Recorded {
	return event.Recorded{ID: uuid.New(), Stream: StandardStream(code), Version: v, Type: typ, Data: json.RawMessage(data)}
}

func TestLoadStandardRefusesBrokenHistory(t *testing.T) {
	t.Parallel()
	payload := func(edit func(*Definition)) string {
		d := with(edit)
		data, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	const code = "MED-SERIOUS"
	v1 := payload(func(d *Definition) { d.Version = 1 })
	v2 := payload(func(d *Definition) { d.Version = 2 })
	pub := rec(code, 1, TypeStandardPublished, v1)
	retired := rec(code, 2, TypeStandardRetired, `{"reason":"r"}`)
	aggtest.RefusesHistory(t, StandardStream(code), code, LoadStandard, []aggtest.Broken{
		{Name: "empty", Want: event.ErrNotFound},
		{Name: "unknown type", History: []event.Recorded{pub, rec(code, 2, "standard.exploded", `{}`)}, Want: fault.ErrUnknownEvent},
		{Name: "starts with a revision", History: []event.Recorded{rec(code, 1, TypeStandardRevised, v1)}, Want: fault.ErrHistory},
		{Name: "starts with retirement", History: []event.Recorded{rec(code, 1, TypeStandardRetired, `{"reason":"r"}`)}, Want: fault.ErrHistory},
		{Name: "published twice", History: []event.Recorded{pub, rec(code, 2, TypeStandardPublished, v2)}, Want: ErrAlreadyPublished},
		{Name: "revised after retirement", History: []event.Recorded{pub, retired, rec(code, 3, TypeStandardRevised, v2)}, Want: ErrRetired},
		{Name: "retired twice", History: []event.Recorded{pub, retired, rec(code, 3, TypeStandardRetired, `{"reason":"r"}`)}, Want: ErrRetired},
		{Name: "retired without reason", History: []event.Recorded{pub, rec(code, 2, TypeStandardRetired, `{}`)}, Want: fault.ErrHistory},
		{Name: "version skipped", History: []event.Recorded{pub, rec(code, 2, TypeStandardRevised, payload(func(d *Definition) { d.Version = 3 }))}, Want: fault.ErrHistory},
		{Name: "version repeated", History: []event.Recorded{pub, rec(code, 2, TypeStandardRevised, v1)}, Want: fault.ErrHistory},
		{Name: "other code", History: []event.Recorded{rec(code, 1, TypeStandardPublished, payload(func(d *Definition) { d.Code, d.Version = "EDU-UNIV", 1 }))}, Want: fault.ErrHistory},
		{Name: "invalid definition", History: []event.Recorded{rec(code, 1, TypeStandardPublished, payload(func(d *Definition) { d.Beneficiaries, d.Version = nil, 1 }))}, Want: fault.ErrInvalid},
		{Name: "float money", History: []event.Recorded{rec(code, 1, TypeStandardPublished, `{"code":"MED-SERIOUS","version":1,"amount_rule":{"kind":"fixed","amount_fen":1.5}}`)}, Want: fault.ErrHistory},
		{Name: "not JSON", History: []event.Recorded{rec(code, 1, TypeStandardPublished, `{`)}, Want: fault.ErrHistory},
		{Name: "version gap in the stream", History: []event.Recorded{pub, rec(code, 3, TypeStandardRetired, `{"reason":"r"}`)}, Want: fault.ErrHistory},
		{Name: "other stream", History: []event.Recorded{rec("EDU-UNIV", 1, TypeStandardPublished, v1)}, Want: fault.ErrHistory},
	})
}
