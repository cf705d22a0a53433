package main

import "syscall"

// childProcAttr puts the service in its own process group, so that a
// Ctrl-C in the terminal reaches only the load generator, which then stops
// the service itself after the scenario in flight; and has the kernel send
// the service SIGTERM if the load generator dies without cleaning up.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
