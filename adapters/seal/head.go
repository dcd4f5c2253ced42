package seal

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// KeyName names the installation's signing key in its notes.
const KeyName = "aidtrail"

// headTitle opens every signed tree head's text.
const headTitle = "aidtrail audit log"

// Head is a signed tree head: the first Size events of the global order,
// the last of them at LastPosition, hash to Root.
type Head struct {
	Size         int64
	Root         tlog.Hash
	LastPosition int64
	// Signed is the signed note the head was read from (or written as).
	Signed []byte
}

// text is what the key signs.
func (h Head) text() string {
	return fmt.Sprintf("%s\n%d\n%s\n%d\n", headTitle, h.Size, base64.StdEncoding.EncodeToString(h.Root[:]), h.LastPosition)
}

// sign returns h signed by signer.
func sign(h Head, signer note.Signer) (Head, error) {
	msg, err := note.Sign(&note.Note{Text: h.text()}, signer)
	if err != nil {
		return Head{}, fmt.Errorf("seal: sign the tree head: %w", err)
	}
	h.Signed = msg
	return h, nil
}

// ErrBadHead: a stored tree head whose signature does not verify under
// the public key given, or whose text is not a tree head.
var ErrBadHead = errors.New("tree head does not verify")

// OpenHead checks signed under verifier and reads the head it signs.
func OpenHead(signed []byte, verifier note.Verifier) (Head, error) {
	n, err := note.Open(signed, note.VerifierList(verifier))
	if err != nil {
		return Head{}, fmt.Errorf("%w: %v", ErrBadHead, err)
	}
	return parseHead(n.Text, signed)
}

// readHead reads the head a signed note states without checking its
// signature: for the service's own use of heads it stored.
func readHead(signed []byte) (Head, error) {
	text, _, ok := strings.Cut(string(signed), "\n\n")
	if !ok {
		return Head{}, fmt.Errorf("%w: not a signed note", ErrBadHead)
	}
	return parseHead(text+"\n", signed)
}

func parseHead(text string, signed []byte) (Head, error) {
	lines := strings.Split(text, "\n")
	if len(lines) != 5 || lines[0] != headTitle || lines[4] != "" {
		return Head{}, fmt.Errorf("%w: not an aidtrail tree head", ErrBadHead)
	}
	size, err1 := strconv.ParseInt(lines[1], 10, 64)
	root, err2 := base64.StdEncoding.DecodeString(lines[2])
	last, err3 := strconv.ParseInt(lines[3], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || size < 1 || len(root) != tlog.HashSize {
		return Head{}, fmt.Errorf("%w: malformed tree head", ErrBadHead)
	}
	h := Head{Size: size, LastPosition: last, Signed: bytes.Clone(signed)}
	copy(h.Root[:], root)
	return h, nil
}

// NewKey returns a new signing key and its public half, as note encodes
// them ("PRIVATE+KEY+aidtrail+…" and "aidtrail+…").
func NewKey() (private, public string, err error) {
	return note.GenerateKey(rand.Reader, KeyName)
}

// LoadOrCreateKeyFile reads the signing key at path, creating it (mode
// 0600) when the file does not exist. It returns the signer and the
// public key an auditor verifies heads with.
func LoadOrCreateKeyFile(path string) (note.Signer, string, error) {
	content, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		private, _, gErr := NewKey()
		if gErr != nil {
			return nil, "", gErr
		}
		f, cErr := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if cErr != nil {
			return nil, "", fmt.Errorf("seal: create the signing key %s: %w", path, cErr)
		}
		_, wErr := f.WriteString(private + "\n")
		if err := errors.Join(wErr, f.Sync(), f.Close()); err != nil {
			return nil, "", fmt.Errorf("seal: write the signing key %s: %w", path, err)
		}
		content = []byte(private)
	} else if err != nil {
		return nil, "", fmt.Errorf("seal: read the signing key: %w", err)
	}
	return ParseKey(strings.TrimSpace(string(content)))
}

// ParseKey reads a private signing key and derives its public key.
func ParseKey(private string) (note.Signer, string, error) {
	signer, err := note.NewSigner(private)
	if err != nil {
		return nil, "", fmt.Errorf("seal: the signing key is not a note signing key: %w", err)
	}
	public, err := publicOf(private)
	if err != nil {
		return nil, "", err
	}
	return signer, public, nil
}

// publicOf derives the verifier key of a note private key
// ("PRIVATE+KEY+name+hash+base64(0x01 ‖ Ed25519 seed)").
func publicOf(private string) (string, error) {
	parts := strings.SplitN(private, "+", 5) // the key's base64 may hold "+"
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("seal: malformed signing key")
	}
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize || raw[0] != 1 {
		return "", errors.New("seal: the signing key is not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}
