package auth_test

import (
	"errors"
	"strings"
	"testing"

	"aidtrail/adapters/auth"
	"aidtrail/commands"
)

// cheap makes hashes fast enough for table tests and fuzzing; the product
// runs with the defaults.
var cheap = auth.Argon2idConfig{MemoryKiB: 64, Iterations: 1, Parallelism: 1, MaxMemoryKiB: 1024}

func newHasher(t testing.TB, cfg auth.Argon2idConfig) *auth.Argon2id {
	t.Helper()
	h, err := auth.NewArgon2id(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestArgon2idDefaultsRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHasher(t, auth.Argon2idConfig{})
	enc, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("encoding %q: want the PHC prefix with the default parameters", enc)
	}
	parts := strings.Split(enc, "$")
	if len(parts[4]) != 22 || len(parts[5]) != 43 { // 16 and 32 bytes, unpadded
		t.Errorf("salt %d chars, hash %d chars: want 22 and 43", len(parts[4]), len(parts[5]))
	}
	for _, tt := range []struct {
		password string
		want     bool
	}{
		{"correct horse battery staple", true},
		{"correct horse battery stapler", false},
		{"Correct horse battery staple", false},
		{"", false},
	} {
		ok, err := h.Verify(tt.password, enc)
		if err != nil || ok != tt.want {
			t.Errorf("Verify(%q) = %v, %v; want %v, nil", tt.password, ok, err, tt.want)
		}
	}
	again, err := h.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if again == enc {
		t.Error("two hashes of one password are equal: the salt is not fresh")
	}
	if h.NeedsRehash(enc) {
		t.Error("NeedsRehash of a hash made with the current parameters")
	}
}

func TestArgon2idParametersFromTheEncoding(t *testing.T) {
	t.Parallel()
	old := newHasher(t, auth.Argon2idConfig{MemoryKiB: 128, Iterations: 3, Parallelism: 2, SaltLen: 24, KeyLen: 16})
	enc, err := old.Hash("pässwörd 密码")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=128,t=3,p=2$") {
		t.Fatalf("encoding %q: want m=128,t=3,p=2", enc)
	}
	current := newHasher(t, cheap) // other parameters: Verify must take the encoding's
	if ok, err := current.Verify("pässwörd 密码", enc); !ok || err != nil {
		t.Errorf("Verify with other current parameters = %v, %v; want true, nil", ok, err)
	}
	if ok, err := current.Verify("passwort", enc); ok || err != nil {
		t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
	}
	if !current.NeedsRehash(enc) {
		t.Error("NeedsRehash = false for a hash made with other parameters")
	}
}

func TestArgon2idMalformed(t *testing.T) {
	t.Parallel()
	h := newHasher(t, cheap)
	good, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	p := strings.Split(good, "$") // "", argon2id, v=19, m=64,t=1,p=1, salt, hash
	salt, key := p[4], p[5]
	join := func(parts ...string) string { return strings.Join(parts, "$") }
	for name, enc := range map[string]string{
		"empty":               "",
		"no leading dollar":   strings.TrimPrefix(good, "$"),
		"missing hash":        join("", "argon2id", "v=19", "m=64,t=1,p=1", salt),
		"extra field":         good + "$x",
		"argon2i":             join("", "argon2i", "v=19", "m=64,t=1,p=1", salt, key),
		"bcrypt":              "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy",
		"version 16":          join("", "argon2id", "v=16", "m=64,t=1,p=1", salt, key),
		"no version":          join("", "argon2id", "m=64,t=1,p=1", salt, key),
		"params reordered":    join("", "argon2id", "v=19", "t=1,m=64,p=1", salt, key),
		"param missing":       join("", "argon2id", "v=19", "m=64,t=1", salt, key),
		"param extra":         join("", "argon2id", "v=19", "m=64,t=1,p=1,k=2", salt, key),
		"sign":                join("", "argon2id", "v=19", "m=+64,t=1,p=1", salt, key),
		"space":               join("", "argon2id", "v=19", "m= 64,t=1,p=1", salt, key),
		"hex":                 join("", "argon2id", "v=19", "m=0x40,t=1,p=1", salt, key),
		"m zero":              join("", "argon2id", "v=19", "m=0,t=1,p=1", salt, key),
		"m below 8 per lane":  join("", "argon2id", "v=19", "m=15,t=1,p=2", salt, key),
		"m over the ceiling":  join("", "argon2id", "v=19", "m=1025,t=1,p=1", salt, key),
		"m over 1 GiB":        join("", "argon2id", "v=19", "m=2097152,t=1,p=1", salt, key),
		"m over uint32":       join("", "argon2id", "v=19", "m=4294967296,t=1,p=1", salt, key),
		"t zero":              join("", "argon2id", "v=19", "m=64,t=0,p=1", salt, key),
		"t absurd":            join("", "argon2id", "v=19", "m=64,t=1000000,p=1", salt, key),
		"p zero":              join("", "argon2id", "v=19", "m=64,t=1,p=0", salt, key),
		"p over a byte":       join("", "argon2id", "v=19", "m=4096,t=1,p=257", salt, key),
		"salt padded":         join("", "argon2id", "v=19", "m=64,t=1,p=1", salt+"==", key),
		"salt url alphabet":   join("", "argon2id", "v=19", "m=64,t=1,p=1", "____________________", key),
		"salt short":          join("", "argon2id", "v=19", "m=64,t=1,p=1", "AAAAAAA", key),
		"salt empty":          join("", "argon2id", "v=19", "m=64,t=1,p=1", "", key),
		"hash not base64":     join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, strings.Repeat("!", 43)),
		"hash short":          join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, "AAAAAAAAAA"),
		"hash stray bits":     join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, key[:42]+"B"),
		"hash of 65 bytes":    join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, strings.Repeat("A", 87)),
		"not a hash at all":   "hunter2",
		"only dollars":        "$$$$$",
		"unicode in params":   join("", "argon2id", "v=19", "m=６４,t=1,p=1", salt, key),
		"nul in algorithm":    join("", "argon2id\x00", "v=19", "m=64,t=1,p=1", salt, key),
		"trailing whitespace": good + "\n",
	} {
		ok, err := h.Verify("pw", enc)
		if ok || !errors.Is(err, commands.ErrMalformedHash) {
			t.Errorf("%s: Verify = %v, %v; want false, ErrMalformedHash", name, ok, err)
		}
		if err != nil && enc != "" && len(enc) > 20 && strings.Contains(err.Error(), enc) {
			t.Errorf("%s: the error quotes the stored hash: %v", name, err)
		}
		if !h.NeedsRehash(enc) {
			t.Errorf("%s: NeedsRehash = false for a malformed hash", name)
		}
	}
}

func TestArgon2idConfigValidate(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]auth.Argon2idConfig{
		"memory over the ceiling": {MemoryKiB: 4096, MaxMemoryKiB: 2048},
		"iterations":              {Iterations: 17},
		"parallelism":             {Parallelism: 17},
		"salt short":              {SaltLen: 8},
		"key short":               {KeyLen: 8},
		"key long":                {KeyLen: 65},
	} {
		if _, err := auth.NewArgon2id(cfg); err == nil {
			t.Errorf("%s: NewArgon2id(%+v) accepted", name, cfg)
		}
	}
	_, err := auth.NewArgon2id(auth.Argon2idConfig{Iterations: 17, SaltLen: 8})
	if err == nil || !strings.Contains(err.Error(), "iterations") || !strings.Contains(err.Error(), "SaltLen") {
		t.Errorf("Validate = %v; want both problems reported", err)
	}
}

// FuzzVerify: no encoding or password may panic Verify or NeedsRehash, and
// whatever Verify accepts must have been well-formed.
func FuzzVerify(f *testing.F) {
	h := newHasher(f, cheap)
	good, err := h.Hash("pw")
	if err != nil {
		f.Fatal(err)
	}
	f.Add("pw", good)
	f.Add("", good)
	f.Add("pw", "$argon2id$v=19$m=1024,t=16,p=16$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("pw", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("pw", "$argon2id$v=19$m=99999999999,t=1,p=1$$")
	f.Add("pw", "$argon2id$v=19$m=64,t=1,p=255$AAAA$AAAA")
	f.Add("\x00", "$$$$$")
	f.Fuzz(func(t *testing.T, password, encoded string) {
		ok, err := h.Verify(password, encoded)
		if err != nil && (ok || !errors.Is(err, commands.ErrMalformedHash)) {
			t.Fatalf("Verify = %v, %v: errors must be ErrMalformedHash and never with true", ok, err)
		}
		_ = h.NeedsRehash(encoded)
	})
}
