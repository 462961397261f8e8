package ingest

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the Prometheus side of the fetch cycle, in a registry of its
// own (with the Go runtime and process collectors) so that tests and
// several Ingesters never collide in the global one.
type Metrics struct {
	reg      *prometheus.Registry
	fetches  *prometheus.CounterVec
	duration prometheus.Histogram
	bytes    prometheus.Counter
	entries  *prometheus.CounterVec
	lag      prometheus.Gauge
	due      prometheus.Gauge
	instance *prometheus.GaugeVec
}

// NewMetrics returns a fresh set of metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		fetches: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talkstream_fetches_total",
			Help: "Fetches of sources by outcome: ok (parsed and merged), not-modified (304), unchanged (200 with the same body), error, gone (410).",
		}, []string{"outcome"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "talkstream_fetch_duration_seconds",
			Help:    "Time per fetch: request, body and parsing (merging excluded).",
			Buckets: []float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "talkstream_fetch_bytes_total",
			Help: "Response body bytes read (after decompression).",
		}),
		entries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "talkstream_entries_total",
			Help: "Entries merged, by change: new or updated.",
		}, []string{"change"}),
		lag: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "talkstream_scheduler_lag_seconds",
			Help: "At the last tick, how long the most overdue due source had been waiting past its next check.",
		}),
		due: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "talkstream_sources_due",
			Help: "Sources due at the last tick.",
		}),
		instance: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "talkstream_instance_info",
			Help: "Always 1: names the instance these figures are of, among those sharing the database (which fetched what is in /status.json's fetched_by).",
		}, []string{"instance", "engine"}),
	}
	m.reg.MustRegister(m.fetches, m.duration, m.bytes, m.entries, m.lag, m.due, m.instance,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Every series exists from the start, so a rate() has a zero to begin at.
	for _, k := range []OutcomeKind{OutcomeOK, OutcomeNotModified, OutcomeUnchanged, OutcomeError, OutcomeGone} {
		m.fetches.WithLabelValues(string(k))
	}
	m.entries.WithLabelValues("new")
	m.entries.WithLabelValues("updated")
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where the metrics live, for callers that add their own.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) record(o Outcome) {
	if o.Kind == OutcomeCancelled {
		return
	}
	m.fetches.WithLabelValues(string(o.Kind)).Inc()
	m.duration.Observe(o.Duration.Seconds())
	m.bytes.Add(float64(o.Bytes))
	if o.Stats.New > 0 {
		m.entries.WithLabelValues("new").Add(float64(o.Stats.New))
	}
	if o.Stats.Updated > 0 {
		m.entries.WithLabelValues("updated").Add(float64(o.Stats.Updated))
	}
}
