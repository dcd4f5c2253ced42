package kurrentdb

import (
	"context"
	"errors"
	"fmt"

	"github.com/EventStore/EventStore-Client-Go/v4/esdb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// isCode reports whether err is, or wraps, a client error with code.
func isCode(err error, code esdb.ErrorCode) bool {
	var e *esdb.Error
	return errors.As(err, &e) && e.Code() == code
}

// translate gives a client error the meaning the port's callers need:
// a deadline or cancellation the client reports in its own terms becomes
// the context's error again; anything else keeps its detail.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var e *esdb.Error
	if errors.As(err, &e) && e.Code() == esdb.ErrorCodeDeadlineExceeded {
		return fmt.Errorf("kurrentdb: %w: %w", context.DeadlineExceeded, err)
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.Canceled {
		return fmt.Errorf("kurrentdb: %w: %w", context.Canceled, err)
	}
	return fmt.Errorf("kurrentdb: %w", err)
}

// transient reports whether a failed subscription or read may succeed
// when tried again: the node was unavailable, stepped down, or the
// connection broke. Refusals (authentication, access, a deleted log) are
// not.
func transient(err error) bool {
	var e *esdb.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case esdb.ErrorUnavailable, esdb.ErrorCodeDeadlineExceeded, esdb.ErrorAborted,
			esdb.ErrorCodeNotLeader, esdb.ErrorCodeUnknown:
			return true
		}
		return false
	}
	if st, ok := status.FromError(err); ok {
		switch st.Code() {
		case codes.Unavailable, codes.Aborted, codes.DeadlineExceeded, codes.Unknown, codes.Internal, codes.ResourceExhausted:
			return true
		}
	}
	return false
}
