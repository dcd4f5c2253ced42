package payment

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"
)

// Bank files are evidence: every file exported for the bank and every
// results file reconciled is recorded in a stream named after its SHA-256,
// with the payments it names, so that a payment's trail says which file
// it left in and which file settled it, and the file itself can be
// checked against the hash later.
const (
	TypeBankFileExported   = "bank_file.exported"
	TypeBankFileReconciled = "bank_file.reconciled"
)

const bankFilePrefix = "bank-file-"

// BankFileStream is the stream of the bank file whose SHA-256 is
// sha256Hex (64 lowercase hex digits).
func BankFileStream(sha256Hex string) string { return bankFilePrefix + sha256Hex }

// ParseBankFileStream returns the SHA-256 of the bank file whose stream is
// stream, or an error.
func ParseBankFileStream(stream string) (string, error) {
	sum, ok := strings.CutPrefix(stream, bankFilePrefix)
	if !ok || !IsSHA256(sum) {
		return "", fmt.Errorf("stream %q is not a bank file's stream", stream)
	}
	return sum, nil
}

// IsSHA256 reports whether s is a SHA-256 in 64 lowercase hex digits.
func IsSHA256(s string) bool {
	if len(s) != 64 || strings.ToLower(s) != s {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

// BankFileExported is the payload of bank_file.exported: a file for the
// bank of UnitID's subtree, holding Payments for TotalFen in all.
type BankFileExported struct {
	SHA256   string      `json:"sha256"`
	UnitID   uuid.UUID   `json:"unit_id"`
	Payments []uuid.UUID `json:"payments"`
	TotalFen int64       `json:"total_fen"`
}

// BankFileReconciled is the payload of bank_file.reconciled: the bank's
// results file, whose rows settled Payments.
type BankFileReconciled struct {
	SHA256   string      `json:"sha256"`
	Payments []uuid.UUID `json:"payments"`
}
