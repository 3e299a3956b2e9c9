package sqlstore

import "database/sql"

// DB is the store's connection pool, for whole-database tools that work
// below the aggregates: `guildgate migrate --from --to` copies every table
// row by row, whatever tables the migrations have made. Services never use
// it; they go through store.Store.
func (s *Store) DB() *sql.DB { return s.pool }
