package sqlstore

// The store writes its parameters $1, $2, … for both databases. SQLite
// takes "$1" as a parameter named "$1", and the driver binds each
// parameter by asking SQLite its name (a Go string allocated per parameter
// per call) and looking the name up in the statement's list of names, a
// linear search: binding n parameters so walks n²/2 names. For the audit
// rows a group writes in one INSERT (auditrows.go), 7 a row, that was
// about 1 % of a client_credentials request's CPU. An anonymous parameter
// ("?") has no name: nothing to allocate, nothing to search.

// positional is query with its parameters $1, $2, … $n written "?", when
// they appear in that order, each once, so that the i-th "?" is bound to
// the i-th argument exactly as "$i" was; otherwise (another order, a
// repeat, any other kind of parameter or a comment) query itself. Quoted
// strings and identifiers are left as they are.
func positional(query string) string {
	var b []byte
	next := 1
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			end := i + 1
			for end < len(query) && query[end] != c {
				end++
			}
			if end == len(query) {
				return query
			}
			b = append(b, query[i:end+1]...)
			i = end
			continue
		case c == '?' || c == ':' || c == '@' || c == '[' ||
			c == '-' && i+1 < len(query) && query[i+1] == '-' ||
			c == '/' && i+1 < len(query) && query[i+1] == '*':
			return query
		case c == '$':
			if i > 0 && identByte(query[i-1]) {
				return query
			}
			end, n := i+1, 0
			for end < len(query) && query[end] >= '0' && query[end] <= '9' && n <= next {
				n = n*10 + int(query[end]-'0')
				end++
			}
			if end == i+1 || n != next || query[i+1] == '0' || end < len(query) && identByte(query[end]) {
				return query
			}
			b = append(b, '?')
			next++
			i = end - 1
			continue
		}
		b = append(b, c)
	}
	if next == 1 {
		return query
	}
	return string(b)
}

func identByte(c byte) bool {
	return c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
