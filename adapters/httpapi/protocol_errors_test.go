package httpapi

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Requests net/http refuses before any handler runs get problem+json with
// the headers every answer carries, not text/plain; what handlers answer
// passes through untouched.
func TestServerRefusalsAreProblems(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, newProblem(codeNotFound, "handled"))
	}))
	srv.Listener = ProblemListener(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)

	for _, tc := range []struct {
		name    string
		request string
		status  int
		code    string
	}{
		{"control character in a header", "GET /v1/standards HTTP/1.1\r\nHost: a\r\nX-Note: a\x01b\r\n\r\n", 400, codeValidation},
		{"no colon in a header", "GET /v1/standards HTTP/1.1\r\nHost: a\r\nnot a header\r\n\r\n", 400, codeValidation},
		{"malformed request line", "GARBAGE\r\n\r\n", 400, codeValidation},
		{"two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, codeValidation},
		{"headers too large", "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("x", 1<<20+4096) + "\r\n\r\n", 431, codeTooLarge},
		{"unknown transfer encoding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, codeInternal},
		{"a request the handler answers", "GET /x HTTP/1.1\r\nHost: a\r\n\r\n", 404, codeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", srv.Listener.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			go func() { _, _ = io.WriteString(conn, tc.request) }()
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var p Problem
			if err := json.NewDecoder(res.Body).Decode(&p); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if res.StatusCode != tc.status || p.Status != tc.status || p.Code != tc.code {
				t.Errorf("answered %d %+v; want %d with code %s", res.StatusCode, p, tc.status, tc.code)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q", ct)
			}
			for _, h := range []string{"Cache-Control", "X-Content-Type-Options", "Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
				if res.Header.Get(h) == "" {
					t.Errorf("no %s", h)
				}
			}
		})
	}
}
