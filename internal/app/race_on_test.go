//go:build race

package app_test

// raceDetector is true under -race, whose instrumentation makes memory
// measurements meaningless and a 100,000-session test take minutes.
const raceDetector = true
