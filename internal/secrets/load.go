package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KeyFileName is the master key file inside the data directory.
const KeyFileName = "master.key"

// EnvVar names the environment variable LoadMasterKey's envValue comes from;
// it appears in error messages so operators know what to fix.
const EnvVar = "GUILDGATE_MASTER_KEY"

// LoadMasterKey returns the keyring for this installation.
//
// When envValue (GUILDGATE_MASTER_KEY) is set it is used alone: one base64
// (standard or URL alphabet, padded or not) encoding of a 32-byte key, or
// several separated by commas, the first being the primary and the others
// kept to decrypt values sealed before a rotation. Otherwise the key file
// dataDir/master.key is read, one key per line in the same form; when it does
// not exist it is generated from crypto/rand and created with mode 0600 (the
// directory, if created, 0700), and created is true so the caller can tell
// the operator to back it up: without it, encrypted secrets are lost.
//
// Errors say what is wrong and how to fix it, but never repeat a key or any
// part of the value.
func LoadMasterKey(envValue, dataDir string) (keyring *Keyring, created bool, err error) {
	if strings.TrimSpace(envValue) != "" {
		keyring, err = keyringFromEnv(envValue)
		return keyring, false, err
	}
	if dataDir == "" {
		return nil, false, errors.New("secrets: no master key: set " + EnvVar + " or give a data directory")
	}
	return loadOrCreateKeyFile(filepath.Join(dataDir, KeyFileName))
}

// ReadMasterKey is LoadMasterKey that never creates a key: with no
// envValue and no dir/master.key, its error wraps fs.ErrNotExist, so the
// caller can decide whether this installation may have a new key.
func ReadMasterKey(envValue, dir string) (*Keyring, error) {
	if strings.TrimSpace(envValue) != "" {
		return keyringFromEnv(envValue)
	}
	if dir == "" {
		return nil, fmt.Errorf("secrets: no master key: set %s or give a data directory: %w", EnvVar, fs.ErrNotExist)
	}
	return readKeyFile(filepath.Join(dir, KeyFileName))
}

func keyringFromEnv(envValue string) (*Keyring, error) {
	keys, err := parseKeys(strings.Split(envValue, ","), EnvVar+": key")
	if err != nil {
		return nil, err
	}
	keyring, err := NewKeyring(keys[0], keys[1:]...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvVar, err)
	}
	return keyring, nil
}

// parseKeys decodes base64 keys. label names the source in errors; the
// decoder's own error is dropped because it could quote the input.
func parseKeys(fields []string, label string) ([][]byte, error) {
	var keys [][]byte
	for i, f := range fields {
		key, ok := decodeKey(strings.TrimSpace(f))
		if !ok {
			return nil, fmt.Errorf("secrets: %s %d is not a base64-encoded %d-byte key "+
				"(generate one with: openssl rand -base64 32)", label, i+1, KeySize)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

func decodeKey(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if key, err := enc.Strict().DecodeString(s); err == nil && len(key) == KeySize {
			return key, true
		}
	}
	return nil, false
}

// EncodeKey is the form LoadMasterKey reads, for tools that print or store
// a newly generated key.
func EncodeKey(key []byte) string { return base64.StdEncoding.EncodeToString(key) }

// GenerateKey returns a new random master key.
func GenerateKey() []byte {
	key := make([]byte, KeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms
	return key
}

func loadOrCreateKeyFile(path string) (*Keyring, bool, error) {
	keyring, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return keyring, false, err
	}
	if err := createKeyFile(path); err != nil {
		if errors.Is(err, fs.ErrExist) { // another process created it first
			keyring, err = readKeyFile(path)
			return keyring, false, err
		}
		return nil, false, err
	}
	keyring, err = readKeyFile(path)
	return keyring, err == nil, err
}

// readKeyFile checks the permissions on the open file, not the path, so the
// file checked is the file read. Symbolic links are followed because secret
// mounts (Kubernetes, systemd credentials) are made of them.
func readKeyFile(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("secrets: master key file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secrets: master key file: %w", err)
	}
	if err := checkKeyFileMode(path, info); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("secrets: reading master key file %s: %w", path, err)
	}
	return parseKeyFile(path, buf.String())
}

func checkKeyFileMode(path string, info fs.FileInfo) error {
	if !info.Mode().IsRegular() {
		return fmt.Errorf("secrets: master key file %s is not a regular file", path)
	}
	if runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("secrets: master key file %s has mode %04o, so other users can read it; "+
			"run: chmod 600 %s", path, info.Mode().Perm(), path)
	}
	return nil
}

func parseKeyFile(path, content string) (*Keyring, error) {
	lines := strings.Fields(content) // one key per line; blank lines and spaces ignored
	if len(lines) == 0 {
		return nil, fmt.Errorf("secrets: master key file %s is empty; restore it from backup, "+
			"or delete it to generate a new key (values encrypted with the old key are then lost)", path)
	}
	keys, err := parseKeys(lines, "master key file "+path+": key")
	if err != nil {
		return nil, err
	}
	return NewKeyring(keys[0], keys[1:]...)
}

// createKeyFile writes the key to a temporary file and links it into place:
// the link fails if the file appeared meanwhile, and nobody can ever read a
// half-written key file.
func createKeyFile(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("secrets: creating data directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".master.key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("secrets: creating master key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(EncodeKey(GenerateKey()) + "\n")
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("secrets: writing master key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("secrets: creating master key file: %w", err)
	}
	return nil
}
