package main

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"aidtrail/internal/testkit/pgtest"
)

// bench whatif runs end to end on a small year: every case generated is
// found decided in the year by the replay (the bench fails otherwise),
// approvals, rejections and refusals all occur, and the report carries
// every figure the issue asks for.
func TestBenchWhatIfSmall(t *testing.T) {
	t.Parallel()
	var out, logs bytes.Buffer
	err := run(t.Context(), []string{"bench", "whatif", "--database-url", pgtest.ServerURL(t), "--cases", "600", "--rounds", "2"},
		environment{}, &out, &logs)
	if err != nil {
		t.Fatalf("%v\n%s", err, logs.String())
	}
	generated := regexp.MustCompile(`generated year=\d+ cases=600 \(approved=(\d+) rejected=(\d+) refused=(\d+)\) events=(\d+)`).FindStringSubmatch(out.String())
	if generated == nil {
		t.Fatalf("no line of what was generated:\n%s", out.String())
	}
	for i, what := range []string{"approved", "rejected", "refused"} {
		if n, _ := strconv.Atoi(generated[i+1]); n == 0 {
			t.Errorf("no case %s:\n%s", what, out.String())
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`round 2: read events=\d+ seconds=[\d.]+ events_per_s=\d+ \| replay events_read=\d+ seconds=[\d.]+ events_per_s=\d+ ratio_to_read=[\d.]+`),
		regexp.MustCompile(`warm-up read: events=\d+ seconds=[\d.]+`),
		regexp.MustCompile(`read global order \(baseline, median of 2\): events_per_s=\d+`),
		regexp.MustCompile(`what-if replay \(median of 2\): cases=600 events_read=\d+ seconds=[\d.]+ events_per_s=\d+ ratio_to_read=[\d.]+`),
		regexp.MustCompile(`the draft: cases=600 current_fen=\d+ draft_fen=\d+ delta_fen=\d+ newly_eligible=[1-9]\d*`),
	} {
		if !want.MatchString(out.String()) {
			t.Errorf("report lacks %s:\n%s", want, out.String())
		}
	}
}
