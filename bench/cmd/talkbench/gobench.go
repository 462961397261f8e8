package main

import (
	"strconv"
	"strings"
)

// goBench is one Go benchmark's medians over its -count runs.
type goBench struct {
	pkg, name string
	runs      int
	metrics   []metric // in the order go test printed them
}

type metric struct {
	unit   string
	values []float64
}

func (m metric) median() float64 { return medianFloat(m.values) }

// parseGoBench reads `go test -bench` output (the format benchstat reads).
func parseGoBench(raw string) []goBench {
	var out []goBench
	index := map[string]int{}
	pkg := ""
	for line := range strings.SplitSeq(raw, "\n") {
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimSpace(p)
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		key := pkg + " " + f[0]
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, goBench{pkg: pkg, name: f[0]})
		}
		b := &out[i]
		b.runs++
		for k := 2; k+1 < len(f); k += 2 {
			v, err := strconv.ParseFloat(f[k], 64)
			if err != nil {
				continue
			}
			unit := f[k+1]
			found := false
			for j := range b.metrics {
				if b.metrics[j].unit == unit {
					b.metrics[j].values = append(b.metrics[j].values, v)
					found = true
				}
			}
			if !found {
				b.metrics = append(b.metrics, metric{unit: unit, values: []float64{v}})
			}
		}
	}
	return out
}

func (b goBench) get(unit string) (float64, bool) {
	for _, m := range b.metrics {
		if m.unit == unit {
			return m.median(), true
		}
	}
	return 0, false
}
