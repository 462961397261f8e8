package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestStartProfile: TALKSTREAM_CPUPROFILE's file is a CPU profile once the
// verb is done; no name, no profile.
func TestStartProfile(t *testing.T) {
	startProfile("")() // nothing to start or stop
	path := filepath.Join(t.TempDir(), "cpu.prof")
	stop := startProfile(path)
	for i := 0; i < 1e6; i++ {
		_ = i * i
	}
	stop()
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 {
		t.Fatalf("profile: %d bytes, %v", len(b), err)
	}
	if b[0] != 0x1f || b[1] != 0x8b {
		t.Errorf("the profile is not gzip-compressed protobuf, as pprof writes it")
	}
}
