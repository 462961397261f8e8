package store

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/talkstream/talkstream"
)

func TestClaimSources(t *testing.T) { forEngines(t, testClaimSources) }

func testClaimSources(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	due := now.Add(-time.Minute)
	update(t, s, func(tx *Tx) error {
		return tx.PutSourceState("known", talkstream.FetchState{NextCheck: due, ETag: `"e"`})
	})
	lease := now.Add(5 * time.Minute)

	tests := []struct {
		name   string
		claims []Claim
		want   []string
	}{
		{"new and known", []Claim{{ID: "new"}, {ID: "known", Seen: due}}, []string{"new", "known"}},
		// A second scheduler that read the same snapshot gets nothing.
		{"already claimed", []Claim{{ID: "new"}, {ID: "known", Seen: due}}, nil},
		{"stale read", []Claim{{ID: "known", Seen: now}}, nil},
		{"current read", []Claim{{ID: "known", Seen: lease}}, []string{"known"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.ClaimSources(ctx, tt.claims, lease)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("claimed %v, want %v", got, tt.want)
			}
		})
	}
	states, err := s.SourceStates(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := states["known"]; !st.NextCheck.Equal(lease) || st.ETag != `"e"` {
		t.Errorf("a claim changes only the next check: %+v", st)
	}
	if st := states["new"]; !st.NextCheck.Equal(lease) {
		t.Errorf("new source next check = %v", st.NextCheck)
	}
}

func TestHostSlots(t *testing.T) { forEngines(t, testHostSlots) }

func testHostSlots(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	until := now.Add(time.Minute)
	acquire := func(holder string, at time.Time) bool {
		t.Helper()
		ok, err := s.AcquireHost(ctx, "example.org", holder, 2, at, until)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !acquire("a#1", now) || !acquire("b#1", now) {
		t.Fatal("two slots, two holders: both should get one")
	}
	if acquire("c#1", now) {
		t.Error("a third holder got a slot of a host with two")
	}
	if ok, _ := s.AcquireHost(ctx, "other.example", "c#1", 2, now, until); !ok {
		t.Error("another host's slot was refused")
	}
	if err := s.ReleaseHost(ctx, "example.org", "a#1"); err != nil {
		t.Fatal(err)
	}
	if !acquire("c#1", now) {
		t.Error("a released slot was not given again")
	}
	// b dies holding its slot: it is free once its deadline has passed.
	if acquire("d#1", now) {
		t.Error("both slots are held; d got one")
	}
	if !acquire("d#1", until) {
		t.Error("a slot held past its deadline was not taken over")
	}
}

// TestLocks: a named lock is held by one store (instance, or process on
// the same SQLite file) at a time and freed by unlock.
func TestLocks(t *testing.T) { forEngines(t, testLocks) }

func testLocks(t *testing.T) {
	ctx := context.Background()
	a, db := openTemp(t)
	b, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	unlock, err := a.TryLock(ctx, "job:prune")
	if err != nil {
		t.Fatal(err)
	}
	if _, err = b.TryLock(ctx, "job:prune"); !errors.Is(err, ErrLocked) {
		t.Fatalf("second TryLock: %v, want ErrLocked", err)
	}
	if u, err := b.TryLock(ctx, "job:other"); err != nil {
		t.Fatalf("another name: %v", err)
	} else {
		u()
	}
	unlock()
	u2, err := b.TryLock(ctx, "job:prune")
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	u2() // a holder that dies frees its locks with its session: the serve end-to-end test kills one
	// Lock waits for the holder.
	held, err := a.Lock(ctx, "publish")
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan struct{})
	c, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	go func() {
		u, err := c.Lock(ctx, "publish")
		if err == nil {
			u()
		}
		close(got)
	}()
	select {
	case <-got:
		t.Error("Lock did not wait for the holder")
	case <-time.After(200 * time.Millisecond):
	}
	held()
	<-got
	// Waiting ends with the context.
	held, err = a.Lock(ctx, "publish")
	if err != nil {
		t.Fatal(err)
	}
	defer held()
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.Lock(short, "publish"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lock past its context: %v", err)
	}
}
