package secrets

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestLoadMasterKeyFromEnv(t *testing.T) {
	k1, k2 := testKey(1), testKey(2)
	tests := []struct {
		name, env string
		primary   []byte
		keys      int
	}{
		{"std base64", base64.StdEncoding.EncodeToString(k1), k1, 1},
		{"std unpadded", base64.RawStdEncoding.EncodeToString(k1), k1, 1},
		{"url base64", base64.URLEncoding.EncodeToString(testKey(0xfb)), testKey(0xfb), 1},
		{"url unpadded", base64.RawURLEncoding.EncodeToString(testKey(0xfb)), testKey(0xfb), 1},
		{"trailing newline", base64.StdEncoding.EncodeToString(k1) + "\n", k1, 1},
		{"rotation list", EncodeKey(k2) + "," + EncodeKey(k1), k2, 2},
		{"rotation list with spaces", EncodeKey(k2) + " , " + EncodeKey(k1), k2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			k, created, err := LoadMasterKey(tt.env, dir)
			if err != nil || created {
				t.Fatalf("LoadMasterKey: %v, created=%v", err, created)
			}
			if k.PrimaryID() != KeyID(tt.primary) || len(k.aeads) != tt.keys {
				t.Errorf("primary %s with %d keys, want %s with %d", k.PrimaryID(), len(k.aeads), KeyID(tt.primary), tt.keys)
			}
			if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
				t.Error("a key file was created although the environment gave the key")
			}
		})
	}
}

func TestLoadMasterKeyRefusesBadEnv(t *testing.T) {
	secretish := base64.RawStdEncoding.EncodeToString([]byte("secret-that-must-never-be-echoed!")) // 33 bytes
	tests := []struct{ name, env, want string }{
		{"too short", base64.StdEncoding.EncodeToString(make([]byte, 16)), "key 1 is not"},
		{"wrong length", secretish, "key 1 is not"},
		{"hex, not base64", strings.Repeat("ab", 32), "key 1 is not"},
		{"passphrase", "correct horse battery staple", "key 1 is not"},
		{"garbage", "!!!!" + secretish, "key 1 is not"},
		{"second key bad", EncodeKey(testKey(1)) + "," + secretish, "key 2 is not"},
		{"trailing comma", EncodeKey(testKey(1)) + ",", "key 2 is not"},
		{"same key twice", EncodeKey(testKey(1)) + "," + EncodeKey(testKey(1)), "listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := LoadMasterKey(tt.env, t.TempDir())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if !strings.Contains(err.Error(), EnvVar) {
				t.Errorf("error does not name %s: %v", EnvVar, err)
			}
			for _, part := range strings.Split(tt.env, ",") {
				if p := strings.TrimSpace(part); len(p) >= 8 && strings.Contains(err.Error(), p[:8]) {
					t.Errorf("error echoes the value: %v", err)
				}
			}
		})
	}
}

func TestLoadMasterKeyCreatesAndReusesFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	k1, created, err := LoadMasterKey("", dir)
	if err != nil || !created {
		t.Fatalf("first load: %v, created=%v", err, created)
	}
	if runtime.GOOS != "windows" {
		assertMode(t, filepath.Join(dir, KeyFileName), 0o600)
		assertMode(t, dir, 0o700)
	}
	k2, created, err := LoadMasterKey("", dir)
	if err != nil || created {
		t.Fatalf("second load: %v, created=%v", err, created)
	}
	if k1.PrimaryID() != k2.PrimaryID() {
		t.Fatal("second load generated a different key")
	}
	sealed, _ := k1.Encrypt([]byte("x"), ad)
	if _, err := k2.Decrypt(sealed, ad); err != nil {
		t.Fatalf("value sealed before restart does not open after: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data directory holds %d entries, want only %s", len(entries), KeyFileName)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != want {
		t.Errorf("%s has mode %04o, want %04o", path, got, want)
	}
}

func TestLoadMasterKeyFileWithRotation(t *testing.T) {
	dir := t.TempDir()
	content := "\n" + EncodeKey(testKey(2)) + "\n" + base64.RawURLEncoding.EncodeToString(testKey(1)) + "\n\n"
	writeKeyFile(t, dir, content, 0o600)
	k, created, err := LoadMasterKey("", dir)
	if err != nil || created {
		t.Fatalf("%v, created=%v", err, created)
	}
	if k.PrimaryID() != KeyID(testKey(2)) || len(k.aeads) != 2 {
		t.Errorf("got %v", k)
	}
}

func TestLoadMasterKeyFileRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("POSIX permissions")
	}
	tests := []struct {
		name, content string
		mode          os.FileMode
		want          string
	}{
		{"group readable", EncodeKey(testKey(1)), 0o640, "chmod 600"},
		{"world readable", EncodeKey(testKey(1)), 0o644, "mode 0644"},
		{"group writable", EncodeKey(testKey(1)), 0o620, "chmod 600"},
		{"empty", "", 0o600, "is empty"},
		{"whitespace only", " \n\n", 0o600, "is empty"},
		{"malformed", "not a key\n", 0o600, "key 1 is not"},
		{"short key", EncodeKey(make([]byte, 31)), 0o600, "key 1 is not"},
		{"bad second key", EncodeKey(testKey(1)) + "\nxyz\n", 0o600, "key 2 is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeKeyFile(t, dir, tt.content, tt.mode)
			_, _, err := LoadMasterKey("", dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, path, tt.want)
			}
			if strings.TrimSpace(tt.content) != "" && strings.Contains(err.Error(), strings.TrimSpace(tt.content)[:8]) {
				t.Errorf("error echoes the file content: %v", err)
			}
		})
	}
}

func TestLoadMasterKeyNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, KeyFileName), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadMasterKey("", dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadMasterKeyNoSource(t *testing.T) {
	if _, _, err := LoadMasterKey("", ""); err == nil || !strings.Contains(err.Error(), EnvVar) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadMasterKeyUnreadableDirectory(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs POSIX permissions and a non-root user")
	}
	parent := t.TempDir()
	if err := os.Chmod(parent, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(parent, 0o700) })
	if _, _, err := LoadMasterKey("", filepath.Join(parent, "data")); err == nil {
		t.Fatal("created a key where the directory cannot be written")
	}
}

func writeKeyFile(t *testing.T, dir, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(dir, KeyFileName)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // WriteFile's mode is masked by umask
		t.Fatal(err)
	}
	return path
}
