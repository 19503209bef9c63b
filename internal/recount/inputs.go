package recount

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tokcount/tokcount/internal/source"
)

// inputFile is one input after directories are expanded.
type inputFile struct {
	name string
	size int64 // -1 when unknown
	err  error // set when the input could not even be listed
}

// expandInputs turns the operands into the list of inputs. "-" stays
// standard input. A directory, or a symbolic link to one, becomes every
// regular file under it, walked recursively in lexical order, symbolic
// links followed. Anything else is read as a file (an error for it is
// reported when it is opened).
//
// Within one operand's walk, a file or directory reached a second time (a
// link to a directory already walked, such as a "latest" link beside the
// day it names; a hard link; a link loop) is read once, under the name it
// was first reached by, so that its lines are not counted twice. (An
// operand named twice is read twice, as the caller asked.) A walked entry
// that is neither a regular file nor a directory (a pipe, a socket, a
// device) is listed with an error rather than left out in silence.
//
// records, when not nil, is the --records output: an input that is that
// file would read the records back as they are written, so it is an error
// (*UsageError) naming the input.
func expandInputs(operands []string, records fs.FileInfo) ([]inputFile, error) {
	var out []inputFile
	for _, op := range operands {
		if op == source.StdinName {
			out = append(out, inputFile{name: op, size: -1})
			continue
		}
		st, err := os.Stat(op)
		if err != nil || !st.IsDir() {
			size := int64(-1)
			if err == nil && st.Mode().IsRegular() {
				size = st.Size()
				if records != nil && os.SameFile(st, records) {
					return nil, recordsIsInput(op)
				}
			}
			out = append(out, inputFile{name: op, size: size})
			continue
		}
		w := walker{out: out, records: records, seen: map[fileID]bool{}}
		w.dir(op, st, nil)
		if w.clash != "" {
			return nil, recordsIsInput(w.clash)
		}
		out = w.out
	}
	return out, nil
}

func recordsIsInput(name string) error {
	return &UsageError{fmt.Sprintf("--records: the output file is also an input (%s): it would be read back as it is written", name)}
}

// walker expands one directory operand.
type walker struct {
	out     []inputFile
	records fs.FileInfo
	clash   string          // the input that is the records file
	seen    map[fileID]bool // what this walk has reached, where identities are known
}

// dir appends the inputs under the directory name (st is its Stat);
// parents are the directories above it in this walk.
func (w *walker) dir(name string, st fs.FileInfo, parents []fs.FileInfo) {
	if w.reached(st) {
		return
	}
	for _, p := range parents {
		if os.SameFile(p, st) {
			return // a link loop, where identities are not known
		}
	}
	parents = append(parents, st)
	entries, err := os.ReadDir(name)
	if err != nil {
		w.out = append(w.out, inputFile{name: name, size: -1, err: err})
	}
	for _, d := range entries {
		path := filepath.Join(name, d.Name())
		var info fs.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			info, err = os.Stat(path) // follows the link
		} else {
			info, err = d.Info()
		}
		switch {
		case err != nil:
			w.out = append(w.out, inputFile{name: path, size: -1, err: err})
		case info.IsDir():
			w.dir(path, info, parents)
		case info.Mode().IsRegular():
			if w.records != nil && os.SameFile(info, w.records) {
				if w.clash == "" {
					w.clash = path
				}
				continue
			}
			if !w.reached(info) {
				w.out = append(w.out, inputFile{name: path, size: info.Size()})
			}
		default:
			w.out = append(w.out, inputFile{name: path, size: -1, err: fmt.Errorf("%w (%s); not read", errNotRegular, fileKind(info.Mode()))})
		}
	}
}

// reached records fi as reached by this walk and reports whether it was
// reached before.
func (w *walker) reached(fi fs.FileInfo) bool {
	id, ok := identity(fi)
	if !ok {
		return false
	}
	if w.seen[id] {
		return true
	}
	w.seen[id] = true
	return false
}

// fileID identifies a file on its device.
type fileID struct{ dev, ino uint64 }

// errNotRegular is the error of a walked entry that is not a regular file.
var errNotRegular = errors.New("not a regular file")

func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// RecordsClash returns the operand that a --records file at path would
// overwrite or be read back through: the same file, or a directory that
// holds it (through symbolic links too); "" if there is none. It is
// checked before the records file is created, which truncates it. "-"
// operands (standard input) never clash.
func RecordsClash(path string, operands []string) string {
	rec, recErr := os.Stat(path)
	// Where the file will be written: a symbolic link is followed (to a
	// log in an input directory, say), dangling or not.
	target := path
	if t, err := filepath.EvalSymlinks(path); err == nil {
		target = t
	} else if l, err := os.Readlink(path); err == nil {
		if !filepath.IsAbs(l) {
			l = filepath.Join(filepath.Dir(path), l)
		}
		target = l
	}
	// The directories that hold it, from its own up to the root, as the
	// file system resolves them.
	var holders []fs.FileInfo
	if dir, err := filepath.EvalSymlinks(filepath.Dir(target)); err == nil {
		if dir, err = filepath.Abs(dir); err == nil {
			for {
				if st, err := os.Stat(dir); err == nil {
					holders = append(holders, st)
				}
				up := filepath.Dir(dir)
				if up == dir {
					break
				}
				dir = up
			}
		}
	}
	for _, op := range operands {
		if op == source.StdinName {
			continue
		}
		st, err := os.Stat(op)
		if err != nil {
			continue
		}
		if recErr == nil && os.SameFile(st, rec) {
			return op
		}
		if st.IsDir() {
			for _, h := range holders {
				if os.SameFile(st, h) {
					return op
				}
			}
		}
	}
	return ""
}
