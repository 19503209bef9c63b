//go:build !linux

package main

import "os/exec"

// dieWithParent does nothing here: a child notices its parent is gone when
// its stdin closes, once its current count ends.
func dieWithParent(cmd *exec.Cmd) {}
