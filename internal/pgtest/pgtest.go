// Package pgtest gives tests a PostgreSQL database of their own: a new,
// empty schema in the database TALKSTREAM_TEST_POSTGRES names (a URL such as
// postgres://postgres@127.0.0.1:5432/postgres), dropped when the test ends,
// so tests neither see nor block each other's rows. Without that variable a
// test that asks skips, or fails if TALKSTREAM_REQUIRE_POSTGRES=1 (CI sets
// both: .ci/run starts a throwaway cluster).
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver
)

// Need skips t when no test database is named, or fails it when one is
// required, and returns the database's URL.
func Need(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TALKSTREAM_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("TALKSTREAM_REQUIRE_POSTGRES") == "1" {
			t.Fatal("TALKSTREAM_REQUIRE_POSTGRES=1 but TALKSTREAM_TEST_POSTGRES is not set")
		}
		t.Skip("PostgreSQL tests skipped: set TALKSTREAM_TEST_POSTGRES to a database URL to run them")
	}
	return base
}

// Database returns the URL of a new, empty schema for t, or skips t.
func Database(t testing.TB) string {
	t.Helper()
	base := Need(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("TALKSTREAM_TEST_POSTGRES: %v", err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("TALKSTREAM_TEST_POSTGRES: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TALKSTREAM_TEST_POSTGRES: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
