package sqlstore

// GroupedAuditAppends reports how many statements of PostgreSQL's audit
// batcher wrote more than one row.
func (s *Store) GroupedAuditAppends() int64 { return s.audits.grouped.Load() }
