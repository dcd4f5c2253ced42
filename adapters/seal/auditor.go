package seal

import (
	"context"
	"errors"

	"golang.org/x/mod/sumdb/note"

	"aidtrail/internal/sqldb"
)

// Auditor answers what auditors ask of the audit log of one store: a
// verification of the whole history, inclusion and extension proofs,
// and the public key the heads verify under. It is safe for concurrent
// use.
type Auditor struct {
	db       *sqldb.DB
	log      Log
	verifier note.Verifier
	public   string
	tiles    *tileCache // the upper tiles every proof reads
}

// NewAuditor returns the Auditor of the store whose tree db holds and
// whose events log delivers, checking heads under public.
func NewAuditor(db *sqldb.DB, log Log, public string) (*Auditor, error) {
	if db == nil || log == nil {
		return nil, errors.New("seal: an auditor needs the DB and the Log")
	}
	verifier, err := note.NewVerifier(public)
	if err != nil {
		return nil, err
	}
	return &Auditor{db: db, log: log, verifier: verifier, public: public, tiles: newTileCache()}, nil
}

// PublicKey is the key every signed head verifies under.
func (a *Auditor) PublicKey() string { return a.public }

// Verify checks the whole history (see Verify).
func (a *Auditor) Verify(ctx context.Context) (Report, error) {
	return Verify(ctx, a.db, a.log, a.verifier)
}

// Prove returns the inclusion proof of the event at position (see Prove).
func (a *Auditor) Prove(ctx context.Context, position int64) (Inclusion, error) {
	return prove(ctx, a.db, a.tiles, position)
}

// Consistency returns the proof that the latest head extends the head
// over from events (see Consistency).
func (a *Auditor) Consistency(ctx context.Context, from int64) (Extension, error) {
	return consistency(ctx, a.db, a.tiles, from)
}
