package websub

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Publish delivers each of topics' current content to its subscribers,
// in the background. Call it after the topics changed.
func (h *Hub) Publish(ctx context.Context, topics []string) error {
	now := h.opts.Now()
	if err := h.st.DeleteExpiredLeases(ctx, now); err != nil {
		return err
	}
	for _, topic := range topics {
		leases, err := h.st.Leases(ctx, topic, now)
		if err != nil {
			return err
		}
		if len(leases) == 0 {
			continue
		}
		body, ctype, err := h.opts.Content(ctx, topic)
		if err != nil {
			return fmt.Errorf("websub hub: content of %s: %w", topic, err)
		}
		for _, l := range leases {
			h.wg.Add(1)
			go func() {
				defer h.wg.Done()
				h.deliver(l, body, ctype)
			}()
		}
	}
	return nil
}

// deliver sends one distribution (§7), retrying on failure with backoff;
// a 410 ends the subscription.
func (h *Hub) deliver(l Lease, body []byte, ctype string) {
	m := h.opts.Metrics.deliveries
	for attempt := 0; ; attempt++ {
		h.sem <- struct{}{}
		status, err := h.post(l, body, ctype)
		<-h.sem
		switch {
		case err == nil && status/100 == 2:
			m.WithLabelValues("ok").Inc()
			return
		case status == http.StatusGone:
			m.WithLabelValues("gone").Inc()
			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			if err := h.st.DeleteLease(ctx, l.Topic, l.Callback); err != nil {
				h.opts.Log.Warn("websub hub: delete lease", "err", err)
			}
			cancel()
			return
		case attempt >= len(h.opts.Backoff):
			m.WithLabelValues("failed").Inc()
			h.opts.Log.Warn("websub hub: delivery failed", "callback", l.Callback, "topic", l.Topic, "status", status, "err", err)
			return
		}
		m.WithLabelValues("retried").Inc()
		time.Sleep(h.opts.Backoff[attempt])
	}
}

func (h *Hub) post(l Lease, body []byte, ctype string) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.Callback, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Add("Link", "<"+h.opts.URL+`>; rel="hub"`)
	req.Header.Add("Link", "<"+l.Topic+`>; rel="self"`)
	if l.Secret != "" {
		req.Header.Set("X-Hub-Signature", Sign(l.Secret, body))
	}
	resp, err := h.opts.Client.Do(req)
	if err != nil {
		return 0, err
	}
	drain(resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// PublicClient is a client for a hub's verifications and deliveries that
// connects only through dialer (fetch.PublicDialer refuses private
// addresses at connect time; nil: any address) and follows no redirects:
// a redirect is a second URL nobody checked.
func PublicClient(dialer *net.Dialer) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if dialer != nil {
		tr.DialContext = dialer.DialContext
		tr.Proxy = nil // a proxy would connect for us, unchecked
	}
	return &http.Client{Transport: tr, Timeout: requestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
