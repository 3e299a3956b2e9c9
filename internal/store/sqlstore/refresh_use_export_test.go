package sqlstore

// RefreshUseWithGroupsQuerySQLite is UseAccess's read on SQLite, for its
// plan test.
const RefreshUseWithGroupsQuerySQLite = refreshUseWithGroupsQuerySQLite
