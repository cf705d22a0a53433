package cli

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger
// and the reads of a test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envFrom(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

// runCLI runs the command line with the given environment and returns the
// exit status, stdout and stderr.
func runCLI(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	env := &Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, LookupEnv: envFrom(vars)}
	code := run(context.Background(), env, args)
	return code, stdout.String(), stderr.String()
}

func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		name       string
		vars       map[string]string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{
			name: "help lists every command and flag", args: []string{"help"}, wantCode: 0,
			wantStdout: []string{
				"whosaid serve [flags]", "whosaid extract", "whosaid eval", "whosaid version",
				"-addr", "-mongo-uri", "-data-dir", "-db",
				"WHOSAID_ADDR", "WHOSAID_MONGO_URI", "WHOSAID_DATA_DIR", "WHOSAID_DB", "WHOSAID_LOG_FORMAT", "WHOSAID_LOG_LEVEL",
			},
		},
		{name: "--help", args: []string{"--help"}, wantCode: 0, wantStdout: []string{"whosaid serve [flags]"}},
		{name: "help for one command", args: []string{"help", "serve"}, wantCode: 0, wantStdout: []string{"-mongo-uri"}},
		{name: "help for unknown command", args: []string{"help", "nope"}, wantCode: 2, wantStderr: []string{`unknown command "nope"`}},
		{name: "serve -h", args: []string{"serve", "-h"}, wantCode: 0,
			wantStderr: []string{"whosaid serve [flags]", "-addr", `(default "127.0.0.1:8080")`}},
		{name: "serve -h shows env defaults", vars: map[string]string{"WHOSAID_ADDR": ":9999"}, args: []string{"serve", "-h"},
			wantCode: 0, wantStderr: []string{`(default ":9999")`}},
		{name: "extract -h", args: []string{"extract", "-h"}, wantCode: 0, wantStderr: []string{"whosaid extract"}},
		{name: "eval -h", args: []string{"eval", "-h"}, wantCode: 0, wantStderr: []string{"whosaid eval"}},
		{name: "no command", args: nil, wantCode: 2, wantStderr: []string{"Usage: whosaid"}},
		{name: "unknown command", args: []string{"nope"}, wantCode: 2, wantStderr: []string{`unknown command "nope"`}},
		{name: "unknown flag", args: []string{"serve", "--port", "1"}, wantCode: 2,
			wantStderr: []string{"flag provided but not defined: -port"}},
		{name: "serve with arguments", args: []string{"serve", "extra"}, wantCode: 2, wantStderr: []string{"unexpected arguments"}},
		{name: "invalid addr", args: []string{"serve", "--addr", "8080"}, wantCode: 2, wantStderr: []string{"addr"}},
		{name: "invalid env addr", vars: map[string]string{"WHOSAID_ADDR": "nope"}, args: []string{"serve"}, wantCode: 2,
			wantStderr: []string{"addr"}},
		{name: "invalid uri is not echoed", args: []string{"serve", "--mongo-uri", "http://u:hunter2@h"}, wantCode: 2,
			wantStderr: []string{"mongo-uri"}},
		{name: "bad log format", vars: map[string]string{"WHOSAID_LOG_FORMAT": "xml"}, args: []string{"version"}, wantCode: 2,
			wantStderr: []string{"WHOSAID_LOG_FORMAT"}},
		{name: "bad log level", vars: map[string]string{"WHOSAID_LOG_LEVEL": "loud"}, args: []string{"version"}, wantCode: 2,
			wantStderr: []string{"WHOSAID_LOG_LEVEL"}},
		{name: "version", args: []string{"version"}, wantCode: 0, wantStdout: []string{"whosaid ", "go1."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.vars, tc.args...)
			if code != tc.wantCode {
				t.Errorf("whosaid %q = %d, want %d; stderr:\n%s", tc.args, code, tc.wantCode, stderr)
			}
			for _, want := range tc.wantStdout {
				if !strings.Contains(stdout, want) {
					t.Errorf("whosaid %q stdout lacks %q; got:\n%s", tc.args, want, stdout)
				}
			}
			for _, want := range tc.wantStderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("whosaid %q stderr lacks %q; got:\n%s", tc.args, want, stderr)
				}
			}
			if strings.Contains(stdout+stderr, "hunter2") {
				t.Errorf("whosaid %q prints the password", tc.args)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	for _, tc := range []struct {
		format, level string
		wantJSON      bool
		wantDebug     bool
	}{
		{format: "", wantJSON: true}, // a buffer is not a terminal
		{format: "auto", wantJSON: true},
		{format: "json", wantJSON: true},
		{format: "text", wantJSON: false},
		{format: "json", level: "debug", wantJSON: true, wantDebug: true},
		{format: "json", level: "WARN", wantJSON: true},
	} {
		var buf bytes.Buffer
		l, err := newLogger(&buf, envFrom(map[string]string{EnvLogFormat: tc.format, EnvLogLevel: tc.level}))
		if err != nil {
			t.Fatalf("newLogger(%q, %q): %v", tc.format, tc.level, err)
		}
		l.Debug("d")
		l.Warn("w")
		out := buf.String()
		if got := strings.HasPrefix(out, "{"); got != tc.wantJSON {
			t.Errorf("newLogger(%q, %q) JSON = %v, want %v: %s", tc.format, tc.level, got, tc.wantJSON, out)
		}
		if got := strings.Contains(out, `"d"`) || strings.Contains(out, "msg=d"); got != tc.wantDebug {
			t.Errorf("newLogger(%q, %q) logs debug = %v, want %v", tc.format, tc.level, got, tc.wantDebug)
		}
	}
	if _, err := newLogger(io.Discard, envFrom(map[string]string{EnvLogFormat: "yaml"})); err == nil {
		t.Error("newLogger(yaml) = nil error, want an error")
	}
}
