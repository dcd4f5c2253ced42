package sqldb

import "testing"

func TestNumberedQuestionMarks(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = $1 AND b = $2", "SELECT * FROM t WHERE a = ?1 AND b = ?2"},
		{"SELECT $2, $1, $10", "SELECT ?2, ?1, ?10"},
		{"SELECT '$1 is text', $1", "SELECT '$1 is text', ?1"},
		{"SELECT 'it''s', $1", "SELECT 'it''s', ?1"},
		{"SELECT $x, $", "SELECT $x, $"},
	}
	for _, tt := range tests {
		if got := NumberedQuestionMarks(tt.in); got != tt.want {
			t.Errorf("NumberedQuestionMarks(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
