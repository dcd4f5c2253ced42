package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
)

// maxBody bounds a JSON request body. Documents travel as multipart
// uploads with their own limit; a command body is a few kilobytes.
const maxBody = 64 << 10

// Errors of request decoding. Each maps to a problem in problemFor.
var (
	// errBadRequest: the body is not the JSON object the endpoint takes.
	errBadRequest = errors.New("bad request")
	// errTooLarge: the body exceeds maxBody.
	errTooLarge = errors.New("request body too large")
)

// decodeJSON reads r's body into v strictly: a JSON content type, one
// object, no unknown fields, nothing after it, at most maxBody bytes. Any
// failure wraps errBadRequest or errTooLarge with a message that says what
// is wrong, so the client can fix it; nothing is decided on a body that
// failed to decode.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return fmt.Errorf("%w: Content-Type must be application/json", errBadRequest)
		}
	}
	body := http.MaxBytesReader(w, r.Body, maxBody)
	return decodeStrict(body, v)
}

// decodeStrict is decodeJSON without the HTTP parts, for fuzzing.
func decodeStrict(body io.Reader, v any) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeDecodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return fmt.Errorf("%w: at most %d bytes", errTooLarge, tooLarge.Limit)
		}
		return fmt.Errorf("%w: unexpected data after the JSON object", errBadRequest)
	}
	return nil
}

func describeDecodeError(err error) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		tooLarge  *http.MaxBytesError
		unmarshal *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &tooLarge):
		return fmt.Errorf("%w: at most %d bytes", errTooLarge, tooLarge.Limit)
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%w: the body is empty; a JSON object is required", errBadRequest)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%w: the JSON body ends too early", errBadRequest)
	case errors.As(err, &syntax):
		return fmt.Errorf("%w: malformed JSON at byte %d", errBadRequest, syntax.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field != "" {
			return fmt.Errorf("%w: field %q must be %s", errBadRequest, typeErr.Field, typeErr.Type)
		}
		return fmt.Errorf("%w: the body must be a JSON object", errBadRequest)
	case errors.As(err, &unmarshal):
		return fmt.Errorf("decode: %w", err) // a programming error, not the client's
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return fmt.Errorf("%w: %s", errBadRequest, strings.TrimPrefix(err.Error(), "json: "))
	default:
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
}
