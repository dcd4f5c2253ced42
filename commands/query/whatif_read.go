package query

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/casework"
	"aidtrail/domain/catalogue"
	"aidtrail/domain/event"
	"aidtrail/domain/whatif"
)

// whatIfPage is how many events each read of the global order asks for.
const whatIfPage = 5000

// replayHistory reads the global order once, up to the head as it is when
// it starts, and feeds replay what it needs of standard code: the
// standard's versions, its cases and what became of them, and the grants
// under it in the employees' aid ledgers. It returns how many events it
// read. The next page is fetched while one is replayed.
func replayHistory(ctx context.Context, store uow.EventStore, code string, replay *whatif.Replay) (int, error) {
	head, err := store.Head(ctx)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type page struct {
		events []event.Recorded
		err    error
	}
	pages := make(chan page, 2)
	go func() {
		defer close(pages)
		for after := int64(0); after < head; {
			events, err := store.ReadAll(ctx, after, whatIfPage)
			if err == nil && len(events) == 0 {
				// A lower position is still committing; it will be readable
				// in a moment.
				select {
				case <-ctx.Done():
					err = ctx.Err()
				case <-time.After(5 * time.Millisecond):
					continue
				}
			}
			select {
			case pages <- page{events, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
			after = events[len(events)-1].Position
		}
	}()
	f := feeder{replay: replay, code: code, stream: catalogue.StandardStream(code),
		quoted: []byte(strconv.Quote(code)), cases: map[string]uuid.UUID{}}
	read := 0
	for p := range pages {
		if p.err != nil {
			return read, fmt.Errorf("read the history after %d events: %w", read, p.err)
		}
		for _, e := range p.events {
			if e.Position > head {
				break
			}
			read++
			if err := f.feed(e); err != nil {
				return read, err
			}
		}
	}
	return read, ctx.Err()
}

// feeder turns the events of the global order into a replay's inputs,
// decoding only what concerns the standard.
type feeder struct {
	replay *whatif.Replay
	code   string
	stream string               // the standard's own
	quoted []byte               // the code as a JSON string
	cases  map[string]uuid.UUID // case streams of the standard's cases
}

// openedFacts is what a replay reads of case.opened.
type openedFacts struct {
	CaseID       uuid.UUID `json:"case_id"`
	EmployeeID   uuid.UUID `json:"employee_id"`
	UnitID       uuid.UUID `json:"unit_id"`
	StandardCode string    `json:"standard_code"`
	Beneficiary  struct {
		Relation string `json:"relation"`
	} `json:"beneficiary"`
	ExpenseFen   int64 `json:"expense_fen"`
	RequestedFen int64 `json:"requested_fen"`
}

func (f *feeder) feed(e event.Recorded) error {
	at := e.Metadata.OccurredAt
	if at.IsZero() {
		at = e.RecordedAt
	}
	switch e.Type {
	case catalogue.TypeStandardPublished, catalogue.TypeStandardRevised:
		if e.Stream != f.stream {
			return nil
		}
		var p catalogue.StandardPublished
		if err := event.Decode(e, &p); err != nil {
			return err
		}
		f.replay.Version(p.Definition)
	case casework.TypeCaseOpened:
		if !bytes.Contains(e.Data, f.quoted) {
			return nil
		}
		p, err := decodeFast[openedFacts](e)
		if err != nil {
			return err
		}
		if p.StandardCode != f.code {
			return nil
		}
		f.cases[e.Stream] = p.CaseID
		f.replay.Opened(whatif.Facts{CaseID: p.CaseID, EmployeeID: p.EmployeeID, UnitID: p.UnitID,
			Beneficiary: catalogue.Beneficiary(p.Beneficiary.Relation), ExpenseFen: p.ExpenseFen, RequestedFen: p.RequestedFen})
	case casework.TypeCaseDocumentAdded:
		if id, ok := f.cases[e.Stream]; ok {
			p, err := decodeFast[documentFacts](e)
			if err != nil {
				return err
			}
			f.replay.DocumentAdded(id, p.Kind)
		}
	case casework.TypeCaseSubmitted:
		if id, ok := f.cases[e.Stream]; ok {
			p, err := decodeFast[submittedFacts](e)
			if err != nil {
				return err
			}
			f.replay.Submitted(id, at, p.StandardVersion, p.MaxPayableFen)
		}
	case casework.TypeCaseRejected:
		if id, ok := f.cases[e.Stream]; ok {
			f.replay.Rejected(id, at)
		}
	case casework.TypeCaseWithdrawn:
		if id, ok := f.cases[e.Stream]; ok {
			f.replay.Withdrawn(id, at)
		}
	case casework.TypeAidApproved:
		if !bytes.Contains(e.Data, f.quoted) {
			return nil
		}
		p, err := decodeFast[grantFacts](e)
		if err != nil {
			return err
		}
		if p.StandardCode != f.code {
			return nil
		}
		employee, year, err := parseLedgerStream(e.Stream)
		if err != nil {
			return fmt.Errorf("%s at position %d: %w", e.Type, e.Position, err)
		}
		f.replay.Granted(p.CaseID, employee, year, p.AmountFen, at)
	}
	return nil
}

// read takes one member of case.opened (see decodeFast).
func (p *openedFacts) read(key, v []byte) bool {
	switch string(key) {
	case "case_id":
		return setUUID(v, &p.CaseID)
	case "employee_id":
		return setUUID(v, &p.EmployeeID)
	case "unit_id":
		return setUUID(v, &p.UnitID)
	case "standard_code":
		return setString(v, &p.StandardCode)
	case "beneficiary":
		s := scanner{data: v}
		return s.object(func(key, v []byte) bool {
			if string(key) == "relation" {
				return setString(v, &p.Beneficiary.Relation)
			}
			return other(key, "relation")
		}, 1) && s.end()
	case "expense_fen":
		return setInt(v, &p.ExpenseFen)
	case "requested_fen":
		return setInt(v, &p.RequestedFen)
	}
	return other(key, "case_id", "employee_id", "unit_id", "standard_code", "beneficiary", "expense_fen", "requested_fen")
}

// documentFacts is what a replay reads of case.document_added.
type documentFacts struct {
	Kind string `json:"kind"`
}

func (p *documentFacts) read(key, v []byte) bool {
	if string(key) == "kind" {
		return setString(v, &p.Kind)
	}
	return other(key, "kind")
}

// submittedFacts is what a replay reads of case.submitted.
type submittedFacts struct {
	StandardVersion int   `json:"standard_version"`
	MaxPayableFen   int64 `json:"max_payable_fen"`
}

func (p *submittedFacts) read(key, v []byte) bool {
	switch string(key) {
	case "standard_version":
		return setSmallInt(v, &p.StandardVersion)
	case "max_payable_fen":
		return setInt(v, &p.MaxPayableFen)
	}
	return other(key, "standard_version", "max_payable_fen")
}

// grantFacts is what a replay reads of aid.approved.
type grantFacts casework.AidApproved

func (p *grantFacts) read(key, v []byte) bool {
	switch string(key) {
	case "case_id":
		return setUUID(v, &p.CaseID)
	case "standard_code":
		return setString(v, &p.StandardCode)
	case "amount_fen":
		return setInt(v, &p.AmountFen)
	}
	return other(key, "case_id", "standard_code", "amount_fen")
}

// parseLedgerStream reads the employee and year of an aid ledger's stream
// name (casework.AidLedgerStream): a UUID of fixed width, then the year.
func parseLedgerStream(stream string) (uuid.UUID, int, error) {
	const idLen = 36
	rest, ok := strings.CutPrefix(stream, "aid-ledger-")
	if ok && len(rest) > idLen+1 && rest[idLen] == '-' {
		id, idErr := uuid.Parse(rest[:idLen])
		year, yearErr := strconv.Atoi(rest[idLen+1:])
		if idErr == nil && yearErr == nil && casework.AidLedgerStream(id, year) == stream {
			return id, year, nil
		}
	}
	return uuid.Nil, 0, fmt.Errorf("stream %q is not an aid ledger", stream)
}
