package httpapi

import (
	"slices"
	"testing"

	"aidtrail/commands/query"
)

// Every route readModelsOf names is in the route table and names only
// read models that exist: a typo would make a read wait for every read
// model, or for none.
func TestReadModelsOfNamesRoutesAndReadModels(t *testing.T) {
	served := map[string]bool{}
	for _, rt := range (&api{}).routes() {
		served[rt.method+" "+rt.path] = true
	}
	for pattern, reads := range readModelsOf {
		if !served[pattern] {
			t.Errorf("readModelsOf names %s, which is no route", pattern)
		}
		for _, name := range reads {
			if !slices.Contains(query.ReadModelNames, name) {
				t.Errorf("%s waits for %q, which is no read model", pattern, name)
			}
		}
	}
}
