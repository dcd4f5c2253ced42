package sqldb

import "testing"

func TestRebind(t *testing.T) {
	t.Parallel()
	lite := &DB{dialect: SQLite}
	pg := &DB{dialect: Postgres}
	tests := []struct{ in, sqlite string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = $1 AND b = $2", "SELECT * FROM t WHERE a = ?1 AND b = ?2"},
		{"SELECT $2, $1, $10", "SELECT ?2, ?1, ?10"},
		{"SELECT '$1 is text', $1", "SELECT '$1 is text', ?1"},
		{"SELECT 'it''s', $1", "SELECT 'it''s', ?1"},
	}
	for _, tt := range tests {
		if got := lite.rebind(tt.in); got != tt.sqlite {
			t.Errorf("sqlite rebind(%q) = %q, want %q", tt.in, got, tt.sqlite)
		}
		if got := pg.rebind(tt.in); got != tt.in {
			t.Errorf("postgres rebind(%q) = %q, want it unchanged", tt.in, got)
		}
	}
}
