package app

import "net/http"

// probeMux routes the probes to their own mux and every other request
// straight to the site, as a mux with the probes and "/" would, without
// looking the path up twice: a mux that finds "/" for a path first tries
// that path with a trailing slash, which walks its tree again and
// allocates. A path that mux would redirect (unclean, CONNECT, "*") and
// the probes' own paths still go through mux.
type probeMux struct {
	mux  *http.ServeMux // the probes and "/" → site
	site http.Handler
}

func (p probeMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !p.direct(r) {
		p.mux.ServeHTTP(w, r)
		return
	}
	r.Pattern = "/" // as mux would set it: metrics and error logs read it
	p.site.ServeHTTP(w, r)
}

// direct reports whether mux would hand r to "/" as it is.
func (p probeMux) direct(r *http.Request) bool {
	if r.Method == http.MethodConnect || r.RequestURI == "*" || r.URL.RawPath != "" {
		return false
	}
	switch u := r.URL.Path; u {
	case "/healthz", "/readyz":
		return false
	default:
		return isCleanPath(u)
	}
}

// isCleanPath reports whether net/http's cleanPath leaves p as it is: an
// absolute path without empty, "." or ".." segments (but for one trailing
// slash). It scans p rather than compare it with path.Clean's answer.
func isCleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	start := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch p[start:i] {
		case ".", "..":
			return false
		case "":
			if i < len(p) {
				return false
			}
		}
		start = i + 1
	}
	return true
}
