package care

import (
	"strconv"
	"strings"
	"time"
)

// Person is what matching knows of an employee when a rule is tried.
type Person struct {
	InRegister    bool
	RegisterSince string // YYYY-MM-DD of the current entry, when InRegister
}

// Trigger is the fact a rule is tried on: a life event, or (LifeEvent nil)
// the employee entering the register; RecordedOn is the date it was
// recorded.
type Trigger struct {
	LifeEvent  *LifeEvent
	RecordedOn string
}

// Matches reports whether rule finds the person through t. It does not
// know whether the person was already served for the standard this year;
// the caller, who holds the case history, rules that out.
func (rule Rule) Matches(t Trigger, p Person) bool {
	if rule.InRegister != nil && *rule.InRegister != p.InRegister {
		return false
	}
	if rule.LifeEvent == nil || t.LifeEvent == nil {
		return rule.LifeEvent == nil && t.LifeEvent == nil && p.InRegister
	}
	le := t.LifeEvent
	if !rule.LooksFor(*le) {
		return false
	}
	if rule.WithinDays > 0 {
		days, ok := daysBetween(le.OccurredOn, t.RecordedOn)
		if !ok || days > rule.WithinDays {
			return false
		}
	}
	return true
}

// Reason explains a match in plain Chinese, fact by fact, e.g.
// "子女于2026-07-20被大学录取；2025年起在困难职工库；今年未享受金秋助学", then the
// rule's own explanation.
func (rule Rule) Reason(t Trigger, p Person, standardName string) string {
	var facts []string
	if le := t.LifeEvent; le != nil {
		facts = append(facts, subjectWords[le.Subject]+"于"+le.OccurredOn+kindWords[le.Kind])
	} else {
		facts = append(facts, t.RecordedOn+"列入困难职工库")
	}
	if p.InRegister && t.LifeEvent != nil && len(p.RegisterSince) >= 4 {
		facts = append(facts, p.RegisterSince[:4]+"年起在困难职工库")
	}
	facts = append(facts, "今年未享受"+standardName)
	reason := strings.Join(facts, "；")
	if rule.Explanation != "" {
		reason += "。" + rule.Explanation
	}
	return reason
}

var subjectWords = map[string]string{"self": "本人", "spouse": "配偶", "child": "子女", "parent": "父母"}

var kindWords = map[string]string{
	KindUniversityAdmission:   "被大学录取",
	KindSeniorSchoolAdmission: "被高中录取",
	KindSeriousIllness:        "患重病",
	KindHospitalisation:       "住院",
	KindDeathInFamily:         "去世",
	KindDisability:            "致残",
	KindNaturalDisaster:       "遭受自然灾害",
	KindLowIncome:             "家庭收入低于当地最低生活标准",
}

// daysBetween counts the days from one date to a later one; ok is false
// for a malformed date.
func daysBetween(from, to string) (int, bool) {
	f, err1 := time.Parse(DateLayout, from)
	t, err2 := time.Parse(DateLayout, to)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(t.Sub(f).Hours() / 24), true
}

// Year is the year of a date YYYY-MM-DD, 0 for a malformed one.
func Year(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, err := strconv.Atoi(date[:4])
	if err != nil {
		return 0
	}
	return y
}

// LooksFor reports whether rule is tried on life event e at all: it names
// e's kind, and its subject or none. Matches decides the rest.
func (rule Rule) LooksFor(e LifeEvent) bool {
	return rule.LifeEvent != nil && rule.LifeEvent.Kind == e.Kind && (rule.LifeEvent.Subject == "" || rule.LifeEvent.Subject == e.Subject)
}
