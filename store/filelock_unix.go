//go:build unix

package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"
	"time"
)

// fileLock takes the named lock of the SQLite database at dbPath: an
// exclusive flock on the file dbPath + ".NAME.lock", made when first
// needed. A flock belongs to its open file, so two holders in one process
// exclude each other as two processes do, and a killed holder's lock goes
// with it. try returns ErrLocked at once when another holds it; otherwise
// it waits, until ctx is done.
func fileLock(ctx context.Context, dbPath, name string, try bool) (func(), error) {
	file := dbPath + "." + strings.NewReplacer(":", "-", "/", "-").Replace(name) + ".lock"
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("store: lock %s: %w", name, err)
	}
	for wait := time.Millisecond; ; wait = min(2*wait, 100*time.Millisecond) {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("store: lock %s: %w", name, err)
		}
		if try {
			f.Close()
			return nil, fmt.Errorf("store: lock %s: %w", name, ErrLocked)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("store: lock %s: %w", name, ctx.Err())
		case <-time.After(wait):
		}
	}
}
