package cli

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tokcount/tokcount/tokenizer"
)

// binary is the tokcount command built once by TestMain for the end-to-end
// tests ("" if the build failed; buildErr says why).
var binary, buildErr = "", error(nil)

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "tokcount-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tokcount")
	goCmd := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goCmd); err != nil {
		goCmd = "go"
	}
	out, err := exec.Command(goCmd, "build", "-o", binary, "github.com/tokcount/tokcount/cmd/tokcount").CombinedOutput()
	if err != nil {
		binary, buildErr = "", fmt.Errorf("building tokcount: %v\n%s", err, out)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
	// peakKiB is the child's VmHWM (peak RSS) as last seen in
	// /proc/PID/status while it ran (0 where there is no /proc). The
	// rusage of a child is no use here: it is vforked, so its ru_maxrss
	// includes the peak RSS of this test process.
	peakKiB int64
}

// tokcount runs the built binary.
func tokcount(t *testing.T, stdin []byte, args ...string) result {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	cmd := exec.Command(binary, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var hwm int64
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		for {
			if v := vmHWM(status); v > hwm {
				hwm = v
			}
			select {
			case <-done:
				peak <- hwm
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	r := result{stdout: out.String(), stderr: errOut.String(), peakKiB: <-peak}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		r.code = ee.ExitCode()
	}
	return r
}

// vmHWM returns the VmHWM line of a /proc/PID/status file in KiB, or 0.
func vmHWM(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return v
		}
	}
	return 0
}

func TestE2EPipe(t *testing.T) {
	r := tokcount(t, []byte("A person types this and gets a number they can bill by."), "-m", "gpt-4o")
	want := strconv.Itoa(tokenizer.MustGet("o200k_base").Count("A person types this and gets a number they can bill by.")) + "\n"
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Errorf("%+v, want %q", r, want)
	}
}

func TestE2EFilesWithOneMissing(t *testing.T) {
	r := tokcount(t, nil, "-e", "cl100k_base", "testdata/hello.txt", "testdata/nope.txt", "testdata/fox-gzip")
	if r.code != ExitError || r.stdout != "3 testdata/hello.txt\n10 testdata/fox-gzip\n13 total\n" ||
		r.stderr != "tokcount: testdata/nope.txt: no such file or directory\n" {
		t.Errorf("%+v", r)
	}
}

func TestE2EEncodeDecode(t *testing.T) {
	text, err := os.ReadFile("verifydata/README.md")
	if err != nil {
		t.Fatal(err)
	}
	enc := tokcount(t, text, "encode", "-e", "p50k_base")
	if enc.code != 0 || strings.Count(enc.stdout, "\n") != tokenizer.MustGet("p50k_base").CountBytes(text) {
		t.Fatalf("encode: %d %q", enc.code, enc.stderr)
	}
	dec := tokcount(t, []byte(enc.stdout), "decode", "-e", "p50k_base")
	if dec.code != 0 || dec.stdout != string(text) {
		t.Errorf("decode: exit %d, round trip equal %v, %q", dec.code, dec.stdout == string(text), dec.stderr)
	}
}

func TestE2EVerifyAndHelp(t *testing.T) {
	if r := tokcount(t, nil, "verify", "-q"); r.code != 0 || !strings.HasPrefix(r.stdout, "verify: ok:") {
		t.Errorf("verify: %+v", r)
	}
	if r := tokcount(t, nil, "--help"); r.code != 0 || !strings.Contains(r.stdout, "Exit status:") {
		t.Errorf("--help: %+v", r)
	}
	if r := tokcount(t, nil, "-m", "gpt-4x0"); r.code != ExitUsage || !strings.Contains(r.stderr, "gpt-4o") {
		t.Errorf("unknown model: %+v", r)
	}
}

// TestE2ELargeFileMemory counts a generated 64 MiB file and checks the
// peak RSS of the process, that -j 1 and -j 2 agree, and that nothing is
// printed on stderr (a pipe: no progress bar).
func TestE2ELargeFileMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and counts 64 MiB")
	}
	text := genText(64<<20, 6)
	path := writeTemp(t, "big.txt", text)
	want := strconv.Itoa(tokenizer.MustGet("o200k_base").CountParallel(text, runtime.GOMAXPROCS(0))) + "\n"
	text = nil
	for _, j := range []string{"1", "2"} {
		r := tokcount(t, nil, "-j", j, path)
		if r.code != 0 || r.stdout != want || r.stderr != "" {
			t.Errorf("-j %s: %+v, want %q", j, r, want)
		}
		t.Logf("-j %s: peak RSS (VmHWM) %.1f MiB", j, float64(r.peakKiB)/1024)
		if r.peakKiB > 100<<10 {
			t.Errorf("-j %s: peak RSS %d KiB, want under 100 MiB", j, r.peakKiB)
		}
	}
}
