package websub

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// ServeHTTP is our callback (§5.3, §7, §8): GET verifies intent, POST
// brings content.
func (s *Subscriber) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	switch r.Method {
	case http.MethodGet:
		s.verify(w, r, id)
	case http.MethodPost:
		s.receive(w, r, id)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers a hub's verification of intent, only for a request we
// made: the callback id must be ours, the topic the one we asked for,
// the mode the one we asked for. Anything else is 404 (§5.3.1).
func (s *Subscriber) verify(w http.ResponseWriter, r *http.Request, id string) {
	q := r.URL.Query()
	mode, topic, challenge := q.Get("hub.mode"), q.Get("hub.topic"), q.Get("hub.challenge")
	sub, err := s.st.SubscriptionByCallback(r.Context(), id)
	if err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	if sub == nil || topic != sub.Topic {
		http.NotFound(w, r)
		return
	}
	now := s.opts.Now().UTC()
	switch {
	case mode == "subscribe" && challenge != "" && (sub.State == StatePending || sub.State == StateActive || sub.State == StateDenied) && !sub.Requested.IsZero():
		lease := s.opts.Lease
		if n, err := strconv.ParseInt(q.Get("hub.lease_seconds"), 10, 64); err == nil && n > 0 {
			lease = time.Duration(min(n, int64(365*24*time.Hour/time.Second))) * time.Second
		}
		sub.State, sub.Reason, sub.Attempts = StateActive, "", 0
		sub.Lease, sub.Expires = lease, now.Add(lease)
		if err := s.st.PutSubscription(r.Context(), *sub); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		s.setActive(sub.Source, true)
		s.opts.Log.Info("websub subscribed", "source", sub.Source, "hub", sub.Hub, "until", sub.Expires.Format(time.RFC3339))
	case mode == "unsubscribe" && challenge != "" && sub.State == StateUnsubscribing:
		if err := s.st.DeleteSubscription(r.Context(), sub.Source); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		s.setActive(sub.Source, false)
	case mode == "denied":
		// §5.2: the hub refused, now or later; polling goes on.
		sub.State, sub.Reason = StateDenied, "denied by the hub"
		if reason := q.Get("hub.reason"); reason != "" {
			sub.Reason += ": " + clip(reason, 200)
		}
		if err := s.st.PutSubscription(r.Context(), *sub); err != nil {
			http.Error(w, "store unavailable", http.StatusServiceUnavailable)
			return
		}
		s.setActive(sub.Source, false)
		w.WriteHeader(http.StatusOK)
		return
	default:
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, challenge)
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) > n {
		s = strings.ToValidUTF8(s[:n], "")
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// receive takes a content distribution (§7, §8). What we did not ask for,
// and what the secret did not sign, is acknowledged and dropped, as §8
// says: a 4xx would only make the hub retry.
func (s *Subscriber) receive(w http.ResponseWriter, r *http.Request, id string) {
	m := s.opts.Metrics.notifications
	sub, err := s.st.SubscriptionByCallback(r.Context(), id)
	if err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	if sub == nil || sub.State == StateUnsubscribing || !s.sameTopic(r, sub) {
		m.WithLabelValues(ResultUnknownTopic).Inc()
		drain(r.Body)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBytes+1))
	if err != nil {
		http.Error(w, "could not read the body", http.StatusBadRequest)
		return
	}
	if int64(len(body)) > s.opts.MaxBytes {
		m.WithLabelValues(ResultTooLarge).Inc()
		s.opts.Log.Warn("websub distribution too large", "source", sub.Source, "max_bytes", s.opts.MaxBytes)
		http.Error(w, "body larger than the fetch cap", http.StatusRequestEntityTooLarge)
		return
	}
	if err := Verify(r.Header.Get("X-Hub-Signature"), sub.Secret, body); err != nil {
		m.WithLabelValues(ResultBadSignature).Inc()
		s.opts.Log.Warn("websub distribution ignored", "source", sub.Source, "err", err)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if err := s.opts.Deliver(r.Context(), sub.Source, body, r.Header.Get("Content-Type")); err != nil {
		m.WithLabelValues(ResultFailed).Inc()
		s.opts.Log.Warn("websub ingest", "source", sub.Source, "err", err)
		if errors.Is(err, ErrDeliveryRejected) {
			w.WriteHeader(http.StatusAccepted)
			return
		}
		http.Error(w, "could not ingest", http.StatusInternalServerError)
		return
	}
	m.WithLabelValues(ResultIngested).Inc()
	w.WriteHeader(http.StatusNoContent)
}

// sameTopic checks a distribution's rel=self Link, when it has one (§7
// says it must), against the topic subscribed to.
func (s *Subscriber) sameTopic(r *http.Request, sub *Subscription) bool {
	var self string
	for _, v := range r.Header.Values("Link") {
		for _, l := range parseLinkHeader(v) {
			if strings.Contains(" "+strings.ToLower(l.rel)+" ", " self ") && self == "" {
				self = l.href
			}
		}
	}
	return self == "" || self == sub.Topic
}

func drain(r io.Reader) { _, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10)) }
