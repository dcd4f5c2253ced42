package seal

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/internal/sqldb"
)

// The tree's hashes are kept as tlog tiles (table seal_tiles): a tile of
// level L and index N holds the hashes of tree level L×tileHeight for up
// to 2^tileHeight adjacent subtrees, from the N×2^tileHeight-th on; every
// hash between those levels is recomputed from them (tlog.HashFromTile).
// Sealing a batch of leaves thus writes a row per 16 leaves or so, and a
// tile still filling up is replaced by its wider self.
//
// Height 4 keeps a tile at 512 bytes, stored inline by both engines, and
// lets a change hidden by a rewritten leaf hash be placed within 16
// events (firstDivergence).
const tileHeight = 4

// tileKey names a stored tile.
type tileKey struct {
	level int
	idx   int64
}

// tileReader reads stored hashes out of the tiles of db. With a cache it
// keeps every tile it read, for callers that ask for many hashes in a
// short while (a bundle's proofs, a batch being sealed); a cached reader
// is not safe for concurrent use. It may also consult a tileCache shared
// by many readers (an Auditor's proofs).
//
// A cached tile narrower than a hash asks for is read again: a stored
// tile is only ever replaced by a wider one, whose hashes begin with the
// narrower one's.
type tileReader struct {
	ctx    context.Context
	db     *sqldb.DB
	cache  map[tileKey][]byte // nil: read every time
	shared *tileCache         // nil: none
}

func newTileReader(ctx context.Context, db *sqldb.DB, cached bool) *tileReader {
	r := &tileReader{ctx: ctx, db: db}
	if cached {
		r.cache = map[tileKey][]byte{}
	}
	return r
}

// tileCache keeps, for the proofs an Auditor serves, every tile they
// read but the full ones of level 0; it is safe for concurrent use.
//
// Every proof reads a tile or two per level of tiles: the one on its
// leaf's path and, at the tree's right edge, the last one, which is
// partial. Above level 0 there are few (some 4,200 tiles, 2 MiB, at a
// million events) and every proof shares the upper ones; full level-0
// tiles, one per 16 events, are seldom shared by proofs of random
// events, so a proof reads its own with its leaf (see prove).
//
// A cached tile stays what the store held: a store altered behind the
// sealer's back is Verify's to find, and a proof built from the cache
// still checks against the signed head it names.
type tileCache struct {
	mu    sync.RWMutex
	tiles map[tileKey][]byte
}

// maxCachedTiles bounds a tileCache (32 MiB of tiles, the upper levels
// of a tree of some 250 million events); past it the cache keeps what it
// has and reads the rest each time.
const maxCachedTiles = 1 << 16

func newTileCache() *tileCache { return &tileCache{tiles: map[tileKey][]byte{}} }

func (c *tileCache) get(k tileKey) []byte {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.tiles[k]
}

// keep caches a tile read from the store, unless it is a full one of
// level 0 (then the partial one it was, if cached, goes) or no wider
// than the one cached.
func (c *tileCache) keep(k tileKey, data []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if k.level == 0 && len(data) == tlog.HashSize<<tileHeight {
		delete(c.tiles, k)
		return
	}
	if old, ok := c.tiles[k]; ok && len(old) >= len(data) || !ok && len(c.tiles) >= maxCachedTiles {
		return
	}
	c.tiles[k] = data
}

// ReadHashes implements tlog.HashReader.
func (r *tileReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	tiles := make([]tlog.Tile, len(indexes))
	width := map[tileKey]int{} // the hashes each tile must hold
	for i, x := range indexes {
		tiles[i] = tlog.TileForIndex(tileHeight, x)
		k := tileKey{tiles[i].L, tiles[i].N}
		width[k] = max(width[k], tiles[i].W)
	}
	found := make(map[tileKey][]byte, len(width))
	var need []tileKey
	for k, w := range width {
		if data := r.cached(k); len(data) >= w*tlog.HashSize {
			found[k] = data
		} else {
			need = append(need, k)
		}
	}
	if err := r.load(need, found); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		t := tiles[i]
		data := found[tileKey{t.L, t.N}]
		if len(data)/tlog.HashSize < t.W {
			return nil, fmt.Errorf("seal: stored hash %d is missing", x)
		}
		t.W = len(data) / tlog.HashSize
		var err error
		if out[i], err = tlog.HashFromTile(t, data, x); err != nil {
			return nil, fmt.Errorf("seal: stored hash %d: %w", x, err)
		}
	}
	return out, nil
}

// cached returns a tile from the reader's own cache or the shared one,
// the wider of the two; nil if neither holds it.
func (r *tileReader) cached(k tileKey) []byte {
	data := r.cache[k]
	if r.shared != nil {
		if s := r.shared.get(k); len(s) > len(data) {
			data = s
		}
	}
	return data
}

// maxTilesPerQuery bounds the tiles one statement names.
const maxTilesPerQuery = 100

// load reads the tiles keys names into found, in as few statements as
// it can, and caches them where r caches.
func (r *tileReader) load(keys []tileKey, found map[tileKey][]byte) error {
	for start := 0; start < len(keys); start += maxTilesPerQuery {
		part := keys[start:min(start+maxTilesPerQuery, len(keys))]
		var where strings.Builder
		args := make([]any, 0, 2*len(part))
		for i, k := range part {
			if i > 0 {
				where.WriteString(" OR ")
			}
			fmt.Fprintf(&where, "level = $%d AND idx = $%d", 2*i+1, 2*i+2)
			args = append(args, k.level, k.idx)
		}
		rows, err := r.db.Query(r.ctx, "SELECT level, idx, hashes FROM seal_tiles WHERE "+where.String(), args...)
		if err != nil {
			return fmt.Errorf("seal: read stored hashes: %w", err)
		}
		for rows.Next() {
			var k tileKey
			var data []byte
			if err := rows.Scan(&k.level, &k.idx, &data); err != nil {
				rows.Close()
				return err
			}
			found[k] = data
			if r.cache != nil {
				r.cache[k] = data
			}
			if r.shared != nil {
				r.shared.keep(k, data)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// levelHashes reads the stored hashes of tree level tileLevel×tileHeight
// with indexes from, from+1, … (at most count; fewer when fewer are
// stored), from the tiles of that level.
func levelHashes(ctx context.Context, db *sqldb.DB, tileLevel int, from, count int64) ([]tlog.Hash, error) {
	if count <= 0 {
		return nil, nil
	}
	rows, err := db.Query(ctx, "SELECT idx, hashes FROM seal_tiles WHERE level = $1 AND idx >= $2 AND idx <= $3 ORDER BY idx",
		tileLevel, from>>tileHeight, (from+count-1)>>tileHeight)
	if err != nil {
		return nil, fmt.Errorf("seal: read stored hashes: %w", err)
	}
	defer rows.Close()
	var out []tlog.Hash
	for rows.Next() {
		var idx int64
		var data []byte
		if err := rows.Scan(&idx, &data); err != nil {
			return nil, err
		}
		for k := range int64(len(data) / tlog.HashSize) {
			x := idx<<tileHeight + k
			if x != from+int64(len(out)) || x >= from+count {
				continue
			}
			out = append(out, tlog.Hash(data[k*tlog.HashSize:(k+1)*tlog.HashSize]))
		}
	}
	return out, rows.Err()
}

// writeTiles stores the tiles tlog.NewTiles names for the tree's growth
// from oldSize to newSize leaves, their hashes read from r. A stored tile
// is only ever replaced by a wider one.
func writeTiles(ctx context.Context, tx *sqldb.Tx, oldSize, newSize int64, r tlog.HashReader) error {
	tiles := tlog.NewTiles(tileHeight, oldSize, newSize)
	rows := make([][]any, len(tiles))
	for i, t := range tiles {
		data, err := tlog.ReadTileData(t, r)
		if err != nil {
			return fmt.Errorf("seal: tile %s: %w", t.Path(), err)
		}
		rows[i] = []any{t.L, t.N, t.W, data}
	}
	return insertRows(ctx, tx, "seal_tiles (level, idx, width, hashes)",
		" ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, hashes = excluded.hashes WHERE seal_tiles.width < excluded.width", rows)
}

// insertRows inserts rows into table (its columns named) with multi-row
// statements, each followed by suffix.
func insertRows(ctx context.Context, tx *sqldb.Tx, table, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, maxParams/len(rows[0]))
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		var b strings.Builder
		args := make([]any, 0, len(part)*len(part[0]))
		for i, row := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(")
			for j, v := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&b, "$%d", len(args))
			}
			b.WriteString(")")
		}
		if _, err := tx.Exec(ctx, "INSERT INTO "+table+" VALUES "+b.String()+suffix, args...); err != nil {
			return err
		}
	}
	return nil
}

// maxParams bounds the values one statement binds (SQLite allows 32,766).
const maxParams = 500
