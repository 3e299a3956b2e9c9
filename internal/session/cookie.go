package session

import (
	"net/http"
	"time"
)

// cookieLen is the length of ids.NewToken(32); anything else is not ours and
// is not worth a database lookup.
const cookieLen = 43

func cookieValue(r *http.Request) (string, bool) {
	c, err := r.Cookie(CookieName)
	if err != nil || len(c.Value) != cookieLen {
		return "", false
	}
	return c.Value, true
}

// setCookie persists the cookie for maxAge, the session's absolute lifetime,
// so the member stays signed in across browser restarts but never beyond the
// limit the server enforces anyway. Max-Age rather than Expires: it is
// relative, so a browser with a wrong clock keeps it exactly as long.
func setCookie(w http.ResponseWriter, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: int(maxAge / time.Second),
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}

func clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: "", Path: "/", MaxAge: -1,
		Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode,
	})
}
