package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite copies the WAL back into the database file (a checkpoint) inside
// the COMMIT that takes the WAL past wal_autocheckpoint pages: that COMMIT
// reads the frames, writes the pages and syncs the file, and every request
// queued for the writer waits for it (issue 11's tail). So the store
// checkpoints on a connection of its own, off the commit path: a PASSIVE
// checkpoint never takes the write lock, so the writer commits on while it
// runs. The writer's own automatic checkpoint stays, at backstopPages,
// only to bound the WAL should this one fall behind (a reader holding an
// old snapshot, a slow disk).

// checkpointEvery spaces the checkpoints while writes go on: each copies a
// page once however often it changed in between, and syncs twice.
const checkpointEvery = 500 * time.Millisecond

// backstopPages is the writer's wal_autocheckpoint: ten times SQLite's
// default, so the WAL grows to about 40 MB (4 KiB pages) before the writer
// checkpoints by itself. Between checkpoints it holds checkpointEvery's
// writes, a few MB under load; SQLite reuses the file rather than shrink it.
const backstopPages = 10000

type checkpointer struct {
	db   *sql.DB
	kick chan struct{} // holds one pending request at most
	stop chan struct{}
	done chan struct{}
	once sync.Once
	// runs counts the checkpoints done and last holds the WAL's frames and
	// those copied by the latest, for tests.
	runs atomic.Int64
	last atomic.Pointer[[2]int64]
}

func newCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

// wrote tells the checkpointer that a commit added to the WAL. It never
// waits.
func (c *checkpointer) wrote() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.done)
	for {
		select {
		case <-c.kick:
		case <-c.stop:
			return
		}
		t := time.NewTimer(checkpointEvery) // let the WAL gather more
		select {
		case <-t.C:
		case <-c.stop:
			t.Stop()
			return
		}
		// A failure (SQLITE_BUSY while the writer's backstop runs, say)
		// leaves the pages for the next checkpoint; nothing is lost.
		var busy int
		var frames [2]int64
		if err := c.db.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").
			Scan(&busy, &frames[0], &frames[1]); err == nil {
			c.last.Store(&frames)
		}
		c.runs.Add(1)
	}
}

// close stops the checkpointer and closes its connection.
func (c *checkpointer) close() error {
	c.once.Do(func() { close(c.stop) })
	<-c.done
	return c.db.Close()
}
