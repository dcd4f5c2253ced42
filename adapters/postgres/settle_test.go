package postgres

import (
	"slices"
	"strconv"
	"testing"
)

func TestWidenXIDs(t *testing.T) {
	t.Parallel()
	const epoch1 = 1 << 32
	tests := []struct {
		name string
		xmax uint64
		xids []string
		want []string
	}{
		{"same epoch", 1000, []string{"998", "999"}, []string{"998", "999"}},
		// xmax is one past the latest completed id: appends still open may
		// hold it or ids above it, and must be waited for.
		{"at and above xmax are kept", 1000, []string{"999", "1000", "1005"}, []string{"999", "1000", "1005"}},
		{"previous epoch", epoch1 + 5, []string{"4294967290", "3"}, []string{"4294967290", "4294967299"}},
		{"next epoch, xmax just before the wrap", epoch1 - 2, []string{"4294967293", "4294967295", "3", "10"},
			[]string{"4294967293", "4294967295", "4294967299", "4294967306"}},
		{"xmax at the wrap", epoch1, []string{"4294967295", "0", "7"}, []string{"4294967295", "4294967296", "4294967303"}},
		{"far epochs", 5*epoch1 + 100, []string{"90", "4294967200", "2000"},
			[]string{itoa(5*epoch1 + 90), itoa(5*epoch1 - 96), itoa(5*epoch1 + 2000)}},
		{"none", 42, nil, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := widenXIDs(tt.xids, itoa(tt.xmax))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("widenXIDs(%v, %d) = %v, want %v", tt.xids, tt.xmax, got, tt.want)
			}
		})
	}
	for _, bad := range []struct {
		xids []string
		xmax string
	}{
		{[]string{"x"}, "10"},
		{[]string{"4294967295"}, "10"}, // would lie before the first id
		{[]string{"5"}, "nope"},
	} {
		if got, err := widenXIDs(bad.xids, bad.xmax); err == nil {
			t.Errorf("widenXIDs(%v, %s) = %v, want an error", bad.xids, bad.xmax, got)
		}
	}
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
