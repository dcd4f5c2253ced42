package care

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	"aidtrail/domain/internal/aggtest"
)

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }

var universityGrant = Rule{Code: "EDU-UNIV-REGISTER", StandardCode: "EDU-UNIV",
	LifeEvent: &LifeEventMatch{Kind: KindUniversityAdmission, Subject: "child"}, WithinDays: 120, InRegister: yes(),
	Explanation: "可申请金秋助学"}

func TestRulesMatchTheFactsTheyName(t *testing.T) {
	admitted := &LifeEvent{Kind: KindUniversityAdmission, Subject: "child", OccurredOn: "2026-07-20"}
	inRegister := Person{InRegister: true, RegisterSince: "2025-04-01"}
	cases := []struct {
		name   string
		rule   Rule
		t      Trigger
		p      Person
		wanted bool
	}{
		{"the story", universityGrant, Trigger{LifeEvent: admitted, RecordedOn: "2026-07-25"}, inRegister, true},
		{"not in the register", universityGrant, Trigger{LifeEvent: admitted, RecordedOn: "2026-07-25"}, Person{}, false},
		{"too long ago", universityGrant, Trigger{LifeEvent: admitted, RecordedOn: "2026-12-01"}, inRegister, false},
		{"on the last day", universityGrant, Trigger{LifeEvent: admitted, RecordedOn: "2026-11-17"}, inRegister, true},
		{"other subject", universityGrant, Trigger{LifeEvent: &LifeEvent{Kind: KindUniversityAdmission, Subject: "self", OccurredOn: "2026-07-20"}, RecordedOn: "2026-07-25"}, inRegister, false},
		{"other kind", universityGrant, Trigger{LifeEvent: &LifeEvent{Kind: KindSeriousIllness, Subject: "child", OccurredOn: "2026-07-20"}, RecordedOn: "2026-07-25"}, inRegister, false},
		{"register rule on entry", Rule{Code: "R", StandardCode: "S"}, Trigger{RecordedOn: "2026-07-25"}, inRegister, true},
		{"register rule on a life event", Rule{Code: "R", StandardCode: "S"}, Trigger{LifeEvent: admitted, RecordedOn: "2026-07-25"}, inRegister, false},
		{"life rule on entry", universityGrant, Trigger{RecordedOn: "2026-07-25"}, inRegister, false},
		{"outside the register only", Rule{Code: "R", StandardCode: "S", LifeEvent: &LifeEventMatch{Kind: KindSeriousIllness}, InRegister: no()},
			Trigger{LifeEvent: &LifeEvent{Kind: KindSeriousIllness, Subject: "spouse", OccurredOn: "2026-01-02"}, RecordedOn: "2026-01-03"}, Person{}, true},
	}
	for _, tc := range cases {
		if got := tc.rule.Matches(tc.t, tc.p); got != tc.wanted {
			t.Errorf("%s: matches %v, want %v", tc.name, got, tc.wanted)
		}
	}
	got := universityGrant.Reason(Trigger{LifeEvent: admitted, RecordedOn: "2026-07-25"}, inRegister, "金秋助学")
	if want := "子女于2026-07-20被大学录取；2025年起在困难职工库；今年未享受金秋助学。可申请金秋助学"; got != want {
		t.Fatalf("reason %q, want %q", got, want)
	}
}

func TestRuleSetsAreVersioned(t *testing.T) {
	r := NewRuleSet()
	v, err := r.Publish([]Rule{universityGrant})
	if err != nil || v != 1 {
		t.Fatalf("publish: %d %v", v, err)
	}
	history, err := aggtest.Append(nil, RulesStream, 0, r.Changes())
	if err != nil {
		t.Fatal(err)
	}
	r, err = LoadRuleSet(history)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := r.Publish([]Rule{universityGrant, {Code: "HARDSHIP", StandardCode: "HARD-1"}}); err != nil || v != 2 {
		t.Fatalf("second version: %d %v", v, err)
	}
	if cur := r.Current(); cur.Version != 2 || len(cur.Rules) != 2 {
		t.Fatalf("current: %+v", cur)
	}
	// A history whose versions skip is refused on replay.
	bad := aggtest.Rec(RulesStream, 1, TypeRulesPublished, `{"version":3,"rules":[]}`)
	if _, err := LoadRuleSet([]event.Recorded{bad}); !errors.Is(err, fault.ErrHistory) {
		t.Fatalf("skipping history: %v", err)
	}
}

func TestRuleSetsRefuseBadRules(t *testing.T) {
	long := strings.Repeat("说", MaxExplanationRunes+1)
	cases := map[string]struct {
		rules []Rule
		field string
	}{
		"none":             {nil, "rules"},
		"bad code":         {[]Rule{{Code: "a b", StandardCode: "S"}}, "rules[0].code"},
		"repeated code":    {[]Rule{{Code: "A", StandardCode: "S"}, {Code: "A", StandardCode: "S"}}, "rules[1].code"},
		"no standard":      {[]Rule{{Code: "A"}}, "rules[0].standard_code"},
		"unknown kind":     {[]Rule{{Code: "A", StandardCode: "S", LifeEvent: &LifeEventMatch{Kind: "wedding"}}}, "rules[0].life_event.kind"},
		"unknown subject":  {[]Rule{{Code: "A", StandardCode: "S", LifeEvent: &LifeEventMatch{Kind: KindDisability, Subject: "cousin"}}}, "rules[0].life_event.subject"},
		"negative window":  {[]Rule{{Code: "A", StandardCode: "S", LifeEvent: &LifeEventMatch{Kind: KindDisability}, WithinDays: -1}}, "rules[0].within_days"},
		"register outside": {[]Rule{{Code: "A", StandardCode: "S", InRegister: no()}}, "rules[0].in_register"},
		"long explanation": {[]Rule{{Code: "A", StandardCode: "S", Explanation: long}}, "rules[0].explanation"},
	}
	for name, tc := range cases {
		err := CheckRules(tc.rules)
		var v *fault.ValidationError
		if !errors.As(err, &v) || v.Field != tc.field {
			t.Errorf("%s: %v, want a validation error on %s", name, err, tc.field)
		}
	}
}

func TestLifeEventsAreRecordedOnce(t *testing.T) {
	emp := uuid.New()
	l := NewLifeEvents(emp)
	e := LifeEvent{Kind: KindSeriousIllness, Subject: "self", OccurredOn: "2026-02-20"}
	if err := l.Record(uuid.New(), e, SourceManual, day); err != nil {
		t.Fatal(err)
	}
	if err := l.Record(uuid.New(), e, SourceImport, day); !errors.Is(err, ErrLifeEventRecorded) {
		t.Fatalf("repeat: %v", err)
	}
	history, err := aggtest.Append(nil, l.Stream(), 0, l.Changes())
	if err != nil {
		t.Fatal(err)
	}
	loaded, err := LoadLifeEvents(emp, history)
	if err != nil || !loaded.Has(e) {
		t.Fatalf("reloaded: %v has %v", err, loaded != nil && loaded.Has(e))
	}
	for name, bad := range map[string]LifeEvent{
		"kind":    {Kind: "wedding", Subject: "self", OccurredOn: "2026-02-20"},
		"subject": {Kind: KindDisability, Subject: "cousin", OccurredOn: "2026-02-20"},
		"date":    {Kind: KindDisability, Subject: "self", OccurredOn: "20/02/2026"},
		"future":  {Kind: KindDisability, Subject: "self", OccurredOn: "2026-03-03"},
		"old":     {Kind: KindDisability, Subject: "self", OccurredOn: "2010-01-01"},
	} {
		if err := bad.Check(day); !errors.Is(err, fault.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestItemIDsAreStable(t *testing.T) {
	trigger := uuid.New()
	if ItemID("A", 1, trigger) != ItemID("A", 1, trigger) || ItemID("A", 1, trigger) == ItemID("A", 2, trigger) {
		t.Fatal("item ids must depend on rule, version and trigger alone")
	}
}
