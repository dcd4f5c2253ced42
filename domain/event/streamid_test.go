package event

import (
	"testing"

	"github.com/google/uuid"
)

func TestStreamID(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("01a2459e-c273-76e7-bea9-df463b2c6cf1")
	if got, err := StreamID("case-"+id.String(), "case-"); err != nil || got != id {
		t.Fatalf("StreamID(case-%s) = %s, %v", id, got, err)
	}
	for _, bad := range []string{
		"unit-" + id.String(),                            // another type's stream
		"case-" + id.String() + "x",                      // trailing text
		"case-" + uuid.Nil.String()[:10],                 // not a UUID
		"case-{" + id.String() + "}",                     // a UUID, not in canonical text
		"case-" + "01A2459E-C273-76E7-BEA9-DF463B2C6CF1", // upper case
		"case-",
	} {
		if got, err := StreamID(bad, "case-"); err == nil {
			t.Errorf("StreamID(%q) = %s, want an error", bad, got)
		}
	}
}
