package demo

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
	"aidtrail/domain/calendar"
	"aidtrail/domain/care"
	"aidtrail/domain/org"
)

// careRules are the bureau's discovery rules of the demo: a serious
// illness leads to medical aid; entering the register to the hardship
// subsidy; a child admitted to university, for someone in the register, to
// the university grant (the seed's 政策找职工).
func careRules() []care.Rule {
	yes := true
	return []care.Rule{
		{Code: "ILL-SELF", StandardCode: "MED-SERIOUS", LifeEvent: &care.LifeEventMatch{Kind: care.KindSeriousIllness, Subject: "self"},
			WithinDays: 90, Explanation: "可申请重大疾病救助"},
		{Code: "REGISTER-ENTRY", StandardCode: "HARD-LIVING", Explanation: "可申请困难职工生活补助"},
		{Code: "UNIV-REGISTER", StandardCode: "EDU-UNIV", LifeEvent: &care.LifeEventMatch{Kind: care.KindUniversityAdmission, Subject: "child"},
			WithinDays: 120, InRegister: &yes, Explanation: "可申请金秋助学6000元，请上门了解"},
	}
}

// registerEntry is a demo employee's place in the hardship register.
type registerEntry struct {
	station, name, idBase string
	level                 care.Level
	causes                []string
	household             care.Household
	family                []commands.FamilyMember
}

// newcomers are employees the demo adds for care work: in the register,
// and with life events the rules find them by.
var newcomers = []registerEntry{
	{"tyz", "李红梅", "14010119790312006", care.LevelRelative, []string{"单亲家庭", "子女上学"},
		care.Household{Size: 2, Dependants: 1, IncomeBand: "under_1_5x_minimum", AgeBand: "40_49"},
		[]commands.FamilyMember{{Relation: org.RelationChild, Name: "李子轩", BirthDate: "2008-05-20"}}},
	{"dqcw", "张卫东", "14020219700811007", care.LevelDeep, []string{"重病"},
		care.Household{Size: 4, Dependants: 2, IncomeBand: "below_minimum", AgeBand: "50_59"}, nil},
}

// care publishes the rules, enters the newcomers in the register and
// records their life events, so that the discovery list holds what the
// rules found for each of them before anyone applied, one item followed
// up with a visit.
func (l *loader) care() error {
	if _, _, err := l.app.PublishDiscoveryRules(l.ctx, l.admin, commands.PublishDiscoveryRules{Rules: careRules()}); err != nil {
		return fmt.Errorf("discovery rules: %w", err)
	}
	today := time.Now().In(calendar.Zone)
	daysAgo := func(n int) string { return today.AddDate(0, 0, -n).Format(time.DateOnly) }
	ids := map[string]uuid.UUID{}
	for _, n := range newcomers {
		id, _, err := l.app.RegisterEmployee(l.ctx, l.workers[n.station], commands.RegisterEmployee{UnitID: l.units[n.station],
			Name: n.name, IDNumber: withCheckDigit(n.idBase), Family: n.family})
		if err != nil {
			return fmt.Errorf("employee %s: %w", n.name, err)
		}
		ids[n.name] = id
	}
	// 李红梅 enters the register (listed for the hardship subsidy); her son's
	// admission then lists the university grant.
	if _, err := l.app.EnterHardship(l.ctx, l.workers["tyz"], commands.EnterHardship{EmployeeID: ids["李红梅"],
		Level: newcomers[0].level, Causes: newcomers[0].causes, Household: newcomers[0].household}); err != nil {
		return fmt.Errorf("register 李红梅: %w", err)
	}
	if _, _, err := l.app.RecordLifeEvent(l.ctx, l.workers["tyz"], commands.RecordLifeEvent{EmployeeID: ids["李红梅"],
		Kind: care.KindUniversityAdmission, Subject: "child", OccurredOn: daysAgo(6), Details: "李子轩被西南交通大学录取"}); err != nil {
		return fmt.Errorf("life event of 李红梅: %w", err)
	}
	// 张卫东's illness lists medical aid; the station visits him and
	// records it on the item (whose id follows from the rule, its version
	// and the life event).
	illness, _, err := l.app.RecordLifeEvent(l.ctx, l.workers["dqcw"], commands.RecordLifeEvent{EmployeeID: ids["张卫东"],
		Kind: care.KindSeriousIllness, Subject: "self", OccurredOn: daysAgo(12), Details: "确诊尿毒症，需长期透析"})
	if err != nil {
		return fmt.Errorf("life event of 张卫东: %w", err)
	}
	if _, err := l.app.FollowUpDiscovery(l.ctx, l.workers["dqcw"], commands.FollowUpDiscovery{
		ItemID: care.ItemID("ILL-SELF", 1, illness), EmployeeID: ids["张卫东"], Outcome: care.OutcomeVisited,
		Note: "已上门看望，指导准备重大疾病救助申请材料"}); err != nil {
		return fmt.Errorf("follow-up of 张卫东: %w", err)
	}
	if _, err := l.app.EnterHardship(l.ctx, l.workers["dqcw"], commands.EnterHardship{EmployeeID: ids["张卫东"],
		Level: newcomers[1].level, Causes: newcomers[1].causes, Household: newcomers[1].household}); err != nil {
		return fmt.Errorf("register 张卫东: %w", err)
	}
	return nil
}
