package httpapi

import (
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"aidtrail/domain/calendar"
	"aidtrail/domain/catalogue"
	"aidtrail/projections"
	"aidtrail/projections/discovery"
)

// daysAgo is the reporting calendar's date n days before today.
func daysAgo(n int) string {
	return time.Now().In(calendar.Zone).AddDate(0, 0, -n).Format(time.DateOnly)
}

// storyRules are the bureau's rules for the seed's stories: a serious
// illness leads to medical aid; entering the register to the hardship
// subsidy; a child admitted to university, for someone in the register, to
// the university grant.
var storyRules = map[string]any{"rules": []map[string]any{
	{"code": "ILL", "standard_code": "MED-SERIOUS", "life_event": map[string]any{"kind": "serious_illness", "subject": "self"},
		"within_days": 90, "explanation": "可申请重大疾病救助"},
	{"code": "ENTRY", "standard_code": "HARD-LIVING", "explanation": "可申请困难职工生活补助"},
	{"code": "UNIV", "standard_code": "EDU-UNIV", "life_event": map[string]any{"kind": "university_admission", "subject": "child"},
		"within_days": 120, "in_register": true, "explanation": "可申请金秋助学6000元"},
}}

// discoveryOf returns every discovery item of employee, as the root's
// administrator sees them once the read models have caught up.
func (f *orgOverHTTP) discoveryOf(employee string) []map[string]any {
	out := []map[string]any{}
	for _, it := range f.api.everyPage("/v1/discovery", f.rootToken(), url.Values{"employee_id": {employee},
		"min_position": {strconv.FormatInt(f.api.head(), 10)}}, 100) {
		out = append(out, it)
	}
	return out
}

// openItem returns the one open item of employee for standard, failing the
// test when there is not exactly one.
func (f *orgOverHTTP) openItem(employee, standard string) map[string]any {
	var found []map[string]any
	for _, it := range f.discoveryOf(employee) {
		if it["status"] == "open" && it["standard_code"] == standard {
			found = append(found, it)
		}
	}
	if len(found) != 1 {
		f.api.t.Fatalf("%s has %d open items for %s: %v", employee, len(found), standard, f.discoveryOf(employee))
	}
	return found[0]
}

// openCaseFor opens a case of standard for employee from item (none: "")
// and returns its id.
func (f *orgOverHTTP) openCaseFor(employee, standard, relation, name string, fen int64, item string) string {
	body := map[string]any{"employee_id": employee, "beneficiary": map[string]any{"relation": relation, "name": name},
		"standard_code": standard, "causes": []string{"serious_illness"}, "expense_fen": fen * 6, "requested_fen": fen,
		"description": "政策找职工"}
	if item != "" {
		body["discovery_id"] = item
	}
	return f.api.create("/v1/cases", f.tokens[actorCaseworker], body)
}

// The seed's cancer patient, 侯建军: his illness, recorded, lists medical
// aid; the case opened from the item takes it off the open list and its
// payment marks it served; entering the register lists the hardship
// subsidy, and his daughter's admission to university, now that he is in
// the register, the university grant — both before he asked. The list
// built live equals its rebuild from position 0.
func TestTheCancerPatientIsFoundThroughTheRegister(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, cw := f.api, f.tokens[actorCaseworker]
		f.twoStepFlows(catalogue.CategoryMedical, catalogue.CategoryHardship, catalogue.CategoryEducation)
		s.must(http.StatusOK, http.MethodPut, "/v1/discovery/rules", f.rootToken(), storyRules)
		body := employeeBody(f.stationA)
		body["name"], body["family"] = "侯建军", []map[string]string{{"relation": "child", "name": "侯思雨", "birth_date": "2007-04-18"}}
		emp := s.create("/v1/employees", cw, body)

		ill := daysAgo(20)
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/life-events", cw,
			map[string]any{"kind": "serious_illness", "subject": "self", "occurred_on": ill, "details": "肺癌"})
		medical := f.openItem(emp, "MED-SERIOUS")
		if reason := medical["reason"].(string); !strings.HasPrefix(reason, "本人于"+ill+"患重病；今年未享受") || !strings.HasSuffix(reason, "可申请重大疾病救助") {
			t.Fatalf("the medical item's reason: %q", reason)
		}
		medCase := f.openCaseFor(emp, "MED-SERIOUS", "self", "", 40_000_00, medical["id"].(string))
		for _, doc := range []string{"diagnosis", "invoice", "expense_list"} {
			s.attach(medCase, cw, doc, tinyPDF(doc))
		}
		s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+medCase+"/submit", cw, nil)
		f.paidThroughTwoSteps(medCase, 40_000_00, map[string]any{"bank_ref": "BOC" + f.uniq("R")})
		if got := s.must(http.StatusOK, http.MethodGet, "/v1/cases/"+medCase, cw, nil); got["discovery_id"] != medical["id"] {
			t.Fatalf("the medical case names discovery item %v, want %v", got["discovery_id"], medical["id"])
		}

		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/hardship", cw, enterBody)
		hardship := f.openItem(emp, "HARD-LIVING")
		if reason := hardship["reason"].(string); !strings.HasPrefix(reason, daysAgo(0)+"列入困难职工库") {
			t.Fatalf("the hardship item's reason: %q", reason)
		}
		admitted := daysAgo(3)
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/life-events", cw,
			map[string]any{"kind": "university_admission", "subject": "child", "occurred_on": admitted})
		univ := f.openItem(emp, "EDU-UNIV")
		wantReason := "子女于" + admitted + "被大学录取；" + daysAgo(0)[:4] + "年起在困难职工库；今年未享受"
		if reason := univ["reason"].(string); !strings.HasPrefix(reason, wantReason) || !strings.HasSuffix(reason, "可申请金秋助学6000元") {
			t.Fatalf("the university item's reason: %q, want it to begin %q", reason, wantReason)
		}
		f.openCaseFor(emp, "HARD-LIVING", "self", "", 5_000_00, hardship["id"].(string))
		f.openCaseFor(emp, "EDU-UNIV", "child", "侯思雨", 6_000_00, "") // opened without the item: it leaves the list all the same

		items := f.discoveryOf(emp)
		if len(items) != 3 {
			t.Fatalf("%d items, want 3: %v", len(items), items)
		}
		for _, it := range items {
			if it["status"] != "applied" || it["case_id"] == nil {
				t.Errorf("item %v is not applied with its case", it)
			}
			if it["standard_code"] == "MED-SERIOUS" && (it["case_id"] != medCase || it["case_paid_at"] == nil) {
				t.Errorf("the medical item %v is not linked to its paid case %s", it, medCase)
			}
		}
		sum := s.must(http.StatusOK, http.MethodGet, "/v1/discovery/summary", cw, nil)
		if sum["found"] != 3.0 || sum["cases_opened"] != 3.0 || sum["cases_paid"] != 1.0 || sum["median_days_to_case"] == nil {
			t.Fatalf("the summary: %v", sum)
		}
		open := s.everyPage("/v1/discovery", cw, url.Values{"status": {"open"}}, 100)
		if len(open) != 0 {
			t.Fatalf("open items after every case was opened: %v", open)
		}

		live := s.everyPage("/v1/discovery", f.rootToken(), url.Values{}, 100)
		if _, err := projections.Rebuild(t.Context(), s.env.DB, s.env.Store, discovery.New(), nil); err != nil {
			t.Fatal(err)
		}
		if rebuilt := s.everyPage("/v1/discovery", f.rootToken(), url.Values{}, 100); !reflect.DeepEqual(live, rebuilt) {
			t.Fatalf("the list live differs from its rebuild:\n live %v\nfresh %v", live, rebuilt)
		}
	})
}

// The father whose child is admitted to university is offered the grant
// before he asks; a rule change governs only what is matched after it, and
// items found before keep the version that found them.
func TestRuleChangesGovernOnlyLaterMatches(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, cw := f.api, f.tokens[actorCaseworker]
		f.cases()
		v1 := map[string]any{"rules": []map[string]any{{"code": "UNIV", "standard_code": "EDU-UNIV",
			"life_event": map[string]any{"kind": "university_admission", "subject": "child"}, "explanation": "可申请金秋助学6000元"}}}
		if got := s.must(http.StatusOK, http.MethodPut, "/v1/discovery/rules", f.rootToken(), v1); got["version"] != float64(1) {
			t.Fatalf("first rules: %v", got)
		}
		admit := func(daysBefore int) string {
			emp := f.employee(f.stationA)
			s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/life-events", cw,
				map[string]any{"kind": "university_admission", "subject": "child", "occurred_on": daysAgo(daysBefore)})
			return emp
		}
		father := admit(60)
		before := f.openItem(father, "EDU-UNIV")
		if rule := before["rule"].(map[string]any); rule["code"] != "UNIV" || rule["version"] != float64(1) {
			t.Fatalf("the father's item: %v", before)
		}

		v2 := map[string]any{"rules": []map[string]any{{"code": "UNIV", "standard_code": "EDU-UNIV",
			"life_event": map[string]any{"kind": "university_admission", "subject": "child"}, "within_days": 30, "explanation": "三十日内录取"}}}
		if got := s.must(http.StatusOK, http.MethodPut, "/v1/discovery/rules", f.rootToken(), v2); got["version"] != float64(2) {
			t.Fatalf("second rules: %v", got)
		}
		late, recent := admit(60), admit(5)
		if items := f.discoveryOf(late); len(items) != 0 {
			t.Fatalf("an admission 60 days back matched under a 30-day rule: %v", items)
		}
		after := f.openItem(recent, "EDU-UNIV")
		if rule := after["rule"].(map[string]any); rule["version"] != float64(2) || !strings.HasSuffix(after["reason"].(string), "三十日内录取") {
			t.Fatalf("the item found after the change: %v", after)
		}
		if again := f.openItem(father, "EDU-UNIV"); !reflect.DeepEqual(again, before) {
			t.Fatalf("the father's item changed with the rules:\n was %v\n now %v", before, again)
		}
		got := s.must(http.StatusOK, http.MethodGet, "/v1/discovery/rules", cw, nil)
		if got["version"] != float64(2) || len(got["rules"].([]any)) != 1 {
			t.Fatalf("rules in force: %v", got)
		}
		// Following the item up records who did; a visit keeps it listed.
		s.must(http.StatusOK, http.MethodPost, "/v1/discovery/"+before["id"].(string)+"/follow-up", cw,
			map[string]any{"outcome": "visited", "note": "已上门，家属将申请"})
		if it := f.discoveryOf(father)[0]; it["status"] != "visited" || it["followed_up_by"] != f.actor(actorCaseworker).AccountID.String() {
			t.Fatalf("after the follow-up: %v", it)
		}
	})
}

// Entering the register tries the employee's earlier life events again,
// by the rules that ask for someone in the register only: a child admitted
// before the entry is found then, and an illness whose item was declined
// is not listed again.
func TestEnteringTheRegisterRetriesRegisterRules(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, cw := f.api, f.tokens[actorCaseworker]
		f.cases()
		s.must(http.StatusOK, http.MethodPut, "/v1/discovery/rules", f.rootToken(), storyRules)
		emp := f.employee(f.stationA)
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/life-events", cw,
			map[string]any{"kind": "university_admission", "subject": "child", "occurred_on": daysAgo(30)})
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/life-events", cw,
			map[string]any{"kind": "serious_illness", "subject": "self", "occurred_on": daysAgo(30)})
		medical := f.openItem(emp, "MED-SERIOUS")
		if items := f.discoveryOf(emp); len(items) != 1 {
			t.Fatalf("before the register: %v, want the medical item alone", items)
		}
		s.must(http.StatusOK, http.MethodPost, "/v1/discovery/"+medical["id"].(string)+"/follow-up", cw, map[string]any{"outcome": "declined"})
		s.must(http.StatusOK, http.MethodPut, "/v1/discovery/rules", f.rootToken(), storyRules) // version 2: new item ids
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/hardship", cw, enterBody)
		f.openItem(emp, "EDU-UNIV")
		f.openItem(emp, "HARD-LIVING")
		if items := f.discoveryOf(emp); len(items) != 3 {
			t.Fatalf("after the register: %v, want the declined medical item, the grant and the subsidy", items)
		}
	})
}
