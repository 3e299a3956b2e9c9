package httpx

import "net/http"

// SeeOther redirects with 303 to target, which the caller built or already
// checked, without http.Redirect's rewriting of relative paths or its body:
// after a POST, and to local pages.
func SeeOther(w http.ResponseWriter, target string) {
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusSeeOther)
}
