//go:build !unix

package store

import "context"

// fileLock is free where there is no flock: a SQLite database there is
// meant for one process at a time.
func fileLock(ctx context.Context, dbPath, name string, try bool) (func(), error) {
	return func() {}, nil
}
