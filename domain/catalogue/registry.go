package catalogue

import "github.com/google/uuid"

// The registry of standards lists every code ever published, so that the
// catalogue is read from the event store alone: one catalogue.listed event
// per published standard, written in the same transaction as its
// standard.published. Stored names; never change them.
const (
	CatalogueStream     = "catalogue"
	TypeCatalogueListed = "catalogue.listed"
)

// CatalogueListed is the payload of catalogue.listed.
type CatalogueListed struct {
	Code        string    `json:"code"`
	OwnerUnitID uuid.UUID `json:"owner_unit_id"`
}
