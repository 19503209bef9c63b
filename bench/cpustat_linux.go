package main

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuSample is the machine's busy CPU time and this process's CPU time, in
// clock ticks, at one moment.
type cpuSample struct {
	at         time.Time
	busy, self float64
	ok         bool
}

// clockTicks is USER_HZ, which is 100 on every Linux platform Go supports.
const clockTicks = 100

func sampleCPU() cpuSample {
	s := cpuSample{at: time.Now()}
	stat, err1 := os.ReadFile("/proc/stat")
	self, err2 := os.ReadFile("/proc/self/stat")
	if err1 != nil || err2 != nil {
		return s
	}
	line, _, _ := strings.Cut(string(stat), "\n")
	f := strings.Fields(line)
	if len(f) < 9 || f[0] != "cpu" {
		return s
	}
	// user nice system idle iowait irq softirq steal: all but idle and
	// iowait are busy.
	for i, v := range f[1:9] {
		if i == 3 || i == 4 {
			continue
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return s
		}
		s.busy += n
	}
	// The fields after the command (which may contain spaces) start at
	// state; utime and stime are the 12th and 13th after it.
	str := string(self)
	g := strings.Fields(str[strings.LastIndexByte(str, ')')+1:])
	if len(g) < 13 {
		return s
	}
	ut, err1 := strconv.ParseFloat(g[11], 64)
	st, err2 := strconv.ParseFloat(g[12], 64)
	if err1 != nil || err2 != nil {
		return s
	}
	s.self = ut + st
	s.ok = true
	return s
}

// otherLoad is how many cores, on average, processes other than this one
// kept busy between a and b, or -1 if unknown.
func otherLoad(a, b cpuSample) float64 {
	wall := b.at.Sub(a.at).Seconds()
	if !a.ok || !b.ok || wall <= 0 {
		return -1
	}
	return max(0, (b.busy-a.busy)-(b.self-a.self)) / clockTicks / wall
}
