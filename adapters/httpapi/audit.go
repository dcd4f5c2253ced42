package httpapi

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/tlog"

	"aidtrail/adapters/seal"
)

// AuditLog is the tamper-evident log of the history (adapters/seal), as
// auditors question it.
type AuditLog interface {
	PublicKey() string
	Verify(ctx context.Context) (seal.Report, error)
	Prove(ctx context.Context, position int64) (seal.Inclusion, error)
	Consistency(ctx context.Context, from int64) (seal.Extension, error)
}

// errNoAuditLog: the service runs without a signing key, so it keeps no
// audit log.
var errNoAuditLog = errors.New("the audit log is not kept: the service runs without a signing key")

type headJSON struct {
	Size         int64  `json:"size"`
	Root         string `json:"root"`
	LastPosition int64  `json:"last_position"`
	Signed       string `json:"signed"`
}

func headFrom(h seal.Head) *headJSON {
	if h.Size == 0 {
		return nil
	}
	return &headJSON{Size: h.Size, Root: base64.StdEncoding.EncodeToString(h.Root[:]), LastPosition: h.LastPosition, Signed: string(h.Signed)}
}

func hashesOf(hs []tlog.Hash) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return out
}

type verifyResponse struct {
	OK               bool      `json:"ok"`
	Events           int64     `json:"events"`
	Head             *headJSON `json:"head"`
	SealedThrough    int64     `json:"sealed_through"`
	FirstBadPosition int64     `json:"first_bad_position,omitempty"`
	Problem          string    `json:"problem,omitempty"`
	PublicKey        string    `json:"public_key"`
}

// auditLog admits an auditor (audit.read at any unit) to the audit log.
func (a *api) auditLog(r *http.Request) (AuditLog, error) {
	if err := a.deps.Query.MayAudit(r.Context(), callerOf(r).actor); err != nil {
		return nil, err
	}
	if a.deps.Audit == nil {
		return nil, errNoAuditLog
	}
	return a.deps.Audit, nil
}

// verifyAudit: GET /v1/audit/verify recomputes the tree from the whole
// history as stored and checks every signed head against it.
func (a *api) verifyAudit(w http.ResponseWriter, r *http.Request) error {
	log, err := a.auditLog(r)
	if err != nil {
		return err
	}
	rep, err := log.Verify(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, verifyResponse{OK: rep.OK, Events: rep.Events, Head: headFrom(rep.Head), SealedThrough: rep.SealedThrough,
		FirstBadPosition: rep.FirstBadPosition, Problem: rep.Problem, PublicKey: log.PublicKey()})
	return nil
}

type proofResponse struct {
	Position int64     `json:"position"`
	Leaf     int64     `json:"leaf"`
	LeafHash string    `json:"leaf_hash"`
	Proof    []string  `json:"proof"`
	Head     *headJSON `json:"head"`
}

// auditProof: GET /v1/audit/proof?position=N, the inclusion proof of one
// event in the latest signed head.
func (a *api) auditProof(w http.ResponseWriter, r *http.Request) error {
	position, err := positiveParam(r, "position")
	if err != nil {
		return err
	}
	log, err := a.auditLog(r)
	if err != nil {
		return err
	}
	in, err := log.Prove(r.Context(), position)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, proofResponse{Position: in.Position, Leaf: in.Leaf,
		LeafHash: base64.StdEncoding.EncodeToString(in.LeafHash[:]), Proof: hashesOf(in.Proof), Head: headFrom(in.Head)})
	return nil
}

type consistencyResponse struct {
	From  int64     `json:"from"`
	Proof []string  `json:"proof"`
	Head  *headJSON `json:"head"`
}

// auditConsistency: GET /v1/audit/consistency?from=SIZE, the proof that
// the latest signed head extends an older head over SIZE events.
func (a *api) auditConsistency(w http.ResponseWriter, r *http.Request) error {
	from, err := positiveParam(r, "from")
	if err != nil {
		return err
	}
	log, err := a.auditLog(r)
	if err != nil {
		return err
	}
	ext, err := log.Consistency(r.Context(), from)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, consistencyResponse{From: ext.From, Proof: hashesOf(ext.Proof), Head: headFrom(ext.Head)})
	return nil
}

// positiveParam reads the required query parameter name, a whole number
// of 1 or more.
func positiveParam(r *http.Request, name string) (int64, error) {
	v := r.URL.Query()[name]
	if len(v) != 1 {
		return 0, &fieldError{Field: name, Reason: "is required, once"}
	}
	n, err := strconv.ParseInt(v[0], 10, 64)
	if err != nil || n < 1 {
		return 0, &fieldError{Field: name, Reason: "must be a whole number of 1 or more"}
	}
	return n, nil
}
