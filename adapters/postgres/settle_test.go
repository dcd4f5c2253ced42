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
		{"newer than the snapshot is dropped", 1000, []string{"999", "1000", "1005"}, []string{"999"}},
		{"previous epoch", epoch1 + 5, []string{"4294967290", "3"}, []string{"4294967290", "4294967299"}},
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
	if _, err := widenXIDs([]string{"x"}, "10"); err == nil {
		t.Fatal("a malformed xid was accepted")
	}
}

func itoa(v uint64) string { return strconv.FormatUint(v, 10) }
