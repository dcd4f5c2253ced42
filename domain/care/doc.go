// Package care is the union's care work beyond the cases it pays: the
// register of employees in hardship (困难职工库), the life events that may
// make someone eligible for aid (a child admitted to university, a serious
// illness in the family), and the bureau's discovery rules that match those
// facts to the aid standards a person probably qualifies for before they
// ask (政策找职工).
//
// Each is event-sourced like every aggregate of the domain:
//
//   - Entry, stream "hardship-<employee>": an employee's place in the
//     register — entry at a level with causes and coarse household facts, a
//     yearly review, level changes and exit with a reason. History is never
//     deleted; someone who left may be entered again.
//   - LifeEvents, stream "life-events-<employee>": the employee's life events,
//     each (kind, subject, date) recorded once, so that importing one HR
//     export twice adds nothing.
//   - RuleSet, stream "discovery-rules": the bureau's versioned rule sets.
//     Rules are data, not code; Match and Explain (match.go) are the one
//     reading of them, used by the discovery projection.
//
// Free text about a person (notes, life-event details) arrives sealed with
// the person's key and is never opened here, so erasing the key erases it;
// what statistics need (levels, causes, bands, kinds, dates) is coarse and
// stays readable.
//
// The package imports only the standard library, uuid and the domain's own
// packages.
package care
