package text

import (
	"errors"
	"strings"
	"testing"

	"aidtrail/domain/fault"
)

func TestRules(t *testing.T) {
	t.Parallel()
	clean := func(s string, err error) error { return err }
	tests := []struct {
		name  string
		err   error
		field string // "" when the input is accepted
	}{
		{"text trimmed to its limit", clean(Clean("name", " abc ", 1, 3)), ""},
		{"text too long", clean(Clean("name", "abcd", 1, 3)), "name"},
		{"text empty", clean(Clean("name", "  ", 1, 3)), "name"},
		{"text with a line break", clean(Clean("name", "a\nb", 1, 3)), "name"},
		{"text not UTF-8", clean(Clean("name", "\xff", 0, 3)), "name"},
		{"optional reason empty", clean(CleanReason(" ", 5, false)), ""},
		{"required reason empty", clean(CleanReason(" ", 5, true)), "reason"},
		{"reason with a line break", clean(CleanReason("a\nb", 5, true)), ""},
		{"reason with a bell", clean(CleanReason("a\ab", 5, true)), "reason"},
		{"reason too long", clean(CleanReason(strings.Repeat("因", 6), 5, true)), "reason"},
		{"sealed optional empty", CheckSealed("phone", "", 4, false), ""},
		{"sealed required empty", CheckSealed("phone", "", 4, true), "phone"},
		{"sealed too long", CheckSealed("phone", "abcde", 4, false), "phone"},
		{"sealed with a tab", CheckSealed("phone", "a\tb", 4, false), "phone"},
		{"code with capitals", CheckCode("code", "AB_c-1", 8, true), ""},
		{"code lower only", CheckCode("kind", "ab_1", 8, false), ""},
		{"lower code with a capital", CheckCode("kind", "Ab", 8, false), "kind"},
		{"code too long", CheckCode("code", "abc", 2, true), "code"},
	}
	for _, tt := range tests {
		var ve *fault.ValidationError
		switch {
		case tt.field == "" && tt.err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, tt.err)
		case tt.field != "" && (!errors.As(tt.err, &ve) || ve.Field != tt.field):
			t.Errorf("%s: error %v, want a *fault.ValidationError on %s", tt.name, tt.err, tt.field)
		}
	}
	if s, _ := Clean("name", " abc ", 1, 3); s != "abc" {
		t.Errorf("Clean kept %q", s)
	}
}
