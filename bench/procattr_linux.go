package main

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel kill the child if this process dies first,
// so that a peer stuck in a quadratic merge never outlives the run.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
