package store

import "testing"

// TestPostgresSpelling: the one SQL text becomes PostgreSQL's spelling:
// placeholders numbered in order or as written, quoted text untouched,
// SQLite's index hints dropped.
func TestPostgresSpelling(t *testing.T) {
	pg := &engine{postgres: true}
	tests := []struct{ in, want string }{
		{`SELECT a FROM t WHERE x = ? AND y IN (?, ?)`, `SELECT a FROM t WHERE x = $1 AND y IN ($2, $3)`},
		{`INSERT INTO s (id, n) VALUES (?1, ?3) ON CONFLICT(id) DO UPDATE SET n = excluded.n WHERE s.n = ?2`,
			`INSERT INTO s (id, n) VALUES ($1, $3) ON CONFLICT(id) DO UPDATE SET n = excluded.n WHERE s.n = $2`},
		{`UPDATE e SET why = why || ' (merged? from ' || ?1 || ')' WHERE id = ?2`, `UPDATE e SET why = why || ' (merged? from ' || $1 || ')' WHERE id = $2`},
		{`SELECT "odd?name" FROM t WHERE a = ?`, `SELECT "odd?name" FROM t WHERE a = $1`},
		{`DELETE FROM stream_items INDEXED BY stream_items_item WHERE item_id IN (?) AND stream = ?`,
			`DELETE FROM stream_items WHERE item_id IN ($1) AND stream = $2`},
	}
	for _, tt := range tests {
		if got := pg.rebind(tt.in); got != tt.want {
			t.Errorf("rebind(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
		if got := (&engine{}).rebind(tt.in); got != tt.in {
			t.Errorf("SQLite rebind changed %q to %q", tt.in, got)
		}
	}
}

// FuzzPostgresSpelling: rewriting never panics and leaves no placeholder
// behind outside quoted text.
func FuzzPostgresSpelling(f *testing.F) {
	f.Add(`SELECT a FROM t WHERE x = ? AND y = ?12 AND z = 'it''s ?' AND "q?" = ?`)
	f.Fuzz(func(t *testing.T, q string) {
		out := pgPlaceholders(q)
		quote := byte(0)
		for i := 0; i < len(out); i++ {
			switch c := out[i]; {
			case quote != 0:
				if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '?':
				t.Fatalf("a placeholder left in %q → %q", q, out)
			}
		}
	})
}
