package ui

import (
	"net/http"
	"net/url"
)

// maxReturnTo bounds the return address parsed for a ui_locales; login
// accepts far shorter ones.
const maxReturnTo = 8192

// uiLocales finds the OpenID Connect ui_locales of a request: on the
// request itself (/oauth/authorize), or on the request a sign-in page
// returns to (/login?return_to=/oauth/authorize?…), in the query or in a
// form already parsed. The form is never parsed here: that is the
// handler's decision, after its size limit.
func uiLocales(r *http.Request) string {
	q := r.URL.Query()
	if v := q.Get("ui_locales"); v != "" {
		return v
	}
	if r.PostForm != nil {
		if v := r.PostForm.Get("ui_locales"); v != "" {
			return v
		}
	}
	returnTo := q.Get("return_to")
	if returnTo == "" && r.PostForm != nil {
		returnTo = r.PostForm.Get("return_to")
	}
	if returnTo == "" || len(returnTo) > maxReturnTo {
		return ""
	}
	u, err := url.Parse(returnTo)
	if err != nil {
		return ""
	}
	return u.Query().Get("ui_locales")
}
