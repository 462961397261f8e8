package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// Sample is one measured run: wall time, CPU time (user+sys) and peak RSS.
type Sample struct {
	Wall   time.Duration `json:"wall_ns"`
	CPU    time.Duration `json:"cpu_ns"`
	MaxRSS int64         `json:"maxrss_bytes"`
}

// add sums two runs made one after the other: times add, the peak is the
// larger peak.
func (s Sample) add(o Sample) Sample {
	return Sample{Wall: s.Wall + o.Wall, CPU: s.CPU + o.CPU, MaxRSS: max(s.MaxRSS, o.MaxRSS)}
}

// median is the median of each field separately.
func median(ss []Sample) Sample {
	if len(ss) == 0 {
		return Sample{}
	}
	w, c, r := make([]int64, len(ss)), make([]int64, len(ss)), make([]int64, len(ss))
	for i, s := range ss {
		w[i], c[i], r[i] = int64(s.Wall), int64(s.CPU), s.MaxRSS
	}
	return Sample{Wall: time.Duration(medianInt(w)), CPU: time.Duration(medianInt(c)), MaxRSS: medianInt(r)}
}

func medianInt(v []int64) int64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func medianFloat(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// runProc runs a command to completion and measures it from the outside:
// wall time around it, and the kernel's rusage of the process for CPU and
// peak RSS. Output goes to log.
//
// The command runs as a grandchild, under `talkbench measure`: Go starts
// children with vfork, and Linux carries the parent's high-water RSS into a
// vforked child's ru_maxrss across exec, so a direct child of this process
// (which once held the whole generated world) would report at least this
// process's peak. The small measure process's own child starts clean.
func runProc(ctx context.Context, log io.Writer, dir, name string, args ...string) (Sample, error) {
	res, err := os.CreateTemp("", "talkbench-measure-*.json")
	if err != nil {
		return Sample{}, err
	}
	res.Close()
	defer os.Remove(res.Name())
	cmd := exec.CommandContext(ctx, selfPath, append([]string{"measure", "-o", res.Name(), "--", name}, args...)...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	fmt.Fprintf(log, "\n$ %s %s\n", name, strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return Sample{}, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	b, err := os.ReadFile(res.Name())
	if err != nil {
		return Sample{}, err
	}
	var s Sample
	if err := json.Unmarshal(b, &s); err != nil {
		return Sample{}, fmt.Errorf("measure %s: %w", name, err)
	}
	return s, nil
}

// selfPath is this executable, for starting its own verbs.
var selfPath = func() string {
	p, err := os.Executable()
	if err != nil {
		return os.Args[0]
	}
	return p
}()

// cmdMeasure runs `talkbench measure -o FILE -- CMD ARGS...`: CMD with this
// process's stdio, then writes its Sample (wall, CPU, peak RSS) to FILE.
// It exits non-zero when CMD does.
func cmdMeasure(args []string) error {
	if len(args) < 4 || args[0] != "-o" || args[2] != "--" {
		return fmt.Errorf("usage: talkbench measure -o FILE -- CMD [ARGS...]")
	}
	cmd := exec.Command(args[3], args[4:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return err
	}
	s := fromRusage(wall, cmd.ProcessState.SysUsage().(*syscall.Rusage))
	b, _ := json.Marshal(s)
	return os.WriteFile(args[1], b, 0o644)
}

func fromRusage(wall time.Duration, ru *syscall.Rusage) Sample {
	return Sample{
		Wall:   wall,
		CPU:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		MaxRSS: ru.Maxrss << 10, // Linux reports KiB
	}
}

// selfCPU is this process's CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func selfMaxRSS() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss << 10
}

// runJSON runs a child that prints one JSON object on its last line of
// stdout, and decodes it into v.
func runJSON(ctx context.Context, log io.Writer, v any, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stderr = log
	fmt.Fprintf(log, "\n$ %s %s\n", name, strings.Join(args, " "))
	out, err := cmd.Output()
	log.Write(out)
	if err != nil {
		return fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return json.Unmarshal([]byte(lines[len(lines)-1]), v)
}

// printJSON prints v as one line, for runJSON.
func printJSON(v any) {
	b, _ := json.Marshal(v)
	os.Stdout.Write(append(b, '\n'))
}

func ms(d time.Duration) string {
	switch {
	case d >= 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.0f µs", float64(d)/1e3)
}

func perEntry(d time.Duration, n int) string {
	if n == 0 {
		return "–"
	}
	return fmt.Sprintf("%.0f µs", float64(d)/1e3/float64(n))
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
