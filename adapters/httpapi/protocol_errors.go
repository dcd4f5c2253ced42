package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"
)

// Requests that net/http cannot parse (a control character in a header,
// a malformed request line, headers too large, an unknown transfer
// encoding) never reach a handler: the server answers them itself, in
// text/plain. ProblemListener makes those answers problem+json like every
// other, with the same headers, so a client reads every error one way.

// serverErrorHead is what net/http's own error answers carry right after
// their status line; no answer of the API's does (every one carries the
// security headers first).
var serverErrorHead = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")

// ProblemListener wraps ln so that the server's own error answers on its
// connections become problem+json.
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

// Write passes everything through except an answer net/http writes
// itself, which it writes whole in one call.
func (c problemConn) Write(b []byte) (int, error) {
	rewritten, ok := asProblemAnswer(b)
	if !ok {
		return c.Conn.Write(b)
	}
	if _, err := c.Conn.Write(rewritten); err != nil {
		return 0, err
	}
	return len(b), nil
}

// asProblemAnswer rewrites a server error answer ("HTTP/1.1 400 Bad
// Request" + serverErrorHead + text) as a problem; anything else is left.
func asProblemAnswer(b []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(b, []byte("HTTP/1.1 "))
	if !ok {
		return nil, false
	}
	statusLine, text, ok := bytes.Cut(rest, serverErrorHead)
	if !ok || bytes.IndexByte(statusLine, '\n') >= 0 || len(statusLine) < 3 {
		return nil, false
	}
	status, err := strconv.Atoi(string(statusLine[:3]))
	if err != nil || status < 400 || status > 599 {
		return nil, false
	}
	code := codeValidation
	switch {
	case status == http.StatusRequestHeaderFieldsTooLarge:
		code = codeTooLarge
	case status >= 500:
		code = codeInternal
	}
	p := newProblem(code, "The request cannot be read as HTTP: "+string(text)+".")
	p.Status = status
	body, err := json.Marshal(p)
	if err != nil {
		return nil, false
	}
	h := http.Header{}
	setSecurityHeaders(h)
	h.Set("Content-Type", "application/problem+json")
	h.Set("Connection", "close")
	h.Set("Content-Length", strconv.Itoa(len(body)+1))
	var out bytes.Buffer
	fmt.Fprintf(&out, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	_ = h.Write(&out)
	out.WriteString("\r\n")
	out.Write(body)
	out.WriteByte('\n')
	return out.Bytes(), true
}
