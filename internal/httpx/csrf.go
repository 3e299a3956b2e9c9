package httpx

import (
	"crypto/subtle"
	"errors"
	"net/http"

	"github.com/guildgate/guildgate/internal/i18n"
	"github.com/guildgate/guildgate/internal/ids"
)

// CSRF protects browser forms twice over. Protect applies Go's
// http.CrossOriginProtection (Sec-Fetch-Site / Origin checks) to whole
// routes; Token and Check add a double-submit token, so a browser that sends
// neither header, or a same-site attacker, still cannot forge a POST.
type CSRF struct {
	// Errors renders the refusal of a cross-origin request.
	Errors *ErrorWriter
	// Bypass lists mux patterns that legitimately receive cross-site POSTs
	// (e.g. "POST /oauth/token"); empty for now.
	Bypass []string
}

const (
	// CSRFCookie is host-only (__Host-), Secure and SameSite=Strict: no
	// subdomain or other site can set or read it.
	CSRFCookie = "__Host-gg_csrf"
	// CSRFField is the hidden form field that must repeat the cookie.
	CSRFField = "csrf_token"

	csrfBytes    = 32
	csrfTokenLen = 43 // base64url of 32 bytes, unpadded
)

// Token returns the value forms must echo in CSRFField, reusing the request's
// cookie or setting a new one.
func (c *CSRF) Token(w http.ResponseWriter, r *http.Request) string {
	if v, ok := csrfCookie(r); ok {
		return v
	}
	v := ids.NewToken(csrfBytes)
	http.SetCookie(w, &http.Cookie{
		Name: CSRFCookie, Value: v, Path: "/",
		Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode,
	})
	return v
}

// Check verifies the form's token against the cookie. Call it before any
// state change; it parses the form (413 when over the body limit). The token
// is read from the body only: a token in a URL leaks through logs and history.
func (c *CSRF) Check(r *http.Request) error {
	if err := ParseForm(r); err != nil {
		return err
	}
	cookie, ok := csrfCookie(r)
	if !ok {
		return ForbiddenMsg(i18n.M("error.csrf")).WithCause(errors.New("csrf: no cookie"))
	}
	sent := r.PostForm.Get(CSRFField)
	if subtle.ConstantTimeCompare([]byte(sent), []byte(cookie)) != 1 {
		return ForbiddenMsg(i18n.M("error.csrf")).WithCause(errors.New("csrf: form token does not match cookie"))
	}
	return nil
}

// Protect refuses cross-origin unsafe requests to next with a 403 page.
func (c *CSRF) Protect(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	for _, p := range c.Bypass {
		cop.AddInsecureBypassPattern(p)
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.Errors.Write(w, r, ForbiddenMsg(i18n.M("error.csrf")).WithCause(errors.New("csrf: cross-origin request refused")))
	}))
	return cop.Handler(next)
}

// csrfCookie returns the cookie's value when it has the shape Token makes.
func csrfCookie(r *http.Request) (string, bool) {
	c, err := r.Cookie(CSRFCookie)
	if err != nil || len(c.Value) != csrfTokenLen {
		return "", false
	}
	return c.Value, true
}
