package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

// A document reads back byte for byte, by its hash, only for its case.
func TestDocumentReadsBack(t *testing.T) {
	t.Parallel()
	f := newOrgOverHTTP(t, "sqlite")
	id := f.grantCase(f.empSelf)
	content := tinyPDF("discharge_summary")
	body, ct := upload(t, "discharge_summary", content)
	req := f.api.request(http.MethodPost, "/v1/cases/"+id+"/documents", f.cases().cwRoot, body)
	req.Header.Set("Content-Type", ct)
	if rec := f.api.serve(req); rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d %s", rec.Code, rec.Body)
	}
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	rec := f.api.do(http.MethodGet, "/v1/cases/"+id+"/documents/"+sha, f.cases().cwRoot, nil)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), content) || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("read back: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	other := f.grantCase(f.empSelf)
	problemOf(t, f.api.do(http.MethodGet, "/v1/cases/"+other+"/documents/"+sha, f.cases().cwRoot, nil), http.StatusNotFound, "not_found")
	problemOf(t, f.api.do(http.MethodGet, "/v1/cases/"+id+"/documents/"+strings.ToUpper(sha), f.cases().cwRoot, nil), http.StatusBadRequest, "validation")
}
