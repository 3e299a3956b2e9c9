package sqlstore

// RefreshAccessWithGroupsQuery is GetAccess's statement, for its plan test.
const RefreshAccessWithGroupsQuery = refreshAccessWithGroupsQuery
