package sqlstore

// GroupedAuditAppends reports how many statements of PostgreSQL's audit
// batcher wrote more than one row.
func (s *Store) GroupedAuditAppends() int64 { return s.audits.grouped.Load() }

// PostgresRoundTrips reports how many statements and batches the store's
// PostgreSQL connections have sent and waited for.
func (s *Store) PostgresRoundTrips() int64 { return s.roundTrips.Load() }

// GroupedAccessReads reports how many statements of PostgreSQL's token
// access reader read more than one key.
func (s *Store) GroupedAccessReads() int64 { return s.accessReads.grouped.Load() }
