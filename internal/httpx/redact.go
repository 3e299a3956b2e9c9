package httpx

import "strings"

// loggedPath is the request path as the access log records it: a path
// segment that the route's {token} wildcard matched is replaced by
// "{token}", because one-time links carry their secret in the path and the
// log never holds a token. Other paths are logged as they are.
func loggedPath(path, pattern string) string {
	if !strings.Contains(pattern, "{token}") {
		return path
	}
	// A pattern is "[METHOD ][HOST]/PATH"; its path starts at the first "/".
	if i := strings.IndexByte(pattern, '/'); i >= 0 {
		pattern = pattern[i:]
	}
	pat, segs := strings.Split(pattern, "/"), strings.Split(path, "/")
	for i, p := range pat {
		if p == "{token}" && i < len(segs) {
			segs[i] = p
		}
	}
	return strings.Join(segs, "/")
}
