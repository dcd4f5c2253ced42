package kurrentdb

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestConnectionString(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"kurrentdb://kurrentdb:2113?tls=false":         "esdb://kurrentdb:2113?tls=false",
		"kurrentdb+discover://node1:2113,node2:2113":   "esdb+discover://node1:2113,node2:2113",
		"esdb://admin:changeit@localhost:2113":         "esdb://admin:changeit@localhost:2113",
		"postgres://localhost/aidtrail":                "",
		"kurrentdb://":                                 "",
		"kurrentdb://admin:secret@host:2113?tls=false": "esdb://admin:secret@host:2113?tls=false",
	} {
		got, err := ConnectionString(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("ConnectionString(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := ConnectionString("mysql://admin:secret@host")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("a refused URL's error shows its password: %v", err)
	}
}

func TestValidateJoinsEveryProblem(t *testing.T) {
	t.Parallel()
	c := Config{URL: "nope", Log: "$all", ReadBatch: -1, MinBackoff: 2, MaxBackoff: 1}
	err := c.Validate()
	for _, want := range []string{"URL", "log stream", "read batch", "backoff"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v; want it to name the %s", err, want)
		}
	}
	ok := Config{URL: "kurrentdb://localhost:2113?tls=false"}
	ok.setDefaults()
	if err := ok.Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

// Client errors are recognised however deeply they are wrapped.
func TestErrorsMatchWrapped(t *testing.T) {
	t.Parallel()
	unavailable := status.Error(codes.Unavailable, "node restarting")
	denied := status.Error(codes.PermissionDenied, "no")
	wrapped := fmt.Errorf("read the log: %w", fmt.Errorf("again: %w", unavailable))
	if !transient(wrapped) || transient(fmt.Errorf("x: %w", denied)) || transient(errors.New("plain")) {
		t.Error("transient misjudges a wrapped gRPC status")
	}
	_, err := ConnectionString("kurrentdb://host")
	if isCode(fmt.Errorf("w: %w", err), esdb.ErrorCodeWrongExpectedVersion) {
		t.Error("isCode matched an error that is not the client's")
	}
}
