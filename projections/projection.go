package projections

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"aidtrail/domain/event"
	"aidtrail/internal/sqldb"
	"aidtrail/projections/readmodel"
)

// Projection, Table and Tx are defined in package readmodel, where the
// projections themselves find them.
type (
	Projection = readmodel.Projection
	Table      = readmodel.Table
	Tx         = readmodel.Tx
)

// physical is the name of table plain in generation gen.
func physical(plain string, gen int64) string { return fmt.Sprintf("%s_g%d", plain, gen) }

// namesOf returns the placeholder replacer of p's generation gen, cached:
// it is needed for every batch.
func namesOf(p Projection, gen int64) *strings.Replacer {
	key := fmt.Sprintf("%s#%d", p.Name(), gen)
	if r, ok := replacers.Load(key); ok {
		return r.(*strings.Replacer)
	}
	var pairs []string
	for _, t := range p.Tables() {
		pairs = append(pairs, "{"+t.Name+"}", physical(t.Name, gen))
	}
	r := strings.NewReplacer(pairs...)
	replacers.Store(key, r)
	return r
}

var replacers sync.Map // "name#gen" → *strings.Replacer

// bind returns tx as a Tx writing generation gen of p.
func bind(tx *sqldb.Tx, p Projection, gen int64) *Tx {
	return readmodel.NewTx(tx, namesOf(p, gen))
}

// safeApply turns a panic in p.Apply into an error, so that the
// transaction is rolled back rather than left open holding its locks.
func safeApply(ctx context.Context, tx *Tx, p Projection, e event.Recorded) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p.Apply(ctx, tx, e)
}
