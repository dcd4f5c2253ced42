package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/adapters/replies"
)

// Replies stores the answers to commands sent with an Idempotency-Key
// (adapters/replies implements it).
type Replies interface {
	Claim(ctx context.Context, account uuid.UUID, key string, fingerprint []byte, now time.Time) (*replies.Reply, error)
	Complete(ctx context.Context, account uuid.UUID, key string, fingerprint []byte, r replies.Reply, now time.Time) error
	Release(ctx context.Context, account uuid.UUID, key string, fingerprint []byte) error
}

// Problems of retried requests.
var (
	// errKeyReused: the key was used before for a different request.
	errKeyReused = errors.New("this Idempotency-Key was used for a different request")
	// errKeyInFlight: the first request with this key is still running.
	errKeyInFlight = errors.New("a request with this Idempotency-Key is still running; retry shortly")
)

// maxKeyedBody bounds the body of a request sent with an Idempotency-Key,
// which is read whole to tell its retries apart: the largest any route
// takes (a document upload) with room to spare.
const maxKeyedBody = 16 << 20

// maxReplyBody bounds what is kept of an answer to replay it.
const maxReplyBody = 256 << 10

// idempotent makes a command route answer a retried request (same account,
// same Idempotency-Key, same method, path and body) with the first
// answer, without running the command again. A key reused for another
// request is 422 idempotency_mismatch; a retry while the first request
// runs is 409 conflict. A command that failed is not remembered, so its
// retry runs again. Requests without the header pass through.
func (a *api) idempotent(next handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		actor := callerOf(r).actor
		key := actor.IdempotencyKey
		if key == "" || a.deps.Replies == nil {
			return next(w, r)
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxKeyedBody+1))
		if err != nil {
			return err
		}
		if len(body) > maxKeyedBody {
			return fmt.Errorf("%w: a request with an Idempotency-Key may carry at most %d bytes", errTooLarge, maxKeyedBody)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		fp := fingerprint(r, body)
		account := actor.AccountID
		prior, err := a.deps.Replies.Claim(r.Context(), account, key, fp, time.Now())
		if err != nil {
			return err
		}
		if prior != nil {
			return replay(w, *prior, fp)
		}
		rec := &recordingWriter{statusWriter: statusWriter{ResponseWriter: w}}
		err = next(rec, r)
		ctx := context.WithoutCancel(r.Context())
		if err != nil || rec.status >= 500 || rec.overflow {
			return errors.Join(err, a.deps.Replies.Release(ctx, account, key, fp))
		}
		reply := replies.Reply{Status: rec.code(), ContentType: rec.Header().Get("Content-Type"), Body: rec.body.Bytes()}
		if cerr := a.deps.Replies.Complete(ctx, account, key, fp, reply, time.Now()); cerr != nil {
			a.log.WarnContext(ctx, "answer sent but not kept for retries", "err", cerr)
		}
		return nil
	}
}

// fingerprint identifies a request for comparison with its retries.
func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	for _, part := range []string{r.Method, r.URL.Path, r.URL.RawQuery, strings.ToLower(r.Header.Get("Content-Type"))} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(body)
	return h.Sum(nil)
}

func replay(w http.ResponseWriter, prior replies.Reply, fp []byte) error {
	switch {
	case !prior.Same(fp):
		return errKeyReused
	case !prior.Done:
		return errKeyInFlight
	}
	h := w.Header()
	if prior.ContentType != "" {
		h.Set("Content-Type", prior.ContentType)
	}
	h.Set("Idempotent-Replayed", "true")
	w.WriteHeader(prior.Status)
	_, _ = w.Write(prior.Body)
	return nil
}

// recordingWriter keeps a copy of the answer, and its status, for replays.
type recordingWriter struct {
	statusWriter
	body     bytes.Buffer
	overflow bool
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.body.Len()+len(b) > maxReplyBody {
		w.overflow = true
	} else {
		w.body.Write(b)
	}
	return w.statusWriter.Write(b)
}
