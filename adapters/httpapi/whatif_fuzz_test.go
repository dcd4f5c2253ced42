package httpapi

import (
	"bytes"
	"errors"
	"net/http"
	"testing"

	"github.com/google/uuid"

	"aidtrail/domain/catalogue"
	"aidtrail/domain/fault"
)

// FuzzWhatIfRequest decodes arbitrary bodies of POST /v1/analysis/what-if
// as the handler does and lays the draft over a standard of the sample
// catalogue. Every body is either a request whose draft is a valid version
// or refused as the client's (400), never a failure of ours.
func FuzzWhatIfRequest(f *testing.F) {
	for _, seed := range []string{
		`{"standard_code":"MED-SERIOUS","draft":{"annual_cap_fen":10000000},"from":"2025-01","to":"2025-12"}`,
		`{"standard_code":"MED-SERIOUS","draft":{},"from":"2025-01","to":"2025-01","unit_id":null}`,
		`{"standard_code":"X","draft":{"amount_rule":{"kind":"tiered","tiers":[{"min_expense_fen":0,"amount_fen":1}]}},"from":"2025-01","to":"2025-02","unit_id":"` + uuid.NewString() + `"}`,
		`{"standard_code":"MED","draft":{"amount_rule":{"kind":"percent_of_expense","percent":50,"cap_fen":1e3}},"from":"2025-01","to":"2025-01"}`,
		`{"standard_code":"MED","draft":{"beneficiaries":["self","self"],"required_documents":["A"]},"from":"2025-01","to":"2025-01"}`,
		`{"standard_code":"MED","draft":{"max_times_per_year":53,"budget_line":null},"from":"2025-13","to":"2025-01"}`,
		`{"standard_code":"MED","draft":[1],"from":"2025-01","to":"2025-01","unit_id":"x"}`,
		`{"draft":{"amount_rule":{"kind":"fixed","amount_fen":1,"percent":2}}}`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	base := catalogue.SampleCatalogue(uuid.New())[0]
	f.Fuzz(func(t *testing.T, body []byte) {
		var req whatIfRequest
		err := decodeStrict(bytes.NewReader(body), &req)
		if err == nil {
			q, perr := req.parse()
			err = perr
			if err == nil {
				def, oerr := q.Draft.Over(base)
				if oerr == nil {
					if verr := def.Validate(); verr != nil {
						t.Fatalf("a draft laid over a valid version is invalid: %v", verr)
					}
				} else if !errors.Is(oerr, fault.ErrInvalid) {
					t.Fatalf("draft %s: %v is not a validation error", body, oerr)
				}
				err = oerr
			}
		}
		if err != nil {
			if p, _, _ := problemFor(err); p.Status != http.StatusBadRequest && p.Status != http.StatusRequestEntityTooLarge {
				t.Fatalf("body %q: %v answers %d", body, err, p.Status)
			}
		}
	})
}
