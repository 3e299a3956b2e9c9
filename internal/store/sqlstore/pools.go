package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strconv"
	"strings"
)

// SQLite lets one connection write at a time. With a pool of connections
// that all may write, the others wait for the lock inside SQLite's busy
// handler, which sleeps (up to 100 ms at a go) instead of being woken when
// the lock is free: under 32 concurrent token requests that sleeping made
// the slowest ones take over a second (issue 11). So the store has exactly
// one writer connection, which requests queue for in Go and get the moment
// it is free, and a pool of query-only connections for plain reads, which
// in WAL mode never wait for the writer.
//
// A consequence worth knowing: inside Store.Atomic a write through the
// Store rather than the transaction waits for a connection the transaction
// holds, forever (store.Store.Atomic says not to).

// readerConns is how many plain reads run at once; more only queue.
func readerConns() int { return max(4, 2*runtime.GOMAXPROCS(0)) }

// writerPragmas keep the writer's statement and savepoint journals in
// memory. Every request after the first of a group runs in a SAVEPOINT
// (groupcommit.go), and SQLite writes the original of each page it first
// changes there to that journal, by default a temporary file: those
// pwrites were about 72 % of the writes on a code exchange (issue 11). In
// memory the journal holds the originals of the pages one savepoint or one
// statement changes, which the page cache holds changed beside them
// anyway, and is dropped when the savepoint is released. Readers keep the
// default: their temporary storage is sorting, which may be large.
// The writer's own automatic checkpoint is only a backstop (checkpoint.go).
var writerPragmas = "&_pragma=temp_store(MEMORY)&_pragma=wal_autocheckpoint(" + strconv.Itoa(backstopPages) + ")"

// openSQLite opens the writer and the readers on one file. The writer is
// pinged first, so WAL mode is set before a reader opens the file.
func openSQLite(ctx context.Context, source string) (*Store, error) {
	writer := sql.OpenDB(&sqliteConnector{dsn: source + writerPragmas, uninterruptible: true})
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	if err := writer.PingContext(ctx); err != nil {
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite database: unreachable: %w", err)
	}
	readers := sql.OpenDB(&sqliteConnector{dsn: source + "&_pragma=query_only(1)"})
	readers.SetMaxOpenConns(readerConns())
	readers.SetMaxIdleConns(readerConns())
	if err := readers.PingContext(ctx); err != nil {
		_ = readers.Close()
		_ = writer.Close()
		return nil, fmt.Errorf("open sqlite database: unreachable: %w", err)
	}
	ckdb := sql.OpenDB(&sqliteConnector{dsn: source})
	ckdb.SetMaxOpenConns(1)
	ckdb.SetMaxIdleConns(1)
	checkpoints := newCheckpointer(ckdb)
	commits := newCommitQueue(writer, sqliteDialect)
	commits.wrote = checkpoints.wrote
	return &Store{pool: writer, readers: readers, db: split{writer: writer, readers: readers, commits: commits},
		d: sqliteDialect, commits: commits, checkpoints: checkpoints}, nil
}

// split runs plain reads (statements that begin with SELECT) on the
// readers and everything else (writes, including UPDATE … RETURNING) on
// the writer: a write that returns no rows as a transaction of the commit
// queue, so that it shares a commit with those waiting beside it. A write
// sent to a reader fails at once (query_only), so a misrouted statement
// cannot go unnoticed.
type split struct {
	writer, readers *sql.DB
	commits         *commitQueue
}

func (p split) pick(query string) *sql.DB {
	q := strings.TrimLeft(query, " \t\r\n")
	if len(q) >= 6 && strings.EqualFold(q[:6], "SELECT") {
		return p.readers
	}
	return p.writer
}

func (p split) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.commits.exec(ctx, query, args...)
}

func (p split) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.pick(query).QueryContext(ctx, query, args...)
}

func (p split) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.pick(query).QueryRowContext(ctx, query, args...)
}
