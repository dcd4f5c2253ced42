package seal

import (
	"context"
	"fmt"
	"strings"

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
// is not safe for concurrent use.
type tileReader struct {
	ctx   context.Context
	db    *sqldb.DB
	cache map[tileKey][]byte // nil: read every time
}

func newTileReader(ctx context.Context, db *sqldb.DB, cached bool) *tileReader {
	r := &tileReader{ctx: ctx, db: db}
	if cached {
		r.cache = map[tileKey][]byte{}
	}
	return r
}

// ReadHashes implements tlog.HashReader.
func (r *tileReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	tiles := make([]tlog.Tile, len(indexes))
	var need []tileKey
	for i, x := range indexes {
		tiles[i] = tlog.TileForIndex(tileHeight, x)
		k := tileKey{tiles[i].L, tiles[i].N}
		if _, ok := r.cache[k]; !ok && !containsKey(need, k) {
			need = append(need, k)
		}
	}
	found, err := r.load(need)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		t := tiles[i]
		data, ok := found[tileKey{t.L, t.N}]
		if !ok {
			data = r.cache[tileKey{t.L, t.N}]
		}
		if len(data)/tlog.HashSize < t.W {
			return nil, fmt.Errorf("seal: stored hash %d is missing", x)
		}
		t.W = len(data) / tlog.HashSize
		if out[i], err = tlog.HashFromTile(t, data, x); err != nil {
			return nil, fmt.Errorf("seal: stored hash %d: %w", x, err)
		}
	}
	return out, nil
}

func containsKey(keys []tileKey, k tileKey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// maxTilesPerQuery bounds the tiles one statement names.
const maxTilesPerQuery = 100

// load reads the tiles keys names, in as few statements as it can, and
// caches them when r caches.
func (r *tileReader) load(keys []tileKey) (map[tileKey][]byte, error) {
	found := make(map[tileKey][]byte, len(keys))
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
			return nil, fmt.Errorf("seal: read stored hashes: %w", err)
		}
		for rows.Next() {
			var k tileKey
			var data []byte
			if err := rows.Scan(&k.level, &k.idx, &data); err != nil {
				rows.Close()
				return nil, err
			}
			found[k] = data
			if r.cache != nil {
				r.cache[k] = data
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return found, nil
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
