package secrets

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
)

// FuzzDecrypt: hostile stored values never panic and never open.
func FuzzDecrypt(f *testing.F) {
	k, _ := NewKeyring(testKey(1))
	sealed, _ := k.Encrypt([]byte("x"), ad)
	for _, s := range []string{sealed, "", "v1..", "v1." + k.PrimaryID() + ".", sealed[:len(sealed)-3]} {
		f.Add(s, []byte("ad"))
	}
	f.Fuzz(func(t *testing.T, s string, other []byte) {
		if s == sealed && bytes.Equal(other, ad) {
			return
		}
		if got, err := k.Decrypt(s, other); err == nil {
			t.Fatalf("opened %q with %q: %q", s, other, got)
		}
	})
}

// TestConcurrentFirstStart: two processes starting at once on an empty data
// directory must end up with one key, not each their own.
func TestConcurrentFirstStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	const n = 8
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			k, _, err := LoadMasterKey("", dir)
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = k.PrimaryID()
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("concurrent starts produced different keys: %v", ids)
		}
	}
}
