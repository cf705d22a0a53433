package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// servicePackage is the import path of the service binary.
const servicePackage = "github.com/whosaid/whosaid/cmd/whosaid"

// buildService compiles the service into dir and returns the binary's path.
func buildService(ctx context.Context, goCmd, dir string) (string, error) {
	bin := filepath.Join(dir, "whosaid")
	cmd := exec.CommandContext(ctx, goCmd, "build", "-o", bin, servicePackage)
	cmd.Stdout = os.Stderr
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s build %s: %w", goCmd, servicePackage, err)
	}
	return bin, nil
}

// freePort asks the kernel for a free loopback TCP port. Another process
// could take it before the service listens; the service then fails to
// start and says so.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// service is the child process `whosaid serve`.
type service struct {
	cmd     *exec.Cmd
	base    string // http://127.0.0.1:port
	logPath string
	exited  chan struct{} // closed when the process has exited
	waitErr error         // valid after exited is closed
}

// serviceEnv is the environment of the child: ours without WHOSAID_*
// variables, so that only the flags choose its settings (a WHOSAID_MONGO_URI
// in the shell must not send the run to a real database), with JSON logs.
func serviceEnv(env []string) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "WHOSAID_") {
			out = append(out, kv)
		}
	}
	return append(out, "WHOSAID_LOG_FORMAT=json")
}

// startService starts `bin serve` on a free loopback port with its data
// under dataDir and its log in logPath, plus extra arguments.
func startService(bin, dataDir, logPath string, extra []string) (*service, error) {
	port, err := freePort()
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{"serve", "--addr", addr, "--data-dir", dataDir}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = serviceEnv(os.Environ())
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = childProcAttr()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &service{cmd: cmd, base: "http://" + addr, logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		logf.Close()
		close(s.exited)
	}()
	return s, nil
}

// waitReady polls GET /readyz until it answers 200, the process exits, ctx
// ends or timeout passes.
func (s *service) waitReady(ctx context.Context, client *http.Client, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last string
	for {
		rctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		req, _ := http.NewRequestWithContext(rctx, http.MethodGet, s.base+"/readyz", nil)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				cancel()
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		cancel()
		select {
		case <-s.exited:
			return fmt.Errorf("whosaid serve exited before it was ready (%v); its log ends:\n%s", s.waitErr, s.logTail(20))
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("GET /readyz not 200 after %s (last: %s); the service log ends:\n%s", timeout, last, s.logTail(20))
		}
	}
}

// stop asks the service to shut down (SIGINT, as on Ctrl-C) and kills it
// if it has not exited after grace.
func (s *service) stop(grace time.Duration) error {
	select {
	case <-s.exited:
		return nil
	default:
	}
	if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
		_ = s.cmd.Process.Kill()
	}
	select {
	case <-s.exited:
		return nil
	case <-time.After(grace):
		_ = s.cmd.Process.Kill()
		<-s.exited
		return fmt.Errorf("whosaid serve did not exit within %s of SIGINT; killed", grace)
	}
}

// running reports an error if the service has exited.
func (s *service) running() error {
	select {
	case <-s.exited:
		return fmt.Errorf("whosaid serve exited (%v); its log ends:\n%s", s.waitErr, s.logTail(20))
	default:
		return nil
	}
}

// logTail is the last n lines of the service's log.
func (s *service) logTail(n int) string {
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	return lastLines(b, n)
}

// lastLines is the last n lines of b.
func lastLines(b []byte, n int) string {
	b = bytes.TrimRight(b, "\n")
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}

// splitArgs splits s into arguments at white space; single or double
// quotes keep white space inside an argument (no escapes).
func splitArgs(s string) ([]string, error) {
	var (
		args  []string
		cur   strings.Builder
		quote rune
		inArg bool
	)
	for _, c := range s {
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteRune(c)
			}
		case c == '"' || c == '\'':
			quote, inArg = c, true
		case c == ' ' || c == '\t' || c == '\n':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteRune(c)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, errors.New("unbalanced quote")
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}
