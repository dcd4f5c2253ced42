package httpapi

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The profile counts the register of the caller's subtrees by level and
// cause, with the aid its people's cases were approved and paid, and
// downloads the same figures as CSV and XLSX under Chinese headers.
func TestTheProfileOfHardship(t *testing.T) {
	eachStore(t, func(t *testing.T, f *orgOverHTTP) {
		s, cw := f.api, f.tokens[actorCaseworker]
		f.twoStepFlows("hardship")
		deep := []map[string]any{enterBody, {"level": "deep", "causes": []string{"重病", "子女上学"},
			"household": map[string]any{"size": 4, "dependants": 2, "income_band": "below_minimum", "age_band": "50_59"}}}
		var paidCase string
		for i, body := range deep {
			emp := f.employee(f.workshopA)
			s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+emp+"/hardship", cw, body)
			if i == 0 {
				paidCase = f.openCaseFor(emp, grantCode, "self", "", grantFen, "")
				s.must(http.StatusOK, http.MethodPost, "/v1/cases/"+paidCase+"/submit", cw, nil)
				f.paidThroughTwoSteps(paidCase, grantFen, map[string]any{"bank_ref": "BOC" + f.uniq("R")})
			}
		}
		relative := f.employee(f.stationB) // outside the caseworker's subtree
		s.must(http.StatusOK, http.MethodPost, "/v1/employees/"+relative+"/hardship", f.rootToken(),
			map[string]any{"level": "relative", "causes": []string{"重病"}, "household": enterBody["household"]})

		path := "/v1/profile?" + url.Values{"group_by": {"level,cause"}, "min_position": {strconv.FormatInt(s.head(), 10)}}.Encode()
		got := s.must(http.StatusOK, http.MethodGet, path, cw, nil)["rows"].([]any)
		want := []any{
			map[string]any{"level": "deep", "cause": "子女上学", "employees": 1.0, "cases": 0.0, "approved_fen": 0.0, "paid_fen": 0.0},
			map[string]any{"level": "deep", "cause": "重病", "employees": 2.0, "cases": 1.0, "approved_fen": float64(grantFen), "paid_fen": float64(grantFen)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("the caseworker's profile:\n got %v\nwant %v", got, want)
		}
		if rows := s.must(http.StatusOK, http.MethodGet, "/v1/profile?group_by=level", f.tokens[actorAnalyst], nil)["rows"].([]any); len(rows) != 1 {
			t.Fatalf("the analyst at A sees %v, want deep alone", rows)
		}
		if rows := s.must(http.StatusOK, http.MethodGet, "/v1/profile?group_by=level", f.rootToken(), nil)["rows"].([]any); len(rows) != 2 {
			t.Fatalf("the root sees %v, want deep and relative", rows)
		}

		rec := s.do(http.MethodGet, path+"&format=csv", cw, nil)
		table, err := csv.NewReader(rec.Body).ReadAll()
		if err != nil || rec.Code != http.StatusOK {
			t.Fatalf("csv: %d %v", rec.Code, err)
		}
		wantCSV := [][]string{{"困难等级", "致困原因", "人数", "救助件数", "批准金额（元）", "发放金额（元）"},
			{"deep", "子女上学", "1", "0", "0.00", "0.00"}, {"deep", "重病", "2", "1", yuan(grantFen), yuan(grantFen)}}
		if !reflect.DeepEqual(table, wantCSV) {
			t.Fatalf("csv:\n got %v\nwant %v", table, wantCSV)
		}
		rec = s.do(http.MethodGet, path+"&format=xlsx", cw, nil)
		book, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		sheet, err := book.GetRows("Sheet1")
		if err != nil || !reflect.DeepEqual(sheet, wantCSV) {
			t.Fatalf("xlsx: %v %v", sheet, err)
		}
		p := problemOf(t, s.do(http.MethodGet, "/v1/profile?group_by=level,name", cw, nil), http.StatusBadRequest, codeValidation)
		if p.Field != "group_by" {
			t.Fatalf("an unknown dimension: %+v", p)
		}
	})
}
