package projections

import (
	"slices"
	"testing"

	"aidtrail/commands/query"
)

// The query side names the read models as the projections that keep them
// are named, every one of them.
func TestQueryNamesEveryReadModel(t *testing.T) {
	var names []string
	for _, p := range All() {
		names = append(names, p.Name())
	}
	slices.Sort(names)
	want := slices.Sorted(slices.Values(query.ReadModelNames))
	if !slices.Equal(names, want) {
		t.Fatalf("projections %v, query.ReadModelNames %v", names, want)
	}
}
