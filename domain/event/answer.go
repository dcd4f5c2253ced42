package event

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// TypeCommandAnswered records, as the last event of a command's
// transaction, that a command sent with an idempotency key was answered.
// It lives in a stream of its own, AnswerStream, named by an id derived
// from the account, the key and the command, so that a re-run of the same
// command finds it and answers as the first run did, whatever has changed
// since: its position is the position the command wrote, its payload what
// else the command answered.
const TypeCommandAnswered = "command.answered"

// AnswerStream is the stream of the answer of the keyed command whose
// derived id is id.
func AnswerStream(id uuid.UUID) string { return "answer-" + id.String() }

// CommandAnswered is the payload of TypeCommandAnswered.
type CommandAnswered struct {
	// Command names the command ("EstablishUnit").
	Command string `json:"command"`
	// Answer is what the command answered besides the position and the ids
	// derived from its key, as JSON; absent when nothing.
	Answer json.RawMessage `json:"answer,omitempty"`
}

// EncodeCommandAnswered returns the payload for command's answer (nil for
// none).
func EncodeCommandAnswered(command string, answer any) ([]byte, error) {
	p := CommandAnswered{Command: command}
	if answer != nil {
		raw, err := json.Marshal(answer)
		if err != nil {
			return nil, fmt.Errorf("encode the answer of %s: %w", command, err)
		}
		p.Answer = raw
	}
	return json.Marshal(p)
}

// DecodeCommandAnswered reads a TypeCommandAnswered event of command into
// answer (a pointer, or nil when the command answers nothing else).
func DecodeCommandAnswered(e Recorded, command string, answer any) error {
	var p CommandAnswered
	if err := json.Unmarshal(e.Data, &p); err != nil {
		return fmt.Errorf("%s at position %d: %w", e.Type, e.Position, err)
	}
	if e.Type != TypeCommandAnswered || p.Command != command {
		return fmt.Errorf("%s at position %d answers %q, not %s", e.Type, e.Position, p.Command, command)
	}
	if answer == nil || len(p.Answer) == 0 {
		return nil
	}
	if err := json.Unmarshal(p.Answer, answer); err != nil {
		return fmt.Errorf("the answer of %s at position %d: %w", command, e.Position, err)
	}
	return nil
}
