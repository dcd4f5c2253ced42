package commands

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
	"aidtrail/domain/care"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
)

// PublishDiscoveryRules publishes a new version of the discovery rules.
type PublishDiscoveryRules struct {
	Rules []care.Rule
}

// PublishDiscoveryRules needs discovery.rules at the organisation's root
// (the bureau) and returns the new version. Every rule's standard must be
// published and not retired. The version governs matching from its
// position on; items found before keep the version that found them.
func (a *App) PublishDiscoveryRules(ctx context.Context, actor Actor, cmd PublishDiscoveryRules) (int, Written, error) {
	var version int
	pos, err := a.attempt(ctx, actor, "PublishDiscoveryRules", &version, func(w *uow.Work) (event.Metadata, error) {
		root, err := loadRoot(ctx, w)
		if err != nil {
			return event.Metadata{}, err
		}
		meta, err := a.gate.Authorize(ctx, w, actor, access.PermDiscoveryRules, root)
		if err != nil {
			return event.Metadata{}, err
		}
		if err := care.CheckRules(cmd.Rules); err != nil {
			return event.Metadata{}, err
		}
		for i, rule := range cmd.Rules {
			std, err := uow.LoadStandard(ctx, w, rule.StandardCode)
			if err != nil {
				return event.Metadata{}, fmt.Errorf("rules[%d].standard_code: %w", i, err)
			}
			if retired, _ := std.Retired(); retired {
				return event.Metadata{}, fmt.Errorf("rules[%d].standard_code %s: %w", i, rule.StandardCode, catalogue.ErrRetired)
			}
		}
		set, err := loadRuleSet(ctx, w)
		if err != nil {
			return event.Metadata{}, err
		}
		if version, err = set.Publish(cmd.Rules); err != nil {
			return event.Metadata{}, err
		}
		w.Add(care.RulesStream, set.Changes()...)
		return meta, nil
	})
	return version, Written{pos}, err
}

func loadRuleSet(ctx context.Context, w *uow.Work) (*care.RuleSet, error) {
	history, err := w.Load(ctx, care.RulesStream)
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return care.NewRuleSet(), nil
	}
	return care.LoadRuleSet(history)
}

// FollowUpDiscovery records what staff did about a discovery item.
type FollowUpDiscovery struct {
	ItemID     uuid.UUID
	EmployeeID uuid.UUID // the employee the item names, as the discovery list gives it
	Outcome    string    // one of care.FollowUpOutcomes
	Note       string    // plaintext, optional, sealed under the employee's key
}

// FollowUpDiscovery needs care.manage at the employee's unit. The caller
// takes the item's employee from the discovery list, which only lists the
// items of the caller's subtree.
func (a *App) FollowUpDiscovery(ctx context.Context, actor Actor, cmd FollowUpDiscovery) (Written, error) {
	pos, err := a.attempt(ctx, actor, "FollowUpDiscovery", nil, func(w *uow.Work) (event.Metadata, error) {
		_, meta, err := a.careAt(ctx, w, actor, cmd.EmployeeID, false)
		if err != nil {
			return event.Metadata{}, err
		}
		note, err := a.sealNote(ctx, cmd.EmployeeID, cmd.Note)
		if err != nil {
			return event.Metadata{}, err
		}
		e, err := care.FollowUp(cmd.ItemID, cmd.EmployeeID, cmd.Outcome, note)
		if err != nil {
			return event.Metadata{}, err
		}
		w.AddIndex(care.FollowUpStream(cmd.ItemID), e) // follow-ups of one item need no order among writers
		return meta, nil
	})
	return Written{pos}, err
}
