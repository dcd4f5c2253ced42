// Package archtest holds the tests of the layout's dependency rules: the
// domain stands on the standard library and uuid alone, and no database
// driver is linked into the domain, the use cases or the projections
// (drivers belong in adapters/), and no test kit (internal/testkit) is
// linked into the binary. It has no code of its own.
package archtest
