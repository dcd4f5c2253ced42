package query

import (
	"context"

	"aidtrail/commands/internal/uow"
	"aidtrail/domain/access"
)

// MayAudit admits an actor holding audit.read at any unit to the audit
// log's verification and proofs, which concern the whole history and
// show hashes only, never a payload. A refusal is recorded.
func (s *Service) MayAudit(ctx context.Context, actor uow.Actor) error {
	_, err := s.gate.StaffReadScope(ctx, actor, "verifying the audit log", access.PermAuditRead)
	return err
}
