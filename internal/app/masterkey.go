package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/guildgate/guildgate/internal/config"
	"github.com/guildgate/guildgate/internal/secrets"
	"github.com/guildgate/guildgate/internal/store"
)

// ErrMasterKey is wrapped by every MasterKey failure that the operator
// fixes in the configuration (as opposed to a database failure).
var ErrMasterKey = errors.New("master key")

// MasterKey returns the keyring that seals st's secrets, for serve and the
// data commands alike: GUILDGATE_MASTER_KEY, else the key file in
// cfg.KeyDir(), which is beside an SQLite database whatever the working
// directory. A key file is made only for a database that holds no sealed
// value yet, and only when mayCreate: a second key could open none of the
// values already sealed, and what it sealed the server could never read.
// created is the path of a key file made now, "" otherwise.
func MasterKey(ctx context.Context, cfg config.Config, st store.Store, mayCreate bool) (kr *secrets.Keyring, created string, err error) {
	dir := cfg.KeyDir()
	kr, err = secrets.ReadMasterKey(cfg.MasterKey, dir)
	if !errors.Is(err, fs.ErrNotExist) {
		return kr, "", keyError(err)
	}
	path := filepath.Join(dir, secrets.KeyFileName)
	sealed, err := holdsSealedValues(ctx, st)
	switch {
	case err != nil:
		return nil, "", fmt.Errorf("look for sealed values in the database: %w", err)
	case sealed:
		return nil, "", fmt.Errorf("%w: the database holds encrypted secrets (signing keys, client or connection secrets) "+
			"but no master key was found: %s is not set and %s does not exist. Restore the key that sealed them there, "+
			"or set %s; a new key could not read them, so none was made%s",
			ErrMasterKey, secrets.EnvVar, path, secrets.EnvVar, strayKeyHint(cfg, path))
	case !mayCreate:
		return nil, "", fmt.Errorf("%w: no master key yet: %s is not set and %s does not exist; "+
			"set %s (the same on every replica), or start 'guildgate serve' once to create the key file",
			ErrMasterKey, secrets.EnvVar, path, secrets.EnvVar)
	}
	kr, made, err := secrets.LoadMasterKey("", dir)
	if err != nil || !made {
		return kr, "", keyError(err)
	}
	return kr, path, nil
}

func keyError(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrMasterKey, err)
}

// strayKeyHint points at a key file in the data directory, where versions
// before the key moved beside the database kept it (and where data commands
// run elsewhere made stray ones).
func strayKeyHint(cfg config.Config, path string) string {
	old := filepath.Join(cfg.DataDir, secrets.KeyFileName)
	if old == path {
		return ""
	}
	if _, err := os.Stat(old); err != nil {
		return ""
	}
	return fmt.Sprintf(" (a key file exists at %s, where earlier versions kept it; if it is this database's key, move it to %s)", old, path)
}

// holdsSealedValues reports whether any tenant has a signing key, a client
// secret or a connection secret: values only the key that sealed them opens.
func holdsSealedValues(ctx context.Context, st store.Store) (bool, error) {
	tenants, err := st.Tenants().List(ctx)
	if err != nil {
		return false, err
	}
	for _, t := range tenants {
		if sealed, err := tenantHoldsSealedValues(ctx, st, t.ID); sealed || err != nil {
			return sealed, err
		}
	}
	return false, nil
}

func tenantHoldsSealedValues(ctx context.Context, st store.Store, tenantID string) (bool, error) {
	if ks, err := st.Keys().List(ctx, tenantID); err != nil || len(ks) > 0 {
		return len(ks) > 0, err
	}
	cs, err := st.Clients().List(ctx, tenantID)
	if err != nil {
		return false, err
	}
	for _, c := range cs {
		if len(c.Secrets) > 0 {
			return true, nil
		}
	}
	conns, err := st.Connections().List(ctx, tenantID)
	if err != nil {
		return false, err
	}
	for _, c := range conns {
		if c.ClientSecret != "" {
			return true, nil
		}
	}
	return false, nil
}
