package sqlstore

import (
	"database/sql"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// poolParam sizes a replica's PostgreSQL connection pool from the database
// URL, under the name pgxpool users already know. It is Guildgate's, not
// the server's: pgx would send an unknown URL parameter to PostgreSQL as a
// setting, which the server refuses, so it is taken out before connecting.
const poolParam = "pool_max_conns"

// defaultMaxConns caps each replica's connections, so that replicas × cap
// stays under PostgreSQL's max_connections (100 by default) instead of a
// burst opening connections until the server refuses them. Requests hold a
// connection for one short statement or transaction, never across one
// another, so a few dozen serve far more concurrent requests than that.
const defaultMaxConns = 20

// splitPoolParam returns the URL without pool_max_conns, and the pool size
// it asked for. Errors never quote the URL, which may hold a password.
func splitPoolParam(dsn string) (string, int, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", 0, errors.New("open postgres database: the database URL does not parse")
	}
	q := u.Query()
	if !q.Has(poolParam) {
		return dsn, defaultMaxConns, nil
	}
	n, err := strconv.Atoi(q.Get(poolParam))
	if err != nil || n < 1 {
		return "", 0, errors.New("open postgres database: pool_max_conns in the database URL must be a whole number above 0")
	}
	q.Del(poolParam)
	u.RawQuery = q.Encode()
	return u.String(), n, nil
}

// sizePool keeps up to max connections open, idle ones included:
// reconnecting (TCP, TLS, authentication) for each burst costs more than an
// idle connection does. Idle ones are still closed after a while, and every
// one is replaced now and then, so a quiet replica gives its share back and
// connections spread again after a failover or behind a pooler.
func sizePool(db *sql.DB, max int) {
	db.SetMaxOpenConns(max)
	db.SetMaxIdleConns(max)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
}
