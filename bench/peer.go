package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	tiktoken "github.com/pkoukk/tiktoken-go"
	tiktoken_loader "github.com/pkoukk/tiktoken-go-loader"
	tkgo "github.com/tiktoken-go/tokenizer"
)

// A peer is another Go tokenizer, counted through its fastest counting API.
type peer struct {
	name   string
	module string
	// load returns a counter for the encoding. It runs in a child process.
	load func(enc string) (func(string) (int, error), error)
}

var peers = []peer{
	{
		name:   "pkoukk",
		module: "github.com/pkoukk/tiktoken-go",
		load: func(enc string) (func(string) (int, error), error) {
			// The offline loader embeds the rank files: nothing is downloaded.
			tiktoken.SetBpeLoader(tiktoken_loader.NewOfflineLoader())
			t, err := tiktoken.GetEncoding(enc)
			if err != nil {
				return nil, err
			}
			// EncodeOrdinary: special-token text is ordinary text, as in ours.
			// pkoukk has no count API; the length of the ids is the count.
			return func(s string) (int, error) { return len(t.EncodeOrdinary(s)), nil }, nil
		},
	},
	{
		name:   "tiktoken-go",
		module: "github.com/tiktoken-go/tokenizer",
		load: func(enc string) (func(string) (int, error), error) {
			c, err := tkgo.Get(tkgo.Encoding(enc))
			if err != nil {
				return nil, err
			}
			return c.Count, nil
		},
	},
}

func findPeer(name string) (peer, bool) {
	for _, p := range peers {
		if p.name == name {
			return p, true
		}
	}
	return peer{}, false
}

// The peers run in child processes (this binary with -child), so that a
// peer stuck in a quadratic merge can be killed at its deadline instead of
// burning a core for the rest of the run and skewing every later timing.
//
// Protocol: the child loads the encoding and prints "ready". Then, for each
// input, the parent writes a header (the length, then the plan: deadline,
// minimum time in nanoseconds and minimum runs; 8 bytes each,
// little-endian) and the bytes; the child warms up on a short prefix, then
// prints "run <ns> <count>" after each timed run and "done" when it stops,
// or "err <message>".

// plan says how long to time an engine on one input.
type plan struct {
	timeout time.Duration // the deadline for the whole measurement
	minTime time.Duration // time at least this long in all
	minRuns int           // and at least this many runs
}

const hdrLen = 32

// runChild is the child's main.
func runChild(peerName, enc string) {
	p, ok := findPeer(peerName)
	if !ok {
		fmt.Printf("err unknown peer %q\n", peerName)
		os.Exit(2)
	}
	count, err := p.load(enc)
	if err != nil {
		fmt.Printf("err %s\n", oneLine(err.Error()))
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	in := bufio.NewReader(os.Stdin)
	fmt.Fprintln(out, "ready")
	out.Flush()
	var hdr [hdrLen]byte
	for {
		if _, err := io.ReadFull(in, hdr[:]); err != nil {
			return
		}
		data := make([]byte, binary.LittleEndian.Uint64(hdr[:8]))
		pl := plan{
			timeout: time.Duration(binary.LittleEndian.Uint64(hdr[8:])),
			minTime: time.Duration(binary.LittleEndian.Uint64(hdr[16:])),
			minRuns: int(binary.LittleEndian.Uint64(hdr[24:])),
		}
		if _, err := io.ReadFull(in, data); err != nil {
			return
		}
		text, warm := string(data), string(cutRunes(data, warmupBytes))
		data = nil
		if _, err := count(warm); err != nil {
			fmt.Fprintf(out, "err %s\n", oneLine(err.Error()))
			out.Flush()
			continue
		}
		err := timeRuns(pl, func() (int, error) { return count(text) },
			func(d time.Duration, n int) {
				fmt.Fprintf(out, "run %d %d\n", d.Nanoseconds(), n)
				out.Flush()
			})
		if err != nil {
			fmt.Fprintf(out, "err %s\n", oneLine(err.Error()))
		} else {
			fmt.Fprintln(out, "done")
		}
		out.Flush()
	}
}

// warmupBytes is the prefix a peer is warmed up on: short, because the
// peers are quadratic on the worst cases.
const warmupBytes = 4 << 10

// timeRuns times f repeatedly and reports each run. It stops once it has
// minRuns runs and minTime in all, or when another run would likely pass 80%
// of the deadline.
func timeRuns(pl plan, f func() (int, error), report func(time.Duration, int)) error {
	var total time.Duration
	for runs := 1; ; runs++ {
		t0 := time.Now()
		n, err := f()
		d := time.Since(t0)
		if err != nil {
			return err
		}
		report(d, n)
		total += d
		if (runs >= pl.minRuns && total >= pl.minTime) || total+d > pl.timeout*8/10 {
			return nil
		}
	}
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// result is one engine's measurement on one input.
type result struct {
	best     time.Duration // fastest run
	count    int
	runs     int
	timedOut bool // no run finished within the deadline
	err      error
}

// peerProc is a running child for one peer and encoding.
type peerProc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string
}

// startPeer starts a child and waits for it to load the encoding.
func startPeer(name, enc string) (*peerProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "-child", name, "-enc", enc)
	dieWithParent(cmd)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &peerProc{cmd: cmd, stdin: stdin, lines: make(chan string, 64)}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			p.lines <- sc.Text()
		}
		close(p.lines)
	}()
	select {
	case l, ok := <-p.lines:
		if ok && l == "ready" {
			return p, nil
		}
		p.kill()
		if ok {
			return nil, errors.New(strings.TrimPrefix(l, "err "))
		}
		return nil, errors.New("child exited while loading")
	case <-time.After(2 * time.Minute):
		p.kill()
		return nil, errors.New("child took over 2 minutes to load")
	}
}

// measure sends data to the child and collects its runs until "done" or the
// deadline. After a deadline the child is killed (alive reports false): if
// some runs finished, the best of them is the result; if none did, the
// result is a timeout.
func (p *peerProc) measure(data []byte, pl plan) (r result, alive bool) {
	var hdr [hdrLen]byte
	binary.LittleEndian.PutUint64(hdr[:], uint64(len(data)))
	binary.LittleEndian.PutUint64(hdr[8:], uint64(pl.timeout))
	binary.LittleEndian.PutUint64(hdr[16:], uint64(pl.minTime))
	binary.LittleEndian.PutUint64(hdr[24:], uint64(pl.minRuns))
	if _, err := p.stdin.Write(hdr[:]); err != nil {
		p.kill()
		return result{err: err}, false
	}
	if _, err := p.stdin.Write(data); err != nil {
		p.kill()
		return result{err: err}, false
	}
	deadline := time.NewTimer(pl.timeout)
	defer deadline.Stop()
	for {
		select {
		case l, ok := <-p.lines:
			switch {
			case !ok:
				p.kill()
				if r.runs == 0 {
					r.err = errors.New("child exited")
				}
				return r, false
			case l == "done":
				return r, true
			case strings.HasPrefix(l, "err "):
				r.err = errors.New(l[4:])
				return r, true
			case strings.HasPrefix(l, "run "):
				f := strings.Fields(l)
				ns, _ := strconv.ParseInt(f[1], 10, 64)
				n, _ := strconv.Atoi(f[2])
				d := time.Duration(ns)
				if r.runs == 0 || d < r.best {
					r.best = d
				}
				if r.runs > 0 && n != r.count {
					r.err = fmt.Errorf("count changed between runs: %d then %d", r.count, n)
				}
				r.count = n
				r.runs++
			}
		case <-deadline.C:
			p.kill()
			r.timedOut = r.runs == 0
			return r, false
		}
	}
}

// kill ends the child and reaps it.
func (p *peerProc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Kill()
	}
	_ = p.stdin.Close()
	_ = p.cmd.Wait()
}

// close asks the child to exit and reaps it.
func (p *peerProc) close() {
	_ = p.stdin.Close()
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}
