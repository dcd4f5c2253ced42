//go:build faults

package main

// The fault run (build tag faults; .ci/run runs a short form): several
// clients send keyed commands while the service is killed with SIGKILL and
// restarted, and PostgreSQL is restarted with an immediate shutdown. A
// client retries a command with the same Idempotency-Key until it is
// acknowledged, as the API asks clients to. Afterwards every command is in
// the history exactly once, the read models agree with the history and
// with their own rebuild, and the service is ready again, with no manual
// step. It needs root (pg_ctlcluster) and the machine's PostgreSQL to
// itself: run it alone.
//
//	go test -tags faults -run TestFaults -v ./cmd/aidtrail
//	AIDTRAIL_FAULT_KILLS=20 AIDTRAIL_FAULT_PG_RESTARTS=5 (the defaults are 20 and 4)

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"aidtrail/adapters/keyring"
	"aidtrail/internal/testkit/pgtest"
)

func TestFaults(t *testing.T) {
	kills := envInt(t, "AIDTRAIL_FAULT_KILLS", 20)
	pgRestarts := envInt(t, "AIDTRAIL_FAULT_PG_RESTARTS", 4)
	const clients = 4

	bin := filepath.Join(t.TempDir(), "aidtrail")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	url := pgtest.NewSchema(t)
	master, err := keyring.NewMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	svc := &service{t: t, bin: bin, addr: freeAddr(t), env: append(os.Environ(),
		"AIDTRAIL_DATABASE_URL="+url, "AIDTRAIL_MASTER_KEY="+base64.StdEncoding.EncodeToString(master),
		"AIDTRAIL_BOOTSTRAP_TOKEN=faults-bootstrap")}
	svc.start()
	defer svc.kill()
	c := &client{base: "http://" + svc.addr}

	// The organisation: a root, its administrator, one budget.
	root := c.must(t, "faults-bootstrap", "POST", "/v1/units", "", map[string]any{"name": "路局", "code": "TYJ", "level": "bureau"})["id"].(string)
	admin := c.must(t, "faults-bootstrap", "POST", "/v1/accounts", "", map[string]any{"login": "admin", "password": "correct horse battery", "name": "王芳"})["id"].(string)
	c.must(t, "faults-bootstrap", "POST", "/v1/accounts/"+admin+"/positions", "", map[string]any{"unit_id": root, "title": "主席", "roles": []string{"bureau_admin"}})
	token := c.must(t, "", "POST", "/v1/login", "", map[string]any{"login": "admin", "password": "correct horse battery"})["token"].(string)
	const initial = 1_000_000
	budget := c.must(t, token, "POST", "/v1/budgets", "", map[string]any{"unit_id": root, "year": time.Now().Year(), "line": "aid.faults", "amount_fen": initial})["id"].(string)

	// Clients: each command is retried with its key until acknowledged.
	var (
		stop              atomic.Bool
		wg                sync.WaitGroup
		mu                sync.Mutex
		increases, units  int
		unitIDs           []string
		retries, rejected atomic.Int64
	)
	for n := range clients {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				key := fmt.Sprintf("client%d-%d", n, i)
				if i%4 == 3 {
					out, ok := c.retry(t, token, "POST", "/v1/units", key, map[string]any{"name": "车间" + key, "code": "W" + strings.ReplaceAll(key, "-", "x"), "level": "workshop", "parent_id": root}, &retries, &rejected)
					if !ok {
						continue
					}
					mu.Lock()
					units++
					unitIDs = append(unitIDs, out["id"].(string))
					mu.Unlock()
					continue
				}
				if _, ok := c.retry(t, token, "POST", "/v1/budgets/"+budget+"/increase", key, map[string]any{"amount_fen": 1, "reason": "故障演练 " + key}, &retries, &rejected); !ok {
					continue
				}
				mu.Lock()
				increases++
				mu.Unlock()
			}
		})
	}

	// The faults: PostgreSQL restarts under the running service, which must
	// recover by itself; SIGKILLs of the service, restarted at once.
	var recoveries, pgRecoveries []time.Duration
	every := max(kills/max(pgRestarts, 1), 1)
	for i := range kills {
		time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
		if len(pgRecoveries) < pgRestarts && i%every == every-1 {
			began := time.Now()
			if out, err := exec.Command("pg_ctlcluster", "--skip-systemctl-redirect", pgVersion(t), "main", "restart", "-m", "immediate").CombinedOutput(); err != nil {
				t.Fatalf("restart PostgreSQL: %v\n%s", err, out)
			}
			pgRecoveries = append(pgRecoveries, svc.ready(began))
			time.Sleep(time.Duration(200+rand.IntN(600)) * time.Millisecond)
		}
		svc.kill()
		recoveries = append(recoveries, svc.start())
	}
	time.Sleep(time.Second)
	stop.Store(true)
	wg.Wait()

	// Every command once, nothing lost, nothing doubled.
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	count := func(q string, args ...any) int {
		var n int
		if err := conn.QueryRow(t.Context(), q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	logged := count("SELECT count(*) FROM events WHERE stream_id = $1 AND type = 'budget.increased'", "budget-"+budget)
	established := count("SELECT count(*) FROM events WHERE type = 'unit.established'") - 1 // the root
	b := c.must(t, token, "GET", "/v1/budgets/"+budget, "", nil)
	allocated := int(b["allocated_fen"].(float64))
	lostIncreases, doubledIncreases := max(increases-logged, 0), max(logged-increases, 0)
	lostUnits, doubledUnits := max(units-established, 0), max(established-units, 0)
	for _, id := range unitIDs {
		c.must(t, token, "GET", "/v1/units/"+id, "", nil)
	}
	if allocated != initial+increases || lostIncreases+doubledIncreases+lostUnits+doubledUnits > 0 {
		t.Errorf("acknowledged %d increases and %d units; the history holds %d and %d; the budget is %d, want %d",
			increases, units, logged, established, allocated, initial+increases)
	}

	// The read models converge, and agree with their rebuild.
	head := count("SELECT coalesce(max(position), 0) FROM events")
	listed := func() string {
		out := c.must(t, token, "GET", "/v1/budgets?min_position="+strconv.Itoa(head), "", nil)
		raw, _ := json.Marshal(out["items"])
		return string(raw)
	}
	live := listed()
	if !strings.Contains(live, fmt.Sprintf(`"allocated_fen":%d`, initial+increases)) {
		t.Errorf("the budgets read model says %s; the budget's history says %d", live, initial+increases)
	}
	var out bytes.Buffer
	if err := run(t.Context(), []string{"rebuild", "--all", "--database-url", url}, environment{}, &out, io.Discard); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if rebuilt := listed(); rebuilt != live {
		t.Errorf("the budgets read model before its rebuild %s, after %s", live, rebuilt)
	}
	if code := c.status(t.Context(), "/readyz"); code != http.StatusOK {
		t.Errorf("/readyz = %d at the end", code)
	}

	t.Logf("faults: %d SIGKILLs, %d PostgreSQL restarts; acknowledged %d commands (%d increases, %d units), lost %d, doubled %d; "+
		"%d retries of unanswered commands, %d refusals; from a SIGKILL's restart to /readyz %s; from a PostgreSQL restart to /readyz %s",
		kills, len(pgRecoveries), increases+units, increases, units, lostIncreases+lostUnits, doubledIncreases+doubledUnits,
		retries.Load(), rejected.Load(), percentiles(recoveries), percentiles(pgRecoveries))
}

// percentiles says p50, p99 and max of ds.
func percentiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "(none)"
	}
	slices.Sort(ds)
	at := func(q int) time.Duration { return ds[min(len(ds)-1, len(ds)*q/100)].Round(time.Millisecond) }
	return fmt.Sprintf("p50 %s p99 %s max %s", at(50), at(99), ds[len(ds)-1].Round(time.Millisecond))
}

// service is the binary under test, as an operator runs it.
type service struct {
	t    *testing.T
	bin  string
	addr string
	env  []string
	cmd  *exec.Cmd
	logs bytes.Buffer
}

// start starts the service and returns how long it took to be ready.
func (s *service) start() time.Duration {
	s.t.Helper()
	began := time.Now()
	s.cmd = exec.Command(s.bin, "serve", "--addr", s.addr, "--metrics-addr", "", "--log-level", "warn")
	s.cmd.Env = s.env
	s.cmd.Stderr = &s.logs
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	return s.ready(began)
}

// ready waits until /readyz answers 200 and returns the time since began.
func (s *service) ready(began time.Time) time.Duration {
	s.t.Helper()
	c := &client{base: "http://" + s.addr}
	for time.Since(began) < 60*time.Second {
		if c.status(context.Background(), "/readyz") == http.StatusOK {
			return time.Since(began)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.t.Fatalf("the service was not ready within 60 s; its log:\n%s", s.logs.String())
	return 0
}

func (s *service) kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGKILL)
		_ = s.cmd.Wait()
	}
}

type client struct{ base string }

// send sends one request; the status is 0 when no answer came.
func (c *client) send(ctx context.Context, token, method, path, key string, body any) (int, map[string]any) {
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (c *client) must(t *testing.T, token, method, path, key string, body any) map[string]any {
	t.Helper()
	code, out := c.send(t.Context(), token, method, path, key, body)
	if code/100 != 2 {
		t.Fatalf("%s %s = %d %v", method, path, code, out)
	}
	return out
}

// retry sends a keyed command until it is acknowledged: no answer, 5xx
// and 409 (its first run still in flight, or claimed by a run the kill
// cut short) are retried with the same key; any other refusal fails the
// test, and the command does not count as acknowledged.
func (c *client) retry(t *testing.T, token, method, path, key string, body any, retries, rejected *atomic.Int64) (map[string]any, bool) {
	for {
		code, out := c.send(context.Background(), token, method, path, key, body)
		switch {
		case code/100 == 2:
			return out, true
		case code == 0 || code >= 500 || code == http.StatusConflict:
			retries.Add(1)
			time.Sleep(50 * time.Millisecond)
		default:
			rejected.Add(1)
			t.Errorf("%s %s (key %s) = %d %v", method, path, key, code, out)
			return out, false
		}
	}
}

func (c *client) status(ctx context.Context, path string) int {
	code, _ := c.send(ctx, "", "GET", path, "", nil)
	return code
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func pgVersion(t *testing.T) string {
	entries, err := os.ReadDir("/etc/postgresql")
	if err != nil || len(entries) == 0 {
		t.Fatalf("no PostgreSQL cluster in /etc/postgresql: %v", err)
	}
	return entries[0].Name()
}

func envInt(t *testing.T, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a whole number", name, v)
	}
	return n
}
