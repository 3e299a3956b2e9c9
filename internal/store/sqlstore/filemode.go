package sqlstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// ModeChange is a database file whose permissions Open narrowed.
type ModeChange struct {
	Path string
	Was  fs.FileMode
}

// sqliteCompanions are the files SQLite keeps beside the database: the
// write-ahead log and its shared-memory index (WAL mode), and the rollback
// journal (used while switching to WAL). They hold recent pages of the
// database, so they are as secret as the database itself.
var sqliteCompanions = []string{"-wal", "-shm", "-journal"}

// ownerOnly makes the SQLite database at path, and the files SQLite keeps
// beside it, readable by their owner alone, whatever the umask and the
// directory: they hold password hashes and sealed secrets. A missing
// database is created 0600 before SQLite opens it, because SQLite would
// create it 0644 less the umask, and it gives the -wal and -shm files it
// creates the database's mode. Files already there with a wider mode are
// narrowed, and returned so the caller can say so.
func ownerOnly(path string) ([]ModeChange, error) {
	if runtime.GOOS == "windows" { // no Unix modes; the directory's ACL decides
		return nil, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open sqlite database: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("open sqlite database: %w", err)
	}
	var changed []ModeChange
	for _, p := range append([]string{path}, companions(path)...) {
		c, err := narrow(p)
		if err != nil {
			return changed, fmt.Errorf("open sqlite database: %w", err)
		}
		if c != nil {
			changed = append(changed, *c)
		}
	}
	return changed, nil
}

func companions(path string) []string {
	out := make([]string, len(sqliteCompanions))
	for i, suffix := range sqliteCompanions {
		out[i] = path + suffix
	}
	return out
}

// narrow takes group and other permissions away from p, if it exists.
func narrow(p string) (*ModeChange, error) {
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	was := info.Mode().Perm()
	if was&0o077 == 0 {
		return nil, nil
	}
	if err := os.Chmod(p, was&0o700); err != nil {
		return nil, fmt.Errorf("narrow the permissions of %s: %w", p, err)
	}
	return &ModeChange{Path: p, Was: was}, nil
}
