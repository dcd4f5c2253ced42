package event

import "fmt"

// ExpectedVersion is the optimistic-concurrency condition of an append: the
// version the writer believes the stream is at. A stream's version is the
// number of events in it, so a stream that does not exist is at version 0.
type ExpectedVersion int64

const (
	// Any appends whatever the stream's version is.
	Any ExpectedVersion = -1
	// NoStream appends only if the stream has no events yet.
	NoStream ExpectedVersion = 0
)

// Exact returns the condition "the stream is at version v". Exact(0) is
// NoStream.
func Exact(v int64) ExpectedVersion { return ExpectedVersion(v) }

// Valid reports whether e is Any, NoStream or an exact version.
func (e ExpectedVersion) Valid() bool { return e >= Any }

func (e ExpectedVersion) String() string {
	switch e {
	case Any:
		return "any"
	case NoStream:
		return "no stream"
	default:
		return fmt.Sprintf("version %d", int64(e))
	}
}
