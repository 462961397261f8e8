package store

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/talkstream/talkstream/websub"
)

func TestWebSubTables(t *testing.T) { forEngines(t, testWebSubTables) }

func testWebSubTables(t *testing.T) {
	s, _ := openTemp(t)
	ctx := context.Background()

	sub := websub.Subscription{Source: "blog", Hub: "https://hub.example/", Topic: "https://example.org/feed",
		Callback: "c1", Secret: "s", State: websub.StateActive, Expires: now.Add(time.Hour), Lease: time.Hour, Requested: now}
	t.Run("subscriptions", func(t *testing.T) {
		if err := s.PutSubscription(ctx, sub); err != nil {
			t.Fatal(err)
		}
		got, err := s.SubscriptionByCallback(ctx, "c1")
		if err != nil || got == nil || !reflect.DeepEqual(*got, sub) {
			t.Fatalf("read back %+v, %v", got, err)
		}
		// A new callback for the same source replaces the row.
		sub2 := sub
		sub2.Callback, sub2.State = "c2", websub.StatePending
		if err := s.PutSubscription(ctx, sub2); err != nil {
			t.Fatal(err)
		}
		if cur, _ := s.SubscriptionOf(ctx, "blog"); cur == nil || cur.Callback != "c2" {
			t.Errorf("SubscriptionOf: %+v", cur)
		}
		if old, _ := s.SubscriptionByCallback(ctx, "c1"); old != nil {
			t.Errorf("old callback still answers: %+v", old)
		}
		if all, _ := s.Subscriptions(ctx); len(all) != 1 || all[0].Callback != "c2" {
			t.Errorf("subscriptions: %+v", all)
		}
		// A request's outcome touches attempts and reason only.
		if err := s.NoteRequest(ctx, "c2", "hub down"); err != nil {
			t.Fatal(err)
		}
		if err := s.NoteRequest(ctx, "c2", "hub down again"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SubscriptionByCallback(ctx, "c2"); got.Attempts != 2 || got.Reason != "hub down again" || got.State != websub.StatePending || !got.Expires.Equal(sub.Expires) {
			t.Errorf("after two failures: %+v", got)
		}
		if err := s.NoteRequest(ctx, "c2", ""); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.SubscriptionByCallback(ctx, "c2"); got.Attempts != 0 || got.Reason != "" {
			t.Errorf("after a success: %+v", got)
		}
		if err := s.DeleteSubscription(ctx, "blog"); err != nil {
			t.Fatal(err)
		}
		if all, _ := s.Subscriptions(ctx); len(all) != 0 {
			t.Errorf("after delete: %+v", all)
		}
	})
	t.Run("leases", func(t *testing.T) {
		for _, l := range []websub.Lease{
			{Topic: "t", Callback: "https://a.example/1", Host: "a.example", Expires: now.Add(time.Hour)},
			{Topic: "t", Callback: "https://a.example/2", Host: "a.example", Secret: "x", Expires: now.Add(-time.Second)},
			{Topic: "u", Callback: "https://a.example/1", Host: "a.example", Expires: now.Add(time.Hour)},
		} {
			if err := s.PutLease(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if ls, _ := s.Leases(ctx, "t", now); len(ls) != 1 || ls[0].Callback != "https://a.example/1" {
			t.Errorf("unexpired leases of t: %+v", ls)
		}
		if n, _ := s.LeasesOnHost(ctx, "a.example", now); n != 2 {
			t.Errorf("%d leases on a.example, want 2", n)
		}
		if err := s.DeleteExpiredLeases(ctx, now); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteLease(ctx, "u", "https://a.example/1"); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.LeasesOnHost(ctx, "a.example", now.Add(-time.Hour)); n != 1 {
			t.Errorf("%d leases left, want 1", n)
		}
	})
}
