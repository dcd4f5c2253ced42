package care

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/google/uuid"

	"aidtrail/domain/event"
	"aidtrail/domain/fault"
	agg "aidtrail/domain/internal/aggregate"
	"aidtrail/domain/internal/text"
)

// RulesStream is the one stream of the bureau's discovery rules.
const RulesStream = "discovery-rules"

// TypeRulesPublished is the one event type of RulesStream. Stored; never
// rename it.
const TypeRulesPublished = "discovery.rules_published"

// Limits of a rule set.
const (
	MaxRules            = 200
	MaxRuleCodeLen      = 64
	MaxExplanationRunes = 200
	MaxWithinDays       = 3660
)

// Rule matches facts about an employee to an aid standard they probably
// qualify for. A rule with LifeEvent is tried when a life event of that
// kind (and subject, when given) is recorded; one without is tried when
// the employee enters the hardship register.
type Rule struct {
	Code         string          `json:"code"`
	StandardCode string          `json:"standard_code"`
	LifeEvent    *LifeEventMatch `json:"life_event,omitempty"`
	// WithinDays, when above 0, limits a life event to one that occurred
	// at most this many days before it was recorded.
	WithinDays int `json:"within_days"`
	// InRegister: true, the employee must be in the hardship register;
	// false, must not be; nil, either.
	InRegister *bool `json:"in_register"`
	// Explanation is the rule's plain-language advice, added to each
	// match's reason.
	Explanation string `json:"explanation"`
}

// LifeEventMatch is the life event a rule looks for; Subject "" is any.
type LifeEventMatch struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
}

// RulesPublished is the payload of discovery.rules_published: version
// replaces every earlier version for matching from its position on.
type RulesPublished struct {
	Version int    `json:"version"`
	Rules   []Rule `json:"rules"`
}

// RuleSet is the bureau's discovery rules, all versions. Start with
// NewRuleSet or rebuild with LoadRuleSet.
type RuleSet struct {
	current RulesPublished
	agg.Root
}

// NewRuleSet returns the rules before any is published.
func NewRuleSet() *RuleSet { return &RuleSet{} }

// LoadRuleSet rebuilds the rules from RulesStream.
func LoadRuleSet(history []event.Recorded) (*RuleSet, error) {
	r := &RuleSet{}
	return agg.Load(r, RulesStream, history, r.apply)
}

// Current returns the version in force (Version 0: none published).
func (r *RuleSet) Current() RulesPublished { return r.current }

// Publish records a new version holding rules, which CheckRules must
// accept. It returns the new version's number.
func (r *RuleSet) Publish(rules []Rule) (int, error) {
	if err := CheckRules(rules); err != nil {
		return 0, err
	}
	v := r.current.Version + 1
	if err := agg.Record(&r.Root, r.apply, TypeRulesPublished, RulesPublished{Version: v, Rules: rules}); err != nil {
		return 0, err
	}
	return v, nil
}

// CheckRules validates a rule set: 1..MaxRules rules, distinct codes,
// standard codes in the catalogue's form, known life-event kinds and
// subjects, WithinDays 0..MaxWithinDays, and a register rule (no life
// event) that does not ask for someone outside the register. Whether each
// standard exists is the command's to check.
func CheckRules(rules []Rule) error {
	if len(rules) == 0 || len(rules) > MaxRules {
		return fault.Invalid("rules", "must hold 1 to %d rules", MaxRules)
	}
	var codes []string
	for i, rule := range rules {
		at := "rules[" + strconv.Itoa(i) + "]."
		if err := text.CheckCode(at+"code", rule.Code, MaxRuleCodeLen, true); err != nil {
			return err
		}
		if slices.Contains(codes, rule.Code) {
			return fault.Invalid(at+"code", "repeats an earlier rule's code")
		}
		codes = append(codes, rule.Code)
		if err := text.CheckCode(at+"standard_code", rule.StandardCode, 64, true); err != nil {
			return err
		}
		if err := rule.checkTrigger(at); err != nil {
			return err
		}
		if _, err := text.Clean(at+"explanation", rule.Explanation, 0, MaxExplanationRunes); err != nil {
			return err
		}
	}
	return nil
}

func (rule Rule) checkTrigger(at string) error {
	if rule.WithinDays < 0 || rule.WithinDays > MaxWithinDays {
		return fault.Invalid(at+"within_days", "must be 0 to %d", MaxWithinDays)
	}
	if rule.LifeEvent == nil {
		if rule.InRegister != nil && !*rule.InRegister {
			return fault.Invalid(at+"in_register", "a rule tried on entering the register cannot ask for someone outside it")
		}
		if rule.WithinDays != 0 {
			return fault.Invalid(at+"within_days", "applies to a life event only")
		}
		return nil
	}
	if !slices.Contains(Kinds(), rule.LifeEvent.Kind) {
		return fault.Invalid(at+"life_event.kind", "must be one of %v", Kinds())
	}
	if rule.LifeEvent.Subject != "" && !slices.Contains(Subjects(), rule.LifeEvent.Subject) {
		return fault.Invalid(at+"life_event.subject", "must be empty or one of %v", Subjects())
	}
	return nil
}

func (r *RuleSet) apply(typ string, data json.RawMessage) error {
	if typ != TypeRulesPublished {
		return agg.Unknown(typ)
	}
	return agg.On(data, func(p RulesPublished) error {
		if p.Version != r.current.Version+1 {
			return errors.New("rule set versions must follow one another")
		}
		r.current = p
		return nil
	})
}

// ItemID is the id of the discovery item rule (of version) finds from the
// event trigger: the same every time the history is replayed, so that a
// follow-up names the item of a rebuilt list too.
func ItemID(ruleCode string, version int, trigger uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(itemSpace, []byte(ruleCode+"/"+strconv.Itoa(version)+"/"+trigger.String()))
}

// itemSpace is the namespace of discovery item ids. Never change it.
var itemSpace = uuid.MustParse("6f1c7a52-3f0e-4b8e-9a4d-0d6b1c2e5a71")
