package httpapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
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

// fieldError: one input of the request (a JSON member, a path parameter, a
// header) is unusable as sent. It matches errBadRequest, and the problem
// names Field.
type fieldError struct {
	Field  string
	Reason string
}

func (e *fieldError) Error() string { return e.Field + ": " + e.Reason }

// Is makes errors.Is(err, errBadRequest) true.
func (e *fieldError) Is(target error) bool { return target == errBadRequest }

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

// decodeOptionalJSON is decodeJSON for endpoints whose members are all
// optional: an empty body stands for {}.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	br := bufio.NewReader(http.MaxBytesReader(w, r.Body, maxBody))
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return nil
	}
	r.Body = io.NopCloser(br)
	return decodeJSON(w, r, v)
}

// decodeStrict is decodeJSON without the HTTP parts, for fuzzing. After
// the document decodes, its text is checked (checkJSONText).
func decodeStrict(body io.Reader, v any) error {
	raw, err := io.ReadAll(body)
	if err != nil {
		return describeDecodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return describeDecodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: unexpected data after the JSON object", errBadRequest)
	}
	return checkJSONText(raw, reflect.TypeOf(v))
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
			return &fieldError{Field: typeErr.Field, Reason: "must be " + jsonType(typeErr.Type)}
		}
		return fmt.Errorf("%w: the body must be a JSON object", errBadRequest)
	case errors.As(err, &unmarshal):
		return fmt.Errorf("decode: %w", err) // a programming error, not the client's
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown members only in its message.
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &fieldError{Field: name, Reason: "is not a member of this request"}
	default:
		return fmt.Errorf("%w: %v", errBadRequest, err)
	}
}

// jsonType names the JSON type a Go type decodes from, for messages that
// speak the client's language rather than Go's.
func jsonType(t reflect.Type) string {
	if t == nil {
		return "another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer in range"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	default:
		return "another type"
	}
}
