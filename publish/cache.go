package publish

import (
	"container/list"
	"sync"
)

// cache keeps assembled outputs and their gzip forms, least recently used
// out first, within a size in bytes: hot outputs (the feeds, the first
// pages) stay, cold archive pages are assembled again when asked for.
type cache struct {
	mu   sync.Mutex
	max  int64
	size int64
	ll   *list.List // of *cached, most recent first
	m    map[string]*list.Element
}

// cached is one assembled output. An entry is found by path and is current
// while its ETag is the output's.
type cached struct {
	path, etag string
	body       []byte

	gzOnce sync.Once
	gz     []byte // nil until a client asked for gzip

	cost int64 // bytes counted against the cache's size; guarded by cache.mu
}

func newCache(max int64) *cache {
	return &cache{max: max, ll: list.New(), m: map[string]*list.Element{}}
}

// get returns the current entry of path, or nil.
func (c *cache) get(path, etag string) *cached {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.m[path]
	if !ok {
		return nil
	}
	e := el.Value.(*cached)
	if e.etag != etag {
		return nil
	}
	c.ll.MoveToFront(el)
	return e
}

// put adds an entry, replacing the path's old one and dropping the least
// recently used ones past the size. An entry larger than the whole cache
// is not kept.
func (c *cache) put(e *cached) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[e.path]; ok {
		c.remove(old)
	}
	if int64(len(e.body)) > c.max/4 {
		return
	}
	c.m[e.path] = c.ll.PushFront(e)
	e.cost = int64(len(e.body)+len(e.gz)) + 256 // gz: a feed's, made with its body
	c.size += e.cost
	c.trim()
}

// grew accounts for an entry's gzip form, made after it was put.
func (c *cache) grew(e *cached, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.m[e.path]; ok && el.Value == e {
		e.cost += int64(n)
		c.size += int64(n)
		c.trim()
	}
}

func (c *cache) trim() {
	for c.size > c.max {
		el := c.ll.Back()
		if el == nil {
			return
		}
		c.remove(el)
	}
}

func (c *cache) remove(el *list.Element) {
	e := c.ll.Remove(el).(*cached)
	delete(c.m, e.path)
	c.size -= e.cost
}

// gzipped returns the entry's gzip form, compressing it the first time.
func (e *cached) gzipped(c *cache) []byte {
	e.gzOnce.Do(func() {
		e.gz = gzipBytes(e.body)
		c.grew(e, len(e.gz))
	})
	return e.gz
}

// gzipBytes is the gzip form of a body: one DEFLATE segment in a gzip frame
// (deflate.go), compressed with klauspost/compress at its default level:
// the standard library's API at about 4.5 times its speed, for a few
// percent more bytes (BenchmarkGzip). The frame has no name and no time, so
// the compressed bytes depend on the body alone.
func gzipBytes(body []byte) []byte { return joinedGzip(body, body, nil, nil, nil) }
