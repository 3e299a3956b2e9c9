package sqlstore

// RefreshUseWithGroupsQuerySQLite is UseAccess's read on SQLite, for its
// plan test.
var RefreshUseWithGroupsQuerySQLite = refreshRedeem.query(false, true)

// CodeConsumeWithGroupsQuerySQLite is ConsumeAccess's read on SQLite.
var CodeConsumeWithGroupsQuerySQLite = codeRedeem.query(false, true)
