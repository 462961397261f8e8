package websub

import "github.com/prometheus/client_golang/prometheus"

// Metrics counts what arrives at our callback and what the built-in hub
// delivers. Register it where /metrics is served.
type Metrics struct {
	notifications *prometheus.CounterVec
	deliveries    *prometheus.CounterVec
	requests      *prometheus.CounterVec
}

// Results of a content distribution to our callback; the label of
// talkstream_websub_notifications_total.
const (
	ResultIngested     = "ingested"
	ResultBadSignature = "bad_signature" // acknowledged and ignored (§8)
	ResultUnknownTopic = "unknown_topic" // acknowledged and ignored
	ResultTooLarge     = "too_large"     // refused with 413
	ResultFailed       = "failed"        // the ingest failed
)

// NewMetrics returns a fresh set of counters, every series at zero.
func NewMetrics() *Metrics {
	m := &Metrics{
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talkstream_websub_notifications_total",
			Help: "Content distributions received at the WebSub callback, by result: ingested, bad_signature and unknown_topic (acknowledged and ignored), too_large (refused), failed.",
		}, []string{"result"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talkstream_websub_deliveries_total",
			Help: "Deliveries by the built-in hub to subscribers, by result: ok, retried, failed (gave up), gone (410: subscription deleted).",
		}, []string{"result"}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talkstream_websub_hub_requests_total",
			Help: "Requests talkstream sent to hubs, by kind (subscribe, unsubscribe, publish) and result (ok, error).",
		}, []string{"kind", "result"}),
	}
	for _, r := range []string{ResultIngested, ResultBadSignature, ResultUnknownTopic, ResultTooLarge, ResultFailed} {
		m.notifications.WithLabelValues(r)
	}
	for _, r := range []string{"ok", "retried", "failed", "gone"} {
		m.deliveries.WithLabelValues(r)
	}
	return m
}

// Register adds the counters to reg.
func (m *Metrics) Register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.notifications, m.deliveries, m.requests} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func (m *Metrics) request(kind string, err error) {
	r := "ok"
	if err != nil {
		r = "error"
	}
	m.requests.WithLabelValues(kind, r).Inc()
}
