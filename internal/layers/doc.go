// Package layers holds no code: its test reads the module's import graph
// (go list -deps) and fails when a package imports across a line that
// STYLE.md draws (surfaces importing each other, rules importing a surface,
// the store importing rules, test-only code reaching the binary) or when a
// package has no doc comment. Rules written only in prose drift; this one
// runs with every go test.
package layers
