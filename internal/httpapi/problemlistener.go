package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// ProblemListener wraps the listener an http.Server serves this API on so
// that the errors net/http answers by itself, before any handler runs (431
// header fields too large, 400 malformed request, 501 unknown transfer
// coding, 505), are problem documents too, not text/plain.
//
// net/http writes each such answer straight to the connection in one
// Write: a status line followed at once by exactly
// "Content-Type: text/plain; charset=utf-8", "Connection: close" and an
// empty line. Answers of handlers always carry a Date field first, so
// they never have that shape and pass through unchanged.
func ProblemListener(ln net.Listener) net.Listener { return problemListener{ln} }

type problemListener struct{ net.Listener }

func (l problemListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return problemConn{c}, nil
}

type problemConn struct{ net.Conn }

func (c problemConn) Write(b []byte) (int, error) {
	p, ok := serverErrorProblem(b)
	if !ok {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(p); err != nil {
		return 0, err
	}
	return len(b), nil
}

// goErrorHeaders follow the status line of net/http's own error answers.
const goErrorHeaders = "\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"

// serverErrorProblem rewrites one of net/http's own error answers as a
// problem document; ok is false for anything else.
func serverErrorProblem(b []byte) (out []byte, ok bool) {
	if !bytes.HasPrefix(b, []byte("HTTP/1.")) {
		return nil, false
	}
	eol := bytes.Index(b, []byte("\r\n"))
	if eol < 0 || !bytes.HasPrefix(b[eol:], []byte(goErrorHeaders)) {
		return nil, false
	}
	// "HTTP/1.1 400 Bad Request: missing required Host header"
	_, rest, _ := bytes.Cut(b[:eol], []byte(" "))
	code, reason, _ := bytes.Cut(rest, []byte(" "))
	status, err := strconv.Atoi(string(code))
	if err != nil || status < 400 || status > 599 {
		return nil, false
	}
	var detail string
	switch status {
	case http.StatusRequestHeaderFieldsTooLarge:
		detail = "the request's header fields are larger than this server accepts"
	case http.StatusNotImplemented:
		detail = "the request uses a transfer coding this server does not support"
	case http.StatusHTTPVersionNotSupported:
		detail = "this server speaks HTTP/1.0, HTTP/1.1 and HTTP/2 only"
	default:
		detail = "the request is not valid HTTP"
		// net/http's own reasons ("missing required Host header",
		// "invalid header name") are fixed phrases, never echoes of the
		// request.
		if _, why, ok := bytes.Cut(reason, []byte(": ")); ok && len(why) > 0 {
			detail += ": " + string(why)
		}
	}
	body, _ := json.Marshal(newProblem(status, detail, "", nil)) // cannot fail: strings and ints
	var w bytes.Buffer
	fmt.Fprintf(&w, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
		status, http.StatusText(status), problemContentType, len(body))
	w.Write(body)
	return w.Bytes(), true
}
