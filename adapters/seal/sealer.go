package seal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
)

// Log is the global order the sealer follows: the event store's ReadAll,
// which never returns an event while a lower position may still commit.
type Log interface {
	ReadAll(ctx context.Context, after int64, limit int) ([]event.Recorded, error)
}

// Config is what a Sealer needs.
type Config struct {
	DB     *sqldb.DB   // where the tree and the heads are kept
	Log    Log         // the events to seal
	Signer note.Signer // the installation's key
	// Every is how often Run seals what is new and signs a head; 2 s when
	// zero.
	Every  time.Duration
	Logger *slog.Logger
}

// Sealer adds events to the tree in their global order and signs tree
// heads. One Sealer per database: it is safe for concurrent use, but a
// second sealing process only wastes work (its adds conflict and are
// retried).
type Sealer struct {
	cfg Config
	mu  sync.Mutex // one sealing pass at a time
}

// New returns a Sealer, refusing a missing part.
func New(cfg Config) (*Sealer, error) {
	if cfg.DB == nil || cfg.Log == nil || cfg.Signer == nil {
		return nil, errors.New("seal: a DB, a Log and a Signer are required")
	}
	if cfg.Every <= 0 {
		cfg.Every = 2 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Sealer{cfg: cfg}, nil
}

// Run seals what is new every cfg.Every until ctx ends. A failed pass is
// logged and tried again at the next tick: nothing half-sealed stays.
func (s *Sealer) Run(ctx context.Context) error {
	t := time.NewTicker(s.cfg.Every)
	defer t.Stop()
	for {
		if _, err := s.Seal(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Warn("audit seal: pass failed; trying again", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// readPage is how many events one read of the log asks for; sealBatch
// about how many events one transaction seals (a few pages: fewer
// transactions, each rereading fewer stored hashes).
const (
	readPage  = 1000
	sealBatch = 10 * readPage
)

// Seal adds every event the log can deliver now and, if the tree grew,
// signs a head over it, which it returns (the latest head when nothing
// was new; the zero Head on an empty log).
func (s *Sealer) Seal(ctx context.Context) (Head, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	size, last, err := sealedSize(ctx, s.cfg.DB)
	if err != nil {
		return Head{}, err
	}
	grew := false
	for end := false; !end; {
		recs := make([]event.Recorded, 0, sealBatch)
		for !end && len(recs) < sealBatch {
			page, err := s.cfg.Log.ReadAll(ctx, last, readPage)
			if err != nil {
				return Head{}, fmt.Errorf("seal: read the log after %d: %w", last, err)
			}
			if len(page) > 0 {
				recs = append(recs, page...)
				last = page[len(page)-1].Position
			}
			// A short page is the log's end for now: asking again would
			// only wait on appends in flight.
			end = len(page) < readPage
		}
		if len(recs) == 0 {
			break
		}
		if err := s.add(ctx, size, recs); err != nil {
			return Head{}, err
		}
		size += int64(len(recs))
		grew = true
	}
	latest, err := LatestHead(ctx, s.cfg.DB)
	if err != nil && !errors.Is(err, ErrNoHead) {
		return Head{}, err
	}
	if size == 0 || !grew && latest.Size == size {
		return latest, nil
	}
	root, err := tlog.TreeHash(size, newTileReader(ctx, s.cfg.DB, false))
	if err != nil {
		return Head{}, fmt.Errorf("seal: tree hash: %w", err)
	}
	head, err := sign(Head{Size: size, Root: root, LastPosition: last}, s.cfg.Signer)
	if err != nil {
		return Head{}, err
	}
	_, err = s.cfg.DB.Exec(ctx, "INSERT INTO seal_heads (size, signed, signed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
		head.Size, string(head.Signed), time.Now().UnixMilli())
	if err != nil {
		return Head{}, fmt.Errorf("seal: store the tree head: %w", err)
	}
	return head, nil
}

// add seals recs as leaves size, size+1, … in one transaction: their
// runs of positions and the tiles the tree's growth changes.
func (s *Sealer) add(ctx context.Context, size int64, recs []event.Recorded) error {
	pending := make(map[int64]tlog.Hash, 2*len(recs))
	stored := newTileReader(ctx, s.cfg.DB, true)
	reader := tlog.HashReaderFunc(func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, x := range indexes {
			h, ok := pending[x]
			if !ok {
				missing = append(missing, x)
				continue
			}
			out[i] = h
		}
		if len(missing) == 0 {
			return out, nil
		}
		found, err := stored.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		for i, j := 0, 0; i < len(indexes); i++ {
			if _, ok := pending[indexes[i]]; !ok {
				out[i] = found[j]
				j++
			}
		}
		return out, nil
	})
	for i, r := range recs {
		n := size + int64(i)
		hashes, err := tlog.StoredHashes(n, event.LeafBytes(r), reader)
		if err != nil {
			return fmt.Errorf("seal: hashes of leaf %d: %w", n, err)
		}
		for k, h := range hashes {
			pending[tlog.StoredHashIndex(0, n)+int64(k)] = h
		}
	}
	return s.cfg.DB.InTx(ctx, func(tx *sqldb.Tx) error {
		if err := insertRuns(ctx, tx, runsOf(size, recs)); err != nil {
			return fmt.Errorf("seal: leaves from %d: %w", size, err)
		}
		if err := writeTiles(ctx, tx, size, size+int64(len(recs)), reader); err != nil {
			return fmt.Errorf("seal: hashes of leaves from %d: %w", size, err)
		}
		return nil
	})
}

// ErrNoHead: no tree head has been signed yet.
var ErrNoHead = errors.New("no tree head has been signed yet")

// LatestHead returns the latest stored head, its signature unchecked
// (Verify checks heads against the public key).
func LatestHead(ctx context.Context, db *sqldb.DB) (Head, error) {
	var signed string
	err := db.QueryRow(ctx, "SELECT signed FROM seal_heads ORDER BY size DESC LIMIT 1").Scan(&signed)
	if errors.Is(err, sql.ErrNoRows) {
		return Head{}, ErrNoHead
	}
	if err != nil {
		return Head{}, fmt.Errorf("seal: read the latest head: %w", err)
	}
	return readHead([]byte(signed))
}
