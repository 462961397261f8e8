package websub

import (
	"context"
	"strings"
	"time"
)

// PushState is a subscription's state as `talkstream status` shows it:
// "none", "pending", "active until T", "denied: reason".
func PushState(sub *Subscription, now time.Time) string {
	switch {
	case sub == nil:
		return "none"
	case sub.State == StateActive && now.Before(sub.Expires):
		return "active until " + sub.Expires.UTC().Format(time.RFC3339)
	case sub.State == StateActive:
		return "pending (lease ended " + sub.Expires.UTC().Format(time.RFC3339) + ")"
	case sub.State == StateDenied:
		return "denied: " + strings.TrimPrefix(sub.Reason, "denied by the hub: ")
	case sub.Reason != "":
		return string(sub.State) + " (" + sub.Reason + ")"
	}
	return string(sub.State)
}

// PushStates reads every source's push state from st.
func PushStates(ctx context.Context, st Store, now time.Time) (map[string]string, error) {
	subs, err := st.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(subs))
	for i := range subs {
		out[subs[i].Source] = PushState(&subs[i], now)
	}
	return out, nil
}
