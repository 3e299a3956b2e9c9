package sqlstore

// RefreshAccessWithGroupsQuery is GetAccess's statement, for its plan test.
const RefreshAccessWithGroupsQuery = refreshAccessWithGroupsQuery

// RefreshUseWithGroupsQuerySQLite is UseAccess's read on SQLite, for its
// plan test.
const RefreshUseWithGroupsQuerySQLite = refreshUseWithGroupsQuerySQLite
