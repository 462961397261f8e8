package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/talkstream/talkstream/internal/pgtest"
)

// Every store test that is not about one engine's own machinery runs on
// both: SQLite always, PostgreSQL when TALKSTREAM_TEST_POSTGRES names a
// database (internal/pgtest gives each test a schema of its own).

// forEngines runs fn once per engine, as subtests named for the engine;
// openTemp and testDatabase read the engine from that name.
func forEngines(t *testing.T, fn func(t *testing.T)) {
	t.Run("sqlite", fn)
	t.Run("postgres", func(t *testing.T) {
		pgtest.Need(t) // skips, or fails when required, without a database
		fn(t)
	})
}

func onPostgres(t *testing.T) bool {
	return strings.Contains(t.Name()+"/", "/postgres/")
}

// testDatabase returns a new, empty database for t: a SQLite file, or a
// PostgreSQL schema of its own.
func testDatabase(t *testing.T) string {
	t.Helper()
	if onPostgres(t) {
		return pgtest.Database(t)
	}
	return filepath.Join(t.TempDir(), "sub", "talkstream.db")
}

// postgresIfAny is a new PostgreSQL schema when the tests have a database,
// else "".
func postgresIfAny(t *testing.T) string {
	if os.Getenv("TALKSTREAM_TEST_POSTGRES") == "" {
		return ""
	}
	return pgtest.Database(t)
}
