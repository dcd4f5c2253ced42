package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/uuid"

	"aidtrail/commands"
)

// run has c clients run lifecycles for d and returns each command's
// latencies, the lifecycles completed and the time taken.
func (w *lifecycleWorld) run(ctx context.Context, c int, d time.Duration) (map[string][]time.Duration, int, time.Duration, error) {
	stats := map[string][]time.Duration{}
	var mu sync.Mutex
	var done int
	var firstErr error
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for client := range c {
		wg.Go(func() {
			local := map[string][]time.Duration{}
			crew := w.crews[client%len(w.crews)]
			var emp uuid.UUID
			for n := 0; time.Now().Before(deadline); n++ {
				if n%50 == 0 { // a standard pays one person at most 52 times a year
					var err error
					if emp, _, err = w.app.RegisterEmployee(ctx, crew.caseworker, commands.RegisterEmployee{UnitID: crew.station,
						Name: fmt.Sprintf("职工%d-%d", client, n), IDNumber: "11010519491231002X", BankAccount: "6222020200112233445"}); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
						return
					}
				}
				if err := w.lifecycle(ctx, crew, emp, local); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				mu.Lock()
				done++
				mu.Unlock()
			}
			mu.Lock()
			for k, v := range local {
				stats[k] = append(stats[k], v...)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return stats, done, time.Since(start), firstErr
}

// lifecycle runs one case from opening to the bank's confirmation.
func (w *lifecycleWorld) lifecycle(ctx context.Context, crew crew, emp uuid.UUID, lat map[string][]time.Duration) error {
	var opened struct {
		ID string `json:"id"`
	}
	if err := w.call(ctx, lat, "open", crew.worker, "/v1/cases", map[string]any{"employee_id": emp,
		"beneficiary": map[string]any{"relation": "self"}, "standard_code": "BENCH-AID", "causes": []string{"illness"},
		"expense_fen": 0, "requested_fen": 2_000_000, "description": "压力测试"}, http.StatusCreated, &opened); err != nil {
		return err
	}
	c := "/v1/cases/" + opened.ID
	if err := w.call(ctx, lat, "submit", crew.worker, c+"/submit", nil, http.StatusOK, nil); err != nil {
		return err
	}
	if err := w.call(ctx, lat, "approve-1", crew.approver1, c+"/decisions", map[string]any{"step": "站段审核", "decision": "approve", "amount_fen": 2_000_000}, http.StatusOK, nil); err != nil {
		return err
	}
	if err := w.call(ctx, lat, "approve-2", w.approver2, c+"/decisions", map[string]any{"step": "路局审批", "decision": "approve", "amount_fen": 2_000_000}, http.StatusOK, nil); err != nil {
		return err
	}
	var paid struct {
		PaymentID string `json:"payment_id"`
	}
	if err := w.call(ctx, lat, "pay", w.admin, c+"/payments", map[string]any{"amount_fen": 2_000_000}, http.StatusCreated, &paid); err != nil {
		return err
	}
	return w.call(ctx, lat, "confirm", w.admin, "/v1/payments/"+paid.PaymentID+"/confirm", map[string]any{"bank_ref": "B" + paid.PaymentID[:8]}, http.StatusOK, nil)
}

func (w *lifecycleWorld) call(ctx context.Context, lat map[string][]time.Duration, step, token, path string, body any, want int, out any) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.base+path, &buf)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	start := time.Now()
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", step, err)
	}
	defer resp.Body.Close()
	lat[step] = append(lat[step], time.Since(start))
	if resp.StatusCode != want {
		var problem map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&problem)
		return fmt.Errorf("%s %s: %d %v", step, path, resp.StatusCode, problem)
	}
	if out != nil {
		return json.NewDecoder(resp.Body).Decode(out)
	}
	return nil
}
