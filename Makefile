# talkstream: make run | make test | make demo | make bench
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X github.com/talkstream/talkstream.Version=$(VERSION)
CONFIG  ?= feeds.yaml
ADDR    ?= 127.0.0.1:8080

.PHONY: all build run test test-go validators demo bench vet fmt clean

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
test: vet
	$(GO) test -count=1 ./...

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

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin out testdata/demo/demo.db*
