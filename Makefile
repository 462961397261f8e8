# talkstream: make run | make test | make demo | make bench
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/talkstream/talkstream.Version=$(VERSION)
CONFIG  ?= feeds.yaml
ADDR    ?= 127.0.0.1:8080
FUZZTIME ?= 10s

.PHONY: all build run test test-go fuzz validators demo bench vet fmt clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/talkstream ./cmd/talkstream

# Run the service with the default MirageOS configuration.
run: build
	./bin/talkstream serve -config $(CONFIG) -addr $(ADDR)

# Every test. The end-to-end test also runs the independent validators
# (python3-feedparser, ajv with the JSON Feed schema) when they are
# installed; .ci/run installs them and sets TALKSTREAM_REQUIRE_VALIDATORS=1
# so that a missing validator fails instead of skipping.
# Then every `go test -fuzz` target for FUZZTIME (default 10s) each:
# FUZZTIME=0 skips that step, FUZZTIME=5m hunts longer.
test: vet
	$(GO) test -count=1 ./...
	@$(MAKE) --no-print-directory fuzz

fuzz:
	@if [ "$(FUZZTIME)" != 0 ] && [ "$(FUZZTIME)" != 0s ]; then GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh; fi

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
		if [ -n "$$out" ]; then echo "not gofmt-formatted:"; echo "$$out"; exit 1; fi

# Install the independent validators used by the end-to-end test.
validators:
	npm ci --no-audit --no-fund

# Serve the fixture feeds on 127.0.0.1:8089, aggregate them, serve the page on $(ADDR).
demo: build
	./bin/talkstream demo -addr $(ADDR)

# Benchmarks (about 25 minutes): installs wrk, nginx and python3-feedparser
# when missing, runs the Go benchmarks and the loopback harness in bench/,
# and rewrites BENCHMARKS.md. BENCH_FLAGS="-sources 20 -entries 10" is a
# quick check of the harness.
bench:
	GO=$(GO) bench/run.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out testdata/demo/demo.db*
