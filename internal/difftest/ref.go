package main

// Driving the reference (node ref/ref.cjs) and reading its binary stream.

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

const refVersion = "1.0.22"

type refRecord struct {
	failed bool
	msg    string // failed: the reference's error
	micros uint32 // time inside encode_ordinary
	ids    []uint32
}

type refProc struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	r      *bufio.Reader
	stderr bytes.Buffer
	start  time.Time
	hdr    [12]byte
}

// writeManifest writes the manifest that ref.cjs reads.
func writeManifest(path, enc string, docPaths []string) error {
	b, err := json.Marshal(struct {
		Encoding string   `json:"encoding"`
		Docs     []string `json:"docs"`
	}{enc, docPaths})
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func startRef(refDir, manifest string) (*refProc, error) {
	p := &refProc{start: time.Now()}
	p.cmd = exec.Command("node", filepath.Join(refDir, "ref.cjs"), manifest, "-")
	p.cmd.Dir = refDir
	p.cmd.Stderr = &p.stderr
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.out = out
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	p.r = bufio.NewReaderSize(out, 1<<20)
	magic := make([]byte, 8)
	if _, err := io.ReadFull(p.r, magic); err != nil || string(magic) != "TKREF1\n\x00" {
		p.cmd.Wait()
		return nil, fmt.Errorf("reference: bad stream start (%v): %s", err, strings.TrimSpace(p.stderr.String()))
	}
	return p, nil
}

// next returns the next record; end is true at the end-of-stream record.
func (p *refProc) next(ids []uint32) (rec refRecord, end bool, err error) {
	if _, err := io.ReadFull(p.r, p.hdr[:]); err != nil {
		return rec, false, fmt.Errorf("reference stream cut short: %v", err)
	}
	status := binary.LittleEndian.Uint32(p.hdr[0:])
	rec.micros = binary.LittleEndian.Uint32(p.hdr[4:])
	n := int(binary.LittleEndian.Uint32(p.hdr[8:]))
	switch status {
	case 0xFFFFFFFF:
		return rec, true, nil
	case 0:
		buf := make([]byte, 4*n)
		if _, err := io.ReadFull(p.r, buf); err != nil {
			return rec, false, fmt.Errorf("reference stream cut short: %v", err)
		}
		ids = ids[:0]
		for i := 0; i < n; i++ {
			ids = append(ids, binary.LittleEndian.Uint32(buf[4*i:]))
		}
		rec.ids = ids
	case 1:
		buf := make([]byte, (n+3)&^3)
		if _, err := io.ReadFull(p.r, buf); err != nil {
			return rec, false, fmt.Errorf("reference stream cut short: %v", err)
		}
		rec.failed, rec.msg = true, string(buf[:n])
	default:
		return rec, false, fmt.Errorf("reference stream: bad status %#x", status)
	}
	return rec, false, nil
}

type refSummary struct {
	Docs          int     `json:"docs"`
	OK            int     `json:"ok"`
	Failed        int     `json:"failed"`
	Bytes         int64   `json:"bytes"`
	Tokens        int64   `json:"tokens"`
	Seconds       float64 `json:"seconds"`
	EncodeSeconds float64 `json:"encode_seconds"`
	wall          time.Duration
}

// wait reaps the process and parses its summary line.
func (p *refProc) wait() (refSummary, error) {
	io.Copy(io.Discard, p.r)
	err := p.cmd.Wait()
	var s refSummary
	s.wall = time.Since(p.start)
	lines := strings.Split(strings.TrimSpace(p.stderr.String()), "\n")
	if err != nil {
		return s, fmt.Errorf("reference process: %v: %s", err, strings.TrimSpace(p.stderr.String()))
	}
	if jerr := json.Unmarshal([]byte(lines[len(lines)-1]), &s); jerr != nil {
		return s, fmt.Errorf("reference summary: %v: %q", jerr, p.stderr.String())
	}
	return s, nil
}

// ensureRef installs the pinned reference (npm ci from the lock file) when it is missing.
func ensureRef(refDir string) error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("node not found in PATH (the reference runs in node; see internal/difftest/README.md)")
	}
	pj := filepath.Join(refDir, "node_modules", "tiktoken", "package.json")
	if b, err := os.ReadFile(pj); err == nil {
		var v struct{ Version string }
		if json.Unmarshal(b, &v) == nil && v.Version == refVersion {
			return nil
		}
	}
	if _, err := exec.LookPath("npm"); err != nil {
		return errors.New("npm not found in PATH (needed once to install the reference)")
	}
	cmd := exec.Command("npm", "ci", "--silent", "--no-audit", "--no-fund")
	cmd.Dir = refDir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %v", refDir, err)
	}
	b, err := os.ReadFile(pj)
	if err != nil {
		return err
	}
	var v struct{ Version string }
	if err := json.Unmarshal(b, &v); err != nil || v.Version != refVersion {
		return fmt.Errorf("npm ci installed tiktoken %q, want %s", v.Version, refVersion)
	}
	return nil
}
