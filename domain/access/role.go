package access

import "slices"

// Role is a bundle of permissions held through a position. It reaches the
// position's unit and every unit below it. The values are stored in
// events; never change them.
type Role string

// The roles.
const (
	RoleBureauAdmin Role = "bureau_admin" // configures, sets policy, manages org and accounts
	RoleCaseworker  Role = "caseworker"   // station union staff: files cases, registers visits
	RoleApprover    Role = "approver"     // decides the approval steps assigned to them
	RoleAuditor     Role = "auditor"      // reads the money trail, changes nothing
	RoleAnalyst     Role = "analyst"      // reads statistics, no personal data
)

// Roles returns every role, in the canonical order used in events and
// grants.
func Roles() []Role {
	return []Role{RoleBureauAdmin, RoleCaseworker, RoleApprover, RoleAuditor, RoleAnalyst}
}

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return slices.Contains(Roles(), r) }

// Permission is an action a command or query needs the right to perform at
// a unit. The values are stable names; never change them.
type Permission string

// The permissions, for the features built and those coming.
const (
	PermOrgRead             Permission = "org.read"              // read units: every role, on its own subtree
	PermOrgManage           Permission = "org.manage"            // establish, rename, move, close units
	PermAccountsManage      Permission = "accounts.manage"       // open accounts, assign and vacate positions
	PermEmployeesRegister   Permission = "employees.register"    // register employees, change their details
	PermEmployeesRead       Permission = "employees.read"        // read employees with personal data
	PermEmployeesReadMasked Permission = "employees.read_masked" // read employees without names or ID numbers
	PermEmployeesErase      Permission = "employees.erase"       // erase a person's personal data
	PermCasesFile           Permission = "cases.file"            // open and submit cases, on an employee's behalf too
	PermCasesDecide         Permission = "cases.decide"          // decide an approval step
	PermBudgetsManage       Permission = "budgets.manage"        // allocate budgets
	PermCatalogueManage     Permission = "catalogue.manage"      // publish and revise aid standards owned by the unit
	PermAuditRead           Permission = "audit.read"            // read trails and verify the log
	PermStatsRead           Permission = "stats.read"            // read statistics
	PermVisitsRegister      Permission = "visits.register"       // register condolence visits
	PermCareManage          Permission = "care.manage"           // keep the hardship register, record life events, follow up discovery
	PermDiscoveryRules      Permission = "discovery.rules"       // publish the discovery rules (at the root: the bureau)
)

// rolePermissions is the one table of rights: role → permissions. It is
// never written after initialisation.
var rolePermissions = map[Role][]Permission{
	RoleBureauAdmin: {PermOrgRead, PermOrgManage, PermAccountsManage, PermEmployeesRegister, PermEmployeesRead,
		PermEmployeesErase, PermBudgetsManage, PermCatalogueManage, PermAuditRead, PermStatsRead, PermCareManage,
		PermDiscoveryRules},
	RoleCaseworker: {PermOrgRead, PermEmployeesRegister, PermEmployeesRead, PermCasesFile, PermVisitsRegister,
		PermCareManage},
	RoleApprover: {PermOrgRead, PermEmployeesRead, PermCasesDecide},
	RoleAuditor:  {PermOrgRead, PermEmployeesRead, PermAuditRead, PermStatsRead},
	RoleAnalyst:  {PermOrgRead, PermEmployeesReadMasked, PermStatsRead},
}

// Permissions returns every permission, in declaration order.
func Permissions() []Permission {
	return []Permission{PermOrgRead, PermOrgManage, PermAccountsManage, PermEmployeesRegister, PermEmployeesRead,
		PermEmployeesReadMasked, PermEmployeesErase, PermCasesFile, PermCasesDecide, PermBudgetsManage,
		PermCatalogueManage, PermAuditRead, PermStatsRead, PermVisitsRegister, PermCareManage, PermDiscoveryRules}
}

// Valid reports whether p is one of the permissions.
func (p Permission) Valid() bool { return slices.Contains(Permissions(), p) }

// Permissions returns a copy of the permissions r grants; none for an
// unknown role.
func (r Role) Permissions() []Permission { return slices.Clone(rolePermissions[r]) }

// RoleGrants reports whether r grants p; false for an unknown role or
// permission.
func RoleGrants(r Role, p Permission) bool { return slices.Contains(rolePermissions[r], p) }

// CaseReadPermissions are the permissions any one of which lets a
// position read a unit's cases and their payments (one case, or the list):
// those who file, decide, audit or hold the money.
func CaseReadPermissions() []Permission {
	return []Permission{PermCasesFile, PermCasesDecide, PermAuditRead, PermBudgetsManage}
}

// CareReadPermissions are the permissions any one of which lets a
// position read a unit's hardship register and discovery list with the
// employees they name. PermStatsRead reads them too, without anyone's
// identity (see the queries).
func CareReadPermissions() []Permission {
	return []Permission{PermCareManage, PermAuditRead}
}

// BudgetReadPermissions are the permissions any one of which lets a
// position read a unit's budgets (one budget, or the list).
func BudgetReadPermissions() []Permission {
	return []Permission{PermBudgetsManage, PermAuditRead, PermStatsRead}
}

// VisitReadPermissions are the permissions any one of which lets a
// position read a unit's condolence visits with the employees visited:
// those who register them, file or decide cases, hold the money or audit.
// Where a position holds only stats.read, visits read without the
// employees and visitors.
func VisitReadPermissions() []Permission {
	return []Permission{PermVisitsRegister, PermCasesFile, PermCasesDecide, PermBudgetsManage, PermAuditRead}
}
