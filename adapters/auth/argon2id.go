// Package auth holds the adapters of the first line of defence (system
// access): the Argon2id password hasher, and the SQL store of credentials,
// failed-login counts and sessions on PostgreSQL and the embedded SQLite
// database (through sqldb, tables from migration 0003).
package auth

import (
	"cmp"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"aidtrail/commands"
)

// Defaults follow OWASP's Password Storage Cheat Sheet for Argon2id: its
// first configuration, 19 MiB of memory, 2 passes, 1 lane. Memory is what
// makes guessing on GPUs and ASICs expensive; 19 MiB keeps one hash near
// 20-30 ms of one core, so a login stays well under a second and a server
// can afford many at once.
const (
	DefaultMemoryKiB   = 19 * 1024
	DefaultIterations  = 2
	DefaultParallelism = 1
	DefaultSaltLen     = 16
	DefaultKeyLen      = 32
)

// Bounds on the parameters of a stored hash. A hash outside them is refused
// (commands.ErrMalformedHash) rather than computed: a tampered row asking
// for gigabytes or thousands of passes would otherwise let one login
// attempt exhaust the server. The memory ceiling is
// Argon2idConfig.MaxMemoryKiB.
const (
	DefaultMaxMemoryKiB = 1 << 20 // 1 GiB
	maxIterations       = 16
	maxParallelism      = 16
	minSaltLen          = 8
	maxSaltLen          = 64
	minKeyLen           = 16
	maxKeyLen           = 64
)

// Argon2idConfig sets the parameters of new hashes. Raising them later is
// safe: existing hashes carry their own and keep verifying (see NeedsRehash).
type Argon2idConfig struct {
	MemoryKiB   uint32 // memory per hash, KiB
	Iterations  uint32 // passes over the memory
	Parallelism uint8  // lanes
	SaltLen     uint32 // bytes
	KeyLen      uint32 // bytes of hash output
	// MaxMemoryKiB is the most memory a stored hash may ask for; Verify
	// refuses one that asks for more. Default 1 GiB.
	MaxMemoryKiB uint32
	// MaxConcurrent bounds how many hashes (Hash or Verify) run at once;
	// callers beyond it wait their turn. Hashing is CPU-bound, so running
	// more than the cores at once only multiplies the memory held (each
	// hash holds MemoryKiB) without finishing any sooner. Default
	// GOMAXPROCS; negative means no bound.
	MaxConcurrent int
}

func (c *Argon2idConfig) setDefaults() {
	c.MemoryKiB = cmp.Or(c.MemoryKiB, DefaultMemoryKiB)
	c.Iterations = cmp.Or(c.Iterations, DefaultIterations)
	c.Parallelism = cmp.Or(c.Parallelism, DefaultParallelism)
	c.SaltLen = cmp.Or(c.SaltLen, DefaultSaltLen)
	c.KeyLen = cmp.Or(c.KeyLen, DefaultKeyLen)
	c.MaxMemoryKiB = cmp.Or(c.MaxMemoryKiB, DefaultMaxMemoryKiB)
	c.MaxConcurrent = cmp.Or(c.MaxConcurrent, runtime.GOMAXPROCS(0))
}

// Validate reports every problem with c, joined. New hashes must also pass
// the bounds Verify applies to stored ones.
func (c Argon2idConfig) Validate() error {
	var errs []error
	p := params{memory: c.MemoryKiB, iterations: c.Iterations, parallelism: c.Parallelism}
	if err := p.check(c.MaxMemoryKiB); err != nil {
		errs = append(errs, fmt.Errorf("argon2id config: %w", err))
	}
	if c.SaltLen < DefaultSaltLen || c.SaltLen > maxSaltLen {
		errs = append(errs, fmt.Errorf("argon2id config: SaltLen %d, want %d..%d", c.SaltLen, DefaultSaltLen, maxSaltLen))
	}
	if c.KeyLen < minKeyLen || c.KeyLen > maxKeyLen {
		errs = append(errs, fmt.Errorf("argon2id config: KeyLen %d, want %d..%d", c.KeyLen, minKeyLen, maxKeyLen))
	}
	return errors.Join(errs...)
}

// Argon2id is the PasswordHasher. It is safe for concurrent use.
type Argon2id struct {
	cfg   Argon2idConfig
	slots chan struct{} // nil: no bound on concurrent hashes
}

var _ commands.PasswordHasher = (*Argon2id)(nil)

// NewArgon2id returns a hasher making new hashes with cfg, zero fields
// taking the defaults.
func NewArgon2id(cfg Argon2idConfig) (*Argon2id, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	h := &Argon2id{cfg: cfg}
	if cfg.MaxConcurrent > 0 {
		h.slots = make(chan struct{}, cfg.MaxConcurrent)
	}
	return h, nil
}

// Hash returns `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`,
// salt and hash in unpadded standard base64 (the PHC string format).
func (h *Argon2id) Hash(password string) (string, error) {
	salt := make([]byte, h.cfg.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("argon2id: salt: %w", err)
	}
	p := params{memory: h.cfg.MemoryKiB, iterations: h.cfg.Iterations, parallelism: h.cfg.Parallelism}
	key := h.derive(password, salt, p, h.cfg.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version,
		p.memory, p.iterations, p.parallelism,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify checks password against encoded with the parameters, salt and
// output length encoded gives, comparing in constant time.
func (h *Argon2id) Verify(password, encoded string) (bool, error) {
	d, err := decode(encoded, h.cfg.MaxMemoryKiB)
	if err != nil {
		return false, err
	}
	key := h.derive(password, d.salt, d.params, uint32(len(d.key)))
	return subtle.ConstantTimeCompare(key, d.key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// the current ones, so that a login that has just verified the password can
// store a fresh hash. A malformed encoding needs one too.
func (h *Argon2id) NeedsRehash(encoded string) bool {
	d, err := decode(encoded, h.cfg.MaxMemoryKiB)
	if err != nil {
		return true
	}
	return d.params != params{memory: h.cfg.MemoryKiB, iterations: h.cfg.Iterations, parallelism: h.cfg.Parallelism} ||
		len(d.salt) != int(h.cfg.SaltLen) || len(d.key) != int(h.cfg.KeyLen)
}

func (h *Argon2id) derive(password string, salt []byte, p params, keyLen uint32) []byte {
	if h.slots != nil {
		h.slots <- struct{}{}
		defer func() { <-h.slots }()
	}
	return argon2.IDKey([]byte(password), salt, p.iterations, p.memory, p.parallelism, keyLen)
}

// b64 is the PHC encoding: standard alphabet, no padding, and (Strict) no
// stray bits, so each hash has exactly one spelling.
var b64 = base64.RawStdEncoding.Strict()

// decodeB64 decodes s, refusing any byte outside the alphabet (the decoder
// itself skips line breaks).
func decodeB64(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/') {
			return nil, errors.New("byte outside the base64 alphabet")
		}
	}
	return b64.DecodeString(s)
}

type params struct {
	memory      uint32
	iterations  uint32
	parallelism uint8
}

func (p params) check(maxMemoryKiB uint32) error {
	var errs []error
	if p.parallelism < 1 || p.parallelism > maxParallelism {
		errs = append(errs, fmt.Errorf("parallelism %d, want 1..%d", p.parallelism, maxParallelism))
	}
	// Argon2 needs at least 8 KiB per lane.
	if p.memory < 8*uint32(max(p.parallelism, 1)) || p.memory > maxMemoryKiB {
		errs = append(errs, fmt.Errorf("memory %d KiB, want %d..%d", p.memory, 8*uint32(max(p.parallelism, 1)), maxMemoryKiB))
	}
	if p.iterations < 1 || p.iterations > maxIterations {
		errs = append(errs, fmt.Errorf("iterations %d, want 1..%d", p.iterations, maxIterations))
	}
	return errors.Join(errs...)
}

type decoded struct {
	params params
	salt   []byte
	key    []byte
}

// decode parses a PHC string strictly. Its errors match
// commands.ErrMalformedHash and never quote the hash.
func decode(encoded string, maxMemoryKiB uint32) (decoded, error) {
	bad := func(format string, args ...any) (decoded, error) {
		return decoded{}, fmt.Errorf("%w: argon2id: %s", commands.ErrMalformedHash, fmt.Sprintf(format, args...))
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("want 5 $-separated fields, got %d", len(parts)-1)
	}
	if parts[1] != "argon2id" {
		return bad("algorithm %.20q", parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("version %.20q, want v=%d", parts[2], argon2.Version)
	}
	var p params
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return bad("parameters: want m=,t=,p=")
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return bad("parameter %d: want %s=", i+1, name)
		}
		n, err := parseUint(v)
		if err != nil {
			return bad("parameter %s: %v", name, err)
		}
		switch name {
		case "m":
			p.memory = n
		case "t":
			p.iterations = n
		case "p":
			if n > maxParallelism {
				return bad("parallelism %d, want 1..%d", n, maxParallelism)
			}
			p.parallelism = uint8(n)
		}
	}
	if err := p.check(maxMemoryKiB); err != nil {
		return bad("%v", err)
	}
	salt, err := decodeB64(parts[4])
	if err != nil {
		return bad("salt: not unpadded base64")
	}
	if len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return bad("salt of %d bytes, want %d..%d", len(salt), minSaltLen, maxSaltLen)
	}
	key, err := decodeB64(parts[5])
	if err != nil {
		return bad("hash: not unpadded base64")
	}
	if len(key) < minKeyLen || len(key) > maxKeyLen {
		return bad("hash of %d bytes, want %d..%d", len(key), minKeyLen, maxKeyLen)
	}
	return decoded{params: p, salt: salt, key: key}, nil
}

// parseUint reads a decimal uint32 of digits only (no sign, no spaces, at
// most 10 digits).
func parseUint(s string) (uint32, error) {
	if s == "" || len(s) > 10 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, errors.New("not a decimal number")
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, errors.New("out of range")
	}
	return uint32(n), nil
}
