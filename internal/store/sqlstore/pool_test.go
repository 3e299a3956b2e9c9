package sqlstore_test

import (
	"strings"
	"testing"

	"github.com/guildgate/guildgate/internal/store/sqlstore"
	"github.com/guildgate/guildgate/internal/store/storetest"
)

// TestPostgresPoolSize: pool_max_conns sizes the pool and never reaches the
// server (which would refuse it as an unknown setting); without it a
// replica keeps to the default cap.
func TestPostgresPoolSize(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	for _, c := range []struct {
		suffix string
		want   int
	}{{"", 20}, {"&pool_max_conns=3", 3}} {
		s, err := sqlstore.Open(t.Context(), dsn+c.suffix)
		if err != nil {
			t.Fatalf("open with %q: %v", c.suffix, err)
		}
		if got := s.DB().Stats().MaxOpenConnections; got != c.want {
			t.Errorf("with %q: pool of %d, want %d", c.suffix, got, c.want)
		}
		_ = s.Close()
	}
}

func TestPostgresPoolSizeRefused(t *testing.T) {
	for _, v := range []string{"0", "-1", "many"} {
		s, err := sqlstore.Open(t.Context(), "postgres://gg:s3cret@127.0.0.1:1/x?pool_max_conns="+v)
		if err == nil {
			_ = s.Close()
			t.Fatalf("pool_max_conns=%s accepted", v)
		}
		if !strings.Contains(err.Error(), "pool_max_conns") || strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("pool_max_conns=%s: %v", v, err)
		}
	}
}

// TestSQLiteWriterJournalsInMemory: the writer keeps its savepoint journals
// in memory (temp_store 2), the readers do not (0, the default).
func TestSQLiteWriterJournalsInMemory(t *testing.T) {
	s := storetest.NewSQLite(t)
	writer, reader := s.TempStore(t.Context())
	if writer != 2 || reader != 0 {
		t.Errorf("temp_store: writer %d, readers %d; want 2 and 0", writer, reader)
	}
}
