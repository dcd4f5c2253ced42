package storetest

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// bugs switches on faults in the test fake, each a way a real adapter could
// break the EventStore contract.
type bugs struct {
	ignoreExpected    bool // appends whatever the stream's version
	noIdempotency     bool // a retried append writes its events again
	noValidation      bool // skips event.ValidateAppend
	halfWriteOnCancel bool // a cancelled append keeps its first half
	readPastInFlight  bool // ReadAll and Subscribe pass positions still in flight
	headAhead         bool // Head reports the last position handed out
	subscribeSkips    bool // Subscribe drops some events
	subscribeRepeats  bool // Subscribe starts at the position after, not past it
	subscribeNilErr   bool // Subscribe returns nil instead of fn's or ctx's error
	ignoreFrom        bool // ReadStream returns the whole stream whatever from is
	ignoreRequire     bool // Commit ignores its requirements
	commitNotAtomic   bool // a refused Commit keeps the appends checked before the refusal
}

// brokenStores names each fault and the suite tests that must catch it.
var brokenStores = map[string]struct {
	bugs  bugs
	catch []string
}{
	"ignore-expected-version": {bugs{ignoreExpected: true}, []string{"ExpectedVersion", "ConcurrentSameVersion"}},
	"no-idempotency":          {bugs{noIdempotency: true}, []string{"IdempotentRetry", "CommitIdempotency"}},
	"no-validation":           {bugs{noValidation: true}, []string{"InvalidAppend", "CommitValidation"}},
	"half-write-on-cancel":    {bugs{halfWriteOnCancel: true}, []string{"CancelledContext"}},
	"read-past-in-flight":     {bugs{readPastInFlight: true}, []string{"OutOfOrderCommit", "YoungerHoldsLower", "WritersWithSubscriber", "InterleavedAppends"}},
	"head-ahead":              {bugs{headAhead: true}, []string{"OutOfOrderCommit", "YoungerHoldsLower"}},
	"subscribe-skips":         {bugs{subscribeSkips: true}, []string{"SubscribeReturns", "WritersWithSubscriber", "InterleavedAppends", "SubscriberRestarts"}},
	"subscribe-repeats":       {bugs{subscribeRepeats: true}, []string{"SubscribeReturns", "SubscriberRestarts"}},
	"subscribe-nil-error":     {bugs{subscribeNilErr: true}, []string{"SubscribeReturns", "SubscriberRestarts"}},
	"readstream-ignores-from": {bugs{ignoreFrom: true}, []string{"RoundTrip"}},
	// The race catches it only when the scheduler interleaves the two
	// writers the wrong way, so only the deterministic test is required to.
	"commit-ignores-require": {bugs{ignoreRequire: true}, []string{"CommitRequirements"}},
	"commit-not-atomic":      {bugs{commitNotAtomic: true}, []string{"CommitAtomicity"}},
}

const brokenEnv = "STORETEST_BROKEN_STORE"

// TestSuiteCatchesBrokenStores runs each suite test that should catch a
// fault against the faulty fake, in a child process (a failing *testing.T
// cannot be contained in-process), and requires that test to fail, by an
// assertion rather than a crash or a hang.
func TestSuiteCatchesBrokenStores(t *testing.T) {
	if os.Getenv(brokenEnv) != "" {
		t.Skip("running as a child")
	}
	for name, b := range brokenStores {
		for _, test := range b.catch {
			t.Run(name+"/"+test, func(t *testing.T) {
				t.Parallel()
				args := []string{"-test.run=^TestBrokenStore$/^" + test + "$", "-test.v", "-test.timeout=5m"}
				if testing.Short() {
					args = append(args, "-test.short")
				}
				cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
				cmd.Env = append(os.Environ(), brokenEnv+"="+name)
				out, err := cmd.CombinedOutput()
				text := string(out)
				if err == nil {
					t.Fatalf("suite test %s passed against a store with fault %q:\n%s", test, name, text)
				}
				if strings.Contains(text, "panic:") || strings.Contains(text, "test timed out") {
					t.Fatalf("suite test %s crashed or hung instead of failing:\n%s", test, text)
				}
				if !strings.Contains(text, "--- FAIL: TestBrokenStore/"+test) {
					t.Fatalf("suite test %s did not report a failure:\n%s", test, text)
				}
				t.Logf("fault %q caught by %s: %s", name, test, firstFailure(text))
			})
		}
	}
}

// TestBrokenStore runs the suite against the fake with the fault named in
// the environment; only TestSuiteCatchesBrokenStores starts it.
func TestBrokenStore(t *testing.T) {
	name := os.Getenv(brokenEnv)
	if name == "" {
		t.Skip("runs only as a child of TestSuiteCatchesBrokenStores")
	}
	b, ok := brokenStores[name]
	if !ok {
		t.Fatalf("unknown fault %q", name)
	}
	Run(t, memHarness(b.bugs))
}

// firstFailure returns the first failure message in go test -v output.
func firstFailure(out string) string {
	for line := range strings.Lines(out) {
		if l := strings.TrimSpace(line); strings.Contains(l, ".go:") && !strings.HasPrefix(l, "---") {
			return l
		}
	}
	return "(no message)"
}
