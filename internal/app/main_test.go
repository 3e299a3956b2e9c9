package app_test

import (
	"os"
	"testing"

	"github.com/guildgate/guildgate/internal/testenv"
)

// TestMain removes the binaries that the tests share (testenv.BuildBinary
// builds each once per run).
func TestMain(m *testing.M) {
	code := m.Run()
	testenv.RemoveBuilds()
	os.Exit(code)
}
