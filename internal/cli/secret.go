package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/guildgate/guildgate/internal/ids"
)

// maxSecretLine bounds what is read from stdin; password.MaxLength is far
// below it, so an over-long line is still refused with the password rule.
const maxSecretLine = 4096

// newPassword reads the password from stdin when fromStdin is set. Otherwise
// it generates one (144 random bits) and returns it as generated too, so the
// caller prints it once. Passwords never come from flags, which other users
// of the machine can read in the process list.
func (c *call) newPassword(fromStdin bool) (pw, generated string, err error) {
	if !fromStdin {
		pw = ids.NewToken(18)
		return pw, pw, nil
	}
	pw, err = readSecretLine(c.stdin)
	return pw, "", err
}

func noPassword() error {
	return &inputError{msg: `no password on stdin: send it as the first line, e.g. printf '%s\n' "$PW" | guildgate …`}
}

// readSecretLine reads the first line of r without its line ending; an
// empty line is refused rather than taken as "no password".
func readSecretLine(r io.Reader) (string, error) {
	if r == nil {
		return "", noPassword()
	}
	line, err := bufio.NewReaderSize(io.LimitReader(r, maxSecretLine), maxSecretLine).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from stdin: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", noPassword()
	}
	return line, nil
}
