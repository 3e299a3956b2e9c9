package sqlstore

// TokenAccessWithGroupsQuery is Grants.TokenAccess's query with groups, for
// its plan.
const TokenAccessWithGroupsQuery = tokenAccessWithGroupsQuery
