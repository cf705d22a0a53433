//go:build !linux

package main

import "syscall"

// childProcAttr: no process-group handling outside Linux.
func childProcAttr() *syscall.SysProcAttr { return nil }
